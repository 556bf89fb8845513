/* SPDX-License-Identifier: BSD-2-Clause */
/* Community ID v1 flow hashing (corelight/community-id-spec, "Version 1"),
 * with the SHA-1 of FIPS 180-4 section 6.1 for its one-block input. */
#include "output/meta.h"

#include <stdbool.h>
#include <string.h>

/* The hashed tuple is at most 2 + 16 + 16 + 2 + 4 = 40 bytes: one 64-byte block
 * once padded (FIPS 180-4 5.1.1: a 1 bit, zeros, the 64-bit length). A
 * general SHA-1 (init, several updates, pad, final) costs three times as much
 * as this one compression, and every flow needs it. */
#define CID_MAX_INPUT 40
_Static_assert(CID_MAX_INPUT + 1 + 8 <= 64, "Community ID input fits one SHA-1 block");

static uint32_t rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

/* One round: T = ROTL5(a) + f + e + K + W, then the words shift down. */
static inline void sha1_step(uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d, uint32_t *e,
                             uint32_t f, uint32_t k, uint32_t w)
{
	uint32_t t = rol32(*a, 5) + f + *e + k + w;
	*e = *d;
	*d = *c;
	*c = rol32(*b, 30);
	*b = *a;
	*a = t;
}

static void sha1_one_block(const uint8_t *msg, size_t len, uint8_t digest[20])
{
	uint8_t block[64] = { 0 };
	uint32_t w[80];
	uint32_t h[5] = { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u };

	memcpy(block, msg, len);
	block[len] = 0x80;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		block[63 - i] = (uint8_t)(bits >> (8 * i));
	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
		       (uint32_t)block[4 * t + 2] << 8 | block[4 * t + 3];
	for (int t = 16; t < 80; t++)
		w[t] = rol32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
	/* The four 20-round stages (FIPS 180-4 4.1.1, 4.2.1) as separate loops:
	 * no per-round choice of function and constant. */
	for (int t = 0; t < 20; t++)
		sha1_step(&a, &b, &c, &d, &e, (b & c) | (~b & d), 0x5A827999u, w[t]);
	for (int t = 20; t < 40; t++)
		sha1_step(&a, &b, &c, &d, &e, b ^ c ^ d, 0x6ED9EBA1u, w[t]);
	for (int t = 40; t < 60; t++)
		sha1_step(&a, &b, &c, &d, &e, (b & c) | (b & d) | (c & d), 0x8F1BBCDCu, w[t]);
	for (int t = 60; t < 80; t++)
		sha1_step(&a, &b, &c, &d, &e, b ^ c ^ d, 0xCA62C1D6u, w[t]);
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	for (int i = 0; i < 5; i++) {
		digest[4 * i] = (uint8_t)(h[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(h[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(h[i] >> 8);
		digest[4 * i + 3] = (uint8_t)h[i];
	}
}

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

	/* seed, a, b, proto, pad, then the ports when the protocol has them */
	uint8_t in[CID_MAX_INPUT];
	size_t n = 0;
	in[n++] = (uint8_t)(seed >> 8);
	in[n++] = (uint8_t)seed;
	memcpy(in + n, a, alen);
	n += alen;
	memcpy(in + n, b, alen);
	n += alen;
	in[n++] = proto;
	in[n++] = 0;
	if (ports) {
		in[n++] = (uint8_t)(aport >> 8);
		in[n++] = (uint8_t)aport;
		in[n++] = (uint8_t)(bport >> 8);
		in[n++] = (uint8_t)bport;
	}
	sha1_one_block(in, n, digest);
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
