/* SPDX-License-Identifier: BSD-2-Clause */
/* Community ID v1 flow hashing (corelight/community-id-spec, "Version 1"). */
#include "output/meta.h"

#include <sha1.h>
#include <stdbool.h>
#include <string.h>

/* ICMP request/reply pairs (spec: ICMP4_counterpart). A type with no pair is
 * one-way: its tuple is hashed as seen, with the code as the second port. */
struct icmp_pair { uint8_t type, counterpart; };

static const struct icmp_pair icmp4_pairs[] = {
	{ 8, 0 }, { 0, 8 },       /* echo, echo reply */
	{ 13, 14 }, { 14, 13 },   /* timestamp */
	{ 15, 16 }, { 16, 15 },   /* information */
	{ 10, 9 },                /* router solicitation -> advertisement (one entry, as in the spec) */
	{ 17, 18 }, { 18, 17 },   /* address mask */
};

static const struct icmp_pair icmp6_pairs[] = {
	{ 128, 129 }, { 129, 128 }, /* echo */
	{ 133, 134 }, { 134, 133 }, /* router solicitation / advertisement */
	{ 135, 136 }, { 136, 135 }, /* neighbor solicitation / advertisement */
	{ 130, 131 }, { 131, 130 }, /* MLD query / report */
	{ 139, 140 }, { 140, 139 }, /* node information query / reply */
	{ 144, 145 }, { 145, 144 }, /* home agent address discovery */
};

static bool icmp_counterpart(const struct icmp_pair *t, size_t n, uint16_t type, uint16_t *out)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].type == type) {
			*out = t[i].counterpart;
			return true;
		}
	}
	return false;
}

/* (a, aport) < (b, bport): addresses as bytes, then ports. */
static bool endpoint_lt(const uint8_t *a, uint16_t aport, const uint8_t *b, uint16_t bport,
                        size_t alen)
{
	int c = memcmp(a, b, alen);
	return c < 0 || (c == 0 && aport < bport);
}

void out_community_digest(uint8_t digest[20], uint16_t seed, uint8_t ip_version, uint8_t proto,
                          const uint8_t *a, uint16_t aport, const uint8_t *b, uint16_t bport)
{
	size_t alen = ip_version == 6 ? 16 : 4;
	bool ports = true, one_way = false;

	switch (proto) {
	case 6: case 17: case 132:   /* TCP, UDP, SCTP */
		break;
	case 1:
		one_way = !icmp_counterpart(icmp4_pairs,
			sizeof(icmp4_pairs) / sizeof(icmp4_pairs[0]), aport, &bport);
		break;
	case 58:
		one_way = !icmp_counterpart(icmp6_pairs,
			sizeof(icmp6_pairs) / sizeof(icmp6_pairs[0]), aport, &bport);
		break;
	default:
		ports = false;
		aport = bport = 0;
		break;
	}
	if (!one_way && !endpoint_lt(a, aport, b, bport, alen)) {
		const uint8_t *t = a;
		uint16_t tp = aport;
		a = b;
		aport = bport;
		b = t;
		bport = tp;
	}

	uint8_t head[4] = { (uint8_t)(seed >> 8), (uint8_t)seed, proto, 0 };
	uint8_t pp[4] = { (uint8_t)(aport >> 8), (uint8_t)aport,
	                  (uint8_t)(bport >> 8), (uint8_t)bport };
	SHA1_CTX ctx;
	SHA1Init(&ctx);
	SHA1Update(&ctx, head, 2);
	SHA1Update(&ctx, a, alen);
	SHA1Update(&ctx, b, alen);
	SHA1Update(&ctx, head + 2, 2);
	if (ports)
		SHA1Update(&ctx, pp, 4);
	SHA1Final(digest, &ctx);
}

/* RFC 4648 section 4 base64 with padding; n = 20 gives 28 characters. */
static void base64(char *out, const uint8_t *in, size_t n)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

void out_community_id_format(char *out, const uint8_t digest[20])
{
	out[0] = '1';
	out[1] = ':';
	base64(out + 2, digest, 20);
}

void out_community_id(char *out, uint16_t seed, uint8_t ip_version, uint8_t proto,
                      const uint8_t *a, uint16_t aport, const uint8_t *b, uint16_t bport)
{
	uint8_t d[20];

	out_community_digest(d, seed, ip_version, proto, a, aport, b, bport);
	out_community_id_format(out, d);
}
