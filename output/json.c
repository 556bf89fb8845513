/* SPDX-License-Identifier: BSD-2-Clause */
/* Streaming JSON writer (RFC 8259 sections 2-7) whose strings are always valid
 * UTF-8 (RFC 3629 section 4), into a capped buffer that can always be closed. */
#include "output/json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_JSON_MIN_LIMIT 64
#define OUT_JSON_MIN_INITIAL 16

static const char hexdigits[] = "0123456789abcdef";

int out_json_init(struct out_json *j, size_t initial, size_t limit)
{
	memset(j, 0, sizeof(*j));
	if (limit < OUT_JSON_MIN_LIMIT)
		limit = OUT_JSON_MIN_LIMIT;
	if (initial < OUT_JSON_MIN_INITIAL)
		initial = OUT_JSON_MIN_INITIAL;
	if (initial > limit)
		initial = limit;
	j->buf = malloc(initial);
	if (j->buf == NULL)
		return -1;
	j->cap = initial;
	j->limit = limit;
	out_json_reset(j);
	return 0;
}

void out_json_free(struct out_json *j)
{
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
}

void out_json_reset(struct out_json *j)
{
	j->len = 0;
	j->depth = 0;
	j->skip = 0;
	j->truncated = false;
	j->misnested = false;
	j->first[0] = true;
	j->is_array[0] = false;
	if (j->buf != NULL)
		j->buf[0] = '\0';
}

/* Makes room for n more bytes while keeping `reserve` bytes for closers and
 * one for the NUL, all within limit. Grows geometrically; a failed realloc is
 * treated like hitting the limit (the member is dropped, never the process). */
static bool ensure(struct out_json *j, size_t n, size_t reserve)
{
	if (j->buf == NULL)
		return false;
	if (n > j->limit || j->len + n + reserve + 1 > j->limit)
		return false;
	size_t need = j->len + n + reserve + 1;
	if (need <= j->cap)
		return true;
	size_t ncap = j->cap * 2;
	if (ncap < need)
		ncap = need;
	if (ncap > j->limit)
		ncap = j->limit;
	char *nb = realloc(j->buf, ncap);
	if (nb == NULL)
		return false;
	j->buf = nb;
	j->cap = ncap;
	return true;
}

/* The common case of ensure: the bytes fit in the allocation already. */
static inline bool room(struct out_json *j, size_t n, size_t reserve)
{
	if (n <= j->cap && j->len + n + reserve + 1 <= j->cap)
		return true;
	return ensure(j, n, reserve);
}

static inline bool put_r(struct out_json *j, const void *p, size_t n, size_t reserve)
{
	if (!room(j, n, reserve))
		return false;
	memcpy(j->buf + j->len, p, n);
	j->len += n;
	return true;
}

static inline bool put(struct out_json *j, const void *p, size_t n)
{
	return put_r(j, p, n, j->depth);
}

static inline bool putc1(struct out_json *j, char c)
{
	if (!room(j, 1, j->depth))
		return false;
	j->buf[j->len++] = c;
	return true;
}

static void terminate(struct out_json *j)
{
	if (j->buf != NULL)
		j->buf[j->len] = '\0';
}

/* Bytes copied verbatim into a JSON string: printable ASCII except '"' and
 * '\\'. NUL is not plain, which also ends the scan of a C string key. */
static const uint8_t plain_tab[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	/* 0x80-0xff: never plain */
};

static inline bool is_plain(uint8_t c)
{
	return plain_tab[c] != 0;
}

/* Length of the leading run of bytes that can be copied verbatim. Checks eight
 * bytes per step (bit tricks: a byte >= 0x80, < 0x20, '"' or '\\'), because
 * most text in events is plain ASCII. */
static inline size_t plain_prefix(const uint8_t *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;
	size_t i = 0;

	while (i + 8 <= n) {
		uint64_t w, q, b;
		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		uint64_t bad = (w & highs) |
			((w - ones * 0x20) & ~w & highs) |
			((q - ones) & ~q & highs) |
			((b - ones) & ~b & highs);
		if (bad != 0)
			break;
		i += 8;
	}
	while (i < n && is_plain(s[i]))
		i++;
	return i;
}

/* Length (2..4) of the valid UTF-8 sequence starting at s[0] >= 0x80, or 0.
 * RFC 3629 section 4 table: excludes overlongs (C0, C1, E0 80-9F, F0 80-8F),
 * surrogates (ED A0-BF) and code points above U+10FFFF (F4 90+, F5-FF). */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	uint8_t lo = 0x80, hi = 0xBF;
	size_t len;

	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t k = 2; k < len; k++)
		if (s[k] < 0x80 || s[k] > 0xBF)
			return 0;
	return len;
}

static bool escape_ascii(struct out_json *j, uint8_t c)
{
	char e[6] = { '\\', 0, 0, 0, 0, 0 };

	switch (c) {
	case '"': e[1] = '"'; return put(j, e, 2);
	case '\\': e[1] = '\\'; return put(j, e, 2);
	case '\n': e[1] = 'n'; return put(j, e, 2);
	case '\r': e[1] = 'r'; return put(j, e, 2);
	case '\t': e[1] = 't'; return put(j, e, 2);
	case '\b': e[1] = 'b'; return put(j, e, 2);
	case '\f': e[1] = 'f'; return put(j, e, 2);
	default:
		e[1] = 'u';
		e[2] = '0';
		e[3] = '0';
		e[4] = hexdigits[c >> 4];
		e[5] = hexdigits[c & 0xF];
		return put(j, e, 6);
	}
}

static bool escape_raw(struct out_json *j, const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t r = plain_prefix(s + i, n - i);
		if (r > 0 && !put(j, s + i, r))
			return false;
		i += r;
		if (i == n)
			break;
		uint8_t c = s[i];
		if (c < 0x80) {
			if (!escape_ascii(j, c))
				return false;
			i++;
			continue;
		}
		size_t k = utf8_seq(s + i, n - i);
		if (k == 0) {
			/* One invalid byte at a time: a truncated sequence
			 * shows each of its bytes, and what follows it is
			 * decoded afresh. */
			char x[5] = { '\\', '\\', 'x', hexdigits[c >> 4], hexdigits[c & 0xF] };
			if (!put(j, x, 5))
				return false;
			i++;
			continue;
		}
		if (k == 3 && c == 0xE2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
			/* U+2028/U+2029 are legal JSON but end lines in JavaScript. */
			const char *u = s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
			if (!put(j, u, 6))
				return false;
		} else if (!put(j, s + i, k)) {
			return false;
		}
		i += k;
	}
	return true;
}

void out_json_escape(struct out_json *j, const uint8_t *s, size_t n)
{
	size_t mark = j->len;

	if (s == NULL)
		n = 0;
	if (n > 0 && !escape_raw(j, s, n)) {
		j->len = mark;
		j->truncated = true;
	}
	terminate(j);
}

/* memcpy for the short keys and values of events, without a library call:
 * overlapping fixed-size moves cover every length from 4 to 16. */
static inline void copy_small(char *dst, const void *src, size_t n)
{
	const uint8_t *s = src;
	if (n >= 16) {
		memcpy(dst, s, n);
	} else if (n >= 8) {
		memcpy(dst, s, 8);
		memcpy(dst + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(dst, s, 4);
		memcpy(dst + n - 4, s + n - 4, 4);
	} else {
		for (size_t i = 0; i < n; i++)
			dst[i] = (char)s[i];
	}
}

/* The common member, written in one pass with one room check: inside an
 * object or array (not at top level), key and value plain (no escaping due),
 * and room for all of it. Returns false with nothing written otherwise, and
 * the caller takes the general path, which then comes to the same result as
 * it would have alone (misnesting, escaping or truncation). */
#define KEY_SCAN SIZE_MAX  /* member_fast: the key's length and plainness are unknown */

static bool member_fast(struct out_json *j, const char *key, size_t klen, const uint8_t *v,
                        size_t vlen, bool quote)
{
	uint8_t d = j->depth;
	if (j->skip != 0 || d == 0 || (key == NULL) != j->is_array[d])
		return false;
	if (key != NULL && klen == KEY_SCAN) {
		klen = 0;
		while (is_plain((uint8_t)key[klen]))
			klen++;
		if (key[klen] != '\0')
			return false;
	}
	if (quote && vlen > 0 && plain_prefix(v, vlen) != vlen)
		return false;
	bool comma = !j->first[d];
	size_t n = comma + (key != NULL ? klen + 3 : 0) + vlen + (quote ? 2 : 0);
	if (!room(j, n, d))
		return false;
	char *p = j->buf + j->len;
	if (comma)
		*p++ = ',';
	if (key != NULL) {
		*p++ = '"';
		copy_small(p, key, klen);
		p += klen;
		*p++ = '"';
		*p++ = ':';
	}
	if (quote)
		*p++ = '"';
	copy_small(p, v, vlen);
	p += vlen;
	if (quote)
		*p++ = '"';
	*p = '\0';
	j->len = (size_t)(p - j->buf);
	j->first[d] = false;
	return true;
}

/* May a member with this key be written here? Sets misnested when not. */
static bool member_ok(struct out_json *j, const char *key)
{
	if (j->skip > 0)
		return false;
	bool ok;
	if (j->depth == 0)
		ok = key == NULL && j->first[0];
	else if (j->is_array[j->depth])
		ok = key == NULL;
	else
		ok = key != NULL;
	if (!ok)
		j->misnested = true;
	return ok;
}

/* Separator and key of a member; the caller has checked member_ok. Keys are
 * plain ASCII in practice: then the separator, the quoted key and the colon
 * go in with one room check. Whether a member fits depends only on its final
 * length (the reserve is the same for each piece), so this takes exactly the
 * decisions the piece-by-piece path below would. */
static bool prefix(struct out_json *j, const char *key)
{
	bool comma = !j->first[j->depth];
	if (key == NULL)
		return !comma || putc1(j, ',');
	/* Length and plainness in one pass: the table stops at NUL too. */
	size_t klen = 0;
	while (is_plain((uint8_t)key[klen]))
		klen++;
	if (key[klen] == '\0') {
		if (!room(j, klen + 3 + comma, j->depth))
			return false;
		char *p = j->buf + j->len;
		if (comma)
			*p++ = ',';
		*p++ = '"';
		memcpy(p, key, klen);
		p += klen;
		*p++ = '"';
		*p++ = ':';
		j->len = (size_t)(p - j->buf);
		return true;
	}
	klen += strlen(key + klen);
	return (!comma || putc1(j, ',')) && putc1(j, '"') &&
		escape_raw(j, (const uint8_t *)key, klen) && put(j, "\":", 2);
}

/* Ends a member: committed, or rolled back whole when it did not fit. */
static void finish(struct out_json *j, size_t mark, bool ok)
{
	if (ok) {
		j->first[j->depth] = false;
	} else {
		j->len = mark;
		j->truncated = true;
	}
	terminate(j);
}

static void open_container(struct out_json *j, const char *key, bool array)
{
	if (!member_ok(j, key)) {
		j->skip++;
		return;
	}
	if (j->depth >= OUT_JSON_MAX_DEPTH) {
		j->misnested = true;
		j->skip++;
		return;
	}
	size_t mark = j->len;
	char c = array ? '[' : '{';
	bool ok = prefix(j, key) && put_r(j, &c, 1, (size_t)j->depth + 1);
	finish(j, mark, ok);
	if (!ok) {
		j->skip++;
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
	j->is_array[j->depth] = array;
}

static void close_container(struct out_json *j, bool array)
{
	if (j->skip > 0) {
		j->skip--;
		return;
	}
	if (j->depth == 0 || j->is_array[j->depth] != array) {
		j->misnested = true;
		return;
	}
	/* Always fits: one byte per open container is reserved. */
	j->buf[j->len++] = array ? ']' : '}';
	j->depth--;
	terminate(j);
}

void out_json_object_open(struct out_json *j, const char *key)
{
	open_container(j, key, false);
}

void out_json_object_close(struct out_json *j)
{
	close_container(j, false);
}

void out_json_array_open(struct out_json *j, const char *key)
{
	open_container(j, key, true);
}

void out_json_array_close(struct out_json *j)
{
	close_container(j, true);
}

void out_json_close_all(struct out_json *j)
{
	j->skip = 0;
	while (j->depth > 0)
		close_container(j, j->is_array[j->depth]);
}

/* Writes one complete scalar member whose text is already formatted. */
static void scalar(struct out_json *j, const char *key, const char *text, size_t n)
{
	if (member_fast(j, key, KEY_SCAN, (const uint8_t *)text, n, false))
		return;
	if (!member_ok(j, key))
		return;
	size_t mark = j->len;
	finish(j, mark, prefix(j, key) && put(j, text, n));
}

/* The quoted value: a plain string (the usual case) is copied with its quotes
 * in one room check; anything else goes through escape_raw. */
static bool quoted(struct out_json *j, const uint8_t *s, size_t n)
{
	size_t r = s != NULL ? plain_prefix(s, n) : 0;
	if (s == NULL || n == 0 || r == n) {
		if (!room(j, r + 2, j->depth))
			return false;
		char *p = j->buf + j->len;
		*p++ = '"';
		if (r > 0)
			memcpy(p, s, r);
		p[r] = '"';
		j->len += r + 2;
		return true;
	}
	return putc1(j, '"') && (r == 0 || put(j, s, r)) && escape_raw(j, s + r, n - r) &&
		putc1(j, '"');
}

void out_json_strn(struct out_json *j, const char *key, const uint8_t *s, size_t n)
{
	if (member_fast(j, key, KEY_SCAN, s, s != NULL ? n : 0, true))
		return;
	if (!member_ok(j, key))
		return;
	size_t mark = j->len;
	finish(j, mark, prefix(j, key) && quoted(j, s, n));
}

void out_json_str(struct out_json *j, const char *key, const char *s)
{
	if (s == NULL) {
		out_json_null(j, key);
		return;
	}
	out_json_strn(j, key, (const uint8_t *)s, strlen(s));
}

/* Decimal digits of v, right-aligned in buf[0..20); returns the start. Two
 * digits per division: flow ids have sixteen. */
static char *u64_digits(char buf[21], uint64_t v)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	char *p = buf + 20;
	*p = '\0';
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		p -= 2;
		memcpy(p, pairs + 2 * r, 2);
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, pairs + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	return p;
}

void out_json_str_k(struct out_json *j, const char *key, size_t klen, const char *s)
{
	if (s != NULL && member_fast(j, key, klen, (const uint8_t *)s, strlen(s), true))
		return;
	out_json_str(j, key, s);
}

void out_json_strn_k(struct out_json *j, const char *key, size_t klen, const uint8_t *s,
                     size_t n)
{
	if (s != NULL && member_fast(j, key, klen, s, n, true))
		return;
	out_json_strn(j, key, s, n);
}

void out_json_uint_k(struct out_json *j, const char *key, size_t klen, uint64_t v)
{
	char buf[21];
	char *p = u64_digits(buf, v);
	if (member_fast(j, key, klen, (const uint8_t *)p, (size_t)(buf + 20 - p), false))
		return;
	out_json_uint(j, key, v);
}

void out_json_bool_k(struct out_json *j, const char *key, size_t klen, bool v)
{
	const char *t = v ? "true" : "false";
	if (member_fast(j, key, klen, (const uint8_t *)t, v ? 4 : 5, false))
		return;
	out_json_bool(j, key, v);
}

bool out_json_reserve(struct out_json *j, size_t n, size_t reserve)
{
	return room(j, n, reserve);
}

size_t out_json_plain_len(const uint8_t *s, size_t n)
{
	return plain_prefix(s, n);
}

char *out_json_u64_text(char buf[21], uint64_t v)
{
	return u64_digits(buf, v);
}

void out_json_uint(struct out_json *j, const char *key, uint64_t v)
{
	char buf[21];
	char *p = u64_digits(buf, v);
	scalar(j, key, p, (size_t)(buf + 20 - p));
}

void out_json_int(struct out_json *j, const char *key, int64_t v)
{
	char buf[22];
	/* Magnitude in unsigned arithmetic so INT64_MIN does not overflow. */
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char *p = u64_digits(buf + 1, mag);
	if (v < 0)
		*--p = '-';
	scalar(j, key, p, (size_t)(buf + 21 - p));
}

void out_json_bool(struct out_json *j, const char *key, bool v)
{
	if (v)
		scalar(j, key, "true", 4);
	else
		scalar(j, key, "false", 5);
}

void out_json_null(struct out_json *j, const char *key)
{
	scalar(j, key, "null", 4);
}

void out_json_double(struct out_json *j, const char *key, double v)
{
	if (!isfinite(v)) {
		/* JSON has no NaN or infinity. */
		out_json_null(j, key);
		return;
	}
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%.6g", v);
	if (n <= 0 || (size_t)n >= sizeof(buf)) {
		out_json_null(j, key);
		return;
	}
	/* A locale with a decimal comma would break JSON; output/ never sets
	 * one, but a host program might. */
	for (int i = 0; i < n; i++)
		if (buf[i] == ',')
			buf[i] = '.';
	scalar(j, key, buf, (size_t)n);
}
