/* SPDX-License-Identifier: BSD-2-Clause */
/* HTTP/1.x lines (RFC 9112 3 request line, 4 status line, 5 field lines,
 * 7.1 chunk-size lines) and the table of header fields the handler uses
 * (RFC 9110 5, 7.2 Host, 8.3 Content-Type, 8.6 Content-Length; RFC 9112 6.1
 * Transfer-Encoding). */
#include "handlers/http.h"

#include <stdio.h>
#include <string.h>

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool http_ieq(const uint8_t *p, size_t n, const char *s)
{
	size_t m = strlen(s);
	if (m != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != lower((unsigned char)s[i]))
			return false;
	return true;
}

/* tchar (RFC 9110 5.6.2) */
static bool is_tchar(uint8_t b)
{
	if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z'))
		return true;
	return b != 0 && strchr("!#$%&'*+-.^_`|~", b) != NULL;
}

static bool is_ws(uint8_t b)
{
	return b == ' ' || b == '\t';
}

bool http_version_valid(const uint8_t *p, size_t n)
{
	return n == 8 && memcmp(p, "HTTP/", 5) == 0 && p[5] >= '0' && p[5] <= '9' && p[6] == '.' &&
	       p[7] >= '0' && p[7] <= '9';
}

/* Splits off the next run of non-whitespace; RFC 9112 3 lets a recipient
 * accept runs of SP/HTAB between the parts. */
static size_t word(struct pcur *c, const uint8_t **w)
{
	while (pcur_left(c) > 0 && is_ws((uint8_t)pcur_peek(c, 0)))
		pcur_skip(c, 1);
	*w = pcur_ptr(c);
	size_t n = 0;
	while (pcur_left(c) > 0 && !is_ws((uint8_t)pcur_peek(c, 0))) {
		pcur_skip(c, 1);
		n++;
	}
	return n;
}

/* A request-target byte: no control characters. Whitespace inside is
 * invalid (RFC 9112 3.2) but sent by scanners and exploits, so it is
 * accepted and reported. */
static bool target_ok(const uint8_t *p, size_t n, bool *ws)
{
	*ws = false;
	for (size_t i = 0; i < n; i++) {
		if (is_ws(p[i]))
			*ws = true;
		else if (p[i] < 0x20 || p[i] == 0x7f)
			return false;
	}
	return n > 0;
}

bool http_parse_request_line(const uint8_t *p, size_t n, bool cut, struct http_request_line *out)
{
	struct pcur c = pcur_make(p, n);
	memset(out, 0, sizeof(*out));
	out->method_len = word(&c, &out->method);
	/* No leading whitespace: the method starts the line. */
	if (out->method_len == 0 || out->method != p || out->method_len > 32)
		return false;
	for (size_t i = 0; i < out->method_len; i++)
		if (!is_tchar(out->method[i]))
			return false;
	while (pcur_left(&c) > 0 && is_ws((uint8_t)pcur_peek(&c, 0)))
		pcur_skip(&c, 1);
	const uint8_t *rest = pcur_ptr(&c);
	size_t rn = pcur_left(&c);
	while (rn > 0 && is_ws(rest[rn - 1]))
		rn--;
	if (cut) {
		/* Cut by the line limit: the version may be beyond the cut. */
		out->target = rest;
		out->target_len = rn;
		return target_ok(rest, rn, &out->target_ws);
	}
	/* The version is the last word (RFC 9112 3), so a target holding
	 * spaces still parses. */
	size_t v = rn;
	while (v > 0 && !is_ws(rest[v - 1]))
		v--;
	if (v == 0 || !http_version_valid(rest + v, rn - v))
		return false;
	out->version = rest + v;
	out->version_len = rn - v;
	size_t tn = v;
	while (tn > 0 && is_ws(rest[tn - 1]))
		tn--;
	out->target = rest;
	out->target_len = tn;
	return target_ok(rest, tn, &out->target_ws);
}

bool http_parse_status_line(const uint8_t *p, size_t n, struct http_status_line *out)
{
	memset(out, 0, sizeof(*out));
	if (n < 12 || !http_version_valid(p, 8) || p[8] != ' ')
		return false;
	unsigned code = 0;
	bool digits = true;
	for (size_t i = 9; i < 12; i++) {
		if (p[i] <= ' ' || p[i] >= 0x7f)
			return false;
		digits = digits && p[i] >= '0' && p[i] <= '9';
		code = code * 10 + (unsigned)(p[i] - '0');
	}
	/* A code that is not 3 digits ("2XX") is kept as text, as libhtp does. */
	if (!digits)
		code = 0;
	else if (code < 100)
		return false;
	memcpy(out->code, p + 9, 3);
	/* RFC 9112 4: SP and the reason may be missing; be lenient on that. */
	if (n > 12 && p[12] != ' ')
		return false;
	out->version = p;
	out->version_len = 8;
	out->status = (uint16_t)code;
	out->reason = n > 13 ? p + 13 : p + n;
	out->reason_len = n > 13 ? n - 13 : 0;
	return true;
}

bool http_parse_clen(const uint8_t *p, size_t n, uint64_t *out)
{
	/* "5" or "5, 5": a list of identical values is accepted (RFC 9110 8.6). */
	bool have = false;
	uint64_t first = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && (is_ws(p[i]) || p[i] == ','))
			i++;
		if (i == n)
			break;
		uint64_t v = 0;
		size_t digits = 0;
		while (i < n && p[i] >= '0' && p[i] <= '9') {
			if (++digits > 18)
				return false;
			v = v * 10 + (uint64_t)(p[i] - '0');
			i++;
		}
		if (digits == 0 || (i < n && !is_ws(p[i]) && p[i] != ','))
			return false;
		if (have && v != first)
			return false;
		first = v;
		have = true;
	}
	*out = first;
	return have;
}

bool http_parse_chunk_size(const uint8_t *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; i < n; i++) {
		int d;
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (lower(p[i]) >= 'a' && lower(p[i]) <= 'f')
			d = lower(p[i]) - 'a' + 10;
		else
			break;
		if (i >= 15)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (i == 0)
		return false;
	while (i < n && is_ws(p[i]))
		i++;
	if (i < n && p[i] != ';')
		return false;
	*out = v;
	return true;
}

/* ---- header fields ---- */

enum hdr_action { H_STR, H_CTYPE, H_HOST, H_CLEN, H_TE };
enum { H_REQ = 1, H_RESP = 2 };

struct http_hdr {
	const char *name;
	uint8_t dirs;   /* H_REQ, H_RESP */
	uint8_t action; /* enum hdr_action */
	uint8_t field;  /* enum http_fld */
};

/* Fields the handler reads; every other one is only counted. */
static const struct http_hdr http_hdrs[] = {
	{ "host", H_REQ, H_HOST, HTTP_F_HOST },
	{ "user-agent", H_REQ, H_STR, HTTP_F_UA },
	{ "referer", H_REQ, H_STR, HTTP_F_REFERER },
	{ "x-forwarded-for", H_REQ, H_STR, HTTP_F_XFF },
	{ "content-type", H_REQ, H_CTYPE, HTTP_F_REQ_CTYPE },
	{ "content-type", H_RESP, H_CTYPE, HTTP_F_RESP_CTYPE },
	{ "location", H_RESP, H_STR, HTTP_F_LOCATION },
	{ "upgrade", H_RESP, H_STR, HTTP_F_UPGRADE },
	{ "content-length", H_REQ | H_RESP, H_CLEN, HTTP_F_COUNT },
	{ "transfer-encoding", H_REQ | H_RESP, H_TE, HTTP_F_COUNT },
};

/* Host and port of "host[:port]" or "[v6]:port" (RFC 3986 3.2.2-3.2.3);
 * the host is lower-cased (RFC 3986 3.2.2: case-insensitive). */
static void set_authority(struct http_state *st, struct http_txn *t, const uint8_t *p, size_t n)
{
	if (t->f[HTTP_F_HOST].set)
		return;
	size_t hlen = n;
	if (n > 0 && p[0] == '[') {
		const uint8_t *rb = memchr(p, ']', n);
		hlen = rb != NULL ? (size_t)(rb - p) + 1 : n;
	} else {
		const uint8_t *colon = memchr(p, ':', n);
		if (colon != NULL)
			hlen = (size_t)(colon - p);
	}
	http_txn_set(st, t, HTTP_F_HOST, p, hlen);
	size_t hn;
	char *h = http_txn_str_rw(st, t, HTTP_F_HOST, &hn);
	for (size_t i = 0; h != NULL && i < hn; i++)
		h[i] = (char)lower((unsigned char)h[i]);
	if (hlen + 1 < n && p[hlen] == ':') {
		uint32_t port = 0;
		size_t i = hlen + 1;
		for (; i < n && p[i] >= '0' && p[i] <= '9' && port <= 65535; i++)
			port = port * 10 + (uint32_t)(p[i] - '0');
		if (i == n && port <= 65535)
			t->port = (int32_t)port;
	}
}

/* The host of an absolute-form target "scheme://[userinfo@]host[:port]/..."
 * (RFC 9112 3.2.2: it overrides Host), or of CONNECT's authority-form. */
bool http_target_authority(const uint8_t *p, size_t n, size_t *start, size_t *end)
{
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 3.1) */
	size_t i = 0;
	while (i < n && ((lower(p[i]) >= 'a' && lower(p[i]) <= 'z') ||
	                 (i > 0 && ((p[i] >= '0' && p[i] <= '9') || p[i] == '+' || p[i] == '-' ||
	                            p[i] == '.'))))
		i++;
	if (i == 0 || i + 3 > n || p[i] != ':' || p[i + 1] != '/' || p[i + 2] != '/')
		return false;
	size_t e = i + 3;
	while (e < n && p[e] != '/' && p[e] != '?' && p[e] != '#')
		e++;
	*start = i + 3;
	*end = e;
	return true;
}

void http_request_authority(struct http_state *st, struct http_txn *t, const uint8_t *p,
                            size_t n)
{
	size_t as, ae;
	if (t->kind == HTTP_K_CONNECT) {
		set_authority(st, t, p, n);
		return;
	}
	if (!http_target_authority(p, n, &as, &ae))
		return;
	const uint8_t *a = p + as;
	size_t an = ae - as;
	const uint8_t *at = an > 0 ? memchr(a, '@', an) : NULL;
	if (at != NULL) {
		an -= (size_t)(at + 1 - a);
		a = at + 1;
	}
	set_authority(st, t, a, an);
}

static void ctype(struct http_state *st, struct http_txn *t, enum http_fld f, const uint8_t *v,
                  size_t n)
{
	/* The media type without parameters, as Suricata logs it. */
	const uint8_t *semi = n > 0 ? memchr(v, ';', n) : NULL;
	if (semi != NULL)
		n = (size_t)(semi - v);
	while (n > 0 && is_ws(v[n - 1]))
		n--;
	http_txn_set(st, t, f, v, n);
}

/* Transfer-Encoding: the last coding listed decides (RFC 9112 6.1, 6.3). */
static void transfer_encoding(struct http_dir *d, const uint8_t *v, size_t n)
{
	size_t end = n;
	while (end > 0 && (is_ws(v[end - 1]) || v[end - 1] == ','))
		end--;
	size_t start = end;
	while (start > 0 && v[start - 1] != ',')
		start--;
	while (start < end && is_ws(v[start]))
		start++;
	if (end == 0)
		return;
	d->te_seen = true;
	d->te_chunked = http_ieq(v + start, end - start, "chunked");
}

static void fold_line(struct http_state *st, enum pd_dir dir, const uint8_t *p, size_t n)
{
	struct http_dir *d = &st->d[dir];
	struct http_txn *t = http_txn_get(st, d->slot, d->id);
	if (t == NULL || d->last_field >= HTTP_F_COUNT)
		return;
	size_t i = 0;
	while (i < n && is_ws(p[i]))
		i++;
	while (n > i && is_ws(p[n - 1]))
		n--;
	/* RFC 9112 5.2: obs-fold is replaced by one SP. */
	http_txn_append(st, t, (enum http_fld)d->last_field, (const uint8_t *)" ", 1);
	http_txn_append(st, t, (enum http_fld)d->last_field, p + i, n - i);
}

void http_header_line(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                      const uint8_t *p, size_t n)
{
	struct http_dir *d = &st->d[dir];
	if (n > 0 && is_ws(p[0])) {
		if (d->headers == 0)
			http_anomaly(s, st, HTTP_A_BAD_HEADER, "whitespace before the first header field");
		else
			fold_line(st, dir, p, n);
		return;
	}
	d->last_field = HTTP_F_COUNT;
	const uint8_t *colon = memchr(p, ':', n);
	size_t nlen = colon != NULL ? (size_t)(colon - p) : 0;
	bool name_ok = nlen > 0;
	for (size_t i = 0; i < nlen && name_ok; i++)
		name_ok = is_tchar(p[i]);
	if (!name_ok) {
		/* RFC 9112 5.1: no whitespace between a field name and its colon
		 * ("Transfer-Encoding : chunked" is a request smuggling vector). */
		http_anomaly(s, st, HTTP_A_BAD_HEADER,
		             colon == NULL ? "header line without a colon" : "invalid header field name");
		return;
	}
	d->headers++;
	if (d->headers > HTTP_HEADERS_MAX && !d->too_many) {
		char detail[64];
		d->too_many = true;
		snprintf(detail, sizeof(detail), "more than %u header fields", HTTP_HEADERS_MAX);
		http_anomaly(s, st, HTTP_A_HEADER_TOO_MANY, detail);
	}
	const uint8_t *v = colon + 1;
	size_t vn = n - nlen - 1;
	while (vn > 0 && is_ws(v[0])) {
		v++;
		vn--;
	}
	while (vn > 0 && is_ws(v[vn - 1]))
		vn--;

	uint8_t want = dir == PD_TO_SERVER ? H_REQ : H_RESP;
	const struct http_hdr *h = NULL;
	for (size_t i = 0; i < sizeof(http_hdrs) / sizeof(http_hdrs[0]) && h == NULL; i++)
		if ((http_hdrs[i].dirs & want) && http_ieq(p, nlen, http_hdrs[i].name))
			h = &http_hdrs[i];
	if (h == NULL)
		return;
	struct http_txn *t = http_txn_get(st, d->slot, d->id);
	switch (h->action) {
	case H_CLEN: {
		uint64_t v64;
		if (!http_parse_clen(v, vn, &v64) || (d->clen_seen && v64 != d->clen))
			d->clen_bad = true;
		else
			d->clen = v64;
		d->clen_seen = true;
		return;
	}
	case H_TE:
		transfer_encoding(d, v, vn);
		return;
	default:
		break;
	}
	if (t == NULL)
		return;
	switch (h->action) {
	case H_HOST:
		set_authority(st, t, v, vn);
		break;
	case H_CTYPE:
		if (!t->f[h->field].set)
			ctype(st, t, (enum http_fld)h->field, v, vn);
		break;
	default:
		/* The first occurrence wins; later ones are only counted. */
		if (!t->f[h->field].set) {
			http_txn_set(st, t, (enum http_fld)h->field, v, vn);
			d->last_field = h->field;
		}
		break;
	}
}
