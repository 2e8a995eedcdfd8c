// Long base64 values kept as their bytes in a frame (internal to CSupport).
//
// Why: ~5 % of generated contacts carry a base64 PHOTO (~4.2 KB of text for
// ~3 KB of JPEG) and they were 42 % of the journal's frame bytes. Deflate gets
// a base64 character down to ~6 bits, what the binary costs, but the folding
// (CRLF and a space every 75 octets) costs literal codes, and the characters'
// codes share one Huffman tree with the rest of the record. So a stretch of
// canonical base64 laid out regularly is lifted out of the record: the frame
// keeps its bytes and its layout (the first line's length, the length of the
// lines after it, the separator between them), which give the exact text back.
//
// What counts: a run of at least CSUPPORT_LIFT_MIN_CHARS characters of the
// standard alphabet (RFC 4648 §4), ended by at most two '=' and cut to whole
// quads; split by one separator (1 to CSUPPORT_LIFT_MAX_SEPARATOR bytes of
// space, tab, CR or LF, the same bytes every time) after a first chunk of any
// length and then after every `line` characters, the last chunk no longer.
// The scan knows no vCard: any text in that shape round-trips byte for byte,
// whatever it means, and text in any other shape stays text. A stretch whose
// bytes are far from random (base64 of text, of runs) is left to deflate,
// which does better with it than the bytes stored as they are.
#ifndef CSUPPORT_BASE64_LIFT_H
#define CSUPPORT_BASE64_LIFT_H

#include <stddef.h>
#include <stdint.h>

/// The fewest base64 characters worth a segment (96 bytes).
#define CSUPPORT_LIFT_MIN_CHARS 128
#define CSUPPORT_LIFT_MAX_SEPARATOR 15
/// The most segments one frame lifts (a contact has one photo, a logo, a sound, a key).
#define CSUPPORT_LIFT_MAX_SEGMENTS 16

typedef struct {
    size_t start;        ///< offset of the segment's first character in the record
    size_t text_length;  ///< its characters and separators, as in the record
    size_t bytes;        ///< its decoded length
    size_t first;        ///< characters before the first separator (all of them when unfolded)
    size_t line;         ///< characters between two separators (0: unfolded)
    uint8_t separator_length;
    uint8_t separator[CSUPPORT_LIFT_MAX_SEPARATOR];
} csupport_lift_segment;

/// Finds up to `capacity` segments of `data`, in order and apart; returns how many.
size_t csupport_lift_find(const uint8_t *data, size_t length, csupport_lift_segment *segments, size_t capacity);

/// Writes the segment's bytes (`segment->bytes` of them) from its text in `record`.
void csupport_lift_decode(const uint8_t *record, const csupport_lift_segment *segment, uint8_t *out);

/// Writes a segment's text (`csupport_lift_text_length` bytes) from its bytes and layout.
void csupport_lift_encode(const uint8_t *bytes, size_t length, size_t first, size_t line,
                          const uint8_t *separator, size_t separator_length, uint8_t *out);

/// The text length `length` bytes take in the layout (first, line, separator length),
/// or 0 when the layout is not one the encoder writes: `first` of at least 1, and
/// either unfolded (`line` and the separator 0, `first` all the characters) or
/// folded (`first` fewer than the characters, `line` and the separator at least 1).
size_t csupport_lift_text_length(size_t length, size_t first, size_t line, size_t separator_length);

#endif
