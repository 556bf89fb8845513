/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP detection from the first bytes of either direction: the server
 * greeting (RFC 5321 4.2, 4.3.1: "220" SP/"-" Domain ...), the client's
 * opening commands (RFC 5321 4.1.1), or a TLS record from the client for
 * implicit TLS (RFC 8314 3.3, port 465). Rejects early on anything else. */
#include "handlers/smtp.h"

#include <string.h>

/* Client openings, compared case-insensitively. QUIT, NOOP and RSET alone
 * on a line also open SMTP sessions; FTP and POP3 never start with them
 * (USER comes first). HELP and AUTH start FTP sessions too: left out. */
static const char *const client_openings[] = {
	"EHLO ", "HELO ", "EHLO\r", "HELO\r", "EHLO\n", "HELO\n", "MAIL FROM:", "RCPT TO:",
	"STARTTLS\r", "STARTTLS\n", "BDAT ", "DATA\r", "DATA\n", "RSET\r", "RSET\n",
	"QUIT\r", "QUIT\n", "NOOP\r", "NOOP\n",
};

/* Greeting texts that belong to FTP servers, which also open with "220 ". */
static const char *const not_smtp_words[] = { "FTP", "FILEZILLA" };

static int upper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - ('a' - 'A') : c;
}

/* -1 mismatch, 0 need more, 1 match */
static int prefix_match(const struct pcur *c, const char *want)
{
	size_t n = strlen(want);
	for (size_t i = 0; i < n; i++) {
		int b = pcur_peek(c, i);
		if (b < 0)
			return 0;
		if (upper(b) != upper((unsigned char)want[i]))
			return -1;
	}
	return 1;
}

static enum pd_probe probe_client_line(const struct pcur *c)
{
	bool more = false;
	for (size_t i = 0; i < sizeof(client_openings) / sizeof(client_openings[0]); i++) {
		int m = prefix_match(c, client_openings[i]);
		if (m > 0)
			return PD_PROBE_MATCH;
		if (m == 0)
			more = true;
	}
	return more ? PD_PROBE_NEED_MORE : PD_PROBE_REJECT;
}

static enum pd_probe probe_client(const struct pcur *c)
{
	/* TLS handshake record: content type 22, version 3.x (RFC 8446 5.1). */
	int b1 = pcur_peek(c, 1), b2 = pcur_peek(c, 2);
	if (b1 < 0 || b2 < 0)
		return b1 < 0 || b1 == 0x03 ? PD_PROBE_NEED_MORE : PD_PROBE_REJECT;
	return (b1 == 0x03 && b2 <= 0x04) ? PD_PROBE_MATCH : PD_PROBE_REJECT;
}

static bool contains_word(const uint8_t *p, size_t n, const char *w)
{
	size_t wl = strlen(w);
	for (size_t i = 0; i + wl <= n; i++) {
		size_t k = 0;
		while (k < wl && upper(p[i + k]) == (unsigned char)w[k])
			k++;
		if (k == wl)
			return true;
	}
	return false;
}

/* A reply line that only SMTP writes: an RFC 3463 status code after the
 * reply code (FTP has none), 354 (start mail input) or an EHLO keyword line.
 * Lets a capture that starts mid-session be recognised. */
static const char *const ehlo_lines[] = {
	"250-PIPELINING", "250-SIZE", "250-8BITMIME", "250-STARTTLS", "250-AUTH", "250-DSN",
	"250-ENHANCEDSTATUSCODES", "250-CHUNKING", "250-SMTPUTF8", "250 CHUNKING", "250 SMTPUTF8",
	"354 ",
};

static enum pd_probe probe_reply(const struct pcur *c)
{
	/* RFC 5321 4.2: [2-5][0-5][0-9]; anything else is not a reply. */
	static const char lo[3] = { '2', '0', '0' }, hi[3] = { '5', '5', '9' };
	for (size_t i = 0; i < 3; i++) {
		int b = pcur_peek(c, i);
		if (b < 0)
			return PD_PROBE_NEED_MORE;
		if (b < lo[i] || b > hi[i])
			return PD_PROBE_REJECT;
	}
	for (size_t i = 0; i < sizeof(ehlo_lines) / sizeof(ehlo_lines[0]); i++) {
		int m = prefix_match(c, ehlo_lines[i]);
		if (m > 0)
			return PD_PROBE_MATCH;
	}
	size_t left = pcur_left(c);
	const uint8_t *p = pcur_ptr(c);
	size_t look = left < SMTP_REPLY_LINE_MAX ? left : SMTP_REPLY_LINE_MAX;
	const uint8_t *lf = memchr(p, '\n', look);
	if (lf == NULL && look < SMTP_REPLY_LINE_MAX)
		return PD_PROBE_NEED_MORE;
	size_t n = lf != NULL ? (size_t)(lf - p) : look;
	struct smtp_reply_line r;
	char enh[SMTP_ENH_MAX];
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (smtp_reply_parse(p, n, &r) && r.len > 0 && smtp_enhanced_parse(r.text, r.len, enh) > 0)
		return PD_PROBE_MATCH;
	return PD_PROBE_REJECT;
}

static enum pd_probe probe_greeting(const struct pcur *c)
{
	int m220 = prefix_match(c, "220"), m554 = prefix_match(c, "554");
	if (m220 < 0 && m554 < 0)
		return PD_PROBE_REJECT;
	int sep = pcur_peek(c, 3);
	if (sep < 0)
		return PD_PROBE_NEED_MORE;
	if (sep != ' ' && sep != '-')
		return PD_PROBE_REJECT;
	int first = pcur_peek(c, 4);
	if (first < 0)
		return PD_PROBE_NEED_MORE;
	/* The greeting names the server: a domain or an address literal. */
	bool alnum = (first >= '0' && first <= '9') || (upper(first) >= 'A' && upper(first) <= 'Z');
	if (!alnum && first != '[')
		return PD_PROBE_REJECT;

	size_t left = pcur_left(c);
	size_t look = left < SMTP_REPLY_LINE_MAX ? left : SMTP_REPLY_LINE_MAX;
	const uint8_t *p = pcur_ptr(c);
	const uint8_t *lf = memchr(p, '\n', look);
	if (lf == NULL && look < SMTP_REPLY_LINE_MAX)
		return PD_PROBE_NEED_MORE;
	size_t n = lf != NULL ? (size_t)(lf - p) : look;
	for (size_t i = 4; i < n; i++) {
		if ((p[i] < 0x20 && p[i] != '\t' && !(p[i] == '\r' && i + 1 == n)) || p[i] == 0x7f)
			return PD_PROBE_REJECT;
	}
	for (size_t i = 0; i < sizeof(not_smtp_words) / sizeof(not_smtp_words[0]); i++)
		if (contains_word(p, n, not_smtp_words[i]))
			return PD_PROBE_REJECT;
	return PD_PROBE_MATCH;
}

static enum pd_probe probe_server_line(const struct pcur *c)
{
	enum pd_probe v = probe_greeting(c);
	return v == PD_PROBE_REJECT ? probe_reply(c) : v;
}

/* The first line, else (a capture that starts inside a line) the line
 * after the first LF, judged by `next`. */
static enum pd_probe probe_lines(const struct pcur *c, enum pd_probe (*line)(const struct pcur *),
                                 enum pd_probe (*next_line)(const struct pcur *))
{
	enum pd_probe v = line(c);
	if (v != PD_PROBE_REJECT)
		return v;
	size_t left = pcur_left(c);
	size_t look = left < SMTP_CMD_LINE_MAX ? left : SMTP_CMD_LINE_MAX;
	const uint8_t *lf = memchr(pcur_ptr(c), '\n', look);
	if (lf == NULL)
		return look < SMTP_CMD_LINE_MAX ? PD_PROBE_NEED_MORE : PD_PROBE_REJECT;
	struct pcur next = *c;
	pcur_skip(&next, (size_t)(lf - pcur_ptr(c)) + 1);
	if (pcur_left(&next) == 0)
		return PD_PROBE_NEED_MORE;
	return next_line(&next);
}

enum pd_probe smtp_probe(enum pd_dir dir, const uint8_t *data, size_t len)
{
	struct pcur c = pcur_make(data, len);
	if (len == 0)
		return PD_PROBE_NEED_MORE;
	if (dir == PD_TO_SERVER) {
		/* TLS is judged on the very first bytes only. */
		if (pcur_peek(&c, 0) == 0x16)
			return probe_client(&c);
		return probe_lines(&c, probe_client_line, probe_client_line);
	}
	/* A greeting is only ever the first line. */
	return probe_lines(&c, probe_server_line, probe_reply);
}
