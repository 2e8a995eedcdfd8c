// libFuzzer target for the C WBXML scanner (CSupport/src/wbxml_scanner.c).
//
// Built by Fuzz/run.sh with the toolchain's clang and
// -fsanitize=fuzzer,address,undefined directly against the scanner's source, so
// every read outside `bytes[0 ..< count]` is caught. Two properties are checked
// besides "no crash":
//   - tokens stay inside the caller's buffer, and every call either returns a
//     token, or NEED_MORE / END / MALFORMED (no endless loop);
//   - the header's contract: feeding the same document in pieces, with the bytes
//     before `*position` dropped between calls, gives the same tokens and the
//     same final status as scanning it whole.
// The piece sizes and the limits (defaults, or small ones so that the limit
// paths run too) are derived from a hash of the input, so a run is reproducible.
#include "csupport_wbxml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_TOKENS = 1 << 16 };

/// One token as the caller sees it, with its data as absolute offsets.
typedef struct {
    csupport_wbxml_token token;
    uint64_t absolute_offset; ///< data offset counted from the document's first byte
} recorded_token;

typedef struct {
    recorded_token *tokens; ///< tokens without data (START, ENDTAG …) have data_offset 0
    size_t count;
    csupport_wbxml_status final_status;
    uint64_t error_offset;
    const char *error_reason;
    uint8_t error_kind;
} scan_result;

static void check(int condition, const char *what) {
    if (!condition) {
        fprintf(stderr, "wbxml_scanner_fuzzer: %s\n", what);
        abort();
    }
}

/// FNV-1a over the input: a deterministic seed for piece sizes and limits.
static uint64_t input_hash(const uint8_t *data, size_t size) {
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < size; i++) hash = (hash ^ data[i]) * 0x100000001b3ULL;
    return hash;
}

static void record(scan_result *result, const csupport_wbxml_token *token, uint64_t base) {
    check(result->count < MAX_TOKENS, "more tokens than the test can hold");
    recorded_token *slot = &result->tokens[result->count++];
    slot->token = *token;
    slot->absolute_offset = base + token->data_offset;
    slot->token.data_offset = 0;
}

/// Scans `data` whole: one buffer of exactly `size` bytes.
static void scan_whole(const uint8_t *data, size_t size, const csupport_wbxml_limits *limits, scan_result *result) {
    csupport_wbxml_scanner scanner;
    csupport_wbxml_init(&scanner, limits);
    size_t position = 0;
    for (;;) {
        csupport_wbxml_token token;
        size_t before = position;
        csupport_wbxml_status status = csupport_wbxml_next(&scanner, data, size, &position, &token);
        check(position <= size, "position moved past the end of the buffer");
        if (status != CSUPPORT_WBXML_OK) {
            result->final_status = status;
            result->error_offset = scanner.error_offset;
            result->error_reason = scanner.error_reason;
            result->error_kind = scanner.error_kind;
            if (status == CSUPPORT_WBXML_MALFORMED) check(scanner.error_reason != NULL, "MALFORMED without a reason");
            // Sticky: asking again gives the same answer.
            check(csupport_wbxml_next(&scanner, data, size, &position, &token) == status ||
                      status == CSUPPORT_WBXML_NEED_MORE,
                  "END or MALFORMED is not sticky");
            return;
        }
        check(position > before, "a token was returned without consuming bytes");
        check(token.data_offset <= size && token.data_length <= size - token.data_offset,
              "token data outside the buffer");
        record(result, &token, 0);
    }
}

/// Scans `data` fed in pieces; the window holds only the unread bytes, in a
/// buffer of exactly their size, as a caller that drops consumed bytes would.
static void scan_pieces(const uint8_t *data, size_t size, const csupport_wbxml_limits *limits, uint64_t seed,
                        scan_result *result) {
    csupport_wbxml_scanner scanner;
    csupport_wbxml_init(&scanner, limits);
    size_t base = 0; // absolute offset of window[0]
    size_t fed = 0;  // absolute offset of the end of the window
    uint64_t state = seed | 1;
    for (;;) {
        // Next piece: 0 to 16 bytes (0 re-asks without new bytes), or everything left.
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        size_t piece = (state % 8 == 0) ? size - fed : (size_t)(state >> 8) % 17;
        if (piece > size - fed) piece = size - fed;
        fed += piece;
        size_t count = fed - base;
        uint8_t *window = malloc(count ? count : 1);
        check(window != NULL, "out of memory");
        memcpy(window, data + base, count);
        size_t position = 0;
        csupport_wbxml_status status;
        for (;;) {
            csupport_wbxml_token token;
            size_t before = position;
            status = csupport_wbxml_next(&scanner, window, count, &position, &token);
            check(position <= count, "position moved past the end of the buffer");
            if (status != CSUPPORT_WBXML_OK) break;
            check(position > before, "a token was returned without consuming bytes");
            check(token.data_offset <= count && token.data_length <= count - token.data_offset,
                  "token data outside the buffer");
            // Data must be the same bytes as in the whole document.
            check(memcmp(window + token.data_offset, data + base + token.data_offset, token.data_length) == 0,
                  "token data differ");
            record(result, &token, base);
        }
        free(window);
        base += position;
        if (status != CSUPPORT_WBXML_NEED_MORE || fed == size) {
            result->final_status = status;
            result->error_offset = scanner.error_offset;
            result->error_reason = scanner.error_reason;
            result->error_kind = scanner.error_kind;
            return;
        }
    }
}

static void compare(const scan_result *whole, const scan_result *pieces) {
    check(whole->count == pieces->count, "token count differs between whole and piecewise scans");
    for (size_t i = 0; i < whole->count; i++) {
        const csupport_wbxml_token *a = &whole->tokens[i].token, *b = &pieces->tokens[i].token;
        check(a->kind == b->kind && a->page == b->page && a->tag == b->tag && a->flags == b->flags &&
                  a->version == b->version && a->value == b->value && a->index == b->index &&
                  a->charset == b->charset && a->data_length == b->data_length,
              "token differs between whole and piecewise scans");
        int has_data = a->kind == CSUPPORT_WBXML_HEADER || a->kind == CSUPPORT_WBXML_STRING ||
                       a->kind == CSUPPORT_WBXML_OPAQUE || (a->kind == CSUPPORT_WBXML_EXTENSION && a->tag <= 0x42);
        check(!has_data || whole->tokens[i].absolute_offset == pieces->tokens[i].absolute_offset,
              "token data offset differs between whole and piecewise scans");
    }
    check(whole->final_status == pieces->final_status, "final status differs between whole and piecewise scans");
    if (whole->final_status == CSUPPORT_WBXML_MALFORMED) {
        check(whole->error_offset == pieces->error_offset, "error offset differs");
        check(whole->error_kind == pieces->error_kind, "error kind differs");
        check(strcmp(whole->error_reason, pieces->error_reason) == 0, "error reason differs");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static recorded_token whole_tokens[MAX_TOKENS], piece_tokens[MAX_TOKENS];
    uint64_t seed = input_hash(data, size);
    csupport_wbxml_limits small = {
        .max_depth = 1 + (uint32_t)(seed >> 8) % 8,
        .max_string_length = 1 + (uint32_t)(seed >> 16) % 64,
        .max_opaque_length = 1 + (uint32_t)(seed >> 24) % 64,
        .max_table_length = 1 + (uint32_t)(seed >> 32) % 64,
    };
    const csupport_wbxml_limits *limits = (seed & 3) == 0 ? &small : NULL;

    scan_result whole = {.tokens = whole_tokens}, pieces = {.tokens = piece_tokens};
    scan_whole(data, size, limits, &whole);
    scan_pieces(data, size, limits, seed, &pieces);
    compare(&whole, &pieces);
    return 0;
}
