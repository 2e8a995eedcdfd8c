// zlib frame codec for journal payloads; the layout is documented in
// include/csupport_zlib.h.
#include "csupport_zlib.h"
#include "base64_lift.h"
#include "fixed_deflate.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

// A bump allocator for zlib: while `active`, allocations come from `base` (rewound
// for each copy of a primed stream; its blocks are never freed one by one), otherwise
// from the heap (the primed streams themselves).
typedef struct {
    uint8_t *base;
    size_t capacity;
    size_t used;
    int active;
} arena;

static voidpf arena_alloc(voidpf opaque, uInt items, uInt size) {
    arena *a = opaque;
    if (!a->active) return calloc(items, size);
    size_t length = ((size_t)items * size + 63) & ~(size_t)63;
    if (length > a->capacity - a->used) return Z_NULL;
    voidpf block = a->base + a->used;
    a->used += length;
    return block;
}

static void arena_free(voidpf opaque, voidpf block) {
    arena *a = opaque;
    uint8_t *byte = block;
    if (byte >= a->base && byte < a->base + a->capacity) return;
    free(block);
}

// Gives the arena `capacity` bytes if it has none yet.
static int arena_reserve(arena *a, size_t capacity) {
    if (a->base != NULL) return 1;
    a->base = malloc(capacity);
    a->capacity = a->base ? capacity : 0;
    return a->base != NULL;
}

// Twice the room, for a zlib whose state is larger than estimated.
static int arena_grow(arena *a) {
    uint8_t *larger = malloc(a->capacity * 2);
    if (larger == NULL) return 0;
    free(a->base);
    a->base = larger;
    a->capacity *= 2;
    return 1;
}

struct csupport_zframe_codec {
    // The stream each record is compressed with: a copy of `primed` made
    // into `deflate_arena` (deflateCopy), so it starts with the dictionary already
    // hashed in and costs no allocation.
    z_stream deflater;
    // Initialised once per dictionary, never compressed with: deflateInit2 +
    // deflateSetDictionary, the state every record starts from.
    z_stream primed;
    z_stream inflater;
    int primed_ready;
    int inflater_ready;
    uint8_t primed_id;
    // Where the per-record copy of `primed` lives.
    arena deflate_arena;
    int level;
    int window_bits;
    int mem_level;
    // Short records skip zlib's deflate (fixed_deflate.h): primed with the same
    // dictionary, fixed codes up to `fast_limit` bytes, the record's own codes
    // above it up to `long_limit`, each output checked by inflating it into `check`.
    csupport_fixed_deflater *fast;
    size_t fast_limit;
    size_t long_limit;
    unsigned long fast_rejections;
    uint8_t check[CSUPPORT_ZFRAME_LONG_LIMIT_MAX];
    // Long base64 values kept as their bytes (base64_lift.h); `scratch` holds
    // the rest of the record, its frame and the read-back of the whole.
    int lifting;
    // Whether short records may be written as coded frames (method 3).
    int coding;
    uint8_t *scratch;
    size_t scratch_capacity;
    // Coded frames (method 3): an inflate stream that has read the implied block
    // header once (its code tables built: the costly part of a dynamic block),
    // copied per coded body into `inflate_arena`, as the deflate state is.
    z_stream coded_primed;
    z_stream coded_inflater;
    int coded_primed_ready;
    arena inflate_arena;
};

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

csupport_zframe_codec *csupport_zframe_codec_create(int level, int window_bits, int mem_level) {
    csupport_zframe_codec *codec = calloc(1, sizeof *codec);
    if (codec == NULL) return NULL;
    codec->level = (level < -1 || level > 9) ? Z_DEFAULT_COMPRESSION : level;
    codec->window_bits = (window_bits < 9 || window_bits > MAX_WBITS) ? MAX_WBITS : window_bits;
    codec->mem_level = (mem_level < 1 || mem_level > 9) ? 8 : mem_level;
    codec->fast_limit = codec->level == 0 ? 0 : CSUPPORT_ZFRAME_FAST_LIMIT_MAX;
    codec->long_limit = codec->level == 0 ? 0 : CSUPPORT_ZFRAME_LONG_LIMIT_MAX;
    codec->lifting = codec->level != 0;
    codec->coding = 1;
    return codec;
}

static void release_primed(csupport_zframe_codec *codec) {
    codec->deflate_arena.active = 0;
    if (codec->primed_ready) deflateEnd(&codec->primed);
    codec->primed_ready = 0;
    csupport_fixed_deflater_destroy(codec->fast);
    codec->fast = NULL;
}

void csupport_zframe_codec_destroy(csupport_zframe_codec *codec) {
    if (codec == NULL) return;
    release_primed(codec);
    if (codec->inflater_ready) inflateEnd(&codec->inflater);
    codec->inflate_arena.active = 0;
    if (codec->coded_primed_ready) inflateEnd(&codec->coded_primed);
    free(codec->inflate_arena.base);
    free(codec->deflate_arena.base);
    free(codec->scratch);
    free(codec);
}

int csupport_zframe_codec_prime(csupport_zframe_codec *codec,
                                const uint8_t *dictionary, size_t dictionary_length, uint8_t dictionary_id) {
    if (dictionary_id == 0) dictionary_length = 0;
    if (dictionary_length > UINT_MAX || (dictionary_length > 0 && dictionary == NULL)) return CSUPPORT_ZFRAME_BAD_LENGTH;
    release_primed(codec);
    codec->primed_id = dictionary_length > 0 ? dictionary_id : 0;
    z_stream *s = &codec->primed;
    memset(s, 0, sizeof *s);
    s->zalloc = arena_alloc;
    s->zfree = arena_free;
    s->opaque = &codec->deflate_arena;
    if (deflateInit2(s, codec->level, Z_DEFLATED, -codec->window_bits, codec->mem_level, Z_DEFAULT_STRATEGY) != Z_OK)
        return CSUPPORT_ZFRAME_NO_MEMORY;
    codec->primed_ready = 1;
    if (dictionary_length > 0 && deflateSetDictionary(s, dictionary, (uInt)dictionary_length) != Z_OK) {
        release_primed(codec);
        return CSUPPORT_ZFRAME_NO_MEMORY;
    }
    // Only with a dictionary: without one a short record can refer to nothing but
    // itself, and fixed codes lose ~10 % to zlib's trees (with one, 0-2 %).
    if (dictionary_length > 0) codec->fast = csupport_fixed_deflater_create(dictionary, dictionary_length);
    if (dictionary_length > 0 && codec->fast == NULL) {
        release_primed(codec);
        return CSUPPORT_ZFRAME_NO_MEMORY;
    }
    // What deflateCopy allocates: the state (a few KiB), the window
    // (2 x 2^window_bits), prev (2 x 2^window_bits), head
    // (2 x 2^(mem_level + 7)) and the pending buffer (4-5 x 2^(mem_level + 6)),
    // with room to spare; ready_deflater grows it if a zlib needs more.
    size_t window = (size_t)1 << codec->window_bits;
    size_t hash = (size_t)1 << (codec->mem_level + 7);
    if (!arena_reserve(&codec->deflate_arena, 4 * window + 2 * hash + 3 * hash + 32768)) return CSUPPORT_ZFRAME_NO_MEMORY;
    return CSUPPORT_ZFRAME_OK;
}

size_t csupport_zframe_bound(size_t length) {
    // Never larger than the stored form: deflate output is only kept when smaller.
    return CSUPPORT_ZFRAME_HEADER_SIZE + length;
}

uint32_t csupport_crc32(const uint8_t *data, size_t length) {
    return (uint32_t)crc32_z(0L, length ? data : Z_NULL, length);
}

// Readies the deflate stream for a new record: a copy of the primed stream
// into the rewound arena. Resetting a stream and setting the dictionary again
// would clear the hash table and hash every dictionary byte per record; the
// copy only moves memory. Primes without a dictionary if never primed.
static int ready_deflater(csupport_zframe_codec *codec) {
    if (!codec->primed_ready) {
        int status = csupport_zframe_codec_prime(codec, NULL, 0, 0);
        if (status != 0) return status;
    }
    for (int attempt = 0; attempt < 4; attempt++) {
        codec->deflate_arena.used = 0;
        codec->deflate_arena.active = 1;
        int z = deflateCopy(&codec->deflater, &codec->primed);
        codec->deflate_arena.active = 0;
        if (z == Z_OK) return 0;
        if (z != Z_MEM_ERROR || !arena_grow(&codec->deflate_arena)) return CSUPPORT_ZFRAME_NO_MEMORY;
    }
    return CSUPPORT_ZFRAME_NO_MEMORY;
}

// Reads the implied header into `coded_primed` once: its whole bytes, then its last
// bits primed (inflatePrime), so the stream stands at the block's first code.
static int prime_coded_inflater(csupport_zframe_codec *codec) {
    uint8_t header[CSUPPORT_CODED_HEADER_MAX];
    size_t bits = csupport_coded_header(header, sizeof header);
    if (bits == 0) return CSUPPORT_ZFRAME_NO_MEMORY;
    z_stream *s = &codec->coded_primed;
    memset(s, 0, sizeof *s);
    s->zalloc = arena_alloc;
    s->zfree = arena_free;
    s->opaque = &codec->inflate_arena;
    codec->inflate_arena.active = 0;
    if (inflateInit2(s, -MAX_WBITS) != Z_OK) return CSUPPORT_ZFRAME_NO_MEMORY;
    uint8_t nothing;
    s->next_in = header;
    s->avail_in = (uInt)(bits / 8);
    s->next_out = &nothing;
    s->avail_out = 1;
    int z = inflate(s, Z_NO_FLUSH);
    if (bits % 8 && z == Z_OK) {
        z = inflatePrime(s, (int)(bits % 8), header[bits / 8] & ((1 << (bits % 8)) - 1));
        // No input left: inflate reads the primed bits, builds the tables and stops at the first code.
        if (z == Z_OK) z = inflate(s, Z_NO_FLUSH);
        if (z == Z_BUF_ERROR) z = Z_OK;
    }
    // A copy's state (~7 KiB) and its window (32 KiB), with room to spare; grown if a zlib needs more.
    int status = z != Z_OK || s->avail_in != 0 || s->total_out != 0 ? CSUPPORT_ZFRAME_DATA_ERROR
                 : arena_reserve(&codec->inflate_arena, 65536) ? 0 : CSUPPORT_ZFRAME_NO_MEMORY;
    // Ready only when it stands at the first code; otherwise the next coded frame primes again.
    if (status == 0) codec->coded_primed_ready = 1;
    else inflateEnd(s);
    return status;
}

// A copy of the primed coded inflater in the rewound arena, given the dictionary.
static int ready_coded_inflater(csupport_zframe_codec *codec, const uint8_t *dictionary, size_t dictionary_length, uint8_t dictionary_id) {
    if (!codec->coded_primed_ready) {
        int status = prime_coded_inflater(codec);
        if (status != 0) return status;
    }
    for (int attempt = 0; attempt < 4; attempt++) {
        codec->inflate_arena.used = 0;
        codec->inflate_arena.active = 1;
        int z = inflateCopy(&codec->coded_inflater, &codec->coded_primed);
        if (z == Z_OK && dictionary_id != 0) z = inflateSetDictionary(&codec->coded_inflater, dictionary, (uInt)dictionary_length);
        if (z == Z_OK) return 0;
        codec->inflate_arena.active = 0;
        if (z != Z_MEM_ERROR) return CSUPPORT_ZFRAME_DICTIONARY_MISMATCH;
        if (!arena_grow(&codec->inflate_arena)) return CSUPPORT_ZFRAME_NO_MEMORY;
    }
    return CSUPPORT_ZFRAME_NO_MEMORY;
}

static int ready_inflater(csupport_zframe_codec *codec) {
    if (codec->inflater_ready) return inflateReset(&codec->inflater) == Z_OK ? 0 : CSUPPORT_ZFRAME_NO_MEMORY;
    memset(&codec->inflater, 0, sizeof codec->inflater);
    if (inflateInit2(&codec->inflater, -MAX_WBITS) != Z_OK) return CSUPPORT_ZFRAME_NO_MEMORY;
    codec->inflater_ready = 1;
    return 0;
}

// Whether `frame` decodes to exactly `data` (defined with the decoder, below).
static int reads_back(csupport_zframe_codec *codec, const uint8_t *dictionary, size_t dictionary_length,
                      const uint8_t *frame, size_t frame_length, uint8_t *check, size_t capacity,
                      const uint8_t *data, size_t length);

// Inflates what the fast encoder wrote and compares it with the record: a
// frame that would not read back is never returned (zlib compresses instead).
static int fast_output_checks(csupport_zframe_codec *codec, const uint8_t *frame, size_t body_length,
                              const uint8_t *data, size_t length) {
    size_t dictionary_length = 0;
    const uint8_t *dictionary = csupport_fixed_deflater_dictionary(codec->fast, &dictionary_length);
    return reads_back(codec, dictionary, dictionary_length, frame, CSUPPORT_ZFRAME_HEADER_SIZE + body_length,
                      codec->check, sizeof codec->check, data, length);
}

void csupport_zframe_codec_set_fast_limit(csupport_zframe_codec *codec, size_t limit) {
    if (codec->level == 0) return;  // level 0 stores: no fast path either
    codec->fast_limit = limit < CSUPPORT_ZFRAME_FAST_LIMIT_MAX ? limit : CSUPPORT_ZFRAME_FAST_LIMIT_MAX;
}

void csupport_zframe_codec_set_long_limit(csupport_zframe_codec *codec, size_t limit) {
    if (codec->level == 0) return;
    codec->long_limit = limit < CSUPPORT_ZFRAME_LONG_LIMIT_MAX ? limit : CSUPPORT_ZFRAME_LONG_LIMIT_MAX;
}

void csupport_zframe_codec_set_lifting(csupport_zframe_codec *codec, int lifting) {
    if (codec->level == 0) return;
    codec->lifting = lifting != 0;
}

void csupport_zframe_codec_set_coding(csupport_zframe_codec *codec, int coding) { codec->coding = coding != 0; }

unsigned long csupport_zframe_codec_fast_rejections(const csupport_zframe_codec *codec) {
    return codec->fast_rejections;
}

static size_t put_varint(uint8_t *p, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

// At most 5 bytes (32 bits): every count in a frame is below its 32-bit length.
static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
    uint64_t value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (*p >= end) return 0;
        uint8_t byte = *(*p)++;
        value |= (uint64_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80)) {
            *v = value;
            return value <= UINT32_MAX;
        }
    }
    return 0;
}

static int reserve_scratch(csupport_zframe_codec *codec, size_t size) {
    if (size <= codec->scratch_capacity) return 1;
    uint8_t *larger = realloc(codec->scratch, size);
    if (larger == NULL) return 0;
    codec->scratch = larger;
    codec->scratch_capacity = size;
    return 1;
}

// The largest table: inner method, count, and per segment four varints, a separator length and its bytes.
#define LIFT_TABLE_MAX (2 + CSUPPORT_LIFT_MAX_SEGMENTS * (4 * 5 + 1 + CSUPPORT_LIFT_MAX_SEPARATOR))

// The lifted frame of a record with long base64 values (method 2, csupport_zlib.h),
// or 0 when it has none or the frame would not be shorter than the record.
// `out` holds the header's length and CRC already.
static long encode_lifted(csupport_zframe_codec *codec, const uint8_t *data, size_t length, uint8_t *out) {
    csupport_lift_segment segments[CSUPPORT_LIFT_MAX_SEGMENTS];
    size_t count = csupport_lift_find(data, length, segments, CSUPPORT_LIFT_MAX_SEGMENTS);
    if (count == 0) return 0;
    uint8_t table[LIFT_TABLE_MAX];
    size_t table_length = 2, lifted_text = 0, lifted_bytes = 0, previous_end = 0;
    table[1] = (uint8_t)count;
    for (size_t i = 0; i < count; i++) {
        const csupport_lift_segment *segment = &segments[i];
        table_length += put_varint(table + table_length, segment->start - previous_end);
        table_length += put_varint(table + table_length, segment->bytes);
        table_length += put_varint(table + table_length, segment->first);
        table_length += put_varint(table + table_length, segment->line);
        table[table_length++] = segment->separator_length;
        memcpy(table + table_length, segment->separator, segment->separator_length);
        table_length += segment->separator_length;
        lifted_text += segment->text_length;
        lifted_bytes += segment->bytes;
        previous_end = segment->start + segment->text_length;
    }
    if (table_length + lifted_bytes >= length) return 0;

    size_t rest = length - lifted_text, inner_bound = csupport_zframe_bound(rest);
    if (!reserve_scratch(codec, rest + inner_bound + length)) return CSUPPORT_ZFRAME_NO_MEMORY;
    uint8_t *text = codec->scratch, *inner = text + rest, *check = inner + inner_bound;
    size_t from = 0, to = 0;
    for (size_t i = 0; i < count; i++) {
        memcpy(text + to, data + from, segments[i].start - from);
        to += segments[i].start - from;
        from = segments[i].start + segments[i].text_length;
    }
    memcpy(text + to, data + from, length - from);

    // The rest is compressed as any record would be (fast paths, zlib, stored).
    codec->lifting = 0;
    long inner_length = csupport_zframe_encode(codec, text, rest, inner, inner_bound);
    codec->lifting = 1;
    if (inner_length < 0) return inner_length;
    size_t inner_body = (size_t)inner_length - CSUPPORT_ZFRAME_HEADER_SIZE;
    size_t body_length = table_length + lifted_bytes + inner_body;
    if (body_length >= length) return 0;

    table[0] = inner[1];
    uint8_t *body = out + CSUPPORT_ZFRAME_HEADER_SIZE;
    memcpy(body, table, table_length);
    uint8_t *bytes = body + table_length;
    for (size_t i = 0; i < count; i++) {
        csupport_lift_decode(data, &segments[i], bytes);
        bytes += segments[i].bytes;
    }
    memcpy(bytes, inner + CSUPPORT_ZFRAME_HEADER_SIZE, inner_body);
    out[1] = CSUPPORT_ZFRAME_METHOD_LIFTED;
    out[2] = inner[2];

    // Read back, as the fast paths' output is: a frame that would not is never returned.
    size_t frame_length = CSUPPORT_ZFRAME_HEADER_SIZE + body_length, dictionary_length = 0;
    const uint8_t *dictionary = codec->fast ? csupport_fixed_deflater_dictionary(codec->fast, &dictionary_length) : NULL;
    if (!reads_back(codec, dictionary, dictionary_length, out, frame_length, check, length, data, length)) {
        codec->fast_rejections++;
        return 0;
    }
    return (long)frame_length;
}

long csupport_zframe_encode(csupport_zframe_codec *codec, const uint8_t *data, size_t length,
                            uint8_t *out, size_t capacity) {
    if (length > UINT32_MAX) return CSUPPORT_ZFRAME_BAD_LENGTH;
    if (capacity < csupport_zframe_bound(length)) return CSUPPORT_ZFRAME_OUTPUT_TOO_SMALL;
    uint32_t crc = csupport_crc32(data, length);
    out[0] = CSUPPORT_ZFRAME_MAGIC_VERSION;
    put32(out + 3, (uint32_t)length);
    put32(out + 7, crc);
    uint8_t *body = out + CSUPPORT_ZFRAME_HEADER_SIZE;

    if (codec->lifting && length >= CSUPPORT_LIFT_MIN_CHARS) {
        long lifted = encode_lifted(codec, data, length, out);
        // A large record's scratch is not kept for the next one.
        if (codec->scratch_capacity > ((size_t)1 << 20)) {
            free(codec->scratch);
            codec->scratch = NULL;
            codec->scratch_capacity = 0;
        }
        if (lifted != 0) return lifted;
    }

    int fixed = length <= codec->fast_limit, dynamic = !fixed && length <= codec->long_limit;
    if (length > 1 && (fixed || dynamic) && codec->fast != NULL) {
        int coded = 0;
        long written = fixed ? csupport_short_deflate(codec->fast, data, length, body, length - 1, codec->coding, &coded)
                             : csupport_dynamic_deflate(codec->fast, data, length, body, length - 1);
        if (written > 0) {
            out[1] = coded ? CSUPPORT_ZFRAME_METHOD_CODED : CSUPPORT_ZFRAME_METHOD_DEFLATE;
            out[2] = codec->primed_id;
            if (fast_output_checks(codec, out, (size_t)written, data, length)) return (long)CSUPPORT_ZFRAME_HEADER_SIZE + written;
            codec->fast_rejections++;
        }
    }
    if (length > 1) {
        int status = ready_deflater(codec);
        if (status != 0) return status;
        z_stream *s = &codec->deflater;
        s->next_in = (Bytef *)data;
        s->avail_in = (uInt)length;
        s->next_out = body;
        // Room for one byte less than the payload: deflate output is only
        // worth keeping when it is smaller; otherwise we store.
        s->avail_out = (uInt)(length - 1);
        // The copy lives in the arena: it is never ended, the next copy
        // overwrites it.
        if (deflate(s, Z_FINISH) == Z_STREAM_END) {
            out[1] = CSUPPORT_ZFRAME_METHOD_DEFLATE;
            out[2] = codec->primed_id;
            return (long)(CSUPPORT_ZFRAME_HEADER_SIZE + s->total_out);
        }
    }
    out[1] = CSUPPORT_ZFRAME_METHOD_STORED;
    out[2] = 0;
    if (length) memcpy(body, data, length);
    return (long)(CSUPPORT_ZFRAME_HEADER_SIZE + length);
}

int csupport_zframe_read_header(const uint8_t *frame, size_t frame_length, csupport_zframe_header *header) {
    if (frame_length < CSUPPORT_ZFRAME_HEADER_SIZE) return CSUPPORT_ZFRAME_TRUNCATED;
    if (frame[0] != CSUPPORT_ZFRAME_MAGIC_VERSION) return CSUPPORT_ZFRAME_BAD_MAGIC;
    header->method = frame[1];
    header->dictionary_id = frame[2];
    header->length = get32(frame + 3);
    header->crc32 = get32(frame + 7);
    size_t body = frame_length - CSUPPORT_ZFRAME_HEADER_SIZE;
    switch (header->method) {
    case CSUPPORT_ZFRAME_METHOD_STORED:
        if (header->dictionary_id != 0) return CSUPPORT_ZFRAME_BAD_METHOD;
        if (body != header->length) return body < header->length ? CSUPPORT_ZFRAME_TRUNCATED : CSUPPORT_ZFRAME_BAD_LENGTH;
        return CSUPPORT_ZFRAME_OK;
    case CSUPPORT_ZFRAME_METHOD_DEFLATE:
    case CSUPPORT_ZFRAME_METHOD_LIFTED:
    case CSUPPORT_ZFRAME_METHOD_CODED:
        // The encoder only keeps deflate (lifted, coded) output shorter than the payload.
        if (header->length < 2 || body == 0 || body >= header->length) return CSUPPORT_ZFRAME_BAD_LENGTH;
        return CSUPPORT_ZFRAME_OK;
    default:
        return CSUPPORT_ZFRAME_BAD_METHOD;
    }
}

// Inflates a raw deflate body (`method` 1), or a coded one (3: from a copy of the
// stream that has read the implied header), into exactly `length` bytes at `out`.
static int inflate_body(csupport_zframe_codec *codec, const uint8_t *dictionary, size_t dictionary_length, uint8_t dictionary_id,
                        uint8_t method, const uint8_t *body, size_t body_length, uint8_t *out, size_t length) {
    z_stream *s;
    if (method == CSUPPORT_ZFRAME_METHOD_CODED) {
        // A copy of the stream that has read the implied header; the arena stays
        // active while it inflates (its window, if it had none, is allocated there).
        int status = ready_coded_inflater(codec, dictionary, dictionary_length, dictionary_id);
        if (status != 0) return status;
        s = &codec->coded_inflater;
    } else {
        int status = ready_inflater(codec);
        if (status != 0) return status;
        s = &codec->inflater;
        if (dictionary_id != 0) {
            // Raw inflate takes its dictionary right after a reset.
            if (inflateSetDictionary(s, dictionary, (uInt)dictionary_length) != Z_OK) return CSUPPORT_ZFRAME_DICTIONARY_MISMATCH;
        }
    }
    s->next_out = out;
    s->avail_out = (uInt)length;
    s->next_in = (Bytef *)body;
    s->avail_in = (uInt)body_length;
    int z = inflate(s, Z_FINISH);
    codec->inflate_arena.active = 0;
    switch (z) {
    case Z_STREAM_END:
        if (s->total_out != length) return CSUPPORT_ZFRAME_BAD_LENGTH;
        if (s->avail_in != 0) return CSUPPORT_ZFRAME_TRAILING_BYTES;
        return CSUPPORT_ZFRAME_OK;
    case Z_OK:
    case Z_BUF_ERROR:
        // Either the output is full before the stream ends (longer than
        // announced) or the input ran out (truncated).
        return s->avail_out == 0 ? CSUPPORT_ZFRAME_BAD_LENGTH : CSUPPORT_ZFRAME_TRUNCATED;
    case Z_MEM_ERROR:
        return CSUPPORT_ZFRAME_NO_MEMORY;
    default:
        return CSUPPORT_ZFRAME_DATA_ERROR;
    }
}

// A lifted body (csupport_zlib.h): the rest of the record goes to the end of
// `out`, and the record is then written forward from the start, each
// segment's text made from its bytes; the writer never passes the reader.
static int decode_lifted(csupport_zframe_codec *codec, const uint8_t *dictionary, size_t dictionary_length, uint8_t dictionary_id,
                         const csupport_zframe_header *header, const uint8_t *body, size_t body_length, uint8_t *out) {
    const uint8_t *p = body, *end = body + body_length;
    if (body_length < 2) return CSUPPORT_ZFRAME_TRUNCATED;
    uint8_t inner_method = *p++;
    size_t count = *p++;
    if (inner_method != CSUPPORT_ZFRAME_METHOD_STORED && inner_method != CSUPPORT_ZFRAME_METHOD_DEFLATE &&
        inner_method != CSUPPORT_ZFRAME_METHOD_CODED)
        return CSUPPORT_ZFRAME_BAD_METHOD;
    if (inner_method == CSUPPORT_ZFRAME_METHOD_STORED && header->dictionary_id != 0) return CSUPPORT_ZFRAME_BAD_METHOD;
    if (count == 0 || count > CSUPPORT_LIFT_MAX_SEGMENTS) return CSUPPORT_ZFRAME_DATA_ERROR;
    csupport_lift_segment segments[CSUPPORT_LIFT_MAX_SEGMENTS];
    uint64_t lifted_text = 0, lifted_bytes = 0, gaps = 0;
    for (size_t i = 0; i < count; i++) {
        uint64_t gap, bytes, first, line;
        if (!get_varint(&p, end, &gap) || !get_varint(&p, end, &bytes) || !get_varint(&p, end, &first) ||
            !get_varint(&p, end, &line) || p >= end)
            return CSUPPORT_ZFRAME_DATA_ERROR;
        size_t separator_length = *p++;
        if (separator_length > CSUPPORT_LIFT_MAX_SEPARATOR || (size_t)(end - p) < separator_length) return CSUPPORT_ZFRAME_DATA_ERROR;
        csupport_lift_segment *segment = &segments[i];
        segment->start = (size_t)gap;  // here: the gap before the segment
        segment->bytes = (size_t)bytes;
        segment->first = (size_t)first;
        segment->line = (size_t)line;
        segment->separator_length = (uint8_t)separator_length;
        memcpy(segment->separator, p, separator_length);
        p += separator_length;
        segment->text_length = csupport_lift_text_length(segment->bytes, segment->first, segment->line, separator_length);
        if (segment->text_length == 0) return CSUPPORT_ZFRAME_DATA_ERROR;
        lifted_text += segment->text_length;
        lifted_bytes += bytes;
        gaps += gap;
        if (lifted_text + gaps > header->length) return CSUPPORT_ZFRAME_BAD_LENGTH;
    }
    if ((uint64_t)(end - p) < lifted_bytes) return CSUPPORT_ZFRAME_TRUNCATED;
    const uint8_t *bytes = p;
    p += lifted_bytes;
    size_t rest = header->length - (size_t)lifted_text;
    uint8_t *text = out + lifted_text;
    if (inner_method == CSUPPORT_ZFRAME_METHOD_STORED) {
        if ((size_t)(end - p) != rest) return (size_t)(end - p) < rest ? CSUPPORT_ZFRAME_TRUNCATED : CSUPPORT_ZFRAME_BAD_LENGTH;
        if (rest) memcpy(text, p, rest);
    } else {
        if (header->dictionary_id != dictionary_id) return CSUPPORT_ZFRAME_DICTIONARY_MISMATCH;
        int status = inflate_body(codec, dictionary, dictionary_length, header->dictionary_id, inner_method, p, (size_t)(end - p), text, rest);
        if (status != CSUPPORT_ZFRAME_OK) return status;
    }
    uint8_t *write = out;
    const uint8_t *read = text;
    for (size_t i = 0; i < count; i++) {
        const csupport_lift_segment *segment = &segments[i];
        memmove(write, read, segment->start);
        write += segment->start;
        read += segment->start;
        csupport_lift_encode(bytes, segment->bytes, segment->first, segment->line, segment->separator, segment->separator_length, write);
        write += segment->text_length;
        bytes += segment->bytes;
    }
    memmove(write, read, (size_t)(out + header->length - write));
    return CSUPPORT_ZFRAME_OK;
}

// A frame's record into `out`, its CRC not compared: the encoder's read-back compares the
// whole record with the one it was given, which the CRC (taken from that record) cannot add to.
static int decode_unchecked(csupport_zframe_codec *codec, const uint8_t *dictionary, size_t dictionary_length,
                            uint8_t dictionary_id, const uint8_t *frame, size_t frame_length, uint8_t *out,
                            size_t capacity, csupport_zframe_header *header) {
    int status = csupport_zframe_read_header(frame, frame_length, header);
    if (status != CSUPPORT_ZFRAME_OK) return status;
    if (capacity < header->length) return CSUPPORT_ZFRAME_OUTPUT_TOO_SMALL;
    const uint8_t *body = frame + CSUPPORT_ZFRAME_HEADER_SIZE;
    size_t body_length = frame_length - CSUPPORT_ZFRAME_HEADER_SIZE;

    if (header->method == CSUPPORT_ZFRAME_METHOD_STORED) {
        if (body_length) memcpy(out, body, body_length);
        return CSUPPORT_ZFRAME_OK;
    }
    if (header->method == CSUPPORT_ZFRAME_METHOD_LIFTED)
        return decode_lifted(codec, dictionary, dictionary_length, dictionary_id, header, body, body_length, out);
    if (header->dictionary_id != dictionary_id) return CSUPPORT_ZFRAME_DICTIONARY_MISMATCH;
    return inflate_body(codec, dictionary, dictionary_length, header->dictionary_id, header->method, body, body_length, out, header->length);
}

static int reads_back(csupport_zframe_codec *codec, const uint8_t *dictionary, size_t dictionary_length,
                      const uint8_t *frame, size_t frame_length, uint8_t *check, size_t capacity,
                      const uint8_t *data, size_t length) {
    csupport_zframe_header header;
    int status = decode_unchecked(codec, dictionary, dictionary_length, codec->primed_id, frame, frame_length,
                                  check, capacity, &header);
    return status == CSUPPORT_ZFRAME_OK && header.length == length && memcmp(check, data, length) == 0;
}

int csupport_zframe_decode(csupport_zframe_codec *codec,
                           const uint8_t *dictionary, size_t dictionary_length, uint8_t dictionary_id,
                           const uint8_t *frame, size_t frame_length,
                           uint8_t *out, size_t capacity) {
    csupport_zframe_header header;
    int status = decode_unchecked(codec, dictionary, dictionary_length, dictionary_id, frame, frame_length, out, capacity, &header);
    if (status != CSUPPORT_ZFRAME_OK) return status;
    if (csupport_crc32(out, header.length) != header.crc32) return CSUPPORT_ZFRAME_CRC_MISMATCH;
    return CSUPPORT_ZFRAME_OK;
}
