/* SPDX-License-Identifier: BSD-2-Clause */
/* MAIL/RCPT arguments: reverse-path and forward-path (RFC 5321 section
 * 4.1.2) and esmtp-param lists (RFC 5321 section 4.1.1.2, 4.1.1.3). */
#include "handlers/smtp.h"

#include <string.h>

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

bool smtp_ieq(const uint8_t *p, size_t n, const char *s)
{
	size_t sl = strlen(s);
	if (sl != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != lower((unsigned char)s[i]))
			return false;
	return true;
}

bool smtp_parse_u64(const uint8_t *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		uint64_t d = (uint64_t)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

size_t smtp_copy(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	if (cap == 0)
		return 0;
	if (n > cap - 1)
		n = cap - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return n;
}

static void skip_spaces(struct pcur *c)
{
	while (pcur_peek(c, 0) == ' ' || pcur_peek(c, 0) == '\t')
		pcur_skip(c, 1);
}

bool smtp_path_parse(const uint8_t *arg, size_t len, const char *keyword, struct smtp_path *out)
{
	struct pcur c = pcur_make(arg, len);
	size_t kl = strlen(keyword);
	memset(out, 0, sizeof(*out));
	out->addr = out->params = (const uint8_t *)"";

	skip_spaces(&c);
	if (!pcur_has(&c, kl + 1) || !smtp_ieq(pcur_ptr(&c), kl, keyword) || pcur_peek(&c, kl) != ':')
		return false;
	pcur_skip(&c, kl + 1);
	skip_spaces(&c); /* "FROM: <a@b>" is common and accepted by servers */

	const uint8_t *p = pcur_ptr(&c);
	size_t n = pcur_left(&c), i = 0;
	if (n > 0 && p[0] == '<') {
		/* The path ends at the first '>' outside a quoted string
		 * (Quoted-string local parts may hold '>'). */
		bool quoted = false;
		for (i = 1; i < n; i++) {
			if (quoted && p[i] == '\\' && i + 1 < n) {
				i++;
				continue;
			}
			if (p[i] == '"')
				quoted = !quoted;
			else if (p[i] == '>' && !quoted)
				break;
		}
		out->bracketed = true;
		out->addr = p + 1;
		out->addr_len = (i < n ? i : n) - 1;
		i = i < n ? i + 1 : n;
	} else {
		while (i < n && p[i] != ' ' && p[i] != '\t')
			i++;
		out->addr = p;
		out->addr_len = i;
	}
	pcur_skip(&c, i);
	skip_spaces(&c);
	out->params = pcur_ptr(&c);
	out->params_len = pcur_left(&c);
	while (out->params_len > 0 &&
	       (out->params[out->params_len - 1] == ' ' || out->params[out->params_len - 1] == '\t'))
		out->params_len--;
	return true;
}

void smtp_params_begin(struct smtp_param_iter *it, const uint8_t *p, size_t len)
{
	it->c = pcur_make(p, len);
}

bool smtp_params_next(struct smtp_param_iter *it, const uint8_t **key, size_t *klen,
                      const uint8_t **val, size_t *vlen)
{
	skip_spaces(&it->c);
	size_t left = pcur_left(&it->c);
	if (left == 0)
		return false;
	const uint8_t *p = pcur_ptr(&it->c);
	size_t n = 0;
	while (n < left && p[n] != ' ' && p[n] != '\t')
		n++;
	pcur_skip(&it->c, n);
	const uint8_t *eq = memchr(p, '=', n);
	*key = p;
	if (eq != NULL) {
		*klen = (size_t)(eq - p);
		*val = eq + 1;
		*vlen = n - *klen - 1;
	} else {
		*klen = n;
		*val = NULL;
		*vlen = 0;
	}
	return true;
}
