// LZ77, then one final block with fixed Huffman codes (short records) or
// codes of the record's own (long records): see fixed_deflate.h for why.
#include "fixed_deflate.h"

#include <stdlib.h>
#include <string.h>

enum {
    DICTIONARY_MAX = 32768,                // deflate's largest distance
    WINDOW = DICTIONARY_MAX + CSUPPORT_DYNAMIC_DEFLATE_MAX_INPUT,
    HASH_BITS = 12,
    HASH_SIZE = 1 << HASH_BITS,
    MIN_MATCH = 3,
    MAX_MATCH = 258,
    MAX_CHAIN = 8,                         // candidates tried per position
    LAZY_BELOW = 32,                       // a shorter match waits one byte for a longer one
    // Long records (docs/BENCHMARKS.md, "Long records with codes of their own"): a base64
    // photo has no matches worth taking, and searching every byte of it cost three
    // times its Huffman coding. 3-byte matches there are chance (and cost more bits
    // than 3 literals), and after 8 literals in a row the matcher skips ahead.
    LONG_MIN_MATCH = 4,
    LONG_SKIP_SHIFT = 3,                   // after 2^3 misses, skip misses >> 3 bytes per search
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
    uint8_t length_symbol[MAX_MATCH + 1];  // match length -> 0...28 (symbol 257 + n)
    uint8_t near_distance_symbol[512];     // distance - 1 < 512 -> 0...29
    uint8_t far_distance_symbol[256];      // (distance - 1) >> 7 -> 0...29
    uint16_t distance_code[30];            // the fixed codes' distances (5 bits each)
    uint8_t distance_bits[30];
    // Coded frames: the implied codes (`coded_lengths`) as canonical codes.
    uint16_t coded_code[286 + 30];
    // Long records: LZ77 output held until the block's codes are known, and its symbol counts.
    uint32_t tokens[CSUPPORT_DYNAMIC_DEFLATE_MAX_INPUT];  // literal: the byte; match: length << 16 | distance
    uint32_t literal_count[286];
    uint32_t distance_count[30];
};

static const uint16_t length_base[29] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                         35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                         3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t distance_base[30] = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                           257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t distance_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                           6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// The implied codes of coded frames (method 3, csupport_zlib.h): lengths of the 286
// literal/length codes, then of the 30 distance codes, of one dynamic block whose
// header every coded frame leaves out. Trained by Benchmarks/train-codes.py on
// generated vCards 2.1/3.0/4.0, iCalendar and vCalendar events and tasks (seed 7)
// and the SyncEvolution fixtures' records, compressed against dictionary 1: text
// letters get 5-7 bits instead of 8, the dictionary's far references 3-5 bits
// instead of 5 plus 7-8. Every symbol has a code (at most 15 bits), so any record
// can be written with them; a record they would not shorten keeps fixed codes.
// Frames depend on these bytes: never edit them (a test pins the header they make).
static const uint8_t coded_lengths[286 + 30] = {
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 9, 15, 15, 9, 15, 15,
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    5, 15, 15, 12, 15, 15, 13, 11, 12, 12, 15, 11, 9, 5, 7, 9,
    5, 5, 5, 5, 5, 5, 5, 6, 5, 5, 7, 6, 15, 6, 15, 15,
    9, 7, 7, 8, 8, 8, 9, 8, 11, 9, 11, 10, 10, 8, 8, 10,
    9, 12, 9, 8, 8, 11, 10, 10, 10, 11, 8, 15, 10, 15, 15, 10,
    15, 5, 6, 6, 6, 5, 6, 8, 7, 6, 10, 8, 7, 8, 6, 6,
    8, 11, 6, 7, 6, 7, 8, 8, 10, 8, 10, 15, 15, 15, 11, 15,
    10, 10, 10, 11, 12, 12, 12, 12, 11, 12, 12, 11, 10, 12, 11, 11,
    11, 12, 12, 14, 12, 11, 12, 11, 12, 12, 12, 12, 10, 11, 13, 11,
    11, 12, 13, 13, 10, 11, 13, 11, 10, 10, 12, 12, 11, 11, 10, 12,
    11, 11, 13, 11, 11, 11, 11, 11, 10, 12, 10, 11, 9, 11, 13, 12,
    15, 15, 15, 8, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    15, 15, 15, 10, 10, 8, 9, 10, 10, 10, 11, 11, 10, 12, 15, 14,
    14, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
    8, 4, 6, 6, 6, 7, 7, 7, 7, 7, 6, 7, 9, 7, 8, 9,
    11, 8, 10, 11, 13, 14, 15, 15, 15, 15, 15, 15, 15, 15, 12, 11,
    9, 10, 8, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4,
    3, 4, 3, 3, 3, 7, 15, 15, 15, 15, 14, 14,
};

static void prepare_coded(csupport_fixed_deflater *d);

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
    for (int c = 0; c < 30; c++) {
        d->distance_code[c] = (uint16_t)reversed((uint32_t)c, 5);
        d->distance_bits[c] = 5;
    }
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
    prepare_coded(d);
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
static inline __attribute__((always_inline)) size_t longest_match(csupport_fixed_deflater *d, size_t at, size_t end, size_t *distance,
                                                                  int max_chain, size_t min_match) {
    const uint8_t *w = d->window;
    size_t best = 0;
    if (at + 2 >= end) return 0;
    size_t candidate = link_position(d, d->head, at);
    size_t limit = end - at < MAX_MATCH ? end - at : MAX_MATCH;
    for (int tries = max_chain; candidate != 0 && tries > 0; tries--) {
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
    return best >= min_match ? best : 0;
}

static inline void insert_positions(csupport_fixed_deflater *d, size_t from, size_t to, size_t end) {
    for (size_t at = from; at < to && at + 2 < end; at++) link_position(d, d->head, at);
}

static inline int distance_symbol(const csupport_fixed_deflater *d, size_t distance) {
    return distance <= 512 ? d->near_distance_symbol[distance - 1] : d->far_distance_symbol[(distance - 1) >> 7];
}

// Where the matcher's output goes: the token buffer, with symbol counts (the codes are chosen afterwards).
typedef struct {
    uint32_t *tokens;
    size_t token_count;
} lz_sink;

static inline void put_literal(csupport_fixed_deflater *d, lz_sink *sink, uint8_t byte) {
    sink->tokens[sink->token_count++] = byte;
    d->literal_count[byte]++;
}

static inline void put_match(csupport_fixed_deflater *d, lz_sink *sink, size_t length, size_t distance) {
    sink->tokens[sink->token_count++] = (uint32_t)length << 16 | (uint32_t)distance;
    d->literal_count[257 + d->length_symbol[length]]++;
    d->distance_count[distance_symbol(d, distance)]++;
}

// LZ77 of window[start, end) against everything before it (3-byte hash,
// MAX_CHAIN candidates, one byte of lazy matching) into `sink`.
static inline __attribute__((always_inline)) void parse(csupport_fixed_deflater *d, size_t start, size_t end, lz_sink *sink,
                                                        int max_chain, size_t min_match, size_t lazy_below, int skip_shift) {
    const uint8_t *w = d->window;
    memcpy(d->head, d->primed_head, sizeof d->head);
    size_t at = start, misses = 0;
    while (at < end) {
        size_t distance = 0;
        size_t match = longest_match(d, at, end, &distance, max_chain, min_match);
        if (match && match < lazy_below) {
            // Lazy evaluation: a longer match one byte on is worth a literal.
            size_t next_distance = 0;
            size_t next = longest_match(d, at + 1, end, &next_distance, max_chain, min_match);
            if (next > match) {
                put_literal(d, sink, w[at]);
                put_match(d, sink, next, next_distance);
                insert_positions(d, at + 2, at + 1 + next, end);
                at += 1 + next;
            } else {
                put_match(d, sink, match, distance);
                insert_positions(d, at + 2, at + match, end);
                at += match;
            }
        } else if (match) {
            put_match(d, sink, match, distance);
            insert_positions(d, at + 1, at + match, end);
            at += match;
        } else {
            put_literal(d, sink, w[at]);
            at++;
            if (skip_shift && ++misses >= (1u << skip_shift)) {
                // A stretch without matches (a base64 photo): the next bytes
                // go out as literals unsearched, more the longer it lasts.
                for (size_t skip = misses >> skip_shift; skip > 0 && at < end; skip--) put_literal(d, sink, w[at++]);
            }
            continue;
        }
        misses = 0;
    }
}

// Code lengths for `count` symbols from their frequencies, none longer than
// `limit` bits (Moffat-Katajainen's in-place minimum-redundancy lengths, then
// the longest codes shortened while the Kraft sum is repaired, as miniz does).
// At least two symbols get a code, so every tree is complete (zlib's deflate
// does the same: inflate rejects incomplete trees but for one distance code).
typedef struct {
    uint32_t frequency;
    uint16_t symbol;
} weighted_symbol;

static void sort_by_frequency(weighted_symbol *symbols, int n) {
    // Insertion sort: a few hundred symbols, mostly in order of their counts.
    for (int i = 1; i < n; i++) {
        weighted_symbol s = symbols[i];
        int j = i - 1;
        while (j >= 0 && symbols[j].frequency > s.frequency) { symbols[j + 1] = symbols[j]; j--; }
        symbols[j + 1] = s;
    }
}

static void minimum_redundancy(uint32_t *a, int n) {
    if (n == 1) { a[0] = 1; return; }
    int root = 0, leaf = 2, next;
    a[0] += a[1];
    for (next = 1; next < n - 1; next++) {
        if (leaf >= n || a[root] < a[leaf]) { a[next] = a[root]; a[root++] = (uint32_t)next; }
        else a[next] = a[leaf++];
        if (leaf >= n || (root < next && a[root] < a[leaf])) { a[next] += a[root]; a[root++] = (uint32_t)next; }
        else a[next] += a[leaf++];
    }
    a[n - 2] = 0;
    for (next = n - 3; next >= 0; next--) a[next] = a[a[next]] + 1;
    int available = 1, used = 0, depth = 0;
    root = n - 2;
    next = n - 1;
    while (available > 0) {
        while (root >= 0 && (int)a[root] == depth) { used++; root--; }
        while (available > used) { a[next--] = (uint32_t)depth; available--; }
        available = 2 * used;
        depth++;
        used = 0;
    }
}

void csupport_huffman_code_lengths(const uint32_t *frequency, int count, int limit, uint8_t *lengths) {
    weighted_symbol symbols[286];
    uint32_t depth[286] = {0};
    int n = 0;
    memset(lengths, 0, (size_t)count);
    for (int s = 0; s < count; s++)
        if (frequency[s]) symbols[n++] = (weighted_symbol){frequency[s], (uint16_t)s};
    for (int s = 0; n < 2 && s < count; s++)
        if (!frequency[s]) symbols[n++] = (weighted_symbol){1, (uint16_t)s};
    sort_by_frequency(symbols, n);
    for (int i = 0; i < n; i++) depth[i] = symbols[i].frequency;
    minimum_redundancy(depth, n);  // depth[i]: the length of symbols[i], longest first
    int per_length[33] = {0};
    for (int i = 0; i < n; i++) per_length[depth[i] < 32 ? depth[i] : 32]++;
    for (int l = limit + 1; l <= 32; l++) { per_length[limit] += per_length[l]; per_length[l] = 0; }
    uint32_t kraft = 0;
    for (int l = 1; l <= limit; l++) kraft += (uint32_t)per_length[l] << (limit - l);
    while (kraft > (1u << limit)) {
        // One code at the limit goes; a shorter code splits in two to make room.
        per_length[limit]--;
        for (int l = limit - 1; l > 0; l--) {
            if (per_length[l]) { per_length[l]--; per_length[l + 1] += 2; break; }
        }
        kraft--;
    }
    // The most frequent symbols (the end of `symbols`) get the shortest codes.
    int i = n - 1;
    for (int l = 1; l <= limit; l++)
        for (int k = per_length[l]; k > 0; k--) lengths[symbols[i--].symbol] = (uint8_t)l;
}

// Canonical codes (RFC 1951 3.2.2), bit-reversed for an LSB-first stream.
static void canonical_codes(const uint8_t *lengths, int count, uint16_t *codes) {
    uint16_t per_length[16] = {0}, next[16] = {0};
    for (int s = 0; s < count; s++) per_length[lengths[s]]++;
    per_length[0] = 0;
    uint32_t code = 0;
    for (int l = 1; l < 16; l++) {
        code = (code + per_length[l - 1]) << 1;
        next[l] = (uint16_t)code;
    }
    for (int s = 0; s < count; s++)
        if (lengths[s]) codes[s] = (uint16_t)reversed(next[lengths[s]]++, lengths[s]);
}

static const uint8_t code_length_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// The literal/length and distance code lengths as one run-length coded
// sequence (RFC 1951 3.2.7): each entry is a code-length symbol (0-18) in the
// low byte and its repeat count's extra bits above.
static int run_lengths(const uint8_t *lengths, int count, uint16_t *out, uint32_t *frequency) {
    int n = 0;
    for (int i = 0; i < count;) {
        uint8_t value = lengths[i];
        int run = 1;
        while (i + run < count && lengths[i + run] == value) run++;
        i += run;
        if (value == 0) {
            while (run >= 11) {
                int take = run < 138 ? run : 138;
                out[n++] = (uint16_t)(18 | (take - 11) << 8);
                frequency[18]++;
                run -= take;
            }
            if (run >= 3) {
                out[n++] = (uint16_t)(17 | (run - 3) << 8);
                frequency[17]++;
                run = 0;
            }
        } else {
            out[n++] = value;
            frequency[value]++;
            run--;
            while (run >= 3) {
                int take = run < 6 ? run : 6;
                out[n++] = (uint16_t)(16 | (take - 3) << 8);
                frequency[16]++;
                run -= take;
            }
        }
        while (run-- > 0) { out[n++] = value; frequency[value]++; }
    }
    return n;
}

static const uint8_t run_extra[19] = {[16] = 2, [17] = 3, [18] = 7};

// Writes a final dynamic block's header (RFC 1951 3.2.7) for these code lengths:
// BFINAL, BTYPE 10, the counts, the code-length code and the run-length coded lengths.
static void put_dynamic_header(bit_writer *bits, const uint8_t *literal_lengths, int literals, const uint8_t *distance_lengths,
                               int distances) {
    uint8_t lengths[286 + 30];
    memcpy(lengths, literal_lengths, (size_t)literals);
    memcpy(lengths + literals, distance_lengths, (size_t)distances);
    uint16_t runs[286 + 30];
    uint32_t run_count[19] = {0};
    int run_total = run_lengths(lengths, literals + distances, runs, run_count);
    uint8_t run_bits[19];
    uint16_t run_code[19];
    csupport_huffman_code_lengths(run_count, 19, 7, run_bits);
    canonical_codes(run_bits, 19, run_code);
    int order_count = 19;
    while (order_count > 4 && run_bits[code_length_order[order_count - 1]] == 0) order_count--;

    put_bits(bits, 1, 1);  // BFINAL
    put_bits(bits, 2, 2);  // BTYPE 10: dynamic Huffman codes
    put_bits(bits, (uint32_t)(literals - 257), 5);
    put_bits(bits, (uint32_t)(distances - 1), 5);
    put_bits(bits, (uint32_t)(order_count - 4), 4);
    for (int i = 0; i < order_count; i++) put_bits(bits, run_bits[code_length_order[i]], 3);
    for (int i = 0; i < run_total; i++) {
        int symbol = runs[i] & 0xFF;
        put_bits(bits, run_code[symbol], run_bits[symbol]);
        if (run_extra[symbol]) put_bits(bits, runs[i] >> 8, run_extra[symbol]);
    }
}

// Writes the parsed tokens and the end of block with the given codes; -1 once past `capacity`.
static int put_tokens(const csupport_fixed_deflater *d, size_t token_count, bit_writer *bits, size_t capacity,
                      const uint16_t *literal_code, const uint8_t *literal_lengths,
                      const uint16_t *distance_code, const uint8_t *distance_lengths) {
    for (size_t i = 0; i < token_count; i++) {
        uint32_t token = d->tokens[i];
        if (token < 256) {
            put_bits(bits, literal_code[token], literal_lengths[token]);
        } else {
            size_t match = token >> 16, distance = token & 0xFFFF;
            int ls = d->length_symbol[match], ds = distance_symbol(d, distance);
            put_bits(bits, literal_code[257 + ls], literal_lengths[257 + ls]);
            if (length_extra[ls]) put_bits(bits, (uint32_t)(match - length_base[ls]), length_extra[ls]);
            put_bits(bits, distance_code[ds], distance_lengths[ds]);
            if (distance_extra[ds]) put_bits(bits, (uint32_t)(distance - distance_base[ds]), distance_extra[ds]);
        }
        if (bits->used >= capacity) return -1;
    }
    put_bits(bits, literal_code[256], literal_lengths[256]);  // end of block
    return 0;
}

// The LZ77 of a record into the token buffer, with its symbol counts.
static size_t parse_tokens(csupport_fixed_deflater *d, const uint8_t *data, size_t length, size_t min_match, int skip_shift) {
    size_t start = d->dictionary_length, end = start + length;
    memcpy(d->window + start, data, length);
    memset(d->literal_count, 0, sizeof d->literal_count);
    memset(d->distance_count, 0, sizeof d->distance_count);
    lz_sink sink = {d->tokens, 0};
    parse(d, start, end, &sink, MAX_CHAIN, min_match, LAZY_BELOW, skip_shift);
    d->literal_count[256] = 1;
    return sink.token_count;
}

long csupport_dynamic_deflate(csupport_fixed_deflater *d, const uint8_t *data, size_t length,
                              uint8_t *out, size_t capacity) {
    if (length == 0 || length > CSUPPORT_DYNAMIC_DEFLATE_MAX_INPUT) return -1;
    size_t token_count = parse_tokens(d, data, length, LONG_MIN_MATCH, LONG_SKIP_SHIFT);

    uint8_t literal_lengths[286], distance_lengths[30];
    csupport_huffman_code_lengths(d->literal_count, 286, 15, literal_lengths);
    csupport_huffman_code_lengths(d->distance_count, 30, 15, distance_lengths);
    int literals = 286, distances = 30;
    while (literals > 257 && literal_lengths[literals - 1] == 0) literals--;
    while (distances > 1 && distance_lengths[distances - 1] == 0) distances--;
    uint16_t literal_code[286], distance_code[30];
    canonical_codes(literal_lengths, 286, literal_code);
    canonical_codes(distance_lengths, 30, distance_code);

    bit_writer bits = {0, 0, out, 0, capacity};
    put_dynamic_header(&bits, literal_lengths, literals, distance_lengths, distances);
    if (put_tokens(d, token_count, &bits, capacity, literal_code, literal_lengths, distance_code, distance_lengths) != 0) return -1;
    finish_bits(&bits);
    return bits.used <= capacity ? (long)bits.used : -1;
}

// The implied codes' canonical codes.
static void prepare_coded(csupport_fixed_deflater *d) {
    canonical_codes(coded_lengths, 286, d->coded_code);
    canonical_codes(coded_lengths + 286, 30, d->coded_code + 286);
}

size_t csupport_coded_header(uint8_t *out, size_t capacity) {
    bit_writer bits = {0, 0, out, 0, capacity};
    put_dynamic_header(&bits, coded_lengths, 286, coded_lengths + 286, 30);
    size_t written = bits.used * 8 + (size_t)bits.count;
    finish_bits(&bits);
    return bits.used <= capacity ? written : 0;
}

long csupport_short_deflate(csupport_fixed_deflater *d, const uint8_t *data, size_t length, uint8_t *out, size_t capacity,
                            int may_code, int *coded) {
    if (length == 0 || length > CSUPPORT_FIXED_DEFLATE_MAX_INPUT) return -1;
    size_t token_count = parse_tokens(d, data, length, MIN_MATCH, 0);
    // Both ways spend the same extra bits: the codes decide (a coded body starts with its first code).
    uint64_t fixed = 3, implied = 0;
    for (int s = 0; s < 286; s++) {
        fixed += (uint64_t)d->literal_count[s] * d->literal_bits[s];
        implied += (uint64_t)d->literal_count[s] * coded_lengths[s];
    }
    for (int s = 0; s < 30; s++) {
        fixed += (uint64_t)d->distance_count[s] * 5;
        implied += (uint64_t)d->distance_count[s] * coded_lengths[286 + s];
    }
    *coded = may_code && implied < fixed;
    bit_writer bits = {0, 0, out, 0, capacity};
    int status;
    if (*coded) {
        status = put_tokens(d, token_count, &bits, capacity, d->coded_code, coded_lengths, d->coded_code + 286, coded_lengths + 286);
    } else {
        put_bits(&bits, 1, 1);  // BFINAL
        put_bits(&bits, 1, 2);  // BTYPE 01: fixed Huffman codes
        status = put_tokens(d, token_count, &bits, capacity, d->literal_code, d->literal_bits, d->distance_code,
                            d->distance_bits);
    }
    if (status != 0) return -1;
    finish_bits(&bits);
    return bits.used <= capacity ? (long)bits.used : -1;
}
