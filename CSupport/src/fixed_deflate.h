// A small raw-deflate encoder for short records (internal to CSupport).
//
// Why: a journal record is 0.3-2 KB. zlib compresses each one as its own
// block, and for a block that small most of deflate's time goes to building
// and sending its three Huffman trees (pqdownheap, build_tree, send_tree:
// about half of a 470-byte vCard's 21 us here), which a block this short can
// barely use. This encoder writes one block with deflate's fixed Huffman
// codes (RFC 1951 3.2.6) after LZ77 against the same preset dictionary: the
// output is ordinary raw deflate, read by zlib's inflate like any other, at
// about a fifth of the cost and a few percent more bytes (docs/BENCHMARKS.md,
// "Short records without Huffman trees").
#ifndef CSUPPORT_FIXED_DEFLATE_H
#define CSUPPORT_FIXED_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "csupport_zlib.h"

/// The longest record the encoder takes (the frame codec's fast limit).
#define CSUPPORT_FIXED_DEFLATE_MAX_INPUT CSUPPORT_ZFRAME_FAST_LIMIT_MAX

typedef struct csupport_fixed_deflater csupport_fixed_deflater;

/// A deflater primed with `dictionary` (its last 32 KiB are what deflate may
/// refer to); NULL when out of memory.
csupport_fixed_deflater *csupport_fixed_deflater_create(const uint8_t *dictionary, size_t dictionary_length);
void csupport_fixed_deflater_destroy(csupport_fixed_deflater *deflater);

/// The dictionary bytes the deflater refers to (what inflate must be given).
const uint8_t *csupport_fixed_deflater_dictionary(const csupport_fixed_deflater *deflater, size_t *length);

/// Compresses `length` bytes (1 to CSUPPORT_FIXED_DEFLATE_MAX_INPUT) into
/// `out` as one final fixed-Huffman block. Returns the byte count, or -1 when
/// the output would not fit in `capacity` (the caller then stores or uses
/// zlib). Every call starts from the primed dictionary: a record's output
/// never depends on the records before it.
long csupport_fixed_deflate(csupport_fixed_deflater *deflater, const uint8_t *data, size_t length,
                            uint8_t *out, size_t capacity);

#endif
