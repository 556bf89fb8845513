/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite: TCP (RFC 9293 section 3.1) and UDP (RFC 768) decoding over IPv4 and IPv6. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/decode.h"
#include "tests/test_decode_build.h"

static uint8_t big[1400];

static void fill_big(void)
{
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
}

/* Wraps f (an L4 segment) in IPv4 or IPv6, then in Ethernet with one tag. */
static void wrap(struct fb *f, int ver, uint8_t proto)
{
	static const uint16_t tpid[1] = { 0x8100 }, vid[1] = { 587 };
	if (ver == 4) {
		fb_ip4(f, proto, fb_v4a, fb_v4b, 64, 9, 0, 0);
		fb_eth(f, 0x0800, tpid, vid, 1);
	} else {
		fb_ip6(f, proto, fb_v6a, fb_v6b, 64);
		fb_eth(f, 0x86dd, tpid, vid, 1);
	}
}

#define L2 18u
#define L3(ver) ((ver) == 4 ? 20u : 40u)

/* ---- TCP valid --------------------------------------------------------- */

static const struct tcp_case {
	const char *name;
	size_t optlen;
	uint8_t flags;
	uint8_t ns;      /* extra low bits of the offset byte (NS/reserved): ignored */
	size_t plen;
	uint16_t sport, dport, window;
	uint32_t seq, ack;
} tcps[] = {
	{ "syn no payload", 0, PD_TCP_SYN, 0, 0, 51000, 587, 64240, 0x11223344u, 0 },
	{ "syn mss+ws+sack+ts", 20, PD_TCP_SYN | PD_TCP_ECE | PD_TCP_CWR, 0, 0, 1, 25, 65535, 0xffffffffu, 0 },
	{ "synack max options", 40, PD_TCP_SYN | PD_TCP_ACK, 0, 0, 25, 1, 0, 0, 0x80000000u },
	{ "data 1 byte", 12, PD_TCP_ACK | PD_TCP_PSH, 0, 1, 40000, 465, 501, 7, 8 },
	{ "data 1400 bytes", 12, PD_TCP_ACK, 1, 1400, 443, 60000, 1, 0xfffffff0u, 0x10u },
	{ "all flags", 0, 0xff, 0x0f, 10, 0, 0, 0xffff, 1, 2 },
	{ "rst", 0, PD_TCP_RST, 0, 0, 587, 51000, 0, 5, 0 },
	{ "fin urg", 4, PD_TCP_FIN | PD_TCP_URG | PD_TCP_ACK, 0, 3, 2525, 1025, 3, 9, 10 },
};

static void build_tcp(struct fb *f, const struct tcp_case *c, int ver)
{
	fb_reset(f);
	fb_append(f, big, c->plen);
	fb_tcp(f, c->sport, c->dport, c->seq, c->ack, c->flags, c->window, c->optlen);
	f->b[12] |= c->ns;
	wrap(f, ver, 6);
}

START_TEST(test_tcp_valid)
{
	const struct tcp_case *c = &tcps[_i / 2];
	int ver = (_i & 1) ? 6 : 4;
	struct fb f;
	build_tcp(&f, c, ver);
	struct pd_packet pkt;
	enum pd_status st = pd_decode(&pkt, f.b, f.n, PD_LINK_ETHERNET);
	ck_assert_msg(st == PD_OK, "%s v%d: %s", c->name, ver, pd_reason_name(pkt.reason));
	ck_assert_int_eq(pkt.reason, PD_R_NONE);
	ck_assert_uint_eq(pkt.vlan_count, 1);
	ck_assert_uint_eq(pkt.vlan[0], 587);
	ck_assert_uint_eq(pkt.ip_proto, 6);
	ck_assert(pkt.has_l4);
	ck_assert_uint_eq(pkt.sport, c->sport);
	ck_assert_uint_eq(pkt.dport, c->dport);
	ck_assert_uint_eq(pkt.seq, c->seq);
	ck_assert_uint_eq(pkt.ack, c->ack);
	ck_assert_uint_eq(pkt.tcp_flags, c->flags);
	ck_assert_uint_eq(pkt.window, c->window);
	ck_assert_uint_eq(pkt.payload_len, c->plen);
	ck_assert_ptr_eq(pkt.payload, f.b + L2 + L3(ver) + 20 + c->optlen);
	if (c->plen)
		ck_assert_mem_eq(pkt.payload, big, c->plen);
	ck_assert_uint_eq(pkt.l3_len, L3(ver) + 20 + c->optlen + c->plen);
	ck_assert_uint_eq(fb_sweep(f.b, f.n, PD_LINK_ETHERNET), f.n);
}
END_TEST

/* ---- UDP valid --------------------------------------------------------- */

static const struct udp_case {
	const char *name;
	size_t plen;
	size_t trailer; /* bytes inside the IP payload after the UDP length */
	uint16_t sport, dport;
} udps[] = {
	{ "empty", 0, 0, 5353, 5353 },
	{ "dns query", 33, 0, 53000, 53 },
	{ "large", 1400, 0, 1, 65535 },
	{ "ip payload longer than udp length", 12, 5, 123, 123 },
	{ "zero payload plus trailer", 0, 8, 9, 9 },
};

START_TEST(test_udp_valid)
{
	const struct udp_case *c = &udps[_i / 2];
	int ver = (_i & 1) ? 6 : 4;
	struct fb f;
	fb_reset(&f);
	fb_append(&f, big, c->plen);
	fb_udp(&f, c->sport, c->dport);
	fb_pad(&f, c->trailer, 0xee);
	wrap(&f, ver, 17);
	struct pd_packet pkt;
	enum pd_status st = pd_decode(&pkt, f.b, f.n, PD_LINK_ETHERNET);
	ck_assert_msg(st == PD_OK, "%s v%d: %s", c->name, ver, pd_reason_name(pkt.reason));
	ck_assert_int_eq(pkt.reason, PD_R_NONE);
	ck_assert_uint_eq(pkt.ip_proto, 17);
	ck_assert(pkt.has_l4);
	ck_assert_uint_eq(pkt.sport, c->sport);
	ck_assert_uint_eq(pkt.dport, c->dport);
	ck_assert_uint_eq(pkt.tcp_flags, 0);
	ck_assert_uint_eq(pkt.payload_len, c->plen);
	ck_assert_ptr_eq(pkt.payload, f.b + L2 + L3(ver) + 8);
	if (c->plen)
		ck_assert_mem_eq(pkt.payload, big, c->plen);
	ck_assert_uint_eq(pkt.l3_len, L3(ver) + 8 + c->plen + c->trailer);
	ck_assert_uint_eq(fb_sweep(f.b, f.n, PD_LINK_ETHERNET), f.n);
}
END_TEST

/* ---- malformed and short L4 headers ------------------------------------ */

static const struct l4_bad_case {
	const char *name;
	uint8_t proto;
	size_t optlen, plen;
	size_t keep;      /* L4 bytes kept inside the IP datagram (0 = all) */
	bool keep_zero;   /* keep exactly 0 bytes */
	size_t off;       /* patch: offset in the L4 header */
	uint16_t val;     /* patch: big-endian 16-bit value at off */
	bool patch16;
	uint8_t val8;
	bool patch8;
	enum pd_status st;
	enum pd_reason reason;
} l4bads[] = {
	{ "tcp offset 4", 6, 0, 10, 0, false, 12, 0, false, 0x40, true, PD_MALFORMED, PD_R_TCP_BAD_OFFSET },
	{ "tcp offset 0", 6, 0, 10, 0, false, 12, 0, false, 0x00, true, PD_MALFORMED, PD_R_TCP_BAD_OFFSET },
	{ "tcp offset past segment", 6, 0, 16, 0, false, 12, 0, false, 0xa0, true,
	  PD_MALFORMED, PD_R_TCP_BAD_OFFSET },
	{ "tcp offset 15, no payload", 6, 0, 0, 0, false, 12, 0, false, 0xf0, true,
	  PD_MALFORMED, PD_R_TCP_BAD_OFFSET },
	{ "tcp options cut by ip length", 6, 20, 0, 30, false, 0, 0, false, 0, false,
	  PD_MALFORMED, PD_R_TCP_BAD_OFFSET },
	{ "tcp 19 bytes", 6, 0, 0, 19, false, 0, 0, false, 0, false, PD_TRUNCATED, PD_R_TCP_TRUNCATED },
	{ "tcp 1 byte", 6, 0, 0, 1, false, 0, 0, false, 0, false, PD_TRUNCATED, PD_R_TCP_TRUNCATED },
	{ "tcp 0 bytes", 6, 0, 0, 0, true, 0, 0, false, 0, false, PD_TRUNCATED, PD_R_TCP_TRUNCATED },
	{ "udp length 7", 17, 0, 10, 0, false, 4, 7, true, 0, false, PD_MALFORMED, PD_R_UDP_BAD_LENGTH },
	{ "udp length 0", 17, 0, 10, 0, false, 4, 0, true, 0, false, PD_MALFORMED, PD_R_UDP_BAD_LENGTH },
	{ "udp length +1", 17, 0, 10, 0, false, 4, 19, true, 0, false, PD_MALFORMED, PD_R_UDP_BAD_LENGTH },
	{ "udp length 65535", 17, 0, 10, 0, false, 4, 65535, true, 0, false,
	  PD_MALFORMED, PD_R_UDP_BAD_LENGTH },
	{ "udp 7 bytes", 17, 0, 0, 7, false, 0, 0, false, 0, false, PD_TRUNCATED, PD_R_UDP_TRUNCATED },
	{ "udp 0 bytes", 17, 0, 0, 0, true, 0, 0, false, 0, false, PD_TRUNCATED, PD_R_UDP_TRUNCATED },
};

START_TEST(test_l4_bad)
{
	const struct l4_bad_case *c = &l4bads[_i / 2];
	int ver = (_i & 1) ? 6 : 4;
	struct fb f;
	fb_reset(&f);
	fb_append(&f, big, c->plen);
	if (c->proto == 6)
		fb_tcp(&f, 1, 2, 3, 4, PD_TCP_ACK, 5, c->optlen);
	else
		fb_udp(&f, 1, 2);
	if (c->patch16) {
		f.b[c->off] = (uint8_t)(c->val >> 8);
		f.b[c->off + 1] = (uint8_t)c->val;
	}
	if (c->patch8)
		f.b[c->off] = c->val8;
	if (c->keep || c->keep_zero)
		f.n = c->keep;
	wrap(&f, ver, c->proto);

	uint8_t *copy = malloc(f.n);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, f.b, f.n);
	struct pd_packet pkt;
	enum pd_status st = pd_decode(&pkt, copy, f.n, PD_LINK_ETHERNET);
	free(copy);
	ck_assert_msg(st == c->st && pkt.status == c->st && pkt.reason == c->reason,
	              "%s v%d: got %s/%s, want %s/%s", c->name, ver, pd_status_name(st),
	              pd_reason_name(pkt.reason), pd_status_name(c->st), pd_reason_name(c->reason));
	/* The network layer was fine: it stays filled for counters and events. */
	ck_assert_uint_eq(pkt.ip_version, ver);
	ck_assert_uint_eq(pkt.ip_proto, c->proto);
	ck_assert(!pkt.has_l4);
	ck_assert_ptr_null(pkt.payload);
}
END_TEST

static Suite *l4_suite(void)
{
	Suite *s = suite_create("decode_l4");
	TCase *tc = tcase_create("l4");
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
	tcase_add_loop_test(tc, test_tcp_valid, 0, 2 * N(tcps));
	tcase_add_loop_test(tc, test_udp_valid, 0, 2 * N(udps));
	tcase_add_loop_test(tc, test_l4_bad, 0, 2 * N(l4bads));
#undef N
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	fill_big();
	SRunner *sr = srunner_create(l4_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
