// LZ77 + fixed Huffman codes, one final block: see fixed_deflate.h for why.
#include "fixed_deflate.h"

#include <stdlib.h>
#include <string.h>

enum {
    DICTIONARY_MAX = 32768,                // deflate's largest distance
    WINDOW = DICTIONARY_MAX + CSUPPORT_FIXED_DEFLATE_MAX_INPUT,
    HASH_BITS = 12,
    HASH_SIZE = 1 << HASH_BITS,
    MIN_MATCH = 3,
    MAX_MATCH = 258,
    MAX_CHAIN = 8,                         // candidates tried per position
    LAZY_BELOW = 32,                       // a shorter match waits one byte for a longer one
};

// Positions are stored plus one, so 0 means "none"; WINDOW fits in 16 bits.
_Static_assert(WINDOW < 65536, "positions are 16-bit");

struct csupport_fixed_deflater {
    uint8_t window[WINDOW];                // the dictionary, then the record being compressed
    size_t dictionary_length;
    uint16_t primed_head[HASH_SIZE];       // the dictionary's hash chains: copied per record
    uint16_t head[HASH_SIZE];
    uint16_t previous[WINDOW];             // the dictionary's entries never change after priming
    // Fixed code tables (RFC 1951 3.2.6), codes bit-reversed for an LSB-first
    // stream; per deflater rather than global, so nothing is shared between threads.
    uint16_t literal_code[288];
    uint8_t literal_bits[288];
    uint8_t distance_code[30];
    uint8_t length_symbol[MAX_MATCH + 1];  // match length -> 0...28 (symbol 257 + n)
    uint8_t near_distance_symbol[512];     // distance - 1 < 512 -> 0...29
    uint8_t far_distance_symbol[256];      // (distance - 1) >> 7 -> 0...29
};

static const uint16_t length_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                         35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                         3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t distance_base[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                           257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t distance_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                           6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static uint32_t reversed(uint32_t code, int bits) {
    uint32_t result = 0;
    for (int i = 0; i < bits; i++, code >>= 1) result = (result << 1) | (code & 1);
    return result;
}

static int symbol_for(const uint16_t *bases, int count, unsigned value) {
    int symbol = count - 1;
    while (bases[symbol] > value) symbol--;
    return symbol;
}

static void build_tables(csupport_fixed_deflater *d) {
    for (int s = 0; s < 288; s++) {
        uint32_t code;
        int bits;
        if (s < 144) { code = 0x30 + s; bits = 8; }
        else if (s < 256) { code = 0x190 + (s - 144); bits = 9; }
        else if (s < 280) { code = s - 256; bits = 7; }
        else { code = 0xC0 + (s - 280); bits = 8; }
        d->literal_code[s] = (uint16_t)reversed(code, bits);
        d->literal_bits[s] = (uint8_t)bits;
    }
    for (int c = 0; c < 30; c++) d->distance_code[c] = (uint8_t)reversed((uint32_t)c, 5);
    for (int l = MIN_MATCH; l <= MAX_MATCH; l++) d->length_symbol[l] = (uint8_t)symbol_for(length_base, 29, (unsigned)l);
    for (int n = 0; n < 512; n++) d->near_distance_symbol[n] = (uint8_t)symbol_for(distance_base, 30, (unsigned)n + 1);
    for (int i = 0; i < 256; i++) d->far_distance_symbol[i] = (uint8_t)symbol_for(distance_base, 30, ((unsigned)i << 7) + 1);
}

static inline uint32_t hash3(const uint8_t *p) {
    uint32_t v = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

// Puts position `at` at the front of its hash chain in `head` and returns the
// chain's previous front (a position plus one; 0: none).
static inline uint16_t link_position(csupport_fixed_deflater *d, uint16_t *head, size_t at) {
    uint32_t h = hash3(d->window + at);
    uint16_t previous = head[h];
    d->previous[at] = previous;
    head[h] = (uint16_t)(at + 1);
    return previous;
}

csupport_fixed_deflater *csupport_fixed_deflater_create(const uint8_t *dictionary, size_t dictionary_length) {
    csupport_fixed_deflater *d = calloc(1, sizeof *d);
    if (d == NULL) return NULL;
    build_tables(d);
    if (dictionary_length > DICTIONARY_MAX) {
        dictionary += dictionary_length - DICTIONARY_MAX;
        dictionary_length = DICTIONARY_MAX;
    }
    if (dictionary_length) memcpy(d->window, dictionary, dictionary_length);
    d->dictionary_length = dictionary_length;
    for (size_t i = 0; i + 2 < dictionary_length; i++) link_position(d, d->primed_head, i);
    return d;
}

void csupport_fixed_deflater_destroy(csupport_fixed_deflater *deflater) { free(deflater); }

const uint8_t *csupport_fixed_deflater_dictionary(const csupport_fixed_deflater *deflater, size_t *length) {
    *length = deflater->dictionary_length;
    return deflater->window;
}

// An LSB-first bit stream into a bounded buffer. Bytes past `capacity` are
// counted but not written, so the caller sees an overflow in `used` (kept as
// a count, not a pointer: no pointer ever leaves the buffer).
typedef struct {
    uint64_t bits;
    int count;
    uint8_t *out;
    size_t used;
    size_t capacity;
} bit_writer;

static inline void put_bits(bit_writer *w, uint32_t value, int count) {
    w->bits |= (uint64_t)value << w->count;
    w->count += count;
    if (w->count >= 32) {
        if (w->capacity >= 4 && w->used <= w->capacity - 4) {
            uint8_t *next = w->out + w->used;
            next[0] = (uint8_t)w->bits;
            next[1] = (uint8_t)(w->bits >> 8);
            next[2] = (uint8_t)(w->bits >> 16);
            next[3] = (uint8_t)(w->bits >> 24);
        }
        w->used += 4;
        w->bits >>= 32;
        w->count -= 32;
    }
}

static inline void finish_bits(bit_writer *w) {
    while (w->count > 0) {
        if (w->used < w->capacity) w->out[w->used] = (uint8_t)w->bits;
        w->used++;
        w->bits >>= 8;
        w->count -= 8;
    }
}

// Adds position `at` to its hash chain and returns the longest earlier match
// (length 0 when none reaches MIN_MATCH is found among MAX_CHAIN candidates).
static inline size_t longest_match(csupport_fixed_deflater *d, size_t at, size_t end, size_t *distance) {
    const uint8_t *w = d->window;
    size_t best = 0;
    if (at + 2 >= end) return 0;
    size_t candidate = link_position(d, d->head, at);
    size_t limit = end - at < MAX_MATCH ? end - at : MAX_MATCH;
    for (int tries = MAX_CHAIN; candidate != 0 && tries > 0; tries--) {
        size_t from = candidate - 1;
        if (at - from > DICTIONARY_MAX) break;
        if (w[from + best] == w[at + best]) {
            size_t length = 0;
            while (length < limit && w[from + length] == w[at + length]) length++;
            if (length > best) {
                best = length;
                *distance = at - from;
                if (length == limit) break;
            }
        }
        candidate = d->previous[from];
    }
    return best >= MIN_MATCH ? best : 0;
}

static inline void insert_positions(csupport_fixed_deflater *d, size_t from, size_t to, size_t end) {
    for (size_t at = from; at < to && at + 2 < end; at++) link_position(d, d->head, at);
}

static inline void put_literal(const csupport_fixed_deflater *d, bit_writer *w, uint8_t byte) {
    put_bits(w, d->literal_code[byte], d->literal_bits[byte]);
}

static inline void put_match(const csupport_fixed_deflater *d, bit_writer *w, size_t length, size_t distance) {
    int ls = d->length_symbol[length];
    put_bits(w, d->literal_code[257 + ls], d->literal_bits[257 + ls]);
    if (length_extra[ls]) put_bits(w, (uint32_t)(length - length_base[ls]), length_extra[ls]);
    int ds = distance <= 512 ? d->near_distance_symbol[distance - 1] : d->far_distance_symbol[(distance - 1) >> 7];
    put_bits(w, d->distance_code[ds], 5);
    if (distance_extra[ds]) put_bits(w, (uint32_t)(distance - distance_base[ds]), distance_extra[ds]);
}

long csupport_fixed_deflate(csupport_fixed_deflater *d, const uint8_t *data, size_t length,
                            uint8_t *out, size_t capacity) {
    if (length == 0 || length > CSUPPORT_FIXED_DEFLATE_MAX_INPUT) return -1;
    size_t start = d->dictionary_length, end = start + length;
    memcpy(d->window + start, data, length);
    memcpy(d->head, d->primed_head, sizeof d->head);
    const uint8_t *w = d->window;
    bit_writer bits = {0, 0, out, 0, capacity};
    put_bits(&bits, 1, 1);  // BFINAL
    put_bits(&bits, 1, 2);  // BTYPE 01: fixed Huffman codes
    size_t at = start;
    while (at < end) {
        size_t distance = 0;
        size_t match = longest_match(d, at, end, &distance);
        if (match && match < LAZY_BELOW) {
            // Lazy evaluation: a longer match one byte on is worth a literal.
            size_t next_distance = 0;
            size_t next = longest_match(d, at + 1, end, &next_distance);
            if (next > match) {
                put_literal(d, &bits, w[at]);
                put_match(d, &bits, next, next_distance);
                insert_positions(d, at + 2, at + 1 + next, end);
                at += 1 + next;
            } else {
                put_match(d, &bits, match, distance);
                insert_positions(d, at + 2, at + match, end);
                at += match;
            }
        } else if (match) {
            put_match(d, &bits, match, distance);
            insert_positions(d, at + 1, at + match, end);
            at += match;
        } else {
            put_literal(d, &bits, w[at]);
            at++;
        }
        if (bits.used >= capacity) return -1;
    }
    put_bits(&bits, d->literal_code[256], d->literal_bits[256]);  // end of block
    finish_bits(&bits);
    return bits.used <= capacity ? (long)bits.used : -1;
}
