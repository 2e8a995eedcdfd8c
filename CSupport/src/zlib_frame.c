// zlib frame codec for journal payloads; the layout is documented in
// include/csupport_zlib.h.
#include "csupport_zlib.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct csupport_zframe_codec {
    z_stream deflater;
    z_stream inflater;
    int deflater_ready;
    int inflater_ready;
    int level;
    int mem_level;
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

csupport_zframe_codec *csupport_zframe_codec_create(int level, int mem_level) {
    csupport_zframe_codec *codec = calloc(1, sizeof *codec);
    if (codec == NULL) return NULL;
    codec->level = (level < -1 || level > 9) ? Z_DEFAULT_COMPRESSION : level;
    codec->mem_level = (mem_level < 1 || mem_level > 9) ? 8 : mem_level;
    return codec;
}

void csupport_zframe_codec_destroy(csupport_zframe_codec *codec) {
    if (codec == NULL) return;
    if (codec->deflater_ready) deflateEnd(&codec->deflater);
    if (codec->inflater_ready) inflateEnd(&codec->inflater);
    free(codec);
}

size_t csupport_zframe_bound(size_t length) {
    // Never larger than the stored form: deflate output is only kept when smaller.
    return CSUPPORT_ZFRAME_HEADER_SIZE + length;
}

uint32_t csupport_crc32(const uint8_t *data, size_t length) {
    return (uint32_t)crc32_z(0L, length ? data : Z_NULL, length);
}

// Readies the deflate stream for a new record: initialised once (the
// deflateInit2 macro, raw deflate), reset afterwards.
static int ready_deflater(csupport_zframe_codec *codec) {
    if (codec->deflater_ready) return deflateReset(&codec->deflater) == Z_OK ? 0 : CSUPPORT_ZFRAME_NO_MEMORY;
    memset(&codec->deflater, 0, sizeof codec->deflater);
    if (deflateInit2(&codec->deflater, codec->level, Z_DEFLATED, -MAX_WBITS, codec->mem_level, Z_DEFAULT_STRATEGY) != Z_OK)
        return CSUPPORT_ZFRAME_NO_MEMORY;
    codec->deflater_ready = 1;
    return 0;
}

static int ready_inflater(csupport_zframe_codec *codec) {
    if (codec->inflater_ready) return inflateReset(&codec->inflater) == Z_OK ? 0 : CSUPPORT_ZFRAME_NO_MEMORY;
    memset(&codec->inflater, 0, sizeof codec->inflater);
    if (inflateInit2(&codec->inflater, -MAX_WBITS) != Z_OK) return CSUPPORT_ZFRAME_NO_MEMORY;
    codec->inflater_ready = 1;
    return 0;
}

long csupport_zframe_encode(csupport_zframe_codec *codec,
                            const uint8_t *dictionary, size_t dictionary_length, uint8_t dictionary_id,
                            const uint8_t *data, size_t length,
                            uint8_t *out, size_t capacity) {
    if (length > UINT32_MAX) return CSUPPORT_ZFRAME_BAD_LENGTH;
    if (capacity < csupport_zframe_bound(length)) return CSUPPORT_ZFRAME_OUTPUT_TOO_SMALL;
    uint32_t crc = csupport_crc32(data, length);
    out[0] = CSUPPORT_ZFRAME_MAGIC_VERSION;
    put32(out + 3, (uint32_t)length);
    put32(out + 7, crc);
    uint8_t *body = out + CSUPPORT_ZFRAME_HEADER_SIZE;

    if (length > 1) {
        int status = ready_deflater(codec);
        if (status != 0) return status;
        z_stream *s = &codec->deflater;
        if (dictionary_id != 0 && dictionary_length > 0) {
            if (deflateSetDictionary(s, dictionary, (uInt)dictionary_length) != Z_OK) return CSUPPORT_ZFRAME_NO_MEMORY;
        }
        s->next_in = (Bytef *)data;
        s->avail_in = (uInt)length;
        s->next_out = body;
        // Room for one byte less than the payload: deflate output is only
        // worth keeping when it is smaller; otherwise we store.
        s->avail_out = (uInt)(length - 1);
        if (deflate(s, Z_FINISH) == Z_STREAM_END) {
            out[1] = CSUPPORT_ZFRAME_METHOD_DEFLATE;
            out[2] = dictionary_length > 0 ? dictionary_id : 0;
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
        // The encoder only keeps deflate output shorter than the payload.
        if (header->length < 2 || body == 0 || body >= header->length) return CSUPPORT_ZFRAME_BAD_LENGTH;
        return CSUPPORT_ZFRAME_OK;
    default:
        return CSUPPORT_ZFRAME_BAD_METHOD;
    }
}

int csupport_zframe_decode(csupport_zframe_codec *codec,
                           const uint8_t *dictionary, size_t dictionary_length, uint8_t dictionary_id,
                           const uint8_t *frame, size_t frame_length,
                           uint8_t *out, size_t capacity) {
    csupport_zframe_header header;
    int status = csupport_zframe_read_header(frame, frame_length, &header);
    if (status != CSUPPORT_ZFRAME_OK) return status;
    if (capacity < header.length) return CSUPPORT_ZFRAME_OUTPUT_TOO_SMALL;
    const uint8_t *body = frame + CSUPPORT_ZFRAME_HEADER_SIZE;
    size_t body_length = frame_length - CSUPPORT_ZFRAME_HEADER_SIZE;

    if (header.method == CSUPPORT_ZFRAME_METHOD_STORED) {
        if (csupport_crc32(body, body_length) != header.crc32) return CSUPPORT_ZFRAME_CRC_MISMATCH;
        if (body_length) memcpy(out, body, body_length);
        return CSUPPORT_ZFRAME_OK;
    }
    if (header.dictionary_id != dictionary_id) return CSUPPORT_ZFRAME_DICTIONARY_MISMATCH;
    status = ready_inflater(codec);
    if (status != 0) return status;
    z_stream *s = &codec->inflater;
    if (header.dictionary_id != 0) {
        // Raw inflate takes its dictionary right after a reset.
        if (inflateSetDictionary(s, dictionary, (uInt)dictionary_length) != Z_OK) return CSUPPORT_ZFRAME_DICTIONARY_MISMATCH;
    }
    s->next_in = (Bytef *)body;
    s->avail_in = (uInt)body_length;
    s->next_out = out;
    s->avail_out = (uInt)header.length;
    int z = inflate(s, Z_FINISH);
    switch (z) {
    case Z_STREAM_END:
        if (s->total_out != header.length) return CSUPPORT_ZFRAME_BAD_LENGTH;
        if (s->avail_in != 0) return CSUPPORT_ZFRAME_TRAILING_BYTES;
        break;
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
    if (csupport_crc32(out, header.length) != header.crc32) return CSUPPORT_ZFRAME_CRC_MISMATCH;
    return CSUPPORT_ZFRAME_OK;
}
