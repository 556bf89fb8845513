/* SPDX-License-Identifier: BSD-2-Clause */
/* EHLO reply extensions (RFC 5321 section 4.1.1.1: ehlo-line = keyword
 * *(SP param)); typed for SIZE (RFC 1870), AUTH (RFC 4954 section 3) and the
 * flags of the common service extensions. */
#include "handlers/smtp.h"

#include <string.h>

static const struct {
	const char *keyword;
	uint16_t flag;
} smtp_known_ext[] = {
	{ "PIPELINING", SMTP_X_PIPELINING },
	{ "SIZE", SMTP_X_SIZE },
	{ "8BITMIME", SMTP_X_8BITMIME },
	{ "SMTPUTF8", SMTP_X_SMTPUTF8 },
	{ "CHUNKING", SMTP_X_CHUNKING },
	{ "STARTTLS", SMTP_X_STARTTLS },
	{ "AUTH", SMTP_X_AUTH },
	{ "ENHANCEDSTATUSCODES", SMTP_X_ENHANCEDSTATUSCODES },
	{ "DSN", SMTP_X_DSN },
	{ "BINARYMIME", SMTP_X_BINARYMIME },
};

void smtp_exts_clear(struct smtp_exts *x)
{
	memset(x, 0, sizeof(*x));
}

static uint16_t ext_flag(const uint8_t *k, size_t n)
{
	for (size_t i = 0; i < sizeof(smtp_known_ext) / sizeof(smtp_known_ext[0]); i++)
		if (smtp_ieq(k, n, smtp_known_ext[i].keyword))
			return smtp_known_ext[i].flag;
	return 0;
}

void smtp_exts_add(struct smtp_exts *x, const uint8_t *text, size_t len)
{
	struct pcur c = pcur_make(text, len);
	while (pcur_peek(&c, 0) == ' ')
		pcur_skip(&c, 1);
	const uint8_t *k = pcur_ptr(&c);
	size_t klen = 0;
	/* Old servers write "AUTH=LOGIN PLAIN" (pre-RFC 2554 clients); the '='
	 * ends the keyword like a space does. */
	while (klen < pcur_left(&c) && k[klen] != ' ' && k[klen] != '=')
		klen++;
	if (klen == 0)
		return;
	pcur_skip(&c, klen);
	if (pcur_peek(&c, 0) == '=')
		pcur_skip(&c, 1);
	while (pcur_peek(&c, 0) == ' ')
		pcur_skip(&c, 1);
	const uint8_t *par = pcur_ptr(&c);
	size_t plen = pcur_left(&c);
	while (plen > 0 && par[plen - 1] == ' ')
		plen--;

	uint16_t flag = ext_flag(k, klen);
	x->flags |= flag;
	if (flag == SMTP_X_SIZE) {
		uint64_t v;
		if (smtp_parse_u64(par, plen, &v)) {
			x->size = v;
			x->size_known = true;
		}
	}
	if (klen > 255 || x->n >= SMTP_EXT_MAX || (size_t)x->used + klen + plen > SMTP_EXT_POOL) {
		x->dropped++;
		return;
	}
	struct smtp_ext *e = &x->e[x->n++];
	e->off = x->used;
	e->klen = (uint8_t)klen;
	e->plen = (uint16_t)plen;
	e->flag = flag;
	memcpy(x->pool + x->used, k, klen);
	if (plen > 0)
		memcpy(x->pool + x->used + klen, par, plen);
	x->used = (uint16_t)(x->used + klen + plen);
}

bool smtp_exts_has_mech(const struct smtp_exts *x, const char *mech)
{
	for (unsigned i = 0; i < x->n; i++) {
		const struct smtp_ext *e = &x->e[i];
		if (e->flag != SMTP_X_AUTH)
			continue;
		const uint8_t *p = (const uint8_t *)x->pool + e->off + e->klen;
		size_t n = e->plen, at = 0;
		while (at < n) {
			size_t w = 0;
			while (at + w < n && p[at + w] != ' ')
				w++;
			if (w > 0 && smtp_ieq(p + at, w, mech))
				return true;
			at += w + 1;
		}
	}
	return false;
}
