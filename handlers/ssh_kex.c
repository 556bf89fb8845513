/* SPDX-License-Identifier: BSD-2-Clause */
/* SSH_MSG_KEXINIT (RFC 4253 7.1: cookie, ten name-lists of RFC 4251 5,
 * first_kex_packet_follows, reserved) and the HASSH fingerprints
 * (Salesforce: MD5 of "kex;encryption;mac;compression", the client-to-server
 * lists for the client's hassh, the server-to-client ones for hasshServer). */
#include "handlers/ssh.h"

#include <md5.h>
#include <string.h>

const char *const ssh_list_names[SSH_NAMELISTS] = {
	"kex_algorithms",
	"server_host_key_algorithms",
	"encryption_algorithms_client_to_server",
	"encryption_algorithms_server_to_client",
	"mac_algorithms_client_to_server",
	"mac_algorithms_server_to_client",
	"compression_algorithms_client_to_server",
	"compression_algorithms_server_to_client",
	"languages_client_to_server",
	"languages_server_to_client",
};

/* The name-lists in a HASSH, in order, for each side. */
static const uint8_t hassh_lists[2][4] = {
	[PD_TO_SERVER] = { 0, 2, 4, 6 },
	[PD_TO_CLIENT] = { 0, 3, 5, 7 },
};

static void hex(const uint8_t *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

bool ssh_parse_kexinit(struct ssh_side *side, enum pd_dir dir, const uint8_t *p, size_t n)
{
	struct pcur c = pcur_make(p, n);
	const uint8_t *lp[SSH_NAMELISTS];
	uint32_t ll[SSH_NAMELISTS];

	pcur_u8(&c);        /* message number */
	pcur_skip(&c, 16);  /* cookie: random, says nothing about the peer */
	for (unsigned i = 0; i < SSH_NAMELISTS; i++) {
		ll[i] = pcur_be32(&c);
		lp[i] = pcur_take(&c, ll[i]);
	}
	bool follows = pcur_u8(&c) != 0;
	pcur_be32(&c);      /* reserved */
	if (!pcur_ok(&c))
		return false;

	side->kexinit_seen = true;
	side->first_kex_follows = follows;
	for (unsigned i = 0; i < SSH_NAMELISTS; i++) {
		struct ssh_list *l = &side->list[i];
		size_t room = SSH_POOL - side->pool_used;
		size_t m = ll[i] < room ? ll[i] : room;
		l->off = side->pool_used;
		l->len = (uint16_t)m;
		l->wire_len = ll[i];
		l->trunc = m < ll[i];
		if (m > 0)
			memcpy(side->pool + l->off, lp[i], m);
		side->pool_used = (uint16_t)(side->pool_used + m);
	}

	/* Hashed from the packet, so a list too long for the pool still counts. */
	MD5_CTX ctx;
	uint8_t digest[MD5_DIGEST_LENGTH];
	MD5Init(&ctx);
	for (unsigned k = 0; k < 4; k++) {
		unsigned i = hassh_lists[dir][k];
		if (k > 0)
			MD5Update(&ctx, (const uint8_t *)";", 1);
		if (ll[i] > 0)
			MD5Update(&ctx, lp[i], ll[i]);
	}
	MD5Final(digest, &ctx);
	hex(digest, MD5_DIGEST_LENGTH, side->hassh);
	side->hassh_ok = true;
	return true;
}

bool ssh_hassh_string(const struct ssh_side *side, enum pd_dir dir, char *out, size_t cap,
                      size_t *len)
{
	size_t pos = 0;
	if (!side->hassh_ok || cap == 0)
		return false;
	for (unsigned k = 0; k < 4; k++) {
		const struct ssh_list *l = &side->list[hassh_lists[dir][k]];
		if (l->trunc || pos + l->len + 2 > cap)
			return false;
		if (k > 0)
			out[pos++] = ';';
		memcpy(out + pos, side->pool + l->off, l->len);
		pos += l->len;
	}
	out[pos] = '\0';
	*len = pos;
	return true;
}
