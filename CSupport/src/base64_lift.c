// Long base64 values kept as their bytes; base64_lift.h says what and why.
#include "base64_lift.h"
#include "fixed_deflate.h"

#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Each byte's value in the alphabet, -1 for any other byte. A table, not comparisons: every
// record is scanned for long runs, and most of its bytes are letters of ordinary text.
static const int8_t values[256] = {
#define X16 -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
    X16, X16,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,                 // ' ' ... '/'
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,                 // '0' ... '?'
    -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,                            // '@' ... 'O'
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,                 // 'P' ... '_'
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,                 // '`' ... 'o'
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,                 // 'p' ... DEL
    X16, X16, X16, X16, X16, X16, X16, X16,
#undef X16
};

static inline int value_of(uint8_t c) { return values[c]; }

static inline int is_separator_byte(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

size_t csupport_lift_text_length(size_t length, size_t first, size_t line, size_t separator_length) {
    if (length == 0 || length > ((size_t)1 << 40) || first == 0) return 0;
    size_t characters = 4 * ((length + 2) / 3);
    if (line == 0) return separator_length == 0 && first == characters ? characters : 0;
    if (separator_length == 0 || separator_length > CSUPPORT_LIFT_MAX_SEPARATOR || first >= characters) return 0;
    size_t separators = (characters - first + line - 1) / line;
    return characters + separators * separator_length;
}

// Reads a segment's characters in order, stepping over its separators.
typedef struct {
    const uint8_t *at;
    size_t left;  // characters before the next separator
    size_t line;
    size_t separator_length;
} reader;

static inline uint8_t next_character(reader *r) {
    if (r->left == 0) {
        r->at += r->separator_length;
        r->left = r->line;
    }
    r->left--;
    return *r->at++;
}

static reader reader_for(const uint8_t *record, const csupport_lift_segment *segment) {
    reader r = {record + segment->start, segment->first, segment->line, segment->separator_length};
    return r;
}

void csupport_lift_decode(const uint8_t *record, const csupport_lift_segment *segment, uint8_t *out) {
    reader r = reader_for(record, segment);
    size_t whole = segment->bytes / 3, rest = segment->bytes % 3;
    for (size_t q = 0; q < whole; q++) {
        uint32_t v = (uint32_t)value_of(next_character(&r)) << 18;
        v |= (uint32_t)value_of(next_character(&r)) << 12;
        v |= (uint32_t)value_of(next_character(&r)) << 6;
        v |= (uint32_t)value_of(next_character(&r));
        *out++ = (uint8_t)(v >> 16);
        *out++ = (uint8_t)(v >> 8);
        *out++ = (uint8_t)v;
    }
    if (rest) {
        uint32_t v = (uint32_t)value_of(next_character(&r)) << 18;
        v |= (uint32_t)value_of(next_character(&r)) << 12;
        if (rest == 2) v |= (uint32_t)value_of(next_character(&r)) << 6;
        *out++ = (uint8_t)(v >> 16);
        if (rest == 2) *out = (uint8_t)(v >> 8);
    }
}

void csupport_lift_encode(const uint8_t *bytes, size_t length, size_t first, size_t line,
                          const uint8_t *separator, size_t separator_length, uint8_t *out) {
    size_t left = first;
#define PUT(c)                                          \
    do {                                                \
        if (left == 0) {                                \
            memcpy(out, separator, separator_length);   \
            out += separator_length;                    \
            left = line;                                \
        }                                               \
        *out++ = (c);                                   \
        left--;                                         \
    } while (0)
    size_t i = 0;
    for (; i + 3 <= length; i += 3) {
        uint32_t v = (uint32_t)bytes[i] << 16 | (uint32_t)bytes[i + 1] << 8 | bytes[i + 2];
        PUT(alphabet[v >> 18]);
        PUT(alphabet[(v >> 12) & 63]);
        PUT(alphabet[(v >> 6) & 63]);
        PUT(alphabet[v & 63]);
    }
    if (length - i == 1) {
        uint32_t v = (uint32_t)bytes[i] << 16;
        PUT(alphabet[v >> 18]);
        PUT(alphabet[(v >> 12) & 63]);
        PUT('=');
        PUT('=');
    } else if (length - i == 2) {
        uint32_t v = (uint32_t)bytes[i] << 16 | (uint32_t)bytes[i + 1] << 8;
        PUT(alphabet[v >> 18]);
        PUT(alphabet[(v >> 12) & 63]);
        PUT(alphabet[(v >> 6) & 63]);
        PUT('=');
    }
#undef PUT
}

// The run of characters from `start` in the layout the format can say: the
// first chunk, then chunks of `line` characters apart by one separator, the
// last no longer. Fills the layout and the character count (padding
// included); returns where the run's last character ends.
static size_t scan_run(const uint8_t *data, size_t length, size_t start, csupport_lift_segment *segment, size_t *characters) {
    size_t at = start, count_all = 0, end = start, pads = 0;
    segment->first = segment->line = 0;
    segment->separator_length = 0;
    for (size_t chunk = 0;; chunk++) {
        size_t from = at;
        while (at < length && value_of(data[at]) >= 0) at++;
        size_t count = at - from;
        if (chunk >= 2 && count > segment->line) {
            // A longer line: its first `line` characters end the run, the rest stays text.
            count_all += segment->line;
            end = from + segment->line;
            break;
        }
        size_t room = chunk >= 2 ? segment->line - count : 2;
        while (pads < 2 && pads < room && at < length && data[at] == '=') at++, pads++;
        if (chunk == 0) segment->first = count + pads;
        if (chunk == 1) segment->line = count + pads;
        count_all += count + pads;
        end = at;
        if (pads || (chunk >= 2 && count < segment->line)) break;
        size_t next = at;
        while (next < length && next - at <= CSUPPORT_LIFT_MAX_SEPARATOR && is_separator_byte(data[next])) next++;
        size_t separator = next - at;
        if (separator == 0 || separator > CSUPPORT_LIFT_MAX_SEPARATOR || next >= length || value_of(data[next]) < 0) break;
        if (chunk == 0) {
            segment->separator_length = (uint8_t)separator;
            memcpy(segment->separator, data + at, separator);
        } else if (separator != segment->separator_length || memcmp(segment->separator, data + at, separator) != 0) {
            break;
        }
        at = next;
    }
    *characters = count_all;
    return end;
}

// Whether the bytes are about as dense as random ones (a JPEG, a PNG, a key):
// their Huffman codes, plus what a sample this small under-counts (~184 bits,
// the bias of an entropy estimated from counts), come to at least 7.5 bits a
// byte. Base64 of text (~5 bits) or of runs is left to deflate, which then
// does better than the bytes stored as they are.
static int worth_lifting(const uint8_t *record, const csupport_lift_segment *segment) {
    uint32_t frequency[256] = {0};
    reader r = reader_for(record, segment);
    for (size_t done = 0; done < segment->bytes; done += 3) {
        uint32_t v = (uint32_t)value_of(next_character(&r)) << 18;
        v |= (uint32_t)value_of(next_character(&r)) << 12;
        frequency[v >> 16]++;
        if (done + 1 == segment->bytes) break;
        v |= (uint32_t)value_of(next_character(&r)) << 6;
        frequency[(v >> 8) & 255]++;
        if (done + 2 == segment->bytes) break;
        v |= (uint32_t)value_of(next_character(&r));
        frequency[v & 255]++;
    }
    uint8_t lengths[256];
    csupport_huffman_code_lengths(frequency, 256, 15, lengths);
    uint64_t bits = 184;
    for (int s = 0; s < 256; s++) bits += (uint64_t)frequency[s] * lengths[s];
    return bits * 2 >= (uint64_t)segment->bytes * 15;
}

// The segment that starts at `start`, if any; `resume` is where the scan goes on.
static int find_segment(const uint8_t *data, size_t length, size_t start, csupport_lift_segment *segment, size_t *resume) {
    size_t characters = 0;
    size_t end = scan_run(data, length, start, segment, &characters);
    *resume = end > start ? end : start + 1;
    segment->start = start;
    // Whole quads, padding only in the last, its unused bits zero (so that encoding gives the same text).
    for (size_t quads = characters / 4; quads * 4 >= CSUPPORT_LIFT_MIN_CHARS; quads--) {
        characters = quads * 4;
        if (characters <= segment->first) {
            segment->first = characters;
            segment->line = 0;
            segment->separator_length = 0;
        }
        // The last quad's characters (the reader walks the layout).
        reader r = reader_for(data, segment);
        for (size_t i = 0; i + 4 < characters; i++) (void)next_character(&r);
        uint8_t last[4];
        for (int i = 0; i < 4; i++) last[i] = next_character(&r);
        int pads = last[3] == '=' ? (last[2] == '=' ? 2 : 1) : 0;
        if (value_of(last[0]) < 0 || value_of(last[1]) < 0 || (pads < 2 && value_of(last[2]) < 0) || (pads == 0 && value_of(last[3]) < 0))
            continue;
        if (pads == 2 && (value_of(last[1]) & 15) != 0) continue;
        if (pads == 1 && (value_of(last[2]) & 3) != 0) continue;
        segment->bytes = quads * 3 - (size_t)pads;
        segment->text_length = csupport_lift_text_length(segment->bytes, segment->first, segment->line, segment->separator_length);
        return segment->text_length > 0 && worth_lifting(data, segment);
    }
    return 0;
}

// Whether `data` has a stretch of alphabet characters, '=' and separator bytes holding
// at least the alphabet characters of the shortest segment (its quads less two pads).
// Every segment is such a stretch; ordinary text breaks them with punctuation, so most
// records are passed over in this one pass and never reach the layout scan.
static int may_hold_segment(const uint8_t *data, size_t length) {
    size_t characters = 0;
    for (size_t at = 0; at < length; at++) {
        uint8_t c = data[at];
        if (values[c] >= 0) {
            if (++characters >= CSUPPORT_LIFT_MIN_CHARS - 2) return 1;
        } else if (c != '=' && !is_separator_byte(c)) {
            characters = 0;
        }
    }
    return 0;
}

size_t csupport_lift_find(const uint8_t *data, size_t length, csupport_lift_segment *segments, size_t capacity) {
    if (!may_hold_segment(data, length)) return 0;
    size_t found = 0, at = 0;
    while (at + CSUPPORT_LIFT_MIN_CHARS <= length && found < capacity) {
        if (value_of(data[at]) < 0) {
            at++;
            continue;
        }
        size_t resume;
        if (find_segment(data, length, at, &segments[found], &resume)) {
            resume = segments[found].start + segments[found].text_length;
            found++;
        }
        at = resume;
    }
    return found;
}
