// libFuzzer target for the journal's frame codec (CSupport/src/zlib_frame.c and
// the fixed-Huffman encoder in CSupport/src/fixed_deflate.c).
//
// Built by Fuzz/run.sh with the toolchain's clang and
// -fsanitize=fuzzer,address,undefined against the two sources and the system
// zlib. The input's first byte chooses:
//   - even: the next byte (0-255) is a dictionary length taken from the input
//     that follows, the rest is a record. Encoding must succeed, the frame must
//     be no longer than the stored form, decoding must give the record back,
//     and the fast path must never have produced a frame that fails its own
//     read-back check (a rejection means fixed_deflate.c wrote a wrong stream);
//     the same record through zlib alone (fast limit 0) must decode too;
//   - odd: the rest is a frame from a peer or a damaged disk; decoding it with
//     and without a dictionary must return a status, never crash.
#include "csupport_zlib.h"

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
    for (int fast = 1; fast >= 0; fast--) {
        csupport_zframe_codec *codec = csupport_zframe_codec_create(6, 13, 7);
        if (codec == NULL) fail("no codec", length);
        if (csupport_zframe_codec_prime(codec, dictionary, dictionary_length, dictionary_length ? 1 : 0) != 0) fail("prime", length);
        if (!fast) csupport_zframe_codec_set_fast_limit(codec, 0);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    if ((data[0] & 1) == 0) {
        size_t dictionary_length = data[1] * 16u;
        const uint8_t *rest = data + 2;
        size_t remaining = size - 2;
        if (dictionary_length > remaining) dictionary_length = remaining;
        size_t length = remaining - dictionary_length;
        if (length > 65536) length = 65536;
        round_trip(rest, dictionary_length, rest + dictionary_length, length);
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
