/* SPDX-License-Identifier: BSD-2-Clause */
/* TLS client fingerprints: JA4 (FoxIO, technical_details/JA4.md in
 * github.com/FoxIO-LLC/ja4) and JA3/JA3S (Salesforce, github.com/salesforce/ja3).
 *
 * JA4 = a_b_c:
 *   a: "t" + version (highest supported_versions entry, else legacy_version)
 *      + "d"/"i" (server_name present or not) + 2-digit cipher count
 *      + 2-digit extension count + first and last character of the first ALPN
 *   b: first 12 hex digits of SHA-256 over the sorted cipher list
 *      ("002f,0035,...")
 *   c: the same over the sorted extension list without server_name and ALPN,
 *      then "_" and the signature algorithms in wire order (when any).
 * GREASE values (RFC 8701) are ignored everywhere; an empty b or c list is
 * written as twelve zeros. The hashes are fed directly, no string is built.
 */
#include <md5.h>
#include <sha2.h>
#include <stdio.h>
#include <string.h>

#include "handlers/tls.h"

static const char hexdig[] = "0123456789abcdef";

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

static bool is_alnum(uint8_t b)
{
	return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
}

/* Copies v[] without GREASE (and without the values in `drop`) into out,
 * sorted ascending when `sort`. Returns the count. */
static size_t filtered(const uint16_t *v, size_t n, uint16_t *out, bool sort, bool drop_sni_alpn)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		if (drop_sni_alpn && (v[i] == TLS_EXT_SERVER_NAME || v[i] == TLS_EXT_ALPN))
			continue;
		out[k++] = v[i];
	}
	if (sort) {
		/* Insertion sort: lists are short (<= TLS_MAX_CIPHERS). */
		for (size_t i = 1; i < k; i++) {
			uint16_t x = out[i];
			size_t j = i;
			for (; j > 0 && out[j - 1] > x; j--)
				out[j] = out[j - 1];
			out[j] = x;
		}
	}
	return k;
}

/* Feeds "xxxx,yyyy,..." (4 lowercase hex digits each) to ctx. */
static void hash_list(SHA2_CTX *ctx, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t s[5] = { ',', (uint8_t)hexdig[v[i] >> 12], (uint8_t)hexdig[(v[i] >> 8) & 15],
		                 (uint8_t)hexdig[(v[i] >> 4) & 15], (uint8_t)hexdig[v[i] & 15] };
		if (i == 0)
			SHA256Update(ctx, s + 1, 4);
		else
			SHA256Update(ctx, s, 5);
	}
}

static void hash12(SHA2_CTX *ctx, char *out)
{
	uint8_t d[SHA256_DIGEST_LENGTH];
	SHA256Final(d, ctx);
	for (size_t i = 0; i < 6; i++) {
		out[2 * i] = hexdig[d[i] >> 4];
		out[2 * i + 1] = hexdig[d[i] & 15];
	}
}

/* The two ALPN characters of section a. */
static void ja4_alpn(const struct tls_client_hello *ch, char out[2])
{
	out[0] = out[1] = '0';
	if (!ch->has_alpn || ch->n_alpn == 0 || ch->alpn_len[0] == 0)
		return;
	const uint8_t *a = ch->alpn_pool + ch->alpn_off[0];
	uint8_t first = a[0], last = a[ch->alpn_len[0] - 1];
	if (is_alnum(first) && is_alnum(last)) {
		out[0] = (char)first;
		out[1] = (char)last;
	} else {
		/* First and last digit of the hex form of the whole value. */
		out[0] = hexdig[first >> 4];
		out[1] = hexdig[last & 15];
	}
}

int tls_ja4(const struct tls_client_hello *ch, char out[TLS_JA4_LEN])
{
	out[0] = '\0';
	if (ch->overflow)
		return -1;

	uint16_t version = ch->legacy_version;
	bool have = false;
	for (size_t i = 0; ch->has_versions && i < ch->n_versions; i++) {
		uint16_t v = ch->versions[i];
		if (!tls_is_grease(v) && (!have || v > version)) {
			version = v;
			have = true;
		}
	}

	uint16_t buf[TLS_MAX_CIPHERS];
	size_t n_ciphers = filtered(ch->ciphers, ch->n_ciphers, buf, false, false);
	size_t n_exts = filtered(ch->exts, ch->n_exts, buf, false, false);
	char alpn[2];
	ja4_alpn(ch, alpn);
	snprintf(out, TLS_JA4_LEN, "t%s%c%02u%02u%c%c_", ja4_version(version),
	         ch->has_sni ? 'd' : 'i', (unsigned)(n_ciphers > 99 ? 99 : n_ciphers),
	         (unsigned)(n_exts > 99 ? 99 : n_exts), alpn[0], alpn[1]);
	char *b = out + 11;
	char *c = out + 24;

	SHA2_CTX ctx;
	n_ciphers = filtered(ch->ciphers, ch->n_ciphers, buf, true, false);
	if (n_ciphers == 0) {
		memset(b, '0', 12);
	} else {
		SHA256Init(&ctx);
		hash_list(&ctx, buf, n_ciphers);
		hash12(&ctx, b);
	}
	b[12] = '_';

	n_exts = filtered(ch->exts, ch->n_exts, buf, true, true);
	if (n_exts == 0) {
		memset(c, '0', 12);
	} else {
		SHA256Init(&ctx);
		hash_list(&ctx, buf, n_exts);
		uint16_t sig[TLS_MAX_SIGALGS];
		size_t n_sig = filtered(ch->sigalgs, ch->n_sigalgs, sig, false, false);
		if (n_sig > 0) {
			SHA256Update(&ctx, (const uint8_t *)"_", 1);
			hash_list(&ctx, sig, n_sig);
		}
		hash12(&ctx, c);
	}
	c[12] = '\0';
	return 0;
}

/* Appends "sep" + decimal values (GREASE dropped), joined with '-'. */
static bool ja3_list16(char *str, size_t strsz, size_t *pos, const uint16_t *v, size_t n,
                       bool comma)
{
	bool first = true;
	if (comma) {
		if (*pos + 1 >= strsz)
			return false;
		str[(*pos)++] = ',';
		str[*pos] = '\0';
	}
	for (size_t i = 0; i < n; i++) {
		if (tls_is_grease(v[i]))
			continue;
		int w = snprintf(str + *pos, strsz - *pos, first ? "%u" : "-%u", (unsigned)v[i]);
		if (w < 0 || (size_t)w >= strsz - *pos)
			return false;
		*pos += (size_t)w;
		first = false;
	}
	return true;
}

static void md5_hex(const char *s, size_t n, char hash[TLS_JA3_HASH_LEN])
{
	MD5_CTX ctx;
	uint8_t d[MD5_DIGEST_LENGTH];
	MD5Init(&ctx);
	MD5Update(&ctx, (const uint8_t *)s, n);
	MD5Final(d, &ctx);
	for (size_t i = 0; i < MD5_DIGEST_LENGTH; i++) {
		hash[2 * i] = hexdig[d[i] >> 4];
		hash[2 * i + 1] = hexdig[d[i] & 15];
	}
	hash[32] = '\0';
}

int tls_ja3(const struct tls_client_hello *ch, char *str, size_t strsz,
            char hash[TLS_JA3_HASH_LEN])
{
	hash[0] = '\0';
	if (strsz == 0)
		return -1;
	str[0] = '\0';
	if (ch->overflow)
		return -1;
	uint16_t pf[TLS_MAX_POINT_FORMATS];
	for (size_t i = 0; i < ch->n_point_formats; i++)
		pf[i] = ch->point_formats[i];
	uint16_t ver = ch->legacy_version;
	size_t pos = 0;
	if (!ja3_list16(str, strsz, &pos, &ver, 1, false) ||
	    !ja3_list16(str, strsz, &pos, ch->ciphers, ch->n_ciphers, true) ||
	    !ja3_list16(str, strsz, &pos, ch->exts, ch->n_exts, true) ||
	    !ja3_list16(str, strsz, &pos, ch->groups, ch->n_groups, true) ||
	    !ja3_list16(str, strsz, &pos, pf, ch->n_point_formats, true)) {
		str[0] = '\0';
		return -1;
	}
	md5_hex(str, pos, hash);
	return 0;
}

int tls_ja3s(const struct tls_server_hello *sh, char *str, size_t strsz,
             char hash[TLS_JA3_HASH_LEN])
{
	hash[0] = '\0';
	if (strsz == 0)
		return -1;
	str[0] = '\0';
	if (sh->overflow)
		return -1;
	uint16_t ver = sh->legacy_version, cipher = sh->cipher;
	size_t pos = 0;
	if (!ja3_list16(str, strsz, &pos, &ver, 1, false) ||
	    !ja3_list16(str, strsz, &pos, &cipher, 1, true) ||
	    !ja3_list16(str, strsz, &pos, sh->exts, sh->n_exts, true)) {
		str[0] = '\0';
		return -1;
	}
	md5_hex(str, pos, hash);
	return 0;
}
