/* SPDX-License-Identifier: BSD-2-Clause */
/* Address text for events: dotted quad (RFC 791 notation) and IPv6 text
 * (RFC 4291 section 2.2 forms, RFC 5952 section 4 choices), the same bytes
 * inet_ntop(3) writes, without its snprintf per group: every flow formats
 * two addresses and every DNS answer one. */
#include "output/meta.h"

#include <string.h>

static char *put_dec(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *put_quad(char *p, const uint8_t *a)
{
	for (int i = 0; i < 4; i++) {
		if (i > 0)
			*p++ = '.';
		p = put_dec(p, a[i]);
	}
	return p;
}

/* One group in lowercase hex without leading zeros (RFC 5952 4.1, 4.3). */
static char *put_hex(char *p, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;
	while (shift > 0 && (v >> shift) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = hex[(v >> shift) & 15];
	return p;
}

static char *put_v6(char *p, const uint8_t *a)
{
	unsigned w[8];
	int best = -1, best_len = 0;

	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	/* The longest run of zero groups, the first of equal runs, is shortened
	 * to "::" when it is at least two groups long (RFC 5952 4.2). */
	for (int i = 0; i < 8;) {
		if (w[i] != 0) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j;
	}
	if (best_len < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + best_len) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i > 0)
			*p++ = ':';
		/* IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d)
		 * addresses end in a dotted quad (RFC 4291 2.5.5, RFC 5952 5). */
		if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff)))
			return put_quad(p, a + 12);
		p = put_hex(p, w[i]);
	}
	if (best >= 0 && best + best_len == 8)
		*p++ = ':';
	return p;
}

size_t out_ip_text(char *out, uint8_t ip_version, const uint8_t *addr)
{
	char *p = out;
	if (ip_version == 4)
		p = put_quad(p, addr);
	else if (ip_version == 6)
		p = put_v6(p, addr);
	*p = '\0';
	return (size_t)(p - out);
}
