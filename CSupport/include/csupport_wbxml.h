// A pull scanner for WBXML 1.0-1.3 global tokens (WAP-192-WBXML).
//
// Why C: this loop runs over every byte a client sends; it must never allocate,
// never copy, and be fed in chunks of any size. It knows nothing of SyncML: tags
// come out as (code page, token) pairs and SyncMLCore maps them to names.
//
// Contract: the caller owns a buffer and passes it with `count` valid bytes and a
// `position` into it. Each call consumes at most one whole token and advances
// `*position` past it. If the bytes at `*position` do not hold a whole token the
// call returns CSUPPORT_WBXML_NEED_MORE and leaves `*position` unchanged, so the
// caller can append bytes (it may also drop the bytes before `*position`, they are
// never looked at again) and call again. Offsets in tokens are relative to
// `bytes`; error offsets are absolute (counted from the document's first byte).
// Tokens the caller never sees (SWITCH_PAGE, processing instructions) are
// consumed as soon as each is whole, so a NEED_MORE may come back with
// `*position` moved past them; it never points into a token.
#ifndef CSUPPORT_WBXML_H
#define CSUPPORT_WBXML_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    /// `*token` holds the next token.
    CSUPPORT_WBXML_OK = 0,
    /// The buffer ends inside a token: append bytes and call again.
    CSUPPORT_WBXML_NEED_MORE = 1,
    /// The root element has ended; bytes after it are not looked at.
    CSUPPORT_WBXML_END = 2,
    /// Not well-formed: `error_offset` and `error_reason` say where and why.
    CSUPPORT_WBXML_MALFORMED = 3,
} csupport_wbxml_status;

typedef enum {
    /// The document header. `value` = public id (0 when it is given as a string
    /// table index, then `index` holds that index), `charset` = IANA MIBenum
    /// (106 for UTF-8; WBXML 1.0 has none and reports 0), `version` = the version
    /// byte, `data_offset`/`data_length` = the string table.
    CSUPPORT_WBXML_HEADER = 0,
    /// A start tag: `page`, `tag` (token without its flag bits), `flags`.
    /// A LITERAL tag has `flags & CSUPPORT_WBXML_FLAG_LITERAL` and its name's
    /// string table offset in `index`. Attributes, if any, have been skipped.
    CSUPPORT_WBXML_START = 1,
    /// END of the innermost open element that had content.
    CSUPPORT_WBXML_ENDTAG = 2,
    /// STR_I: an inline string at `data_offset`, `data_length` bytes, terminator excluded.
    CSUPPORT_WBXML_STRING = 3,
    /// STR_T: a string table reference; `index` = offset into the string table.
    CSUPPORT_WBXML_TABLE_STRING = 4,
    /// OPAQUE: `data_offset`, `data_length` bytes of raw data.
    CSUPPORT_WBXML_OPAQUE = 5,
    /// ENTITY: a character; `value` = its Unicode code point.
    CSUPPORT_WBXML_ENTITY = 6,
    /// EXT_I_n / EXT_T_n / EXT_n in content: `tag` = the global token (0x40-0x42,
    /// 0x80-0x82, 0xC0-0xC2), `value` = EXT_T's integer, data = EXT_I's string.
    /// Reported, not interpreted: SyncML defines no extensions.
    CSUPPORT_WBXML_EXTENSION = 7,
} csupport_wbxml_kind;

enum {
    /// The tag had the content bit (0x40): an ENDTAG will follow.
    CSUPPORT_WBXML_FLAG_CONTENT = 0x01,
    /// The tag had the attribute bit (0x80); its attributes were skipped.
    CSUPPORT_WBXML_FLAG_ATTRIBUTES = 0x02,
    /// LITERAL tag: the name is in the string table at `index`.
    CSUPPORT_WBXML_FLAG_LITERAL = 0x04,
};

typedef struct {
    uint8_t kind;    ///< csupport_wbxml_kind
    uint8_t page;    ///< tag code page (START)
    uint8_t tag;     ///< tag token without flags (START), or the global token (EXTENSION)
    uint8_t flags;   ///< CSUPPORT_WBXML_FLAG_* (START)
    uint8_t version; ///< version byte (HEADER)
    uint32_t value;  ///< public id (HEADER), code point (ENTITY), EXT_T integer
    uint32_t index;  ///< string table offset (TABLE_STRING, LITERAL, public id string)
    uint32_t charset;     ///< HEADER
    size_t data_offset;   ///< relative to `bytes`
    size_t data_length;
} csupport_wbxml_token;

/// Limits that bound the work a hostile document can cause. Zero fields take
/// the defaults from csupport_wbxml_init.
typedef struct {
    uint32_t max_depth;          ///< nested elements, an empty one included (default 64)
    uint32_t max_string_length;  ///< STR_I / EXT_I bytes; also the bytes of one attribute
                                 ///< list or PI, which are rescanned until whole (default 16 MiB)
    uint32_t max_opaque_length;  ///< OPAQUE bytes (default 64 MiB)
    uint32_t max_table_length;   ///< string table bytes (default 64 KiB)
} csupport_wbxml_limits;

/// What kind of problem a MALFORMED status reports (`error_kind`).
enum {
    /// The bytes break the WBXML grammar.
    CSUPPORT_WBXML_ERROR_MALFORMED = 0,
    /// Well-formed so far, but a csupport_wbxml_limits bound was exceeded.
    CSUPPORT_WBXML_ERROR_LIMIT = 1,
};

/// Scanner state: a plain struct the caller owns. No pointers into the input.
typedef struct {
    csupport_wbxml_limits limits;
    uint64_t consumed;       ///< absolute offset of the next unread byte
    uint32_t depth;          ///< open elements with content
    uint32_t table_length;   ///< string table size, once the header is read
    uint8_t phase;           ///< 0 = header, 1 = body, 2 = ended, 3 = failed
    uint8_t tag_page;        ///< current tag code page
    uint8_t attr_page;       ///< current attribute code page
    uint8_t version;
    uint8_t error_kind;      ///< CSUPPORT_WBXML_ERROR_*, valid after MALFORMED
    uint64_t error_offset;
    const char *error_reason; ///< static string, NULL until MALFORMED
    /// An inline string still waiting for its NUL: the absolute offset of its
    /// token and how many bytes after the token byte are known to hold no NUL,
    /// so that a string fed in small pieces is not searched again from its start.
    uint64_t hint_at;
    size_t hint_length;
} csupport_wbxml_scanner;

/// Starts a scanner; `limits` may be NULL for the defaults.
void csupport_wbxml_init(csupport_wbxml_scanner *scanner, const csupport_wbxml_limits *limits);

/// Reads the next token from `bytes[*position ..< count]`. The first token of a
/// document is always CSUPPORT_WBXML_HEADER. After END or MALFORMED every further
/// call returns the same status.
csupport_wbxml_status csupport_wbxml_next(csupport_wbxml_scanner *scanner,
                                          const uint8_t *bytes, size_t count,
                                          size_t *position,
                                          csupport_wbxml_token *token);

/// What csupport_wbxml_count_tokens saw: tokens by csupport_wbxml_kind, and the
/// bytes of data they carry (STR_I, OPAQUE, EXT_I), which are not read.
typedef struct {
    uint64_t tokens;           ///< every token reported, the header included
    uint64_t by_kind[8];       ///< indexed by csupport_wbxml_kind
    uint64_t data_bytes;       ///< sum of `data_length` over STRING, OPAQUE and EXTENSION
} csupport_wbxml_counts;

/// Scans a whole document held in memory and only counts its tokens: the cost
/// floor of reading those bytes as WBXML tokens, a baseline for the decoders
/// built on this scanner. Returns END when the root element ended, else the
/// status that stopped it (NEED_MORE: the document is cut short; MALFORMED).
/// `counts` is zeroed first; `limits` may be NULL for the defaults.
csupport_wbxml_status csupport_wbxml_count_tokens(const uint8_t *bytes, size_t count,
                                                  const csupport_wbxml_limits *limits,
                                                  csupport_wbxml_counts *counts);

#ifdef __cplusplus
}
#endif
#endif
