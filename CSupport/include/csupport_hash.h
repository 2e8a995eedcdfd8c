// The 128-bit fingerprint hash: MurmurHash3_x64_128 (Austin Appleby, public
// domain algorithm), written here from its description.
//
// Why C and why this hash: every record's normalized form is hashed on every
// sync, so it must run at memory speed without allocation; the fingerprint is
// stored in the journal and compared across machines and versions, so it must
// be platform-stable (little-endian loads on every platform, output = h1 then
// h2, each little-endian — the byte order of the reference implementation and
// of Python's `mmh3.hash_bytes`). 128 bits make an accidental collision
// between two edits of one record practically impossible (a 16-bit CRC, as
// libsynthesis uses, misses one edit in 65,536). Not a cryptographic hash: a
// peer that wants to forge a collision gains nothing but a missed update of
// its own record.
#ifndef CSUPPORT_HASH_H
#define CSUPPORT_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Hashes `length` bytes at `data` with `seed` into the 16 bytes at `out`.
void csupport_murmur3_x64_128(const void *data, size_t length, uint32_t seed, uint8_t out[16]);

#ifdef __cplusplus
}
#endif
#endif
