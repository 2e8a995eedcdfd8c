// A pull scanner for WBXML 1.0-1.3 global tokens (WAP-192-WBXML-20010725-a §5).
//
// Why C: this loop runs over every byte a client sends; it must never allocate,
// never copy and never read outside `bytes[*position ..< count]`, whatever the
// input. Each call either returns one whole token (advancing `*position` past
// it), or NEED_MORE / END / MALFORMED. Tokens that carry nothing for the caller
// (SWITCH_PAGE, processing instructions) are consumed silently; each is whole
// before it is consumed, so a NEED_MORE may follow them with `*position` moved
// past them, never into a token.
//
// Grammar (WAP-192 §5.3, tag and attribute code pages are separate states):
//   start   = version publicid charset strtbl body      (no charset in WBXML 1.0)
//   body    = *pi element *pi                           (we stop after the root)
//   element = [switchPage] stag [1*attribute END] [*content END]
//   content = element | string | extension | entity | pi | opaque
#include "csupport_wbxml.h"

#include <string.h>

_Static_assert(sizeof(uint32_t) == 4, "mb_u_int32 needs 32-bit integers");

enum {
    PHASE_HEADER = 0,
    PHASE_BODY = 1,
    PHASE_ENDED = 2,
    PHASE_FAILED = 3,
};

// Global tokens (WAP-192 §7.1).
enum {
    T_SWITCH_PAGE = 0x00,
    T_END = 0x01,
    T_ENTITY = 0x02,
    T_STR_I = 0x03,
    T_LITERAL = 0x04,
    T_EXT_I_0 = 0x40,
    T_EXT_I_2 = 0x42,
    T_PI = 0x43,
    T_LITERAL_C = 0x44,
    T_EXT_T_0 = 0x80,
    T_EXT_T_2 = 0x82,
    T_STR_T = 0x83,
    T_LITERAL_A = 0x84,
    T_EXT_0 = 0xC0,
    T_EXT_2 = 0xC2,
    T_OPAQUE = 0xC3,
    T_LITERAL_AC = 0xC4,
};

// Result of a sub-reader: the bytes are there, more are needed, or malformed
// (then `scanner->error_*` are set).
typedef enum { R_OK, R_MORE, R_BAD } step;

static const uint64_t NO_HINT = UINT64_MAX;

/// Work on one token: the caller's bytes, the token's first byte, and a cursor.
typedef struct {
    csupport_wbxml_scanner *scanner;
    const uint8_t *bytes;
    size_t count;
    size_t start;  ///< where the token begins (== *position)
    size_t cursor; ///< next byte to read
} reader;

static step fail(reader *r, size_t at, const char *reason, uint8_t kind) {
    r->scanner->error_offset = r->scanner->consumed + (uint64_t)(at - r->start);
    r->scanner->error_reason = reason;
    r->scanner->error_kind = kind;
    r->scanner->phase = PHASE_FAILED;
    return R_BAD;
}

static step malformed(reader *r, size_t at, const char *reason) {
    return fail(r, at, reason, CSUPPORT_WBXML_ERROR_MALFORMED);
}

static step over_limit(reader *r, size_t at, const char *reason) {
    return fail(r, at, reason, CSUPPORT_WBXML_ERROR_LIMIT);
}

/// One byte, if present.
static step read_byte(reader *r, uint8_t *out) {
    if (r->cursor >= r->count) return R_MORE;
    *out = r->bytes[r->cursor++];
    return R_OK;
}

/// mb_u_int32 (WAP-192 §5.1): at most 5 bytes of 7 bits, big-endian, the high
/// bit of each byte but the last set. Errors point at the integer's first byte.
static step read_mb(reader *r, uint32_t *out) {
    size_t begin = r->cursor;
    uint32_t value = 0;
    for (unsigned n = 0; n < 5; n++) {
        if (r->cursor >= r->count) {
            r->cursor = begin;
            return R_MORE;
        }
        uint8_t b = r->bytes[r->cursor++];
        if (n == 4 && (r->bytes[begin] & 0x7F) > 0x0F) {
            return malformed(r, begin, "multi-byte integer does not fit in 32 bits");
        }
        value = (value << 7) | (uint32_t)(b & 0x7F);
        if ((b & 0x80) == 0) {
            *out = value;
            return R_OK;
        }
    }
    return malformed(r, begin, "multi-byte integer longer than 5 bytes");
}

/// A NUL-terminated inline string at the cursor; `data` gets its offset and
/// length (terminator excluded) and the cursor moves past the NUL. Bytes known
/// to hold no NUL from an earlier call (`scan_hint`) are not searched again.
static step read_inline(reader *r, size_t *data, size_t *length, int use_hint) {
    csupport_wbxml_scanner *s = r->scanner;
    size_t begin = r->cursor;
    size_t available = r->count - begin;
    size_t limit = s->limits.max_string_length;
    size_t skip = 0;
    if (use_hint && s->hint_at == s->consumed && s->hint_length <= available) {
        skip = s->hint_length;
    }
    size_t window = available < limit + 1 ? available : limit + 1; // the NUL may be byte limit+1
    const uint8_t *nul = NULL;
    if (window > skip) {
        nul = memchr(r->bytes + begin + skip, 0, window - skip);
    }
    if (nul == NULL) {
        if (available > limit) {
            return over_limit(r, begin, "inline string longer than the string limit");
        }
        if (use_hint) {
            s->hint_at = s->consumed;
            s->hint_length = available;
        }
        return R_MORE;
    }
    *data = begin;
    *length = (size_t)(nul - (r->bytes + begin));
    r->cursor = begin + *length + 1;
    return R_OK;
}

/// A string table reference: the index must fall inside the table.
static step read_table_index(reader *r, uint32_t *index) {
    size_t begin = r->cursor;
    step st = read_mb(r, index);
    if (st != R_OK) return st;
    if (*index >= r->scanner->table_length) {
        return malformed(r, begin, "string table index past the end of the string table");
    }
    return R_OK;
}

/// OPAQUE's length and data; `data` gets their offset.
static step read_opaque(reader *r, size_t *data, size_t *length) {
    size_t begin = r->cursor;
    uint32_t n;
    step st = read_mb(r, &n);
    if (st != R_OK) return st;
    if (n > r->scanner->limits.max_opaque_length) {
        return over_limit(r, begin, "opaque data longer than the opaque limit");
    }
    if (r->count - r->cursor < n) return R_MORE;
    *data = r->cursor;
    *length = n;
    r->cursor += n;
    return R_OK;
}

/// ENTITY's code point: a Unicode scalar value.
static step read_entity(reader *r, uint32_t *code) {
    size_t begin = r->cursor;
    step st = read_mb(r, code);
    if (st != R_OK) return st;
    if (*code > 0x10FFFF || (*code >= 0xD800 && *code <= 0xDFFF)) {
        return malformed(r, begin, "entity is not a Unicode scalar value");
    }
    return R_OK;
}

/// Skips an attribute list up to and including its END (WAP-192 §5.8.3):
/// `1*attribute END`, attribute = attrStart *attrValue. SWITCH_PAGE here
/// switches the attribute code page, kept in `*page` until the tag is committed.
static step skip_attributes(reader *r, uint8_t *page) {
    csupport_wbxml_scanner *s = r->scanner;
    size_t list = r->cursor;
    int first = 1;
    for (;;) {
        // A bound on rescanning when the list arrives in small pieces.
        if (r->cursor - list > s->limits.max_string_length) {
            return over_limit(r, list, "attribute list longer than the string limit");
        }
        size_t at = r->cursor;
        uint8_t b;
        step st = read_byte(r, &b);
        if (st != R_OK) return st;
        size_t data, length;
        uint32_t value;
        int starts_attribute = 0;
        switch (b) {
        case T_END:
            if (first) return malformed(r, at, "attribute list without an attribute");
            return R_OK;
        case T_SWITCH_PAGE:
            st = read_byte(r, page);
            if (st != R_OK) return st;
            continue;
        case T_LITERAL:
            st = read_table_index(r, &value);
            starts_attribute = 1;
            break;
        case T_ENTITY:
            st = read_entity(r, &value);
            break;
        case T_STR_I:
        case T_EXT_I_0:
        case T_EXT_I_0 + 1:
        case T_EXT_I_2:
            st = read_inline(r, &data, &length, 0);
            break;
        case T_EXT_T_0:
        case T_EXT_T_0 + 1:
        case T_EXT_T_2:
            st = read_mb(r, &value);
            break;
        case T_STR_T:
            st = read_table_index(r, &value);
            break;
        case T_EXT_0:
        case T_EXT_0 + 1:
        case T_EXT_2:
            break;
        case T_OPAQUE:
            st = read_opaque(r, &data, &length);
            break;
        case T_PI:
        case T_LITERAL_C:
        case T_LITERAL_A:
        case T_LITERAL_AC:
            return malformed(r, at, "global token not allowed in an attribute list");
        default:
            // ATTRSTART (< 0x80) or ATTRVALUE (>= 0x80) of the attribute code page.
            starts_attribute = b < 0x80;
            break;
        }
        if (st != R_OK) return st;
        if (first && !starts_attribute) {
            return malformed(r, at, "attribute list must begin with an attribute start");
        }
        first = 0;
    }
}

/// Skips a processing instruction: PI attrStart *attrValue END (WAP-192 §5.8.4).
static step skip_pi(reader *r, uint8_t *page) {
    size_t body = r->cursor;
    uint8_t b;
    // Peek: the PI's target must be an attribute start, like an attribute list's.
    step st = read_byte(r, &b);
    if (st != R_OK) return st;
    if (b == T_END) return malformed(r, body, "processing instruction without a target");
    r->cursor = body;
    return skip_attributes(r, page);
}

/// The header (WAP-192 §5.4-5.7): one token, returned once it is whole.
static step read_header(reader *r, csupport_wbxml_token *token) {
    csupport_wbxml_scanner *s = r->scanner;
    uint8_t version;
    step st = read_byte(r, &version);
    if (st != R_OK) return st;
    if (version > 0x03) return malformed(r, r->start, "unsupported WBXML version (expected 1.0 to 1.3)");
    uint32_t public_id, public_index = 0;
    st = read_mb(r, &public_id);
    if (st != R_OK) return st;
    size_t index_at = r->cursor;
    if (public_id == 0) {
        st = read_mb(r, &public_index);
        if (st != R_OK) return st;
    }
    uint32_t charset = 0;
    if (version != 0x00) {
        st = read_mb(r, &charset);
        if (st != R_OK) return st;
    }
    size_t length_at = r->cursor;
    uint32_t table_length;
    st = read_mb(r, &table_length);
    if (st != R_OK) return st;
    if (table_length > s->limits.max_table_length) {
        return over_limit(r, length_at, "string table length exceeds limit");
    }
    if (public_id == 0 && public_index >= table_length) {
        return malformed(r, index_at, "public identifier index past the end of the string table");
    }
    if (r->count - r->cursor < table_length) return R_MORE;
    memset(token, 0, sizeof *token);
    token->kind = CSUPPORT_WBXML_HEADER;
    token->version = version;
    token->value = public_id;
    token->index = public_index;
    token->charset = charset;
    token->data_offset = r->cursor;
    token->data_length = table_length;
    r->cursor += table_length;
    s->version = version;
    s->table_length = table_length;
    return R_OK;
}

/// Content (strings, entities, opaque data, extensions) needs an open element.
static step need_element(reader *r) {
    if (r->scanner->depth == 0) {
        return malformed(r, r->start, "content outside the root element");
    }
    return R_OK;
}

/// One body token, or R_MORE; `*silent` is set for a token that is consumed
/// without being reported (SWITCH_PAGE, PI).
static step read_body(reader *r, csupport_wbxml_token *token, int *silent) {
    csupport_wbxml_scanner *s = r->scanner;
    uint8_t b;
    step st = read_byte(r, &b);
    if (st != R_OK) return st;
    memset(token, 0, sizeof *token);
    *silent = 0;
    switch (b) {
    case T_SWITCH_PAGE: {
        uint8_t page;
        st = read_byte(r, &page);
        if (st != R_OK) return st;
        s->tag_page = page;
        *silent = 1;
        return R_OK;
    }
    case T_END:
        if (s->depth == 0) return malformed(r, r->start, "END without open element");
        token->kind = CSUPPORT_WBXML_ENDTAG;
        return R_OK;
    case T_ENTITY:
        if ((st = need_element(r)) != R_OK) return st;
        token->kind = CSUPPORT_WBXML_ENTITY;
        return read_entity(r, &token->value);
    case T_STR_I:
        if ((st = need_element(r)) != R_OK) return st;
        token->kind = CSUPPORT_WBXML_STRING;
        return read_inline(r, &token->data_offset, &token->data_length, 1);
    case T_EXT_I_0:
    case T_EXT_I_0 + 1:
    case T_EXT_I_2:
        if ((st = need_element(r)) != R_OK) return st;
        token->kind = CSUPPORT_WBXML_EXTENSION;
        token->tag = b;
        return read_inline(r, &token->data_offset, &token->data_length, 1);
    case T_PI: {
        uint8_t page = s->attr_page;
        st = skip_pi(r, &page);
        if (st != R_OK) return st;
        s->attr_page = page;
        *silent = 1;
        return R_OK;
    }
    case T_EXT_T_0:
    case T_EXT_T_0 + 1:
    case T_EXT_T_2:
        if ((st = need_element(r)) != R_OK) return st;
        token->kind = CSUPPORT_WBXML_EXTENSION;
        token->tag = b;
        return read_mb(r, &token->value);
    case T_STR_T:
        if ((st = need_element(r)) != R_OK) return st;
        token->kind = CSUPPORT_WBXML_TABLE_STRING;
        return read_table_index(r, &token->index);
    case T_EXT_0:
    case T_EXT_0 + 1:
    case T_EXT_2:
        if ((st = need_element(r)) != R_OK) return st;
        token->kind = CSUPPORT_WBXML_EXTENSION;
        token->tag = b;
        return R_OK;
    case T_OPAQUE:
        if ((st = need_element(r)) != R_OK) return st;
        token->kind = CSUPPORT_WBXML_OPAQUE;
        return read_opaque(r, &token->data_offset, &token->data_length);
    default:
        break;
    }

    // A tag: LITERAL* or a tag token of the current page, with flag bits.
    // (Every value whose low six bits are below 0x05 is a global token above.)
    token->kind = CSUPPORT_WBXML_START;
    token->page = s->tag_page;
    if ((b & 0x3F) == T_LITERAL) {
        token->flags |= CSUPPORT_WBXML_FLAG_LITERAL;
        st = read_table_index(r, &token->index);
        if (st != R_OK) return st;
    } else {
        token->tag = b & 0x3F;
    }
    if (b & 0x40) token->flags |= CSUPPORT_WBXML_FLAG_CONTENT;
    if (b & 0x80) {
        token->flags |= CSUPPORT_WBXML_FLAG_ATTRIBUTES;
        uint8_t page = s->attr_page;
        st = skip_attributes(r, &page);
        if (st != R_OK) return st;
        s->attr_page = page;
    }
    if (s->depth >= s->limits.max_depth) {
        return over_limit(r, r->start, "elements nested deeper than the depth limit");
    }
    return R_OK;
}

void csupport_wbxml_init(csupport_wbxml_scanner *scanner, const csupport_wbxml_limits *limits) {
    memset(scanner, 0, sizeof *scanner);
    scanner->limits.max_depth = 64;
    scanner->limits.max_string_length = 16u << 20;
    scanner->limits.max_opaque_length = 64u << 20;
    scanner->limits.max_table_length = 64u << 10;
    if (limits != NULL) {
        if (limits->max_depth) scanner->limits.max_depth = limits->max_depth;
        if (limits->max_string_length) scanner->limits.max_string_length = limits->max_string_length;
        if (limits->max_opaque_length) scanner->limits.max_opaque_length = limits->max_opaque_length;
        if (limits->max_table_length) scanner->limits.max_table_length = limits->max_table_length;
    }
    scanner->phase = PHASE_HEADER;
    scanner->hint_at = NO_HINT;
}

csupport_wbxml_status csupport_wbxml_next(csupport_wbxml_scanner *scanner,
                                          const uint8_t *bytes, size_t count,
                                          size_t *position,
                                          csupport_wbxml_token *token) {
    for (;;) {
        if (scanner->phase == PHASE_ENDED) return CSUPPORT_WBXML_END;
        if (scanner->phase == PHASE_FAILED) return CSUPPORT_WBXML_MALFORMED;
        if (*position >= count) return CSUPPORT_WBXML_NEED_MORE;

        reader r = {scanner, bytes, count, *position, *position};
        step st;
        int silent = 0;
        if (scanner->phase == PHASE_HEADER) {
            st = read_header(&r, token);
        } else {
            st = read_body(&r, token, &silent);
        }
        if (st == R_MORE) return CSUPPORT_WBXML_NEED_MORE;
        if (st == R_BAD) return CSUPPORT_WBXML_MALFORMED;

        // Commit the whole token.
        scanner->consumed += (uint64_t)(r.cursor - r.start);
        *position = r.cursor;
        scanner->hint_at = NO_HINT;
        if (scanner->phase == PHASE_HEADER) {
            scanner->phase = PHASE_BODY;
            return CSUPPORT_WBXML_OK;
        }
        if (silent) continue;
        switch (token->kind) {
        case CSUPPORT_WBXML_START:
            if (token->flags & CSUPPORT_WBXML_FLAG_CONTENT) {
                scanner->depth += 1;
            } else if (scanner->depth == 0) {
                scanner->phase = PHASE_ENDED; // an empty root element
            }
            break;
        case CSUPPORT_WBXML_ENDTAG:
            scanner->depth -= 1;
            if (scanner->depth == 0) scanner->phase = PHASE_ENDED;
            break;
        default:
            break;
        }
        return CSUPPORT_WBXML_OK;
    }
}

csupport_wbxml_status csupport_wbxml_count_tokens(const uint8_t *bytes, size_t count,
                                                  const csupport_wbxml_limits *limits,
                                                  csupport_wbxml_counts *counts) {
    memset(counts, 0, sizeof *counts);
    csupport_wbxml_scanner scanner;
    csupport_wbxml_init(&scanner, limits);
    csupport_wbxml_token token;
    size_t position = 0;
    csupport_wbxml_status status;
    while ((status = csupport_wbxml_next(&scanner, bytes, count, &position, &token)) == CSUPPORT_WBXML_OK) {
        counts->tokens += 1;
        counts->by_kind[token.kind & 7] += 1;
        switch (token.kind) {
        case CSUPPORT_WBXML_STRING:
        case CSUPPORT_WBXML_OPAQUE:
        case CSUPPORT_WBXML_EXTENSION:
            counts->data_bytes += token.data_length;
            break;
        default:
            break;
        }
    }
    return status;
}
