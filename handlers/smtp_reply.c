/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP reply lines: reply codes (RFC 5321 section 4.2, 4.2.1) and enhanced
 * status codes (RFC 3463 section 2, carried per RFC 2034 section 3). */
#include "handlers/smtp.h"

#include <string.h>

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

/* 1 to 3 digits, no leading zero unless the number is 0 (RFC 3463 2). */
static size_t status_part(struct pcur *c, size_t maxdigits)
{
	size_t n = 0;
	while (n < maxdigits && is_digit(pcur_peek(c, n)))
		n++;
	if (n == 0 || is_digit(pcur_peek(c, n)))
		return 0;
	if (n > 1 && pcur_peek(c, 0) == '0')
		return 0;
	return n;
}

size_t smtp_enhanced_parse(const uint8_t *text, size_t len, char out[SMTP_ENH_MAX])
{
	struct pcur c = pcur_make(text, len);
	out[0] = '\0';

	int cls = pcur_peek(&c, 0);
	if (cls != '2' && cls != '4' && cls != '5')
		return 0;
	if (pcur_peek(&c, 1) != '.')
		return 0;
	pcur_skip(&c, 2);
	size_t subj = status_part(&c, 3);
	if (subj == 0 || pcur_peek(&c, subj) != '.')
		return 0;
	pcur_skip(&c, subj + 1);
	size_t det = status_part(&c, 3);
	if (det == 0)
		return 0;
	pcur_skip(&c, det);
	int after = pcur_peek(&c, 0);
	if (after != -1 && after != ' ' && after != '\t')
		return 0;
	size_t used = len - pcur_left(&c);
	memcpy(out, text, used); /* at most 9 bytes: 1 + 1 + 3 + 1 + 3 */
	out[used] = '\0';
	return used;
}

bool smtp_reply_parse(const uint8_t *line, size_t len, struct smtp_reply_line *out)
{
	struct pcur c = pcur_make(line, len);
	memset(out, 0, sizeof(*out));

	int d0 = pcur_peek(&c, 0), d1 = pcur_peek(&c, 1), d2 = pcur_peek(&c, 2);
	/* RFC 5321 4.2: first digit 2-5, second 0-5, third 0-9. */
	if (d0 < '2' || d0 > '5' || d1 < '0' || d1 > '5' || !is_digit(d2))
		return false;
	out->code = (uint16_t)((d0 - '0') * 100 + (d1 - '0') * 10 + (d2 - '0'));
	pcur_skip(&c, 3);

	int sep = pcur_peek(&c, 0);
	if (sep == -1) {
		out->last = true; /* "250" alone: Reply-code [ SP textstring ] CRLF */
	} else if (sep == ' ') {
		out->last = true;
		pcur_skip(&c, 1);
	} else if (sep == '-') {
		out->last = false;
		pcur_skip(&c, 1);
	} else {
		return false;
	}
	out->text = pcur_ptr(&c);
	out->len = pcur_left(&c);
	smtp_enhanced_parse(out->text, out->len, out->enhanced);
	return true;
}
