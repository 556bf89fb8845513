/* SPDX-License-Identifier: BSD-2-Clause */
/* HTTP/1.x detection from the first bytes of either direction: a request
 * line (RFC 9112 3: method SP request-target SP HTTP-version) whose method
 * is in the table below, or a status line (RFC 9112 4: HTTP-version SP
 * 3DIGIT). Only HTTP/1.x versions match, so RTSP and SIP requests, which
 * share OPTIONS and similar methods, are rejected by their version. */
#include "handlers/http.h"

#include <string.h>

/* Methods are case-sensitive (RFC 9110 9.1): "get" is not GET. RFC 9110 9.3,
 * RFC 5789 (PATCH), WebDAV (RFC 4918, 3253, 3744, 5323, 5842, 4791). */
static const char *const http_methods[] = {
	"GET", "POST", "HEAD", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT",
	"SEARCH", "ACL", "MKCALENDAR", "BIND", "UNBIND", "REBIND", "MERGE", "CHECKOUT",
	"CHECKIN", "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "VERSION-CONTROL", "LABEL",
	"UPDATE", "BASELINE-CONTROL", "ORDERPATCH",
};

#define HTTP_NMETHODS (sizeof(http_methods) / sizeof(http_methods[0]))

/* Below the core's probe budget (4096 bytes by default). */
#define HTTP_PROBE_LONG_TARGET 2048u

bool http_method_known(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < HTTP_NMETHODS; i++)
		if (strlen(http_methods[i]) == n && memcmp(http_methods[i], p, n) == 0)
			return true;
	return false;
}

/* Exact comparison of the bytes at offset `at` with `want`: -1 mismatch,
 * 0 data ends first, 1 match. */
static int match_at(const struct pcur *c, size_t at, const char *want)
{
	for (size_t i = 0; want[i] != '\0'; i++) {
		int b = pcur_peek(c, at + i);
		if (b < 0)
			return 0;
		if (b != (unsigned char)want[i])
			return -1;
	}
	return 1;
}

static bool is_digit(int b)
{
	return b >= '0' && b <= '9';
}

/* "HTTP/1." DIGIT, then the bytes `after` allows. */
static enum pd_probe version_at(const struct pcur *c, size_t at, const char *after)
{
	int m = match_at(c, at, "HTTP/1.");
	if (m <= 0)
		return m == 0 ? PD_PROBE_NEED_MORE : PD_PROBE_REJECT;
	int d = pcur_peek(c, at + 7);
	if (d < 0)
		return PD_PROBE_NEED_MORE;
	if (!is_digit(d))
		return PD_PROBE_REJECT;
	int e = pcur_peek(c, at + 8);
	if (e < 0)
		return PD_PROBE_NEED_MORE;
	return strchr(after, e) != NULL && e != 0 ? PD_PROBE_MATCH : PD_PROBE_REJECT;
}

static enum pd_probe probe_request(const struct pcur *c)
{
	size_t at = 0;
	bool more = false;
	for (size_t i = 0; i < HTTP_NMETHODS && at == 0; i++) {
		size_t n = strlen(http_methods[i]);
		int m = match_at(c, 0, http_methods[i]);
		int sp = pcur_peek(c, n);
		if (m == 1 && sp == ' ')
			at = n + 1;
		else if (m == 0 || (m == 1 && sp < 0))
			more = true;
	}
	if (at == 0)
		return more ? PD_PROBE_NEED_MORE : PD_PROBE_REJECT;
	/* The rest of the line ends with SP HTTP-version (RFC 9112 3); the
	 * target before it may even hold spaces (scanners, exploits). */
	size_t start = at;
	for (;; at++) {
		int b = pcur_peek(c, at);
		/* An origin-form target ("/...", which RTSP and SIP never send)
		 * longer than the probe may ever see the end of. */
		if (b < 0)
			return pcur_peek(c, start) == '/' && at - start >= HTTP_PROBE_LONG_TARGET
			               ? PD_PROBE_MATCH
			               : PD_PROBE_NEED_MORE;
		if (b == '\n')
			break;
		if ((b < 0x20 && b != '\t' && b != '\r') || b == 0x7f)
			return PD_PROBE_REJECT;
	}
	size_t end = at;
	if (end > start && pcur_peek(c, end - 1) == '\r')
		end--;
	/* " HTTP/1.x" (9 bytes) after a target of at least one byte */
	if (end < start + 10 || pcur_peek(c, end - 9) != ' ')
		return PD_PROBE_REJECT;
	int pre = pcur_peek(c, end - 10);
	if (pre == ' ' || pre == '\t')
		return PD_PROBE_REJECT;
	return version_at(c, end - 8, "\r\n");
}

static enum pd_probe probe_response(const struct pcur *c)
{
	enum pd_probe v = version_at(c, 0, " ");
	if (v != PD_PROBE_MATCH)
		return v;
	for (size_t i = 9; i < 12; i++) {
		int b = pcur_peek(c, i);
		if (b < 0)
			return PD_PROBE_NEED_MORE;
		if (!is_digit(b))
			return PD_PROBE_REJECT;
	}
	int b = pcur_peek(c, 12);
	if (b < 0)
		return PD_PROBE_NEED_MORE;
	return (b == ' ' || b == '\r' || b == '\n') ? PD_PROBE_MATCH : PD_PROBE_REJECT;
}

enum pd_probe http_probe(enum pd_dir dir, const uint8_t *data, size_t len)
{
	struct pcur c = pcur_make(data, len);
	return dir == PD_TO_SERVER ? probe_request(&c) : probe_response(&c);
}
