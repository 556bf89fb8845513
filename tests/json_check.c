/* SPDX-License-Identifier: BSD-2-Clause */
/* Test helper: strict RFC 8259 (JSON) validator with RFC 3629 UTF-8 checks,
 * and dotted-path field lookups for assertions. libc only. */
#include "tests/json_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JC_MAX_DEPTH 64

struct jc {
	const unsigned char *start, *p, *end;
	int depth;
	char *err;
	size_t errlen;
};

struct span { const unsigned char *s; size_t n; };

static int fail(struct jc *c, const char *what)
{
	if (c->err != NULL && c->errlen > 0)
		snprintf(c->err, c->errlen, "offset %zu: %s", (size_t)(c->p - c->start), what);
	return -1;
}

static void ws(struct jc *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool peek(const struct jc *c, unsigned char ch)
{
	return c->p < c->end && *c->p == ch;
}

static int value(struct jc *c);

/* One multi-byte UTF-8 sequence (RFC 3629 section 4 table). */
static int utf8(struct jc *c)
{
	unsigned char b = *c->p;
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;

	if (b >= 0xC2 && b <= 0xDF)
		len = 2;
	else if (b >= 0xE0 && b <= 0xEF)
		len = 3;
	else if (b >= 0xF0 && b <= 0xF4)
		len = 4;
	else
		return fail(c, "invalid UTF-8 lead byte");
	if (b == 0xE0)
		lo = 0xA0;
	else if (b == 0xED)
		hi = 0x9F;
	else if (b == 0xF0)
		lo = 0x90;
	else if (b == 0xF4)
		hi = 0x8F;
	if ((size_t)(c->end - c->p) < len)
		return fail(c, "truncated UTF-8 sequence");
	if (c->p[1] < lo || c->p[1] > hi)
		return fail(c, "invalid UTF-8 (overlong, surrogate or above U+10FFFF)");
	for (size_t k = 2; k < len; k++)
		if (c->p[k] < 0x80 || c->p[k] > 0xBF)
			return fail(c, "invalid UTF-8 continuation byte");
	c->p += len;
	return 0;
}

static int hex4(const unsigned char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		unsigned char h = p[i];
		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A string at c->p (the opening quote); sp gets the raw bytes between quotes. */
static int string(struct jc *c, struct span *sp)
{
	if (!peek(c, '"'))
		return fail(c, "expected string");
	c->p++;
	const unsigned char *s = c->p;
	for (;;) {
		if (c->p >= c->end)
			return fail(c, "unterminated string");
		unsigned char b = *c->p;
		if (b == '"')
			break;
		if (b < 0x20)
			return fail(c, "raw control character in string");
		if (b >= 0x80) {
			if (utf8(c) != 0)
				return -1;
			continue;
		}
		if (b != '\\') {
			c->p++;
			continue;
		}
		if (c->end - c->p < 2)
			return fail(c, "truncated escape");
		unsigned char e = c->p[1];
		if (strchr("\"\\/bfnrt", e) != NULL && e != '\0') {
			c->p += 2;
			continue;
		}
		if (e != 'u')
			return fail(c, "invalid escape");
		unsigned u, u2;
		if (c->end - c->p < 6 || hex4(c->p + 2, &u) != 0)
			return fail(c, "invalid \\u escape");
		if (u >= 0xDC00 && u <= 0xDFFF)
			return fail(c, "lone low surrogate escape");
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (c->end - c->p < 12 || c->p[6] != '\\' || c->p[7] != 'u' ||
			    hex4(c->p + 8, &u2) != 0 || u2 < 0xDC00 || u2 > 0xDFFF)
				return fail(c, "unpaired high surrogate escape");
			c->p += 12;
		} else {
			c->p += 6;
		}
	}
	if (sp != NULL) {
		sp->s = s;
		sp->n = (size_t)(c->p - s);
	}
	c->p++;
	return 0;
}

static bool digit(const struct jc *c)
{
	return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

static int number(struct jc *c)
{
	if (peek(c, '-'))
		c->p++;
	if (peek(c, '0')) {
		c->p++;
	} else if (digit(c)) {
		while (digit(c))
			c->p++;
	} else {
		return fail(c, "invalid number");
	}
	if (peek(c, '.')) {
		c->p++;
		if (!digit(c))
			return fail(c, "digit expected after '.'");
		while (digit(c))
			c->p++;
	}
	if (peek(c, 'e') || peek(c, 'E')) {
		c->p++;
		if (peek(c, '+') || peek(c, '-'))
			c->p++;
		if (!digit(c))
			return fail(c, "digit expected in exponent");
		while (digit(c))
			c->p++;
	}
	return 0;
}

static int literal(struct jc *c, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return fail(c, "invalid literal");
	c->p += n;
	return 0;
}

static int object(struct jc *c)
{
	struct span *keys = NULL;
	size_t nkeys = 0, capkeys = 0;
	int rc = -1;

	c->p++;
	ws(c);
	if (peek(c, '}')) {
		c->p++;
		return 0;
	}
	for (;;) {
		struct span k;
		ws(c);
		if (string(c, &k) != 0)
			goto out;
		for (size_t i = 0; i < nkeys; i++) {
			if (keys[i].n == k.n && memcmp(keys[i].s, k.s, k.n) == 0) {
				c->p = k.s;
				fail(c, "duplicate key");
				goto out;
			}
		}
		if (nkeys == capkeys) {
			size_t ncap = capkeys ? capkeys * 2 : 16;
			struct span *nk = realloc(keys, ncap * sizeof(*nk));
			if (nk == NULL) {
				fail(c, "out of memory");
				goto out;
			}
			keys = nk;
			capkeys = ncap;
		}
		keys[nkeys++] = k;
		ws(c);
		if (!peek(c, ':')) {
			fail(c, "expected ':'");
			goto out;
		}
		c->p++;
		if (value(c) != 0)
			goto out;
		ws(c);
		if (peek(c, ',')) {
			c->p++;
			continue;
		}
		if (peek(c, '}')) {
			c->p++;
			rc = 0;
			goto out;
		}
		fail(c, "expected ',' or '}'");
		goto out;
	}
out:
	free(keys);
	return rc;
}

static int array(struct jc *c)
{
	c->p++;
	ws(c);
	if (peek(c, ']')) {
		c->p++;
		return 0;
	}
	for (;;) {
		if (value(c) != 0)
			return -1;
		ws(c);
		if (peek(c, ',')) {
			c->p++;
			continue;
		}
		if (peek(c, ']')) {
			c->p++;
			return 0;
		}
		return fail(c, "expected ',' or ']'");
	}
}

/* One value with leading whitespace; leaves c->p just after it. */
static int value(struct jc *c)
{
	ws(c);
	if (c->p >= c->end)
		return fail(c, "value expected");
	int rc;
	switch (*c->p) {
	case '{':
	case '[':
		if (++c->depth > JC_MAX_DEPTH)
			return fail(c, "nesting too deep");
		rc = *c->p == '{' ? object(c) : array(c);
		c->depth--;
		return rc;
	case '"':
		return string(c, NULL);
	case 't':
		return literal(c, "true");
	case 'f':
		return literal(c, "false");
	case 'n':
		return literal(c, "null");
	default:
		return number(c);
	}
}

int jc_validate(const char *s, size_t n, char *err, size_t errlen)
{
	/* NULL is refused before any pointer arithmetic on it (s + n). */
	static const unsigned char empty[1] = "";
	const unsigned char *b = s != NULL ? (const unsigned char *)s : empty;
	struct jc c = { b, b, s != NULL ? b + n : b, 0, err, errlen };
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (s == NULL)
		return fail(&c, "no text");
	if (value(&c) != 0)
		return -1;
	ws(&c);
	if (c.p != c.end)
		return fail(&c, "text after the value");
	return 0;
}

/* Finds the value at path; [*vs, *ve) is its text. */
static int find(const char *json, const char *path, const unsigned char **vs,
                const unsigned char **ve)
{
	if (json == NULL || path == NULL)
		return -1;
	struct jc c = { (const unsigned char *)json, (const unsigned char *)json,
	                (const unsigned char *)json + strlen(json), 0, NULL, 0 };
	const char *seg = path;

	/* Only answer about valid text: validate the first value whole. */
	struct jc whole = c;
	if (value(&whole) != 0)
		return -1;
	c.end = whole.p;

	for (;;) {
		ws(&c);
		if (*seg == '\0')
			break;
		const char *dot = strchr(seg, '.');
		size_t slen = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
		bool found = false;

		if (peek(&c, '{')) {
			c.p++;
			ws(&c);
			if (peek(&c, '}'))
				return -1;
			for (;;) {
				struct span k;
				ws(&c);
				if (string(&c, &k) != 0)
					return -1;
				ws(&c);
				if (!peek(&c, ':'))
					return -1;
				c.p++;
				if (k.n == slen && memcmp(k.s, seg, slen) == 0) {
					found = true;
					break;
				}
				if (value(&c) != 0)
					return -1;
				ws(&c);
				if (!peek(&c, ','))
					return -1;
				c.p++;
			}
		} else if (peek(&c, '[')) {
			char *endp;
			if (slen == 0 || seg[0] < '0' || seg[0] > '9')
				return -1;
			unsigned long idx = strtoul(seg, &endp, 10);
			if ((size_t)(endp - seg) != slen)
				return -1;
			c.p++;
			ws(&c);
			if (peek(&c, ']'))
				return -1;
			for (unsigned long i = 0;; i++) {
				if (i == idx) {
					found = true;
					break;
				}
				if (value(&c) != 0)
					return -1;
				ws(&c);
				if (!peek(&c, ','))
					return -1;
				c.p++;
			}
		}
		if (!found)
			return -1;
		seg = dot != NULL ? dot + 1 : seg + slen;
		if (dot != NULL && *seg == '\0')
			return -1;
	}
	*vs = c.p;
	if (value(&c) != 0)
		return -1;
	*ve = c.p;
	return 0;
}

static size_t put_utf8(unsigned char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Unescapes a validated string body into out (NUL-terminated). */
static int unescape(const unsigned char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		unsigned char tmp[4];
		size_t k;
		if (s[i] != '\\') {
			tmp[0] = s[i];
			k = 1;
			i++;
		} else {
			unsigned char e = s[i + 1];
			unsigned u, u2;
			switch (e) {
			case 'b': tmp[0] = '\b'; k = 1; i += 2; break;
			case 'f': tmp[0] = '\f'; k = 1; i += 2; break;
			case 'n': tmp[0] = '\n'; k = 1; i += 2; break;
			case 'r': tmp[0] = '\r'; k = 1; i += 2; break;
			case 't': tmp[0] = '\t'; k = 1; i += 2; break;
			case 'u':
				hex4(s + i + 2, &u);
				i += 6;
				if (u >= 0xD800 && u <= 0xDBFF) {
					hex4(s + i + 2, &u2);
					i += 6;
					k = put_utf8(tmp, 0x10000 + ((unsigned long)(u - 0xD800) << 10) +
					             (u2 - 0xDC00));
				} else {
					k = put_utf8(tmp, u);
				}
				break;
			default: tmp[0] = e; k = 1; i += 2; break;
			}
		}
		if (o + k >= outlen)
			return -1;
		memcpy(out + o, tmp, k);
		o += k;
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

int jc_get_string(const char *json, const char *path, char *out, size_t outlen)
{
	const unsigned char *vs, *ve;
	if (out == NULL || outlen == 0 || find(json, path, &vs, &ve) != 0 || *vs != '"')
		return -1;
	return unescape(vs + 1, (size_t)(ve - vs) - 2, out, outlen);
}

int jc_get_uint(const char *json, const char *path, uint64_t *out)
{
	const unsigned char *vs, *ve;
	if (find(json, path, &vs, &ve) != 0)
		return -1;
	uint64_t v = 0;
	if (vs == ve || (*vs == '0' && ve - vs > 1))
		return -1;
	for (const unsigned char *p = vs; p < ve; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int jc_get_int(const char *json, const char *path, int64_t *out)
{
	const unsigned char *vs, *ve;
	if (find(json, path, &vs, &ve) != 0)
		return -1;
	bool neg = *vs == '-';
	const unsigned char *p = vs + (neg ? 1 : 0);
	uint64_t v = 0;
	if (p == ve)
		return -1;
	for (; p < ve; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
		if (v > (uint64_t)INT64_MAX + 1)
			return -1;
	}
	if (!neg && v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int jc_get_bool(const char *json, const char *path, bool *out)
{
	const unsigned char *vs, *ve;
	if (find(json, path, &vs, &ve) != 0)
		return -1;
	if (*vs == 't')
		*out = true;
	else if (*vs == 'f')
		*out = false;
	else
		return -1;
	return 0;
}

int jc_is_null(const char *json, const char *path)
{
	const unsigned char *vs, *ve;
	if (find(json, path, &vs, &ve) != 0)
		return -1;
	return *vs == 'n' ? 0 : -1;
}

int jc_get_raw(const char *json, const char *path, const char **start, size_t *len)
{
	const unsigned char *vs, *ve;
	if (find(json, path, &vs, &ve) != 0)
		return -1;
	*start = (const char *)vs;
	*len = (size_t)(ve - vs);
	return 0;
}

/* Walks the members of the container at path; stops at member `stop` and
 * gives its key (objects). Returns the member count, or -1. */
static long walk(const char *json, const char *path, size_t stop, struct span *key)
{
	const unsigned char *vs, *ve;
	if (find(json, path, &vs, &ve) != 0 || (*vs != '{' && *vs != '['))
		return -1;
	bool obj = *vs == '{';
	struct jc c = { vs, vs + 1, ve, 0, NULL, 0 };
	long count = 0;

	ws(&c);
	if (peek(&c, obj ? '}' : ']'))
		return 0;
	for (;;) {
		if (obj) {
			struct span k;
			ws(&c);
			if (string(&c, &k) != 0)
				return -1;
			if ((size_t)count == stop && key != NULL) {
				*key = k;
				return count;
			}
			ws(&c);
			c.p++; /* ':' (validated by find) */
		}
		if (value(&c) != 0)
			return -1;
		count++;
		ws(&c);
		if (!peek(&c, ','))
			return count;
		c.p++;
	}
}

int jc_get_count(const char *json, const char *path, size_t *n)
{
	long r = walk(json, path, SIZE_MAX, NULL);
	if (r < 0)
		return -1;
	*n = (size_t)r;
	return 0;
}

int jc_key_at(const char *json, const char *path, size_t idx, char *out, size_t outlen)
{
	struct span k = { NULL, 0 };
	const unsigned char *vs, *ve;
	if (out == NULL || outlen == 0 || find(json, path, &vs, &ve) != 0 || *vs != '{')
		return -1;
	long r = walk(json, path, idx, &k);
	if (r < 0 || k.s == NULL)
		return -1;
	return unescape(k.s, k.n, out, outlen);
}
