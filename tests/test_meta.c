/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for output/meta.c, community_id.c and time.c: Community ID v1 against
 * the spec's published baselines, flow_id, address text and timestamps. */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "output/meta.h"

/* corelight/community-id-spec baseline/baseline_deflt.json (seed 0) and
 * baseline/baseline_seed1.json (seed 1); ICMP rows carry type/code as ports,
 * the RSVP (46) rows have no ports. */
struct cid_case {
	uint8_t proto;
	const char *saddr;
	uint16_t sport;
	const char *daddr;
	uint16_t dport;
	const char *seed0, *seed1;
};

static const struct cid_case cid_cases[] = {
	{ 58, "fe80::200:86ff:fe05:80da", 135, "fe80::260:97ff:fe07:69ea", 136,
	  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 58, "fe80::260:97ff:fe07:69ea", 136, "fe80::200:86ff:fe05:80da", 135,
	  "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=", "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY=" },
	{ 58, "fe80::260:97ff:fe07:69ea", 135, "fe80::200:86ff:fe05:80da", 136,
	  "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 58, "fe80::200:86ff:fe05:80da", 136, "fe80::260:97ff:fe07:69ea", 135,
	  "1:zavyT/cezQr1fmImYCwYnMXbgck=", "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM=" },
	{ 58, "3ffe:501:1800:2345::2", 3, "3ffe:507:0:1:200:86ff:fe05:80da", 0,
	  "1:2ObVBgIn28oZvibYZhZMBgh7WdQ=", "1:lVEtCZpYu84Xqaa++3lXFyuu2n4=" },
	{ 58, "3ffe:501:410:0:2c0:dfff:fe47:33e", 1, "3ffe:507:0:1:200:86ff:fe05:80da", 4,
	  "1:hLZd0XGWojozrvxqE0dWB1iM6R0=", "1:W8MHwXpWzpoSTD+cGcaJr4u0ys8=" },
	{ 58, "3ffe:507:0:1:200:86ff:fe05:80da", 128, "3ffe:501:0:1001::2", 129,
	  "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 58, "3ffe:501:0:1001::2", 129, "3ffe:507:0:1:200:86ff:fe05:80da", 128,
	  "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=", "1:GfZxjAkDk2MkegpBYHV6tadtFXQ=" },
	{ 58, "fe80::200:86ff:fe05:80da", 133, "ff02::2", 134,
	  "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=", "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8=" },
	{ 58, "fe80::260:97ff:fe07:69ea", 134, "ff02::1", 133,
	  "1:pkvHqCL88/tg1k4cPigmZXUtL00=", "1:K/ee5UCqAMAQXDorP5nSa2CGLjc=" },
	{ 1, "192.168.0.89", 8, "192.168.0.1", 0,
	  "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, "192.168.0.1", 0, "192.168.0.89", 8,
	  "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=", "1:03g6IloqVBdcZlPyX8r0hgoE7kA=" },
	{ 1, "10.0.0.1", 11, "10.0.0.2", 0,
	  "1:YHxtAirCG//0OzkcVAukqKQN9xM=", "1:XjUibYHaafLQ3pxQeiMI8g25q20=" },
	{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "2607:f8b0:400c:c03::1a", 25,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 6, "2607:f8b0:400c:c03::1a", 25, "2001:470:e5bf:dead:4957:2174:e82c:4887", 63943,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=", "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 132, "192.168.170.8", 7, "192.168.170.56", 7,
	  "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 132, "192.168.170.56", 7, "192.168.170.8", 7,
	  "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=", "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 6, "128.232.110.120", 34855, "66.35.250.204", 80,
	  "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 6, "66.35.250.204", 80, "128.232.110.120", 34855,
	  "1:LQU9qZlK+B5F3KDmev6m5PMibrg=", "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 17, "192.168.1.52", 54585, "8.8.8.8", 53,
	  "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 17, "8.8.8.8", 53, "192.168.1.52", 54585,
	  "1:d/FP5EW3wiY1vCndhwleRRKHowQ=", "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 46, "10.1.12.1", 0, "10.1.12.2", 0,
	  "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
	{ 46, "10.1.12.2", 0, "10.1.12.1", 0,
	  "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=", "1:rYir8gphR31noO9iDRQmF/BteEI=" },
};

/* Parses a text address into 16 bytes (IPv4 in the first 4); returns 4 or 6. */
static uint8_t parse_addr(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	ck_assert_msg(inet_pton(AF_INET6, s, out) == 1, "bad address %s", s);
	return 6;
}

START_TEST(test_community_id_baseline)
{
	const struct cid_case *c = &cid_cases[_i];
	uint8_t a[16], b[16];
	uint8_t va = parse_addr(c->saddr, a), vb = parse_addr(c->daddr, b);
	ck_assert_uint_eq(va, vb);
	char out[OUT_COMMUNITY_ID_LEN];

	out_community_id(out, 0, va, c->proto, a, c->sport, b, c->dport);
	ck_assert_msg(strcmp(out, c->seed0) == 0, "row %d seed 0: %s want %s", _i, out, c->seed0);
	out_community_id(out, 1, va, c->proto, a, c->sport, b, c->dport);
	ck_assert_msg(strcmp(out, c->seed1) == 0, "row %d seed 1: %s want %s", _i, out, c->seed1);
	ck_assert_uint_eq(strlen(out), 30);

	/* out_meta_finish computes the same id from a meta */
	struct out_flow_meta m;
	memset(&m, 0, sizeof(m));
	m.ip_version = va;
	m.ip_proto = c->proto;
	memcpy(m.src_addr, a, 16);
	memcpy(m.dest_addr, b, 16);
	m.src_port = c->sport;
	m.dest_port = c->dport;
	out_meta_finish(&m, 0, 1);
	ck_assert_str_eq(m.community_id, c->seed0);
	ck_assert_str_eq(m.src_ip, c->saddr);
	ck_assert_str_eq(m.dest_ip, c->daddr);
	/* the lengths events are written with */
	ck_assert_uint_eq(m.src_ip_len, strlen(c->saddr));
	ck_assert_uint_eq(m.dest_ip_len, strlen(c->daddr));
	ck_assert_uint_eq(m.community_id_len, strlen(c->seed0));
}
END_TEST

/* TCP, UDP and SCTP ids do not depend on which endpoint is named first,
 * including equal addresses (ports decide) and equal ports (addresses decide). */
START_TEST(test_community_id_symmetry)
{
	static const uint8_t protos[] = { 6, 17, 132, 47 };
	uint32_t seed = 777;
	for (int iter = 0; iter < 2000; iter++) {
		uint8_t a[16], b[16];
		for (int i = 0; i < 16; i++) {
			seed = seed * 1103515245u + 12345u;
			a[i] = (uint8_t)(seed >> 16);
			seed = seed * 1103515245u + 12345u;
			b[i] = (uint8_t)(seed >> 16);
		}
		if (iter % 3 == 0)
			memcpy(b, a, 16);         /* same address: ports order */
		uint16_t pa = (uint16_t)(seed >> 3), pb = (uint16_t)(iter % 5 == 0 ? pa : seed >> 17);
		uint8_t ver = iter % 2 ? 4 : 6;
		uint8_t proto = protos[iter % 4];
		char x[OUT_COMMUNITY_ID_LEN], y[OUT_COMMUNITY_ID_LEN];
		out_community_id(x, 0, ver, proto, a, pa, b, pb);
		out_community_id(y, 0, ver, proto, b, pb, a, pa);
		ck_assert_str_eq(x, y);
	}
	/* the ports are part of the hash (TCP) and ignored without ports (GRE) */
	uint8_t a[16] = { 10, 0, 0, 1 }, b[16] = { 10, 0, 0, 2 };
	char x[OUT_COMMUNITY_ID_LEN], y[OUT_COMMUNITY_ID_LEN];
	out_community_id(x, 0, 4, 6, a, 1000, b, 25);
	out_community_id(y, 0, 4, 6, a, 1001, b, 25);
	ck_assert_str_ne(x, y);
	out_community_id(x, 0, 4, 47, a, 1000, b, 25);
	out_community_id(y, 0, 4, 47, a, 1001, b, 26);
	ck_assert_str_eq(x, y);
	/* the protocol too */
	out_community_id(x, 0, 4, 6, a, 1000, b, 25);
	out_community_id(y, 0, 4, 17, a, 1000, b, 25);
	ck_assert_str_ne(x, y);
}
END_TEST

static void meta_v4(struct out_flow_meta *m, const char *src, uint16_t sport, const char *dst,
                    uint16_t dport)
{
	memset(m, 0, sizeof(*m));
	m->ip_version = parse_addr(src, m->src_addr);
	parse_addr(dst, m->dest_addr);
	m->ip_proto = 6;
	m->src_port = sport;
	m->dest_port = dport;
}

START_TEST(test_flow_id)
{
	struct out_flow_meta m, r, m2;
	meta_v4(&m, "10.77.1.2", 40201, "10.77.1.1", 587);
	meta_v4(&r, "10.77.1.1", 587, "10.77.1.2", 40201);
	out_meta_finish(&m, 0, 1795729881672663ULL);
	out_meta_finish(&r, 0, 1795729881672663ULL);
	ck_assert_uint_ne(m.flow_id, 0);
	ck_assert_uint_lt(m.flow_id, 1ULL << 51);
	ck_assert_uint_eq(m.flow_id, r.flow_id);         /* symmetric */
	ck_assert_str_eq(m.community_id, r.community_id);

	m2 = m;
	out_meta_finish(&m2, 0, 1795729881672663ULL);    /* deterministic, idempotent */
	ck_assert_uint_eq(m2.flow_id, m.flow_id);
	out_meta_finish(&m2, 0, 1795729881672664ULL);    /* a reused tuple differs */
	ck_assert_uint_ne(m2.flow_id, m.flow_id);
	ck_assert_str_eq(m2.community_id, m.community_id);
	out_meta_finish(&m2, 1, 1795729881672663ULL);    /* the seed changes both */
	ck_assert_uint_ne(m2.flow_id, m.flow_id);
	ck_assert_str_ne(m2.community_id, m.community_id);

	/* spread: many start times, all 51-bit, non-zero, distinct */
	uint64_t seen[512];
	for (unsigned i = 0; i < 512; i++) {
		out_meta_finish(&m2, 0, i);
		ck_assert_uint_ne(m2.flow_id, 0);
		ck_assert_uint_lt(m2.flow_id, 1ULL << 51);
		for (unsigned k = 0; k < i; k++)
			ck_assert_uint_ne(seen[k], m2.flow_id);
		seen[i] = m2.flow_id;
	}
}
END_TEST

START_TEST(test_meta_text)
{
	struct out_flow_meta m;
	memset(&m, 0, sizeof(m));
	m.ip_version = parse_addr("2001:db8::1", m.src_addr);
	parse_addr("2001:db8:0:0:1:0:0:2", m.dest_addr);
	m.ip_proto = 17;
	m.src_port = 5353;
	m.dest_port = 53;
	out_meta_finish(&m, 0, 0);
	ck_assert_str_eq(m.src_ip, "2001:db8::1");
	ck_assert_str_eq(m.dest_ip, "2001:db8::1:0:0:2");
	ck_assert_uint_eq(strncmp(m.community_id, "1:", 2), 0);

	/* no flow: nothing derived */
	memset(&m, 0, sizeof(m));
	strcpy(m.src_ip, "stale");
	out_meta_finish(&m, 0, 5);
	ck_assert_str_eq(m.src_ip, "");
	ck_assert_str_eq(m.community_id, "");
	ck_assert_uint_eq(m.flow_id, 0);

	/* vlan_count is clamped to what the array holds */
	meta_v4(&m, "1.2.3.4", 1, "5.6.7.8", 2);
	m.vlan_count = 200;
	out_meta_finish(&m, 0, 5);
	ck_assert_uint_eq(m.vlan_count, OUT_MAX_VLAN);
}
END_TEST

static const struct { uint64_t us; const char *text; } time_cases[] = {
	{ 0, "1970-01-01T00:00:00.000000+0000" },
	{ 1, "1970-01-01T00:00:00.000001+0000" },
	{ 999999, "1970-01-01T00:00:00.999999+0000" },
	{ 1795729881672663ULL, "2026-11-26T21:51:21.672663+0000" },
	{ 951825600000000ULL, "2000-02-29T12:00:00.000000+0000" },        /* leap (400) */
	{ 1709251199999999ULL, "2024-02-29T23:59:59.999999+0000" },       /* leap (4) */
	{ 1709251200000000ULL, "2024-03-01T00:00:00.000000+0000" },
	{ 4107542400000000ULL, "2100-03-01T00:00:00.000000+0000" },       /* 2100: no Feb 29 */
	{ 4107542399000000ULL, "2100-02-28T23:59:59.000000+0000" },
	{ 94694399000000ULL, "1972-12-31T23:59:59.000000+0000" },
	{ 2147483648000000ULL, "2038-01-19T03:14:08.000000+0000" },       /* past 32-bit time_t */
	{ 253402300799999999ULL, "9999-12-31T23:59:59.999999+0000" },
	{ 253402300800000000ULL, "9999-12-31T23:59:59.999999+0000" },     /* clamped */
	{ UINT64_MAX, "9999-12-31T23:59:59.999999+0000" },
};

START_TEST(test_format_time)
{
	char out[OUT_TIME_LEN + 8];
	memset(out, 'X', sizeof(out));
	out_format_time(out, time_cases[_i].us);
	ck_assert_str_eq(out, time_cases[_i].text);
	ck_assert_uint_eq(strlen(out), OUT_TIME_LEN - 1);
	ck_assert_int_eq(out[OUT_TIME_LEN], 'X');     /* nothing beyond 32 bytes */
}
END_TEST

static Suite *meta_suite(void)
{
	Suite *s = suite_create("meta");
	TCase *tc = tcase_create("community_id");
	tcase_add_loop_test(tc, test_community_id_baseline, 0,
	                    (int)(sizeof(cid_cases) / sizeof(cid_cases[0])));
	tcase_add_test(tc, test_community_id_symmetry);
	suite_add_tcase(s, tc);
	tc = tcase_create("meta");
	tcase_add_test(tc, test_flow_id);
	tcase_add_test(tc, test_meta_text);
	tcase_add_loop_test(tc, test_format_time, 0,
	                    (int)(sizeof(time_cases) / sizeof(time_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(meta_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
