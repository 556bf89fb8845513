/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite for the TLS decoders: hello parsers, names, JA4/JA3, X.509. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/tls.h"
#include "tests/test_tls_build.h"
#include "tests/test_tls_data.h"

static struct tb t;
static uint8_t hs[TB_CAP];

static const uint16_t ex_ciphers[] = { 0x0a0a, 0x1301, 0x1302, 0xc02b, 0x00ff };
static const char *const ex_alpn[] = { "h2", "http/1.1" };
static const uint16_t ex_groups[] = { 0x2a2a, 29, 23 };
static const uint16_t ex_sigalgs[] = { 0x0403, 0x0804, 0x0401 };
static const uint16_t ex_versions[] = { 0x3a3a, 0x0304, 0x0303 };
static const uint16_t ex_extra[] = { 0x4a4a, 0x0017 };

static const struct ch_spec example = {
	.version = 0x0303, .sid_len = 32,
	.ciphers = ex_ciphers, .n_ciphers = 5,
	.sni = "example.com",
	.alpn = ex_alpn, .n_alpn = 2,
	.groups = ex_groups, .n_groups = 3,
	.sigalgs = ex_sigalgs, .n_sigalgs = 3,
	.versions = ex_versions, .n_versions = 3,
	.extra_exts = ex_extra, .n_extra = 2,
};

/* The body of the first message of `type` sent in direction dir of segs. */
static const uint8_t *real_msg(const struct tls_seg *segs, size_t n, int dir, uint8_t type,
                               size_t *len)
{
	size_t k = tb_hs_stream(segs, n, dir, hs, sizeof(hs), NULL);
	const uint8_t *m = tb_find_msg(hs, k, type, len);
	ck_assert_ptr_nonnull(m);
	return m;
}

START_TEST(client_hello_fields)
{
	struct tls_client_hello ch;
	const char *why = NULL;
	tb_init(&t);
	tb_client_hello(&t, &example);
	ck_assert_int_eq(tls_parse_client_hello(t.b + 4, t.n - 4, &ch, &why), TLS_OK);
	ck_assert_uint_eq(ch.legacy_version, 0x0303);
	ck_assert_uint_eq(ch.session_id_len, 32);
	ck_assert_uint_eq(ch.n_ciphers, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_uint_eq(ch.ciphers[i], ex_ciphers[i]);
	ck_assert_uint_eq(ch.n_compression, 1);
	ck_assert_uint_eq(ch.compression[0], 0);
	static const uint16_t exts[] = { 0x4a4a, 0x0017, 0, 16, 10, 13, 43 };
	ck_assert_uint_eq(ch.n_exts, 7);
	for (size_t i = 0; i < 7; i++)
		ck_assert_uint_eq(ch.exts[i], exts[i]);
	ck_assert(ch.has_sni);
	ck_assert_uint_eq(ch.sni_len, 11);
	ck_assert_mem_eq(ch.sni, "example.com", 11);
	ck_assert(ch.has_alpn);
	ck_assert_uint_eq(ch.n_alpn, 2);
	ck_assert_uint_eq(ch.alpn_len[0], 2);
	ck_assert_mem_eq(ch.alpn_pool + ch.alpn_off[0], "h2", 2);
	ck_assert_uint_eq(ch.alpn_len[1], 8);
	ck_assert_mem_eq(ch.alpn_pool + ch.alpn_off[1], "http/1.1", 8);
	ck_assert_uint_eq(ch.n_groups, 3);
	ck_assert_uint_eq(ch.groups[1], 29);
	ck_assert_uint_eq(ch.n_sigalgs, 3);
	ck_assert_uint_eq(ch.sigalgs[2], 0x0401);
	ck_assert(ch.has_versions);
	ck_assert_uint_eq(ch.n_versions, 3);
	ck_assert_uint_eq(ch.versions[1], 0x0304);
	ck_assert(ch.grease);
	ck_assert(!ch.has_point_formats);
	ck_assert(!ch.overflow);

	/* JA4 cross-checked with Python's hashlib over the same lists:
	 * sha256("00ff,1301,1302,c02b") and sha256("000a,000d,0017,002b_0403,0804,0401"). */
	char ja4[TLS_JA4_LEN];
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_str_eq(ja4, "t13d0406h2_d71680ff791e_719cb00056bf");
}
END_TEST

/* More ALPN names than kept: the first 16 stay, the fingerprints too. */
START_TEST(client_hello_many_alpn)
{
	static const char *const many[20] = { "a1", "b2", "c3", "d4", "e5", "f6", "g7", "h8", "i9",
	                                      "j0", "k1", "l2", "m3", "n4", "o5", "p6", "q7", "r8",
	                                      "s9", "t0" };
	struct ch_spec spec = example;
	spec.alpn = many;
	spec.n_alpn = 20;
	struct tls_client_hello ch;
	const char *why;
	tb_init(&t);
	tb_client_hello(&t, &spec);
	ck_assert_int_eq(tls_parse_client_hello(t.b + 4, t.n - 4, &ch, &why), TLS_OK);
	ck_assert_uint_eq(ch.n_alpn, TLS_MAX_ALPN);
	ck_assert_mem_eq(ch.alpn_pool + ch.alpn_off[15], "p6", 2);
	ck_assert(!ch.overflow);
	char ja4[TLS_JA4_LEN];
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_mem_eq(ja4, "t13d0406a1_", 11);
}
END_TEST

START_TEST(client_hello_real)
{
	size_t len;
	struct tls_client_hello ch;
	const char *why;
	const uint8_t *m = real_msg(tls_d16, tls_d16_count, PD_TO_SERVER, 1, &len);
	ck_assert_int_eq(tls_parse_client_hello(m, len, &ch, &why), TLS_OK);
	ck_assert_uint_eq(ch.legacy_version, 0x0303);
	ck_assert_uint_eq(ch.session_id_len, 32);
	ck_assert_uint_eq(ch.n_ciphers, 31);
	ck_assert_uint_eq(ch.ciphers[0], 0x1302);
	ck_assert_uint_eq(ch.ciphers[30], 0x00ff);
	/* Order as tshark's JA3 string lists them. */
	static const uint16_t exts[] = { 0, 11, 10, 16, 22, 23, 49, 13, 43, 45, 51, 21 };
	ck_assert_uint_eq(ch.n_exts, 12);
	for (size_t i = 0; i < 12; i++)
		ck_assert_uint_eq(ch.exts[i], exts[i]);
	ck_assert_uint_eq(ch.sni_len, 13);
	ck_assert_mem_eq(ch.sni, "www.corp.test", 13);
	ck_assert_uint_eq(ch.n_alpn, 1);
	ck_assert_mem_eq(ch.alpn_pool, "http/1.1", 8);
	static const uint16_t groups[] = { 29, 23, 30, 25, 24, 256, 257, 258, 259, 260 };
	ck_assert_uint_eq(ch.n_groups, 10);
	for (size_t i = 0; i < 10; i++)
		ck_assert_uint_eq(ch.groups[i], groups[i]);
	ck_assert_uint_eq(ch.n_point_formats, 3);
	ck_assert_uint_eq(ch.point_formats[2], 2);
	ck_assert_uint_eq(ch.n_versions, 4);
	ck_assert_uint_eq(ch.versions[0], 0x0304);
	ck_assert_uint_eq(ch.versions[3], 0x0301);
	ck_assert_uint_eq(ch.n_sigalgs, 20);
	ck_assert_uint_eq(ch.sigalgs[0], 0x0403);
	ck_assert(!ch.grease);

	/* JA4 from an independent Python computation over tshark's fields;
	 * JA3 from tshark's own tls.handshake.ja3. */
	char ja4[TLS_JA4_LEN], hash[TLS_JA3_HASH_LEN], str[TLS_JA3_STR_MAX];
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_str_eq(ja4, "t13d3112h1_e8f1e7e78f70_b26ce05bbdd6");
	ck_assert_int_eq(tls_ja3(&ch, str, sizeof(str), hash), 0);
	ck_assert_str_eq(str, "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-"
	                      "158-49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-"
	                      "157-156-61-60-53-47-255,0-11-10-16-22-23-49-13-43-45-51-21,"
	                      "29-23-30-25-24-256-257-258-259-260,0-1-2");
	ck_assert_str_eq(hash, "0149f47eabf9a20d0893e2a44e5a6323");

	m = real_msg(tls_d12, tls_d12_count, PD_TO_SERVER, 1, &len);
	ck_assert_int_eq(tls_parse_client_hello(m, len, &ch, &why), TLS_OK);
	ck_assert(!ch.has_sni);
	ck_assert(!ch.has_alpn);
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_str_eq(ja4, "t13i311000_e8f1e7e78f70_d41ae481755e");
	ck_assert_int_eq(tls_ja3(&ch, str, sizeof(str), hash), 0);
	ck_assert_str_eq(hash, "c12b4ccd5320bbb380ca1a9df90f771d");
}
END_TEST

START_TEST(server_hello_real)
{
	size_t len;
	struct tls_server_hello sh;
	const char *why;
	char hash[TLS_JA3_HASH_LEN], str[TLS_JA3_STR_MAX];

	const uint8_t *m = real_msg(tls_d16, tls_d16_count, PD_TO_CLIENT, 2, &len);
	ck_assert_int_eq(tls_parse_server_hello(m, len, &sh, &why), TLS_OK);
	ck_assert_uint_eq(sh.legacy_version, 0x0303);
	ck_assert(!sh.has_selected);
	ck_assert_uint_eq(tls_server_version(&sh), 0x0303);
	ck_assert_uint_eq(sh.cipher, 0xc030);
	ck_assert(!sh.hrr);
	static const uint16_t exts[] = { 65281, 0, 11, 16, 23 };
	ck_assert_uint_eq(sh.n_exts, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_uint_eq(sh.exts[i], exts[i]);
	ck_assert(sh.has_alpn);
	ck_assert_uint_eq(sh.alpn_len, 8);
	ck_assert_mem_eq(sh.alpn, "http/1.1", 8);
	ck_assert_int_eq(tls_ja3s(&sh, str, sizeof(str), hash), 0);
	ck_assert_str_eq(str, "771,49200,65281-0-11-16-23");
	ck_assert_str_eq(hash, "263c859c5391203d774bc0599793d915");

	m = real_msg(tls_d12, tls_d12_count, PD_TO_CLIENT, 2, &len);
	ck_assert_int_eq(tls_parse_server_hello(m, len, &sh, &why), TLS_OK);
	ck_assert(sh.has_selected);
	ck_assert_uint_eq(sh.selected_version, 0x0304);
	ck_assert_uint_eq(tls_server_version(&sh), 0x0304);
	ck_assert_uint_eq(sh.cipher, 0x1302);
	ck_assert_uint_eq(sh.session_id_len, 32);
	ck_assert_int_eq(tls_ja3s(&sh, str, sizeof(str), hash), 0);
	ck_assert_str_eq(hash, "15af977ce25de452b96affa2addb1036");
}
END_TEST

START_TEST(server_hello_hrr)
{
	struct tls_server_hello sh;
	const char *why;
	tb_init(&t);
	tb_server_hello(&t, 0x0303, 0x1301, 1, 0x0304, NULL);
	ck_assert_int_eq(tls_parse_server_hello(t.b + 4, t.n - 4, &sh, &why), TLS_OK);
	ck_assert(sh.hrr);
	ck_assert_uint_eq(tls_server_version(&sh), 0x0304);
	tb_init(&t);
	tb_server_hello(&t, 0x0303, 0x1301, 0, 0x0304, "h2");
	ck_assert_int_eq(tls_parse_server_hello(t.b + 4, t.n - 4, &sh, &why), TLS_OK);
	ck_assert(!sh.hrr);
	ck_assert_uint_eq(sh.alpn_len, 2);
	ck_assert_uint_eq(sh.n_exts, 3);

	/* draft-ietf-tls-tls13-19: version 0x7f13, no session id or compression. */
	tb_init(&t);
	tb_u16(&t, 0x7f13);
	for (int i = 0; i < 32; i++)
		tb_u8(&t, 0x22);
	tb_u16(&t, 0x1301);
	tb_open(&t, 2);
	tb_u16(&t, 51);
	tb_u16(&t, 0);
	tb_close(&t);
	ck_assert_int_eq(tls_parse_server_hello(t.b, t.n, &sh, &why), TLS_OK);
	ck_assert_uint_eq(sh.cipher, 0x1301);
	ck_assert_uint_eq(sh.n_exts, 1);
	ck_assert_uint_eq(sh.exts[0], 51);
	ck_assert_uint_eq(tls_server_version(&sh), 0x7f13);
	char buf[24];
	ck_assert_str_eq(tls_version_name(tls_server_version(&sh), buf), "TLS 1.3 draft-19");
	t.b[0] = 0x03; /* early drafts wrote 0x0304 in the same layout */
	t.b[1] = 0x04;
	ck_assert_int_eq(tls_parse_server_hello(t.b, t.n, &sh, &why), TLS_OK);
	ck_assert_uint_eq(sh.cipher, 0x1301);
	ck_assert_uint_eq(tls_server_version(&sh), 0x0304);
}
END_TEST

/* Malformed and truncated hello bodies, each built field by field. */
struct bad_case {
	const char *name;
	int client;       /* ClientHello (1) or ServerHello (0) */
	int status;
	const char *why;
};

static void hello_head(struct tb *b, uint8_t sid_len)
{
	tb_u16(b, 0x0303);
	for (int i = 0; i < 32; i++)
		tb_u8(b, 0);
	tb_u8(b, sid_len);
	for (unsigned i = 0; i < sid_len; i++)
		tb_u8(b, 1);
}

static void build_bad(struct tb *b, int i)
{
	tb_init(b);
	switch (i) {
	case 0: /* session id of 33 bytes */
		hello_head(b, 33);
		tb_u16(b, 2); tb_u16(b, 0x1301); tb_u8(b, 1); tb_u8(b, 0);
		break;
	case 1: /* odd cipher_suites length */
		hello_head(b, 0);
		tb_u16(b, 3); tb_u16(b, 0x1301); tb_u8(b, 0x13); tb_u8(b, 1); tb_u8(b, 0);
		break;
	case 2: /* empty cipher_suites */
		hello_head(b, 0);
		tb_u16(b, 0); tb_u8(b, 1); tb_u8(b, 0);
		break;
	case 3: /* no compression method */
		hello_head(b, 0);
		tb_u16(b, 2); tb_u16(b, 0x1301); tb_u8(b, 0);
		break;
	case 4: /* extension data past the end */
		hello_head(b, 0);
		tb_u16(b, 2); tb_u16(b, 0x1301); tb_u8(b, 1); tb_u8(b, 0);
		tb_u16(b, 8); tb_u16(b, 23); tb_u16(b, 10); tb_u16(b, 0); tb_u16(b, 0);
		break;
	case 5: /* a byte after the extensions */
		hello_head(b, 0);
		tb_u16(b, 2); tb_u16(b, 0x1301); tb_u8(b, 1); tb_u8(b, 0);
		tb_u16(b, 4); tb_u16(b, 23); tb_u16(b, 0); tb_u8(b, 0);
		break;
	case 6: /* host_name longer than server_name */
		hello_head(b, 0);
		tb_u16(b, 2); tb_u16(b, 0x1301); tb_u8(b, 1); tb_u8(b, 0);
		tb_u16(b, 11); tb_u16(b, 0); tb_u16(b, 7);
		tb_u16(b, 5); tb_u8(b, 0); tb_u16(b, 9); tb_u16(b, 0x6162);
		break;
	case 7: /* ALPN with an empty protocol name */
		hello_head(b, 0);
		tb_u16(b, 2); tb_u16(b, 0x1301); tb_u8(b, 1); tb_u8(b, 0);
		tb_u16(b, 8); tb_u16(b, 16); tb_u16(b, 4); tb_u16(b, 2); tb_u8(b, 0); tb_u8(b, 0);
		break;
	case 8: /* supported_versions of odd length */
		hello_head(b, 0);
		tb_u16(b, 2); tb_u16(b, 0x1301); tb_u8(b, 1); tb_u8(b, 0);
		tb_u16(b, 8); tb_u16(b, 43); tb_u16(b, 4); tb_u8(b, 3); tb_u16(b, 0x0304); tb_u8(b, 3);
		break;
	case 9: /* ServerHello cut inside the cipher suite */
		hello_head(b, 0);
		tb_u8(b, 0x13);
		break;
	case 10: /* ServerHello with a 33-byte session id */
		hello_head(b, 33);
		tb_u16(b, 0x1301); tb_u8(b, 0);
		break;
	case 11: /* ServerHello ALPN with two names */
		hello_head(b, 0);
		tb_u16(b, 0x1301); tb_u8(b, 0);
		tb_u16(b, 10); tb_u16(b, 16); tb_u16(b, 6); tb_u16(b, 4);
		tb_u8(b, 1); tb_u8(b, 'a'); tb_u8(b, 1); tb_u8(b, 'b');
		break;
	case 12: /* ServerHello supported_versions with 3 bytes */
		hello_head(b, 0);
		tb_u16(b, 0x1301); tb_u8(b, 0);
		tb_u16(b, 7); tb_u16(b, 43); tb_u16(b, 3); tb_u16(b, 0x0304); tb_u8(b, 0);
		break;
	default:
		ck_abort();
	}
}

static const struct bad_case bad_cases[] = {
	{ "client session id 33", 1, TLS_MALFORMED, "session_id" },
	{ "client odd suites", 1, TLS_MALFORMED, "cipher_suites" },
	{ "client no suites", 1, TLS_MALFORMED, "cipher_suites" },
	{ "client no compression", 1, TLS_MALFORMED, "compression_methods" },
	{ "client extension overrun", 1, TLS_TRUNCATED, "extensions" },
	{ "client trailing byte", 1, TLS_MALFORMED, "extensions" },
	{ "client sni overrun", 1, TLS_TRUNCATED, "server_name" },
	{ "client empty alpn name", 1, TLS_MALFORMED, "alpn" },
	{ "client odd versions", 1, TLS_MALFORMED, "supported_versions" },
	{ "server cut", 0, TLS_TRUNCATED, "server_hello" },
	{ "server session id 33", 0, TLS_MALFORMED, "session_id" },
	{ "server alpn two names", 0, TLS_MALFORMED, "alpn" },
	{ "server versions 3 bytes", 0, TLS_MALFORMED, "supported_versions" },
};

START_TEST(hello_bad)
{
	const struct bad_case *c = &bad_cases[_i];
	const char *why = NULL;
	int r;
	build_bad(&t, _i);
	if (c->client) {
		struct tls_client_hello ch;
		r = tls_parse_client_hello(t.b, t.n, &ch, &why);
	} else {
		struct tls_server_hello sh;
		r = tls_parse_server_hello(t.b, t.n, &sh, &why);
	}
	ck_assert_msg(r == c->status, "%s: status %d", c->name, r);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strcmp(why, c->why) == 0, "%s: why %s", c->name, why);
}
END_TEST

/* Every prefix of a valid hello body is an error, except the one that ends
 * right after the compression methods (a hello without extensions is valid,
 * RFC 5246 7.4.1.2) -- and then no extension field is set. */
START_TEST(hello_truncation_sweep)
{
	size_t len;
	const uint8_t *m = real_msg(tls_d16, tls_d16_count, PD_TO_SERVER, 1, &len);
	uint8_t *copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	/* ext_start: version, random, session id, suites, compression. */
	size_t sid = m[34], suites = ((size_t)m[35 + sid] << 8) | m[36 + sid];
	size_t ext_start = 2 + 32 + 1 + sid + 2 + suites + 1 + m[37 + sid + suites];
	for (size_t n = 0; n < len; n++) {
		memcpy(copy, m, n); /* exact-size heap copy: ASan sees any overread */
		struct tls_client_hello ch;
		const char *why = NULL;
		int r = tls_parse_client_hello(copy, n, &ch, &why);
		if (n == ext_start) {
			ck_assert_int_eq(r, TLS_OK);
			ck_assert_uint_eq(ch.n_exts, 0);
			ck_assert(!ch.has_sni);
		} else {
			ck_assert_msg(r != TLS_OK, "prefix %zu accepted", n);
			ck_assert_ptr_nonnull(why);
		}
	}
	free(copy);

	m = real_msg(tls_d16, tls_d16_count, PD_TO_CLIENT, 2, &len);
	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	size_t sh_fixed = 2 + 32 + 1 + (size_t)m[34] + 2 + 1;
	for (size_t n = 0; n < len; n++) {
		memcpy(copy, m, n);
		struct tls_server_hello sh;
		const char *why = NULL;
		int r = tls_parse_server_hello(copy, n, &sh, &why);
		if (n == sh_fixed)
			ck_assert_int_eq(r, TLS_OK);
		else
			ck_assert_msg(r != TLS_OK, "prefix %zu accepted", n);
	}
	free(copy);
}
END_TEST

START_TEST(names)
{
	char buf[24], hx[8];
	ck_assert_str_eq(tls_cipher_name(0x0000), "TLS_NULL_WITH_NULL_NULL");
	ck_assert_str_eq(tls_cipher_name(0x1302), "TLS_AES_256_GCM_SHA384");
	ck_assert_str_eq(tls_cipher_name(0xc030), "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
	ck_assert_str_eq(tls_cipher_name(0xccad), "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256");
	ck_assert_str_eq(tls_cipher_name(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
	ck_assert_ptr_null(tls_cipher_name(0x1234));
	ck_assert_ptr_null(tls_cipher_name(0x0a0a));
	ck_assert_str_eq(tls_group_name(21), "secp224r1");
	ck_assert_str_eq(tls_group_name(29), "x25519");
	ck_assert_str_eq(tls_group_name(4588), "X25519MLKEM768");
	ck_assert_str_eq(tls_group_name(25497), "X25519Kyber768Draft00");
	ck_assert_ptr_null(tls_group_name(0x2a2a));
	ck_assert_str_eq(tls_sigalg_name(0x0201), "rsa_pkcs1_sha1");
	ck_assert_str_eq(tls_sigalg_name(0x0807), "ed25519");
	ck_assert_str_eq(tls_sigalg_name(0x081c), "ecdsa_brainpoolP512r1tls13_sha512");
	ck_assert_ptr_null(tls_sigalg_name(0x0804 + 0x100));
	ck_assert_str_eq(tls_version_name(0x0304, buf), "TLS 1.3");
	ck_assert_str_eq(tls_version_name(0x0300, buf), "SSLv3");
	ck_assert_str_eq(tls_version_name(0x0301, buf), "TLSv1");
	ck_assert_str_eq(tls_version_name(0x0302, buf), "TLS 1.1");
	ck_assert_str_eq(tls_version_name(0x7f1c, buf), "TLS 1.3 draft-28");
	ck_assert_ptr_null(tls_version_name(0x0a0a, buf));
	ck_assert_str_eq(tls_name_or_hex(NULL, 0x0a0a, hx), "0x0a0a");
	ck_assert_str_eq(tls_name_or_hex("x", 0x0a0a, hx), "x");
	ck_assert(tls_is_grease(0x0a0a) && tls_is_grease(0xfafa) && tls_is_grease(0x5a5a));
	ck_assert(!tls_is_grease(0x0a1a) && !tls_is_grease(0x0b0b) && !tls_is_grease(0x1301));
}
END_TEST

/* ---- JA4 on the published vectors (FoxIO technical_details/JA4.md) ---- */

static const uint16_t spec_ciphers[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
                                         0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f,
                                         0x0035 };
static const uint16_t spec_exts[] = { 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d,
                                      0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b,
                                      0x000a, 0x0015 };
static const uint16_t spec_sigalgs[] = { 0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806,
                                         0x0601 };

static void spec_hello(struct tls_client_hello *ch)
{
	memset(ch, 0, sizeof(*ch));
	ch->legacy_version = 0x0303;
	memcpy(ch->ciphers, spec_ciphers, sizeof(spec_ciphers));
	ch->n_ciphers = 15;
	memcpy(ch->exts, spec_exts, sizeof(spec_exts));
	ch->n_exts = 16;
	memcpy(ch->sigalgs, spec_sigalgs, sizeof(spec_sigalgs));
	ch->n_sigalgs = 8;
	ch->has_sigalgs = true;
	ch->versions[0] = 0x0304;
	ch->versions[1] = 0x0303;
	ch->n_versions = 2;
	ch->has_versions = true;
	ch->has_sni = true;
	ch->has_alpn = true;
	ch->n_alpn = 1;
	ch->alpn_len[0] = 2;
	memcpy(ch->alpn_pool, "h2", 2);
}

START_TEST(ja4_published)
{
	struct tls_client_hello ch;
	char ja4[TLS_JA4_LEN];
	spec_hello(&ch);
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_str_eq(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");

	/* "If there are no signature algorithms ... = 6d807ffa2a79" */
	ch.n_sigalgs = 0;
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_str_eq(ja4, "t13d1516h2_8daaf6152771_6d807ffa2a79");

	/* GREASE anywhere changes nothing. */
	spec_hello(&ch);
	ch.ciphers[ch.n_ciphers++] = 0x0a0a;
	ch.exts[ch.n_exts++] = 0x1a1a;
	ch.sigalgs[ch.n_sigalgs++] = 0x2a2a;
	ch.versions[ch.n_versions++] = 0xfafa;
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_str_eq(ja4, "t13d1516h2_8daaf6152771_e5627efa2ab1");

	/* No SNI: "i"; the c hash never included server_name. */
	spec_hello(&ch);
	ch.has_sni = false;
	ch.exts[1] = 0x0016; /* replace 0000 by another type: c changes, count stays */
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_mem_eq(ja4, "t13i1516h2_8daaf6152771_", 24);
	ck_assert_str_ne(ja4 + 24, "e5627efa2ab1");
}
END_TEST

static const struct {
	const uint8_t *alpn;
	size_t len;
	const char *want;
} alpn_cases[] = {
	{ (const uint8_t *)"h2", 2, "h2" },
	{ (const uint8_t *)"http/1.1", 8, "h1" },
	{ (const uint8_t *)"h", 1, "hh" },
	{ (const uint8_t *)"\xab", 1, "ab" },
	{ (const uint8_t *)"\xab\xcd", 2, "ad" },
	{ (const uint8_t *)"\x30\xab", 2, "3b" },
	{ (const uint8_t *)"\x30\x31\xab\xcd", 4, "3d" },
	{ (const uint8_t *)"\x30\xab\xcd\x31", 4, "01" },
	{ NULL, 0, "00" },
};

START_TEST(ja4_alpn)
{
	struct tls_client_hello ch;
	char ja4[TLS_JA4_LEN];
	spec_hello(&ch);
	if (alpn_cases[_i].alpn == NULL) {
		ch.has_alpn = false;
		ch.n_alpn = 0;
	} else {
		ch.alpn_len[0] = (uint8_t)alpn_cases[_i].len;
		memcpy(ch.alpn_pool, alpn_cases[_i].alpn, alpn_cases[_i].len);
	}
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_mem_eq(ja4 + 8, alpn_cases[_i].want, 2);
}
END_TEST

START_TEST(ja4_edges)
{
	struct tls_client_hello ch;
	char ja4[TLS_JA4_LEN];
	memset(&ch, 0, sizeof(ch));
	ch.legacy_version = 0x0303;
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_str_eq(ja4, "t12i000000_000000000000_000000000000");

	/* Only server_name and ALPN: c has nothing to hash. */
	ch.exts[0] = 0;
	ch.exts[1] = 16;
	ch.n_exts = 2;
	ch.has_sni = true;
	ch.legacy_version = 0x0301;
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_str_eq(ja4, "t10d000200_000000000000_000000000000");

	/* Counts stop at 99; unknown versions are "00"; supported_versions wins. */
	memset(&ch, 0, sizeof(ch));
	for (uint16_t i = 0; i < 120; i++)
		ch.ciphers[ch.n_ciphers++] = (uint16_t)(0x0100 + i);
	ch.legacy_version = 0x0305;
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_mem_eq(ja4, "t00i9900", 8);
	ch.has_versions = true;
	ch.versions[0] = 0x0302;
	ch.n_versions = 1;
	ck_assert_int_eq(tls_ja4(&ch, ja4), 0);
	ck_assert_mem_eq(ja4, "t11i9900", 8);

	ch.overflow = true;
	ck_assert_int_eq(tls_ja4(&ch, ja4), -1);
	ck_assert_str_eq(ja4, "");
	char str[16], hash[TLS_JA3_HASH_LEN];
	ck_assert_int_eq(tls_ja3(&ch, str, sizeof(str), hash), -1);
	ch.overflow = false;
	ck_assert_int_eq(tls_ja3(&ch, str, sizeof(str), hash), -1); /* too long for 16 bytes */
	ck_assert_str_eq(str, "");
}
END_TEST

/* ---- X.509 ---- */

START_TEST(x509_real_chain)
{
	size_t len;
	const uint8_t *m = real_msg(tls_d16, tls_d16_count, PD_TO_CLIENT, 11, &len);
	struct tls_cert_info ci;
	const char *why = NULL;
	memset(&ci, 0, sizeof(ci));
	ck_assert_int_eq(tls_parse_certificate_msg(m, len, true, &ci, &why), TLS_OK);
	/* Expected values from openssl x509 -subject -issuer -dates -serial -fingerprint. */
	ck_assert_str_eq(ci.subject, "O=Corpus Test, CN=www.corp.test");
	ck_assert_uint_eq(ci.subject_len, strlen(ci.subject));
	ck_assert_str_eq(ci.issuer, "O=Corpus Test CA, CN=Corpus Test Root");
	ck_assert_str_eq(ci.notbefore, "2026-11-26T21:51:12");
	ck_assert_str_eq(ci.notafter, "2026-12-26T21:51:12");
	static const uint8_t serial[] = { 0x56, 0x56, 0x20, 0xac, 0x9b, 0xe4, 0xd4, 0x30, 0x9d, 0x39,
	                                  0x5f, 0x40, 0xa1, 0x01, 0x81, 0xf3, 0xa7, 0xea, 0xf3, 0x80 };
	ck_assert_uint_eq(ci.serial_len, sizeof(serial));
	ck_assert_mem_eq(ci.serial, serial, sizeof(serial));
	static const uint8_t sha1[] = { 0x06, 0xf5, 0xbb, 0x02, 0x3d, 0x4a, 0x0f, 0x7c, 0x15, 0xa8,
	                                0x27, 0xc4, 0x51, 0x07, 0xbd, 0x53, 0x9e, 0xc9, 0x4b, 0x6d };
	ck_assert(ci.has_sha1);
	ck_assert_mem_eq(ci.sha1, sha1, 20);
	ck_assert_uint_eq(ci.chain_len, 2);

	/* A Certificate message cut short: as a prefix (complete=false) it still
	 * yields the first certificate once that is whole; as a whole message it
	 * is an error. Each prefix is an exact-size heap copy for ASan. */
	size_t first_end = 3 + 3 + (((size_t)m[3] << 16) | ((size_t)m[4] << 8) | m[5]);
	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n + 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, m, n);
		struct tls_cert_info c2;
		memset(&c2, 0, sizeof(c2));
		ck_assert_msg(tls_parse_certificate_msg(copy, n, true, &c2, &why) != TLS_OK,
		              "prefix %zu accepted", n);
		int r = tls_parse_certificate_msg(copy, n, false, &c2, &why);
		if (n >= first_end) {
			ck_assert_int_eq(r, TLS_OK);
			ck_assert_str_eq(c2.subject, "O=Corpus Test, CN=www.corp.test");
		} else {
			ck_assert_msg(r != TLS_OK, "partial prefix %zu accepted", n);
		}
		free(copy);
	}
}
END_TEST

START_TEST(x509_generated)
{
	struct tls_cert_info ci;
	const char *why = NULL;
	memset(&ci, 0, sizeof(ci));
	ck_assert_int_eq(tls_x509_parse(tls_gen_cert, tls_gen_cert_len, &ci, &why), TLS_OK);
	const char *dn = "C=NL, O=\xc3\x9cn\xc3\xaf" "code Org, OU=unit, CN=gen.test, "
	                 "emailAddress=ops@gen.test, DC=gen";
	ck_assert_str_eq(ci.subject, dn);
	ck_assert_str_eq(ci.issuer, dn);
	ck_assert_str_eq(ci.notbefore, "2026-11-28T13:24:45");
	ck_assert_str_eq(ci.notafter, "2126-11-04T13:24:45");
	ck_assert_uint_eq(ci.serial_len, 1);
	ck_assert_uint_eq(ci.serial[0], 1);
	static const uint8_t sha1[] = { 0xe9, 0x17, 0x51, 0xab, 0x11, 0xb0, 0x17, 0xf5, 0x1b, 0x61,
	                                0xf8, 0x7d, 0x5a, 0x3f, 0xd7, 0x88, 0x0c, 0x2f, 0xcd, 0x66 };
	ck_assert_mem_eq(ci.sha1, sha1, 20);

	/* Truncation sweep: no prefix is a certificate. */
	for (size_t n = 0; n < tls_gen_cert_len; n++) {
		uint8_t *copy = malloc(n + 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, tls_gen_cert, n);
		ck_assert_msg(tls_x509_parse(copy, n, &ci, &why) != TLS_OK, "prefix %zu", n);
		free(copy);
	}
}
END_TEST

/* A minimal certificate: SEQ { SEQ { INTEGER, SEQ{}, issuer, validity, subject } }. */
static void build_cert(struct tb *b, const uint8_t *name, size_t name_len, const char *t1,
                       uint8_t t1tag)
{
	/* Every length here is below 128: short-form DER lengths via tb_open(1). */
	tb_init(b);
	tb_u8(b, 0x30);
	tb_open(b, 1);
	tb_u8(b, 0x30);
	tb_open(b, 1);
	tb_u8(b, 0x02); tb_u8(b, 1); tb_u8(b, 7);
	tb_u8(b, 0x30); tb_u8(b, 0);
	tb_u8(b, 0x30); tb_u8(b, 0); /* empty issuer */
	tb_u8(b, 0x30);
	tb_open(b, 1);
	tb_u8(b, t1tag);
	tb_open(b, 1);
	tb_str(b, t1);
	tb_close(b);
	tb_u8(b, 0x17);
	tb_open(b, 1);
	tb_str(b, "500101000000Z"); /* RFC 5280: YY >= 50 is 19YY */
	tb_close(b);
	tb_close(b);
	tb_bytes(b, name, name_len);
	tb_close(b);
	tb_close(b);
}

START_TEST(x509_names)
{
	/* Name: SET{ SEQ{ OID 1.2.3.4, BMPString "H\u00e9" } },
	 *       SET{ SEQ{ OID 2.999.3, UniversalString "\U0001F600" },
	 *            SEQ{ OID 2.5.4.3, INTEGER 5 } } (a multi-valued RDN) */
	static const uint8_t name[] = {
		0x30, 0x2d,
		0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x1e, 0x04, 0x00, 'H', 0x00, 0xe9,
		0x31, 0x1c,
		0x30, 0x0c, 0x06, 0x04, 0x88, 0x37, 0x03, 0x01, 0x1c, 0x04, 0x00, 0x01, 0xf6, 0x00,
		0x30, 0x0c, 0x06, 0x03, 0x55, 0x04, 0x03, 0x02, 0x05, 0x00, 0x00, 0x00, 0x00, 0x05,
	};
	struct tls_cert_info ci;
	const char *why = NULL;
	memset(&ci, 0, sizeof(ci));
	build_cert(&t, name, sizeof(name), "20260102030405Z", 0x18);
	ck_assert_int_eq(tls_x509_parse(t.b, t.n, &ci, &why), TLS_OK);
	ck_assert_str_eq(ci.subject, "1.2.3.4=H\xc3\xa9, 2.999.3.1=\xf0\x9f\x98\x80, CN=#0000000005");
	ck_assert_str_eq(ci.issuer, "");
	ck_assert_str_eq(ci.notbefore, "2026-01-02T03:04:05");
	ck_assert_str_eq(ci.notafter, "1950-01-01T00:00:00");
}
END_TEST

static const struct {
	const char *name;
	uint8_t bytes[16];
	size_t len;
	int status;
} der_bad[] = {
	{ "indefinite length", { 0x30, 0x80, 0x00, 0x00 }, 4, TLS_MALFORMED },
	{ "5 length bytes", { 0x30, 0x85, 0, 0, 0, 0, 1, 0 }, 8, TLS_MALFORMED },
	{ "multi-byte tag", { 0x3f, 0x01, 0x00 }, 3, TLS_MALFORMED },
	{ "not a sequence", { 0x31, 0x00 }, 2, TLS_MALFORMED },
	{ "long length past end", { 0x30, 0x82, 0x10, 0x00, 0x30 }, 5, TLS_TRUNCATED },
	{ "empty", { 0 }, 0, TLS_TRUNCATED },
};

START_TEST(x509_bad)
{
	struct tls_cert_info ci;
	const char *why = NULL;
	ck_assert_msg(tls_x509_parse(der_bad[_i].bytes, der_bad[_i].len, &ci, &why) ==
	                  der_bad[_i].status, "%s", der_bad[_i].name);
	ck_assert_ptr_nonnull(why);
}
END_TEST

static const struct {
	const char *time;
	uint8_t tag;
} time_bad[] = {
	{ "261328132445Z", 0x17 },   /* month 13 */
	{ "2611281324Z", 0x17 },     /* no seconds */
	{ "261128132445+0100", 0x17 }, /* not UTC */
	{ "26112813244aZ", 0x17 },   /* not a digit */
	{ "261128132445Z", 0x18 },   /* UTCTime length as GeneralizedTime */
	{ "20261128252445Z", 0x18 }, /* hour 25 */
	{ "20261128132445Z", 0x04 }, /* OCTET STRING */
};

START_TEST(x509_bad_time)
{
	static const uint8_t name[] = { 0x30, 0x00 };
	struct tls_cert_info ci;
	const char *why = NULL;
	build_cert(&t, name, sizeof(name), time_bad[_i].time, time_bad[_i].tag);
	ck_assert_int_eq(tls_x509_parse(t.b, t.n, &ci, &why), TLS_MALFORMED);
	ck_assert_str_eq(why, "validity");
}
END_TEST

static Suite *tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("hello");
	tcase_add_test(tc, client_hello_fields);
	tcase_add_test(tc, client_hello_many_alpn);
	tcase_add_test(tc, client_hello_real);
	tcase_add_test(tc, server_hello_real);
	tcase_add_test(tc, server_hello_hrr);
	tcase_add_loop_test(tc, hello_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, hello_truncation_sweep);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	tc = tcase_create("ja4");
	tcase_add_test(tc, ja4_published);
	tcase_add_loop_test(tc, ja4_alpn, 0, sizeof(alpn_cases) / sizeof(alpn_cases[0]));
	tcase_add_test(tc, ja4_edges);
	suite_add_tcase(s, tc);
	tc = tcase_create("x509");
	tcase_add_test(tc, x509_real_chain);
	tcase_add_test(tc, x509_generated);
	tcase_add_test(tc, x509_names);
	tcase_add_loop_test(tc, x509_bad, 0, sizeof(der_bad) / sizeof(der_bad[0]));
	tcase_add_loop_test(tc, x509_bad_time, 0, sizeof(time_bad) / sizeof(time_bad[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tls_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
