// zlib framing for the change journal: one frame per record payload.
//
// Why C: deflateInit2/inflateInit2 are macros (they pass ZLIB_VERSION and
// sizeof(z_stream)), which Swift cannot call; and the codec keeps its zlib
// state alive across records. Deflate: a stream primed once with the preset
// dictionary (deflateSetDictionary hashes every dictionary byte, and a reset
// clears the whole hash table: together ~10 % of a 700-byte record's deflate)
// is copied per record (deflateCopy) into an arena the codec owns, so a record
// costs a memory copy and no allocation. With a dictionary, records up to
// CSUPPORT_ZFRAME_FAST_LIMIT_MAX bytes skip zlib's deflate: a small encoder of
// our own writes them as one fixed-Huffman block or, when shorter, as a coded
// frame (method 3, below; src/fixed_deflate.h says why), and longer records up to CSUPPORT_ZFRAME_LONG_LIMIT_MAX (photos) as
// one block with dynamic Huffman codes built from the record's own symbol
// counts (src/fixed_deflate.h; about half zlib's time, ~1.6 % larger). zlib's
// inflate reads both like any deflate stream; each such output is inflated
// back and compared before it is returned (zlib compresses it otherwise).
// Inflate: one stream reset per record. A record holding long base64 values
// (a contact's PHOTO) is written as a lifted frame (method 2): the values'
// bytes and layout, and the rest of the record compressed as above
// (src/base64_lift.h says which values and why).
// The state is opaque to Swift: no zlib type appears in this header.
//
// Frame layout (all integers little-endian), 11-byte header:
//
//   offset size  field
//   0      1     magic and format version: 0xD1 = magic nibble 0xD, version 1
//   1      1     method: 0 = stored (the body is the payload itself, used when
//                deflate would not make it smaller), 1 = raw deflate (RFC 1951,
//                no zlib header or Adler-32: the CRC below covers the data),
//                2 = lifted (below), 3 = coded (below)
//   2      1     preset dictionary id: 0 = none; otherwise the id of the
//                dictionary deflate was primed with (deflateSetDictionary).
//                Always 0 for stored frames.
//   3      4     uncompressed length
//   7      4     CRC-32 (zlib's crc32, ISO-HDLC polynomial) of the uncompressed payload
//   11     ...   body: the deflate stream, or the stored payload
//
// A coded body: a raw deflate stream of one final block with dynamic Huffman
// codes, always the same ones (the implied codes, src/fixed_deflate.c, trained
// on vCard and iCalendar text), without that block's header: the body's first
// bit is the bit after the header's last (the header, 948 bits, is implied).
// The decoder has zlib's inflate read the header once (its whole bytes, then
// its last bits by inflatePrime), which builds the codes' tables, and inflates
// each coded body from a copy of that stream. Short records (the fast path) are
// written coded when that is shorter than fixed codes: text letters cost 5-7
// bits instead of 8 and the header costs nothing.
//
// A lifted body: the record with its base64 segments taken out (the "rest"),
// and each segment as its decoded bytes and the layout that writes its text
// back (varints are LEB128, at most 5 bytes):
//
//   1      the rest's method: 0 stored, 1 raw deflate, 3 coded (both with the header's dictionary)
//   1      segment count n, 1-16
//   n x    varint gap (bytes of the rest before the segment, after the previous one),
//          varint byte count (>= 1), varint first (characters before the first
//          separator), varint line (characters between separators; 0 = unfolded,
//          then first is all of them), 1 byte separator length s (0-15, 0 iff
//          line is 0), s separator bytes
//   ...    the n segments' bytes, in order
//   ...    the rest: stored, or a raw deflate stream
//
// A segment's text is standard base64 with '=' padding: first characters,
// then the separator before every further `line` of them. The header's length
// and CRC are the whole record's.
//
// Decoding checks every field: an unknown magic/version/method, a length the
// body does not produce exactly, trailing bytes after the end of the deflate
// stream, a truncated stream or a CRC mismatch each give a distinct status,
// never wrong data. Which bytes dictionary id N stands for is defined by the
// caller (SyncMLStore's PayloadCodec); a wrong dictionary is caught by the CRC.
#ifndef CSUPPORT_ZLIB_H
#define CSUPPORT_ZLIB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CSUPPORT_ZFRAME_MAGIC_VERSION 0xD1
#define CSUPPORT_ZFRAME_HEADER_SIZE 11
#define CSUPPORT_ZFRAME_METHOD_STORED 0
#define CSUPPORT_ZFRAME_METHOD_DEFLATE 1
#define CSUPPORT_ZFRAME_METHOD_LIFTED 2
#define CSUPPORT_ZFRAME_METHOD_CODED 3
/// The longest record the fixed-Huffman fast path takes (the default limit).
#define CSUPPORT_ZFRAME_FAST_LIMIT_MAX 2048
/// The longest record the dynamic-Huffman long path takes (the default long
/// limit): 32 KiB - 1, so that the dictionary (at most 32 KiB) and the record
/// share one window addressed by 16-bit positions.
#define CSUPPORT_ZFRAME_LONG_LIMIT_MAX 32767

/// Room for the implied block header of coded frames (its bytes are fewer).
#define CSUPPORT_CODED_HEADER_MAX 256

/// Status codes; 0 is success, every failure is negative and distinct.
typedef enum {
    CSUPPORT_ZFRAME_OK = 0,
    CSUPPORT_ZFRAME_TRUNCATED = -1,          ///< shorter than the header, or the deflate stream ends early
    CSUPPORT_ZFRAME_BAD_MAGIC = -2,          ///< byte 0 is not a known magic/version
    CSUPPORT_ZFRAME_BAD_METHOD = -3,         ///< byte 1 is not a known method (or stored with a dictionary id)
    CSUPPORT_ZFRAME_BAD_LENGTH = -4,         ///< the body does not hold exactly the announced length
    CSUPPORT_ZFRAME_DATA_ERROR = -5,         ///< the deflate stream is malformed
    CSUPPORT_ZFRAME_CRC_MISMATCH = -6,       ///< the data decoded but its CRC-32 differs
    CSUPPORT_ZFRAME_DICTIONARY_MISMATCH = -7,///< the frame needs another dictionary than the one passed
    CSUPPORT_ZFRAME_NO_MEMORY = -8,          ///< zlib could not allocate its state
    CSUPPORT_ZFRAME_OUTPUT_TOO_SMALL = -9,   ///< the caller's buffer is smaller than needed
    CSUPPORT_ZFRAME_TRAILING_BYTES = -10,    ///< bytes follow the end of the deflate stream
} csupport_zframe_status;

/// The codec: a primed deflate stream copied per record, an inflate stream reset per record.
typedef struct csupport_zframe_codec csupport_zframe_codec;

/// A frame's header fields.
typedef struct {
    uint8_t method;
    uint8_t dictionary_id;
    uint32_t length;
    uint32_t crc32;
} csupport_zframe_header;

/// Allocates a codec compressing at `level` (0-9; -1 = zlib's default) with a
/// deflate window of 2^`window_bits` bytes (9-15) and a hash table sized by
/// `mem_level` (1-9). The window and table are copied per record: records of
/// 0.5-2 KB plus a 3 KB dictionary fit a 4 KiB window (12). Frames decode
/// whatever window they were written with (the inflater always has 2^15).
csupport_zframe_codec *csupport_zframe_codec_create(int level, int window_bits, int mem_level);
void csupport_zframe_codec_destroy(csupport_zframe_codec *codec);

/// With a dictionary primed, records of at most `limit` bytes (capped at
/// CSUPPORT_ZFRAME_FAST_LIMIT_MAX, the default) are compressed by the
/// fixed-Huffman fast path; 0 sends every record to zlib's deflate
/// (comparisons, tests). A level-0 codec stores everything and ignores this.
void csupport_zframe_codec_set_fast_limit(csupport_zframe_codec *codec, size_t limit);

/// With a dictionary primed, records longer than the fast limit and of at
/// most `limit` bytes (capped at CSUPPORT_ZFRAME_LONG_LIMIT_MAX, the default)
/// are compressed by the long path: the same LZ77 into one block with
/// Huffman codes of the record's own; 0 sends them to zlib's deflate.
void csupport_zframe_codec_set_long_limit(csupport_zframe_codec *codec, size_t limit);

/// Whether long base64 values are kept as their bytes (lifted frames, method 2;
/// on by default except at level 0); 0 writes only methods 0 and 1 (comparisons).
void csupport_zframe_codec_set_lifting(csupport_zframe_codec *codec, int lifting);

/// Whether short records may be written as coded frames (method 3; on by
/// default); 0 writes them with fixed codes only (comparisons). Every codec reads them.
void csupport_zframe_codec_set_coding(csupport_zframe_codec *codec, int coding);

/// How many fast-path (or lifted) outputs failed their read-back check and went to zlib
/// instead (expected: 0; tests watch it).
unsigned long csupport_zframe_codec_fast_rejections(const csupport_zframe_codec *codec);

/// The largest frame `length` payload bytes can produce (stored fallback included).
size_t csupport_zframe_bound(size_t length);

/// Primes the codec's deflate state with `dictionary` (zlib keeps what it needs), which frames
/// will name by `dictionary_id`; id 0 or an empty dictionary compresses
/// without one. Call once, or again to switch dictionaries; a codec never
/// primed compresses without a dictionary. Returns 0 or a negative status.
int csupport_zframe_codec_prime(csupport_zframe_codec *codec,
                                const uint8_t *dictionary, size_t dictionary_length, uint8_t dictionary_id);

/// Encodes `length` bytes at `data` into `out` (capacity `capacity`, at least
/// csupport_zframe_bound(length)) with the primed dictionary. Stores the
/// payload when deflate does not shrink it.
/// Returns the frame size (> 0) or a negative csupport_zframe_status.
long csupport_zframe_encode(csupport_zframe_codec *codec, const uint8_t *data, size_t length,
                            uint8_t *out, size_t capacity);

/// Reads and checks the header of the frame at `frame` (only the header).
int csupport_zframe_read_header(const uint8_t *frame, size_t frame_length, csupport_zframe_header *header);

/// Decodes the frame into `out`, whose capacity must be at least the header's
/// length. `dictionary` must be the one the header's dictionary id names
/// (the caller resolves the id; pass `dictionary_id` to have it checked).
/// Returns CSUPPORT_ZFRAME_OK or a negative status; on failure `out` holds
/// nothing the caller may use.
int csupport_zframe_decode(csupport_zframe_codec *codec,
                           const uint8_t *dictionary, size_t dictionary_length, uint8_t dictionary_id,
                           const uint8_t *frame, size_t frame_length,
                           uint8_t *out, size_t capacity);

/// Writes the block header coded frames leave out (method 3: BFINAL, a dynamic
/// block, the implied codes) into `out`, and returns its length in bits (0 if
/// `capacity` is too small). Frames depend on it: tests pin its bits.
size_t csupport_coded_header(uint8_t *out, size_t capacity);

/// zlib's CRC-32 of `length` bytes (for tests and for pinning dictionary contents).
uint32_t csupport_crc32(const uint8_t *data, size_t length);

#ifdef __cplusplus
}
#endif
#endif
