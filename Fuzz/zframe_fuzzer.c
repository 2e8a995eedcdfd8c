// libFuzzer target for the journal's frame codec (CSupport/src/zlib_frame.c and
// the fixed-, implied- and dynamic-Huffman encoders in CSupport/src/fixed_deflate.c).
//
// Built by Fuzz/run.sh with the toolchain's clang and
// -fsanitize=fuzzer,address,undefined against the two sources and the system
// zlib. The input's first byte chooses:
//   - even: the next byte (0-255) is a dictionary length taken from the input
//     that follows, the rest is a record. With bit 1 set, the record is that
//     rest tiled (each copy's bytes plus the copy's number, so that long
//     records of every kind come from short inputs) to 2,049 + 512 x (the
//     first byte >> 2) bytes: past the fast limit and, from 0xF2 up, past the
//     long limit. Each record is encoded three ways: default limits, every
//     record through the dynamic-code encoder (fast limit 0), and zlib alone
//     (both limits 0), a fourth time without lifting base64 and a fifth with fixed
//     codes only (no coded frames). Encoding must succeed, the frame must be no longer than
//     the stored form, decoding must give the record back, and the fast paths
//     must never have produced a frame that fails its own read-back check (a
//     rejection means fixed_deflate.c wrote a wrong stream);
//   - 0x03: a record with a long base64 value (what lifted frames keep as bytes):
//     the next bytes choose the first line's length (1-64), the line length
//     (0: unfolded), the separator (CRLF+space, LF+space, CRLF, CRLF+tab,
//     CRLF+4 spaces, space), a character to overwrite (0: none) and the length
//     of a text prefix taken from the input; the rest are the bytes, tiled to at
//     least 96. Round-tripped as even inputs are, with and without a dictionary;
//   - 0x01: the rest are symbol frequencies (1 << (byte % 16), byte >> 4 == 15: none)
//     for csupport_huffman_code_lengths with limits 15 and 7: every length
//     within the limit and the code exactly complete (Kraft sum 1);
//   - other odd: the rest is a frame from a peer or a damaged disk; decoding it with
//     and without a dictionary must return a status, never crash.
#include "csupport_zlib.h"
#include "fixed_deflate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, size_t length) {
    fprintf(stderr, "zframe_fuzzer: %s (record of %zu bytes)\n", what, length);
    abort();
}

static void round_trip(const uint8_t *dictionary, size_t dictionary_length, const uint8_t *record, size_t length) {
    static uint8_t frame[CSUPPORT_ZFRAME_HEADER_SIZE + 70000], back[70000];
    for (int limits = 0; limits < 5; limits++) {
        csupport_zframe_codec *codec = csupport_zframe_codec_create(6, 13, 7);
        if (codec == NULL) fail("no codec", length);
        if (csupport_zframe_codec_prime(codec, dictionary, dictionary_length, dictionary_length ? 1 : 0) != 0) fail("prime", length);
        if (limits == 1 || limits == 2) csupport_zframe_codec_set_fast_limit(codec, 0);
        if (limits == 2) csupport_zframe_codec_set_long_limit(codec, 0);
        if (limits == 3) csupport_zframe_codec_set_lifting(codec, 0);
        if (limits == 4) csupport_zframe_codec_set_coding(codec, 0);
        long written = csupport_zframe_encode(codec, record, length, frame, sizeof frame);
        if (written <= 0) fail("encode failed", length);
        if ((size_t)written > csupport_zframe_bound(length)) fail("frame longer than the stored form", length);
        if (csupport_zframe_codec_fast_rejections(codec) != 0) fail("the fast path wrote a frame that does not read back", length);
        int status = csupport_zframe_decode(codec, dictionary, dictionary_length, dictionary_length ? 1 : 0,
                                            frame, (size_t)written, back, sizeof back);
        if (status != CSUPPORT_ZFRAME_OK || memcmp(back, record, length) != 0) fail("round trip", length);
        csupport_zframe_codec_destroy(codec);
    }
}

static void code_lengths(const uint8_t *data, size_t size) {
    uint32_t frequency[286] = {0};
    int count = size < 286 ? (int)size : 286;
    if (count < 2) return;
    for (int s = 0; s < count; s++) frequency[s] = (data[s] >> 4) == 15 ? 0 : 1u << (data[s] % 16);
    for (int limit = 7; limit <= 15; limit += 8) {
        if (limit == 7 && count > 19) continue;  // the code-length code has 19 symbols
        uint8_t lengths[286];
        csupport_huffman_code_lengths(frequency, count, limit, lengths);
        uint64_t kraft = 0;
        int used = 0;
        for (int s = 0; s < count; s++) {
            if (lengths[s] > limit) fail("code longer than its limit", (size_t)count);
            if (frequency[s] && !lengths[s]) fail("a symbol that occurs has no code", (size_t)count);
            if (lengths[s]) { kraft += 1ull << (15 - lengths[s]); used++; }
        }
        if (used < 2 || kraft != 1ull << 15) fail("incomplete or oversubscribed code", (size_t)count);
    }
}

static const uint8_t vcard_dictionary[] =
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\r\nN:;;;;\r\nPHOTO;ENCODING=b;TYPE=JPEG:\r\nEND:VCARD\r\n";

// A vCard-like record around base64 of the input (0x03 inputs, above).
static void base64_record(const uint8_t *data, size_t size) {
    static const char *const separators[] = {"\r\n ", "\n ", "\r\n", "\r\n\t", "\r\n    ", " "};
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static uint8_t bytes[8192], text[16384], record[20000];
    if (size < 6) return;
    size_t first = 1 + (data[0] & 63), line = data[1], overwrite = data[3], prefix = data[4] % 64;
    const char *separator = separators[data[2] % 6];
    data += 5;
    size = size - 5;
    if (prefix > size) prefix = size;
    const uint8_t *input = data + prefix;
    size_t input_length = size - prefix, length = input_length < 96 ? 96 : input_length;
    if (length > sizeof bytes) length = sizeof bytes;
    for (size_t i = 0; i < length; i++) bytes[i] = input_length ? (uint8_t)(input[i % input_length] + i / input_length) : (uint8_t)i;
    size_t characters = 0;
    for (size_t i = 0; i < length; i += 3) {
        uint32_t v = (uint32_t)bytes[i] << 16 | (i + 1 < length ? (uint32_t)bytes[i + 1] << 8 : 0) | (i + 2 < length ? bytes[i + 2] : 0);
        text[characters++] = (uint8_t)alphabet[v >> 18];
        text[characters++] = (uint8_t)alphabet[(v >> 12) & 63];
        text[characters++] = i + 1 < length ? (uint8_t)alphabet[(v >> 6) & 63] : '=';
        text[characters++] = i + 2 < length ? (uint8_t)alphabet[v & 63] : '=';
    }
    if (overwrite) text[(overwrite * 37u) % characters] = data[overwrite % size];
    static const char opening[] = "BEGIN:VCARD\r\nPHOTO;ENCODING=b;TYPE=JPEG:";
    size_t n = sizeof opening - 1;
    memcpy(record, opening, n);
    memcpy(record + n, data, prefix);
    n += prefix;
    size_t left = first;
    for (size_t i = 0; i < characters; i++) {
        if (left == 0 && line) {
            memcpy(record + n, separator, strlen(separator));
            n += strlen(separator);
            left = line;
        }
        record[n++] = text[i];
        if (left) left--;
    }
    memcpy(record + n, "\r\nEND:VCARD\r\n", 13);
    n += 13;
    round_trip(vcard_dictionary, sizeof vcard_dictionary - 1, record, n);
    round_trip(NULL, 0, record, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    if (data[0] == 3) {
        base64_record(data + 1, size - 1);
        return 0;
    }
    if (data[0] == 1) {
        code_lengths(data + 1, size - 1);
        return 0;
    }
    if ((data[0] & 1) == 0) {
        size_t dictionary_length = data[1] * 16u;
        const uint8_t *rest = data + 2;
        size_t remaining = size - 2;
        if (dictionary_length > remaining) dictionary_length = remaining;
        size_t length = remaining - dictionary_length;
        if (length > 65536) length = 65536;
        if ((data[0] & 2) && length > 0) {
            static uint8_t tiled[2049 + 512 * 63];
            size_t tiled_length = 2049 + 512 * (size_t)(data[0] >> 2);
            for (size_t i = 0; i < tiled_length; i++)
                tiled[i] = (uint8_t)(rest[dictionary_length + i % length] + i / length);
            round_trip(rest, dictionary_length, tiled, tiled_length);
        } else {
            round_trip(rest, dictionary_length, rest + dictionary_length, length);
        }
    } else {
        static uint8_t out[1 << 16];
        static const uint8_t dictionary[] = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\r\nN:;;;;\r\nTEL;TYPE=CELL:\r\nEND:VCARD\r\n";
        csupport_zframe_codec *codec = csupport_zframe_codec_create(6, 13, 7);
        if (codec == NULL) return 0;
        (void)csupport_zframe_decode(codec, dictionary, sizeof dictionary - 1, 1, data + 1, size - 1, out, sizeof out);
        (void)csupport_zframe_decode(codec, NULL, 0, 0, data + 1, size - 1, out, sizeof out);
        csupport_zframe_codec_destroy(codec);
    }
    return 0;
}
