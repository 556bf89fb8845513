/* SPDX-License-Identifier: BSD-2-Clause */
/* SSH protocol version exchange (RFC 4253 4.2): the identification line
 * "SSH-protoversion-softwareversion SP comments CR LF", and detection from
 * its first bytes in either direction. */
#include "handlers/ssh.h"

#include <string.h>

static uint16_t copy_str(char *dst, size_t cap, const uint8_t *p, size_t n, bool *trunc)
{
	size_t m = n < cap ? n : cap;
	memcpy(dst, p, m);
	dst[m] = '\0';
	if (m < n)
		*trunc = true;
	return (uint16_t)m;
}

bool ssh_parse_banner(const uint8_t *p, size_t n, struct ssh_side *side)
{
	if (n < 4 || memcmp(p, "SSH-", 4) != 0)
		return false;
	const uint8_t *proto = p + 4;
	size_t rest = n - 4;
	const uint8_t *dash = memchr(proto, '-', rest);
	if (dash == NULL || dash == proto)
		return false;
	size_t plen = (size_t)(dash - proto);
	for (size_t i = 0; i < plen; i++)
		if (proto[i] <= 0x20 || proto[i] >= 0x7f)
			return false;
	const uint8_t *soft = dash + 1;
	size_t slen = n - (size_t)(soft - p);
	const uint8_t *sp = slen > 0 ? memchr(soft, ' ', slen) : NULL;
	size_t swlen = sp != NULL ? (size_t)(sp - soft) : slen;

	side->banner_seen = true;
	side->proto_len = copy_str(side->proto, SSH_PROTO_MAX, proto, plen, &side->banner_trunc);
	side->software_len =
		copy_str(side->software, SSH_SOFTWARE_MAX, soft, swlen, &side->banner_trunc);
	side->has_comments = sp != NULL;
	if (sp != NULL)
		side->comments_len = copy_str(side->comments, SSH_SOFTWARE_MAX, sp + 1,
		                              slen - swlen - 1, &side->banner_trunc);
	return true;
}

/* "SSH-" DIGIT "." DIGIT opens the identification of either side (a server
 * may send other lines first: its client still speaks first on its own). */
enum pd_probe ssh_probe(enum pd_dir dir, const uint8_t *data, size_t len)
{
	static const char want[] = "SSH-#.#";
	struct pcur c = pcur_make(data, len);
	for (size_t i = 0; i < sizeof(want) - 1; i++) {
		int b = pcur_peek(&c, i);
		if (b < 0)
			return PD_PROBE_NEED_MORE;
		bool ok = want[i] == '#' ? (b >= '0' && b <= '9') : b == want[i];
		if (!ok)
			return PD_PROBE_REJECT;
	}
	return PD_PROBE_MATCH;
}
