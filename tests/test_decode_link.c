/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite: link layers (Ethernet + VLAN stacks, SLL, SLL2, raw, NULL, LOOP) x IPv4/IPv6 x TCP/UDP. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/decode.h"
#include "tests/test_decode_build.h"

#define TPID_Q 0x8100
#define TPID_AD 0x88a8
#define TPID_OLD 0x9100

/* One link encapsulation of the valid-frame matrix. */
struct link_case {
	const char *name;
	int linktype;
	enum { K_ETH, K_SLL, K_SLL2, K_RAW, K_NULL_LE, K_NULL_BE } kind;
	size_t ntags;
	uint16_t tpids[PD_MAX_VLAN];
	uint16_t vids[PD_MAX_VLAN];
	int only;        /* 4 or 6 when the link type carries one version only */
	uint32_t af6;    /* NULL/LOOP: AF_INET6 value of the capturing OS */
	size_t l2len;    /* expected link header length */
};

static const struct link_case links[] = {
	{ "eth", PD_LINK_ETHERNET, K_ETH, 0, { 0 }, { 0 }, 0, 0, 14 },
	{ "eth-q", PD_LINK_ETHERNET, K_ETH, 1, { TPID_Q }, { 100 }, 0, 0, 18 },
	{ "eth-ad-q", PD_LINK_ETHERNET, K_ETH, 2, { TPID_AD, TPID_Q }, { 4094, 1 }, 0, 0, 22 },
	{ "eth-ad-q-q", PD_LINK_ETHERNET, K_ETH, 3, { TPID_AD, TPID_Q, TPID_Q }, { 3000, 200, 4095 }, 0, 0, 26 },
	{ "eth-9100-q", PD_LINK_ETHERNET, K_ETH, 2, { TPID_OLD, TPID_Q }, { 7, 0 }, 0, 0, 22 },
	{ "eth-4tags", PD_LINK_ETHERNET, K_ETH, 4, { TPID_AD, TPID_OLD, TPID_Q, TPID_Q }, { 1, 2, 3, 4 }, 0, 0, 30 },
	{ "sll", PD_LINK_LINUX_SLL, K_SLL, 0, { 0 }, { 0 }, 0, 0, 16 },
	{ "sll-q", PD_LINK_LINUX_SLL, K_SLL, 1, { TPID_Q }, { 42 }, 0, 0, 20 },
	{ "sll2", PD_LINK_LINUX_SLL2, K_SLL2, 0, { 0 }, { 0 }, 0, 0, 20 },
	{ "sll2-q", PD_LINK_LINUX_SLL2, K_SLL2, 1, { TPID_Q }, { 43 }, 0, 0, 24 },
	{ "raw12", PD_LINK_RAW_DLT, K_RAW, 0, { 0 }, { 0 }, 0, 0, 0 },
	{ "raw14", PD_LINK_RAW_DLT14, K_RAW, 0, { 0 }, { 0 }, 0, 0, 0 },
	{ "raw101", PD_LINK_RAW, K_RAW, 0, { 0 }, { 0 }, 0, 0, 0 },
	{ "ipv4-228", PD_LINK_IPV4, K_RAW, 0, { 0 }, { 0 }, 4, 0, 0 },
	{ "ipv6-229", PD_LINK_IPV6, K_RAW, 0, { 0 }, { 0 }, 6, 0, 0 },
	{ "null-le-24", PD_LINK_NULL, K_NULL_LE, 0, { 0 }, { 0 }, 0, 24, 4 },
	{ "null-le-28", PD_LINK_NULL, K_NULL_LE, 0, { 0 }, { 0 }, 0, 28, 4 },
	{ "null-le-30", PD_LINK_NULL, K_NULL_LE, 0, { 0 }, { 0 }, 0, 30, 4 },
	{ "null-be-24", PD_LINK_NULL, K_NULL_BE, 0, { 0 }, { 0 }, 0, 24, 4 },
	{ "null-be-28", PD_LINK_NULL, K_NULL_BE, 0, { 0 }, { 0 }, 0, 28, 4 },
	{ "null-be-30", PD_LINK_NULL, K_NULL_BE, 0, { 0 }, { 0 }, 0, 30, 4 },
	{ "loop-24", PD_LINK_LOOP, K_NULL_BE, 0, { 0 }, { 0 }, 0, 24, 4 },
	{ "loop-28", PD_LINK_LOOP, K_NULL_BE, 0, { 0 }, { 0 }, 0, 28, 4 },
};
#define N_LINKS (sizeof(links) / sizeof(links[0]))

static const char payload[] = "EHLO laptop.corp.test\r\n";
#define PAYLOAD_LEN (sizeof(payload) - 1)

/* Builds matrix entry i: link i/4, IPv4 or IPv6 (bit 1), TCP or UDP (bit 0).
 * Returns false when the link type cannot carry that IP version. */
static bool build(struct fb *f, int i, const struct link_case **lcp, int *ver, bool *tcp)
{
	const struct link_case *lc = &links[i / 4];
	*lcp = lc;
	*ver = (i & 2) ? 6 : 4;
	*tcp = (i & 1) == 0;
	if (lc->only != 0 && lc->only != *ver)
		return false;

	fb_reset(f);
	fb_append(f, payload, PAYLOAD_LEN);
	if (*tcp)
		fb_tcp(f, 40201, 587, 0x01020304u, 0xa0b0c0d0u, PD_TCP_ACK | PD_TCP_PSH, 29200, 0);
	else
		fb_udp(f, 5353, 53);
	uint8_t proto = *tcp ? 6 : 17;
	if (*ver == 4)
		fb_ip4(f, proto, fb_v4a, fb_v4b, 63, 0x1234, 0x4000 /* DF */, 0);
	else
		fb_ip6(f, proto, fb_v6a, fb_v6b, 61);
	uint16_t et = *ver == 4 ? 0x0800 : 0x86dd;

	switch (lc->kind) {
	case K_ETH:
	case K_SLL:
	case K_SLL2:
		if (lc->ntags) {
			/* Cooked headers carry the first tag's TPID as their protocol. */
			if (lc->kind == K_ETH) {
				fb_eth(f, et, lc->tpids, lc->vids, lc->ntags);
				break;
			}
			uint8_t tag[4] = { (uint8_t)(0xa0 | lc->vids[0] >> 8), (uint8_t)lc->vids[0],
			                   (uint8_t)(et >> 8), (uint8_t)et };
			fb_prepend(f, tag, sizeof(tag));
			et = lc->tpids[0];
		}
		if (lc->kind == K_ETH)
			fb_eth(f, et, NULL, NULL, 0);
		else if (lc->kind == K_SLL)
			fb_sll(f, et);
		else
			fb_sll2(f, et);
		break;
	case K_RAW:
		break;
	case K_NULL_LE:
	case K_NULL_BE:
		fb_null(f, *ver == 4 ? 2 : lc->af6, lc->kind == K_NULL_LE);
		break;
	}
	return true;
}

START_TEST(test_matrix_valid)
{
	struct fb f;
	const struct link_case *lc;
	int ver;
	bool tcp;
	if (!build(&f, _i, &lc, &ver, &tcp))
		return;

	struct pd_packet pkt;
	memset(&pkt, 0xa5, sizeof(pkt)); /* pd_decode must clear it */
	enum pd_status st = pd_decode(&pkt, f.b, f.n, lc->linktype);
	ck_assert_msg(st == PD_OK, "%s v%d %s: %s/%s", lc->name, ver, tcp ? "tcp" : "udp",
	              pd_status_name(st), pd_reason_name(pkt.reason));
	ck_assert_int_eq(pkt.status, PD_OK);
	ck_assert_int_eq(pkt.reason, PD_R_NONE);
	ck_assert_int_eq(pkt.linktype, lc->linktype);
	ck_assert_uint_eq(pkt.wire_len, f.n);
	ck_assert_uint_eq(pkt.vlan_count, lc->ntags);
	for (size_t t = 0; t < PD_MAX_VLAN; t++)
		ck_assert_uint_eq(pkt.vlan[t], t < lc->ntags ? lc->vids[t] : 0);

	size_t l4hdr = tcp ? 20 : 8;
	size_t l3hdr = ver == 4 ? 20 : 40;
	ck_assert_uint_eq(pkt.ip_version, ver);
	if (ver == 4) {
		uint8_t a[16] = { 0 }, b[16] = { 0 };
		memcpy(a, fb_v4a, 4);
		memcpy(b, fb_v4b, 4);
		ck_assert_mem_eq(pkt.src.b, a, 16);
		ck_assert_mem_eq(pkt.dst.b, b, 16);
		ck_assert_uint_eq(pkt.ttl, 63);
	} else {
		ck_assert_mem_eq(pkt.src.b, fb_v6a, 16);
		ck_assert_mem_eq(pkt.dst.b, fb_v6b, 16);
		ck_assert_uint_eq(pkt.ttl, 61);
	}
	ck_assert_uint_eq(pkt.ip_proto, tcp ? 6 : 17);
	ck_assert_ptr_eq(pkt.l3, f.b + lc->l2len);
	ck_assert_uint_eq(pkt.l3_hdr_len, l3hdr);
	ck_assert_uint_eq(pkt.l3_len, l3hdr + l4hdr + PAYLOAD_LEN);
	ck_assert_uint_eq(pkt.l3_len + lc->l2len, f.n);

	ck_assert(!pkt.is_fragment);
	ck_assert(!pkt.more_fragments);
	ck_assert_uint_eq(pkt.frag_id, 0);
	ck_assert_uint_eq(pkt.frag_offset, 0);
	ck_assert_ptr_null(pkt.frag_data);
	ck_assert_uint_eq(pkt.frag_len, 0);
	ck_assert_uint_eq(pkt.frag_unfrag_len, 0);
	ck_assert_uint_eq(pkt.frag_hdr_offset, 0);

	ck_assert(pkt.has_l4);
	if (tcp) {
		ck_assert_uint_eq(pkt.sport, 40201);
		ck_assert_uint_eq(pkt.dport, 587);
		ck_assert_uint_eq(pkt.seq, 0x01020304u);
		ck_assert_uint_eq(pkt.ack, 0xa0b0c0d0u);
		ck_assert_uint_eq(pkt.tcp_flags, PD_TCP_ACK | PD_TCP_PSH);
		ck_assert_uint_eq(pkt.window, 29200);
	} else {
		ck_assert_uint_eq(pkt.sport, 5353);
		ck_assert_uint_eq(pkt.dport, 53);
		ck_assert_uint_eq(pkt.seq, 0);
		ck_assert_uint_eq(pkt.ack, 0);
		ck_assert_uint_eq(pkt.tcp_flags, 0);
		ck_assert_uint_eq(pkt.window, 0);
	}
	ck_assert_ptr_eq(pkt.payload, f.b + lc->l2len + l3hdr + l4hdr);
	ck_assert_uint_eq(pkt.payload_len, PAYLOAD_LEN);
	ck_assert_mem_eq(pkt.payload, payload, PAYLOAD_LEN);
}
END_TEST

/* Every proper prefix of every valid frame is TRUNCATED, read from an
 * exact-size heap copy so the sanitizer catches any overread. */
START_TEST(test_matrix_truncation_sweep)
{
	struct fb f;
	const struct link_case *lc;
	int ver;
	bool tcp;
	if (!build(&f, _i, &lc, &ver, &tcp))
		return;
	size_t bad = fb_sweep(f.b, f.n, lc->linktype);
	ck_assert_msg(bad == f.n, "%s v%d %s: prefix %zu of %zu not TRUNCATED", lc->name, ver,
	              tcp ? "tcp" : "udp", bad, f.n);
}
END_TEST

/* The reason a truncation reports names the layer that was cut. */
struct cut_case {
	const char *name;
	int link; /* index into links */
	int ver;
	size_t cut;
	enum pd_reason reason;
};

static const struct cut_case cuts[] = {
	{ "eth empty", 0, 4, 0, PD_R_ETH_TRUNCATED },
	{ "eth 13", 0, 4, 13, PD_R_ETH_TRUNCATED },
	{ "eth 14 v4", 0, 4, 14, PD_R_IPV4_TRUNCATED },
	{ "eth 14 v6", 0, 6, 14, PD_R_IPV6_TRUNCATED },
	{ "eth ip hdr only v4", 0, 4, 34, PD_R_IPV4_TRUNCATED },
	{ "eth ip hdr only v6", 0, 6, 54, PD_R_IPV6_TRUNCATED },
	{ "vlan in tci", 1, 4, 15, PD_R_VLAN_TRUNCATED },
	{ "vlan in type", 1, 4, 17, PD_R_VLAN_TRUNCATED },
	{ "2nd vlan", 2, 6, 19, PD_R_VLAN_TRUNCATED },
	{ "sll 15", 6, 4, 15, PD_R_SLL_TRUNCATED },
	{ "sll tag", 7, 4, 18, PD_R_VLAN_TRUNCATED },
	{ "sll2 19", 8, 6, 19, PD_R_SLL2_TRUNCATED },
	{ "sll2 1", 8, 6, 1, PD_R_SLL2_TRUNCATED },
	{ "raw empty", 12, 4, 0, PD_R_IP_TRUNCATED },
	{ "raw 19", 12, 4, 19, PD_R_IPV4_TRUNCATED },
	{ "raw 39", 12, 6, 39, PD_R_IPV6_TRUNCATED },
	{ "228 empty", 13, 4, 0, PD_R_IPV4_TRUNCATED },
	{ "229 empty", 14, 6, 0, PD_R_IPV6_TRUNCATED },
	{ "null 3", 15, 4, 3, PD_R_NULL_TRUNCATED },
	{ "loop 0", 21, 6, 0, PD_R_NULL_TRUNCATED },
};

START_TEST(test_cut_reasons)
{
	const struct cut_case *cc = &cuts[_i];
	struct fb f;
	const struct link_case *lc;
	int ver;
	bool tcp;
	ck_assert(build(&f, cc->link * 4 + (cc->ver == 6 ? 2 : 0), &lc, &ver, &tcp));
	ck_assert_uint_lt(cc->cut, f.n);
	uint8_t *copy = malloc(cc->cut ? cc->cut : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, f.b, cc->cut);
	struct pd_packet pkt;
	enum pd_status st = pd_decode(&pkt, copy, cc->cut, lc->linktype);
	free(copy);
	ck_assert_msg(st == PD_TRUNCATED && pkt.reason == cc->reason, "%s: %s/%s", cc->name,
	              pd_status_name(st), pd_reason_name(pkt.reason));
	ck_assert(!pkt.has_l4);
}
END_TEST

/* Malformed and unsupported link-level cases: hex link header, then an inner datagram. */
enum inner { IN_NONE, IN_V4, IN_V6, IN_HEX };

struct bad_case {
	const char *name;
	int linktype;
	const char *link_hex;
	enum inner inner;
	const char *inner_hex;
	enum pd_status st;
	enum pd_reason reason;
	uint8_t vlan_count;
};

#define MACS "020304050607 525354555657 "

static const struct bad_case bads[] = {
	{ "5 vlan tags", PD_LINK_ETHERNET,
	  MACS "88a8 0001 9100 0002 8100 0003 8100 0004 8100 0005 0800", IN_V4, NULL,
	  PD_MALFORMED, PD_R_VLAN_TOO_DEEP, 4 },
	{ "5 tags, no payload", PD_LINK_ETHERNET,
	  MACS "8100 0001 8100 0002 8100 0003 8100 0004 8100", IN_NONE, NULL,
	  PD_MALFORMED, PD_R_VLAN_TOO_DEEP, 4 },
	{ "arp", PD_LINK_ETHERNET, MACS "0806",
	  IN_HEX, "0001 0800 0604 0001 525354555657 c0000201 000000000000 c0000202",
	  PD_UNSUPPORTED, PD_R_ETHERTYPE_UNSUPPORTED, 0 },
	{ "arp in vlan", PD_LINK_ETHERNET, MACS "8100 0064 0806", IN_HEX, "0001 0800 0604 0001",
	  PD_UNSUPPORTED, PD_R_ETHERTYPE_UNSUPPORTED, 1 },
	{ "802.3 length (LLC)", PD_LINK_ETHERNET, MACS "0026", IN_HEX, "4242 03 0000",
	  PD_UNSUPPORTED, PD_R_ETHERTYPE_UNSUPPORTED, 0 },
	{ "ethertype v4 holds v6", PD_LINK_ETHERNET, MACS "0800", IN_V6, NULL,
	  PD_MALFORMED, PD_R_IP_VERSION_MISMATCH, 0 },
	{ "ethertype v6 holds v4", PD_LINK_ETHERNET, MACS "86dd", IN_V4, NULL,
	  PD_MALFORMED, PD_R_IP_VERSION_MISMATCH, 0 },
	{ "228 holds v6", PD_LINK_IPV4, "", IN_V6, NULL, PD_MALFORMED, PD_R_IP_VERSION_MISMATCH, 0 },
	{ "229 holds v4", PD_LINK_IPV6, "", IN_V4, NULL, PD_MALFORMED, PD_R_IP_VERSION_MISMATCH, 0 },
	{ "raw version 5", PD_LINK_RAW, "", IN_HEX, "5500 0014 0000 0000 4006 0000 c0000201 c0000202",
	  PD_MALFORMED, PD_R_IP_VERSION_UNKNOWN, 0 },
	{ "raw version 0", PD_LINK_RAW_DLT, "", IN_HEX, "00", PD_MALFORMED, PD_R_IP_VERSION_UNKNOWN, 0 },
	{ "sll arp", PD_LINK_LINUX_SLL, "0000 0001 0006 0242ac110002 0000 0806", IN_HEX, "0001 0800",
	  PD_UNSUPPORTED, PD_R_ETHERTYPE_UNSUPPORTED, 0 },
	{ "sll2 arp", PD_LINK_LINUX_SLL2, "0806 0000 00000003 0001 04 06 0242ac110002 0000", IN_HEX,
	  "0001 0800", PD_UNSUPPORTED, PD_R_ETHERTYPE_UNSUPPORTED, 0 },
	{ "null family 7", PD_LINK_NULL, "07000000", IN_V4, NULL,
	  PD_UNSUPPORTED, PD_R_NULL_FAMILY_UNKNOWN, 0 },
	{ "null linux AF_INET6 10", PD_LINK_NULL, "0a000000", IN_V6, NULL,
	  PD_UNSUPPORTED, PD_R_NULL_FAMILY_UNKNOWN, 0 },
	{ "null AF_INET with v6 inside", PD_LINK_NULL, "02000000", IN_V6, NULL,
	  PD_MALFORMED, PD_R_IP_VERSION_MISMATCH, 0 },
	{ "loop little-endian AF_INET", PD_LINK_LOOP, "02000000", IN_V4, NULL,
	  PD_UNSUPPORTED, PD_R_NULL_FAMILY_UNKNOWN, 0 },
	{ "loop little-endian AF_INET6", PD_LINK_LOOP, "18000000", IN_V6, NULL,
	  PD_UNSUPPORTED, PD_R_NULL_FAMILY_UNKNOWN, 0 },
	{ "802.11", 105, "0800", IN_V4, NULL, PD_UNSUPPORTED, PD_R_LINK_UNSUPPORTED, 0 },
	{ "ppp", 9, "ff03 0021", IN_V4, NULL, PD_UNSUPPORTED, PD_R_LINK_UNSUPPORTED, 0 },
	{ "negative", -1, "", IN_V4, NULL, PD_UNSUPPORTED, PD_R_LINK_UNSUPPORTED, 0 },
	{ "unsupported, empty", 147, "", IN_NONE, NULL, PD_UNSUPPORTED, PD_R_LINK_UNSUPPORTED, 0 },
};

START_TEST(test_bad_links)
{
	const struct bad_case *bc = &bads[_i];
	struct fb f;
	fb_reset(&f);
	if (bc->inner == IN_V4 || bc->inner == IN_V6) {
		fb_append(&f, payload, PAYLOAD_LEN);
		fb_udp(&f, 1, 2);
		if (bc->inner == IN_V4)
			fb_ip4(&f, 17, fb_v4a, fb_v4b, 64, 1, 0, 0);
		else
			fb_ip6(&f, 17, fb_v6a, fb_v6b, 64);
	} else if (bc->inner == IN_HEX) {
		fb_hex(&f, bc->inner_hex);
	}
	struct fb link;
	fb_reset(&link);
	fb_hex(&link, bc->link_hex);
	fb_prepend(&f, link.b, link.n);

	struct pd_packet pkt;
	enum pd_status st = pd_decode(&pkt, f.b, f.n, bc->linktype);
	ck_assert_msg(st == bc->st && pkt.status == bc->st && pkt.reason == bc->reason,
	              "%s: got %s/%s, want %s/%s", bc->name, pd_status_name(st),
	              pd_reason_name(pkt.reason), pd_status_name(bc->st), pd_reason_name(bc->reason));
	ck_assert_int_eq(pkt.linktype, bc->linktype);
	ck_assert_uint_eq(pkt.vlan_count, bc->vlan_count);
	ck_assert(!pkt.has_l4);
	ck_assert_uint_eq(pkt.payload_len, 0);
}
END_TEST

START_TEST(test_linktype_supported)
{
	static const struct { int lt; bool ok; } t[] = {
		{ 0, true }, { 1, true }, { 12, true }, { 14, true }, { 101, true }, { 108, true },
		{ 113, true }, { 228, true }, { 229, true }, { 276, true },
		{ -1, false }, { 2, false }, { 9, false }, { 105, false }, { 127, false },
		{ 192, false }, { 275, false }, { 277, false }, { 65535, false },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ck_assert_msg(pd_linktype_supported(t[i].lt) == t[i].ok, "linktype %d", t[i].lt);
		/* pd_decode agrees: unsupported types say so whatever the bytes. */
		uint8_t b[64] = { 0x45 };
		struct pd_packet pkt;
		pd_decode(&pkt, b, sizeof(b), t[i].lt);
		ck_assert_int_eq(pkt.reason == PD_R_LINK_UNSUPPORTED, !t[i].ok);
	}
}
END_TEST

START_TEST(test_null_data)
{
	struct pd_packet pkt;
	ck_assert_int_eq(pd_decode(&pkt, NULL, 0, PD_LINK_ETHERNET), PD_TRUNCATED);
	ck_assert_int_eq(pkt.reason, PD_R_ETH_TRUNCATED);
	ck_assert_int_eq(pd_decode(&pkt, NULL, 0, PD_LINK_RAW), PD_TRUNCATED);
	ck_assert_int_eq(pkt.reason, PD_R_IP_TRUNCATED);
	ck_assert_uint_eq(pkt.wire_len, 0);
}
END_TEST

static Suite *link_suite(void)
{
	Suite *s = suite_create("decode_link");
	TCase *tc = tcase_create("link");
	tcase_add_loop_test(tc, test_matrix_valid, 0, (int)(N_LINKS * 4));
	tcase_add_loop_test(tc, test_matrix_truncation_sweep, 0, (int)(N_LINKS * 4));
	tcase_add_loop_test(tc, test_cut_reasons, 0, (int)(sizeof(cuts) / sizeof(cuts[0])));
	tcase_add_loop_test(tc, test_bad_links, 0, (int)(sizeof(bads) / sizeof(bads[0])));
	tcase_add_test(tc, test_linktype_supported);
	tcase_add_test(tc, test_null_data);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(link_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
