/* SPDX-License-Identifier: BSD-2-Clause */
/* Community ID v1 flow hashing (corelight/community-id-spec, "Version 1"),
 * with the SHA-1 of FIPS 180-4 section 6.1 for its one-block input. */
#include "output/meta.h"

#include <stdbool.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define CID_SHA_NI 1
#endif

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

#ifdef CID_SHA_NI
/* The same compression with the x86 SHA extensions (SHA-NI), where the CPU
 * has them: four rounds per instruction, the message schedule in four
 * registers. h (FIPS 180-4 H0..H4) is updated in place. */
__attribute__((target("sha,ssse3,sse4.1"))) static void sha1_block_ni(const uint8_t block[64],
                                                                      uint32_t h[5])
{
	/* Byte order: lane 3 holds the first big-endian word. */
	const __m128i rev = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
	__m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)h), 0x1B);
	__m128i abcd0 = abcd;
	__m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0);
	__m128i w[4];
	for (int i = 0; i < 4; i++)
		w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(block + 16 * i)),
		                        rev);

	/* Twenty groups of four rounds; group g uses w[g % 4] and then makes
	 * the words of group g + 4 (W[t] for t >= 16, FIPS 180-4 6.1.2). */
	__m128i e = _mm_add_epi32(e0, w[0]), prev = abcd;
#define CID_GROUP(g, func)                                                                  \
	do {                                                                                 \
		if ((g) > 0)                                                                 \
			e = _mm_sha1nexte_epu32(prev, w[(g) % 4]);                           \
		prev = abcd;                                                                 \
		abcd = _mm_sha1rnds4_epu32(abcd, e, func);                                   \
		if ((g) >= 3 && (g) < 19) {                                                  \
			__m128i *n = &w[((g) + 1) % 4];                                      \
			*n = _mm_sha1msg2_epu32(                                             \
			    _mm_xor_si128(_mm_sha1msg1_epu32(*n, w[((g) + 2) % 4]),           \
			                  w[((g) + 3) % 4]),                                 \
			    w[(g) % 4]);                                                     \
		}                                                                            \
	} while (0)
	for (int g = 0; g < 5; g++)
		CID_GROUP(g, 0);
	for (int g = 5; g < 10; g++)
		CID_GROUP(g, 1);
	for (int g = 10; g < 15; g++)
		CID_GROUP(g, 2);
	for (int g = 15; g < 20; g++)
		CID_GROUP(g, 3);
#undef CID_GROUP
	e = _mm_sha1nexte_epu32(prev, e0);
	abcd = _mm_shuffle_epi32(_mm_add_epi32(abcd, abcd0), 0x1B);
	_mm_storeu_si128((__m128i *)(void *)h, abcd);
	h[4] = (uint32_t)_mm_extract_epi32(e, 3);
}

/* CPUID leaf 7 EBX bit 29 (SHA), leaf 1 ECX bits 9 (SSSE3) and 19 (SSE4.1). */
static bool have_sha_ni(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return false;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}
#endif

/* The portable compression of one block (FIPS 180-4 6.1.2); h is updated. */
static void sha1_block_c(const uint8_t block[64], uint32_t h[5])
{
	uint32_t w[80];

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
}

#ifdef CID_SHA_NI
/* Chosen once, by the dynamic linker (GNU indirect function): no state here. */
typedef void sha1_block_fn(const uint8_t block[64], uint32_t h[5]);
__attribute__((used)) static sha1_block_fn *sha1_block_resolve(void)
{
	return have_sha_ni() ? sha1_block_ni : sha1_block_c;
}
static sha1_block_fn sha1_block __attribute__((ifunc("sha1_block_resolve")));
#else
#define sha1_block sha1_block_c
#endif

static void sha1_one_block(const uint8_t *msg, size_t len, uint8_t digest[20])
{
	uint8_t block[64] = { 0 };
	uint32_t h[5] = { 0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u };

	memcpy(block, msg, len);
	block[len] = 0x80;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		block[63 - i] = (uint8_t)(bits >> (8 * i));
	sha1_block(block, h);
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
