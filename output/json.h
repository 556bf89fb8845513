/* SPDX-License-Identifier: BSD-2-Clause */
/* Streaming JSON writer into a growable, capped buffer (RFC 8259).
 *
 * Strings are written as valid UTF-8 whatever bytes they hold: valid UTF-8 is
 * copied; '"' and '\\' and control characters are escaped (\n, \r, \t, \b,
 * \f, others \u00xx), and U+2028/U+2029 become \u2028/\u2029 (JavaScript
 * safety); every byte that is not part of a valid UTF-8 sequence (RFC 3629
 * section 4: overlong forms, surrogates, code points above U+10FFFF, truncated
 * sequences) is written as the four characters \xnn (in JSON text "\\xnn",
 * lowercase hex), as Zeek does. docs/events.d/common.md says so.
 *
 * Capacity: the buffer never exceeds `limit` bytes (including a terminating
 * NUL kept after the text). Room for the closers of every open container is
 * always reserved, so out_json_close_all() can finish any document. A member
 * that does not fit is dropped whole (key and value) and sets `truncated`; a
 * container that does not fit is dropped with everything written into it.
 * Misuse (a key inside an array, no key inside an object, a close that does
 * not match, a second top-level value, nesting deeper than
 * OUT_JSON_MAX_DEPTH) sets `misnested` and the offending call is dropped.
 */
#ifndef PD_OUT_JSON_H
#define PD_OUT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUT_JSON_MAX_DEPTH 16

struct out_json {
	char *buf;
	size_t len, cap;
	size_t limit;           /* maximum buffer size; writes beyond set `truncated` */
	bool truncated;         /* something did not fit (the line is still closed validly) */
	bool misnested;         /* a close without an open, a key inside an array, ... */
	uint8_t depth;
	bool first[OUT_JSON_MAX_DEPTH + 1];   /* next member is the first at this depth */
	bool is_array[OUT_JSON_MAX_DEPTH + 1];
	uint32_t skip;          /* containers dropped (too deep, misnested, no room) still open */
};

/* Initialises with an allocation of `initial` bytes, never growing past `limit`
 * (limit < 64 is raised to 64; initial is clamped to [16, limit]).
 * Returns 0, or -1 when out of memory. buf is always NUL-terminated. */
int out_json_init(struct out_json *j, size_t initial, size_t limit);
void out_json_free(struct out_json *j);
void out_json_reset(struct out_json *j);   /* empty, depth 0, keeps the buffer */

/* Containers. key is NULL at top level and inside arrays. */
void out_json_object_open(struct out_json *j, const char *key);
void out_json_object_close(struct out_json *j);
void out_json_array_open(struct out_json *j, const char *key);
void out_json_array_close(struct out_json *j);
void out_json_close_all(struct out_json *j);

/* Values. out_json_str with s == NULL writes null. */
void out_json_str(struct out_json *j, const char *key, const char *s);
void out_json_strn(struct out_json *j, const char *key, const uint8_t *s, size_t n);
void out_json_uint(struct out_json *j, const char *key, uint64_t v);
void out_json_int(struct out_json *j, const char *key, int64_t v);
void out_json_bool(struct out_json *j, const char *key, bool v);
void out_json_null(struct out_json *j, const char *key);
void out_json_double(struct out_json *j, const char *key, double v); /* finite, %.6g-ish */

/* The same members with a key the caller knows to be plain (a string literal
 * of printable ASCII without '"' or '\\') passed with its length, so it is
 * not scanned again for every event: OUT_JSON_KEY("pkts") gives both. A key
 * that is not plain must go through the calls above. */
#define OUT_JSON_KEY(lit) (lit), (sizeof(lit) - 1)
void out_json_str_k(struct out_json *j, const char *key, size_t klen, const char *s);
void out_json_strn_k(struct out_json *j, const char *key, size_t klen, const uint8_t *s,
                     size_t n);
void out_json_uint_k(struct out_json *j, const char *key, size_t klen, uint64_t v);
void out_json_bool_k(struct out_json *j, const char *key, size_t klen, bool v);

/* For writers that assemble a run of members themselves (output/event.c's top
 * level) and then set depth/first/is_array as the calls above would have:
 * out_json_reserve makes room for n more bytes plus `reserve` closers and the
 * NUL, within the limit (false: it would not fit; nothing changes);
 * out_json_plain_len is the length of the leading run of s that needs no
 * escaping; out_json_u64_text writes v in decimal, right-aligned in buf, and
 * returns where it starts (buf[20] is the NUL). */
bool out_json_reserve(struct out_json *j, size_t n, size_t reserve);
size_t out_json_plain_len(const uint8_t *s, size_t n);
char *out_json_u64_text(char buf[21], uint64_t v);

/* Appends the escaped form of s[0..n) (no quotes) to j; used by the above.
 * All or nothing: when the escaped form does not fit, nothing is appended and
 * `truncated` is set. */
void out_json_escape(struct out_json *j, const uint8_t *s, size_t n);

#endif
