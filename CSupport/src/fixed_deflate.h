// A small raw-deflate encoder for journal records (internal to CSupport).
//
// Why: a journal record is 0.3-2 KB. zlib compresses each one as its own
// block, and for a block that small most of deflate's time goes to building
// and sending its three Huffman trees (pqdownheap, build_tree, send_tree:
// about half of a 470-byte vCard's 21 us here), which a block this short can
// barely use. This encoder writes one block with deflate's fixed Huffman
// codes (RFC 1951 3.2.6) after LZ77 against the same preset dictionary: the
// output is ordinary raw deflate, read by zlib's inflate like any other, at
// about a fifth of the cost and a few percent more bytes (docs/BENCHMARKS.md,
// "Short records without Huffman trees"). Or, when shorter, one block with
// codes trained once on such records, whose header is the same for every
// record and so left out of the frame (coded frames, method 3 in
// csupport_zlib.h).
//
// Long records (a contact with a ~4 KB base64 photo) are the opposite case:
// fixed codes spend 8 bits on each base64 character, and zlib's deflate spends
// most of its ~100 us searching a photo that has nothing to match. Their
// encoder uses the same LZ77, cut short on such stretches, and one block with
// Huffman codes built from the record's own counts ("Long records with codes
// of their own").
#ifndef CSUPPORT_FIXED_DEFLATE_H
#define CSUPPORT_FIXED_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "csupport_zlib.h"

/// The longest record the fixed-code encoder takes (the frame codec's fast limit).
#define CSUPPORT_FIXED_DEFLATE_MAX_INPUT CSUPPORT_ZFRAME_FAST_LIMIT_MAX
/// The longest record the dynamic-code encoder takes (the frame codec's long limit).
#define CSUPPORT_DYNAMIC_DEFLATE_MAX_INPUT CSUPPORT_ZFRAME_LONG_LIMIT_MAX

typedef struct csupport_fixed_deflater csupport_fixed_deflater;

/// A deflater primed with `dictionary` (its last 32 KiB are what deflate may
/// refer to); NULL when out of memory.
csupport_fixed_deflater *csupport_fixed_deflater_create(const uint8_t *dictionary, size_t dictionary_length);
void csupport_fixed_deflater_destroy(csupport_fixed_deflater *deflater);

/// The dictionary bytes the deflater refers to (what inflate must be given).
const uint8_t *csupport_fixed_deflater_dictionary(const csupport_fixed_deflater *deflater, size_t *length);

/// Compresses `length` bytes (1 to CSUPPORT_FIXED_DEFLATE_MAX_INPUT) by LZ77
/// against the primed dictionary, then writes them with whichever codes are
/// shorter: fixed codes, as one whole final fixed-Huffman block (`*coded` 0),
/// or, if `may_code`, the implied codes, as the body of a coded frame: the
/// block after its header (`*coded` 1). Returns the byte count, or -1 when
/// the output would not fit in `capacity` (the caller then stores or uses
/// zlib). Every call starts from the primed dictionary: a record's output
/// never depends on the records before it.
long csupport_short_deflate(csupport_fixed_deflater *deflater, const uint8_t *data, size_t length,
                            uint8_t *out, size_t capacity, int may_code, int *coded);

/// Compresses `length` bytes (1 to CSUPPORT_DYNAMIC_DEFLATE_MAX_INPUT) with
/// the same LZ77 as csupport_short_deflate into one final block with Huffman
/// codes built from the record's own symbol counts (RFC 1951 BTYPE 10): what
/// long records need, whose base64 photos cost 8 bits a character in fixed
/// codes and ~6 in their own. Same contract as csupport_short_deflate.
long csupport_dynamic_deflate(csupport_fixed_deflater *deflater, const uint8_t *data, size_t length,
                              uint8_t *out, size_t capacity);

/// Huffman code lengths of at most `limit` bits for `count` (2 to 286)
/// symbols of the given frequencies: 0 for symbols that do not occur, and
/// always a complete code of at least two symbols (deflate's inflaters refuse
/// incomplete ones). Internal; declared here for the fuzz target.
void csupport_huffman_code_lengths(const uint32_t *frequency, int count, int limit, uint8_t *lengths);

#endif
