/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite: IPv4 (RFC 791) and IPv6 (RFC 8200) decoding: options, ext chains, fragments, errors. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/decode.h"
#include "tests/test_decode_build.h"

static const char payload[] = "MAIL FROM:<ann@corp.test>\r\n";
#define PAYLOAD_LEN (sizeof(payload) - 1)

static const uint16_t tag_q[1] = { 0x8100 };
static const uint16_t vid_7[1] = { 7 };

static void expect_v4_addrs(const struct pd_packet *pkt)
{
	uint8_t a[16] = { 0 }, b[16] = { 0 };
	memcpy(a, fb_v4a, 4);
	memcpy(b, fb_v4b, 4);
	ck_assert_mem_eq(pkt->src.b, a, 16);
	ck_assert_mem_eq(pkt->dst.b, b, 16);
}

/* ---- IPv4 fragments ---------------------------------------------------- */

static const struct v4frag_case {
	const char *name;
	uint16_t frag;      /* flags + offset field */
	size_t optlen;
	uint32_t offset;    /* expected, bytes */
	bool more;
} v4frags[] = {
	{ "first", 0x2000, 0, 0, true },
	{ "first with DF noise and options", 0x2000, 8, 0, true },
	{ "middle", 0x2000 | 185, 0, 1480, true },
	{ "last", 370, 0, 2960, false },
	{ "last max offset", 0x1fff, 4, 65528, false },
};

static void build_v4frag(struct fb *f, const struct v4frag_case *c)
{
	fb_reset(f);
	fb_append(f, payload, PAYLOAD_LEN);
	fb_ip4(f, 6, fb_v4a, fb_v4b, 30, 0xbeef, c->frag, c->optlen);
	fb_eth(f, 0x0800, tag_q, vid_7, 1);
}

START_TEST(test_v4_fragments)
{
	const struct v4frag_case *c = &v4frags[_i];
	struct fb f;
	build_v4frag(&f, c);
	struct pd_packet pkt;
	ck_assert_int_eq(pd_decode(&pkt, f.b, f.n, PD_LINK_ETHERNET), PD_OK);
	ck_assert_int_eq(pkt.reason, PD_R_FRAGMENT);
	ck_assert_uint_eq(pkt.vlan_count, 1);
	ck_assert_uint_eq(pkt.vlan[0], 7);
	ck_assert_uint_eq(pkt.ip_version, 4);
	expect_v4_addrs(&pkt);
	ck_assert_uint_eq(pkt.ip_proto, 6);
	ck_assert_uint_eq(pkt.ttl, 30);
	ck_assert_ptr_eq(pkt.l3, f.b + 18);
	ck_assert_uint_eq(pkt.l3_hdr_len, 20 + c->optlen);
	ck_assert_uint_eq(pkt.l3_len, 20 + c->optlen + PAYLOAD_LEN);
	ck_assert(pkt.is_fragment);
	ck_assert_uint_eq(pkt.frag_id, 0xbeef);
	ck_assert_uint_eq(pkt.frag_offset, c->offset);
	ck_assert_int_eq(pkt.more_fragments, c->more);
	ck_assert_ptr_eq(pkt.frag_data, f.b + 18 + 20 + c->optlen);
	ck_assert_uint_eq(pkt.frag_len, PAYLOAD_LEN);
	ck_assert_uint_eq(pkt.frag_unfrag_len, 0);
	ck_assert_uint_eq(pkt.frag_hdr_offset, 0);
	ck_assert(!pkt.has_l4);
	ck_assert_uint_eq(pkt.sport, 0);
	ck_assert_uint_eq(pkt.dport, 0);
	ck_assert_ptr_null(pkt.payload);
	ck_assert_uint_eq(pkt.payload_len, 0);
	ck_assert_uint_eq(fb_sweep(f.b, f.n, PD_LINK_ETHERNET), f.n);
}
END_TEST

/* DF alone is not a fragment. */
START_TEST(test_v4_df_not_fragment)
{
	struct fb f;
	fb_reset(&f);
	fb_append(&f, payload, PAYLOAD_LEN);
	fb_udp(&f, 1000, 2000);
	fb_ip4(&f, 17, fb_v4a, fb_v4b, 1, 0xbeef, 0x4000, 0);
	struct pd_packet pkt;
	ck_assert_int_eq(pd_decode(&pkt, f.b, f.n, PD_LINK_RAW), PD_OK);
	ck_assert_int_eq(pkt.reason, PD_R_NONE);
	ck_assert(!pkt.is_fragment);
	ck_assert(pkt.has_l4);
	ck_assert_uint_eq(pkt.frag_id, 0);
}
END_TEST

/* ---- IPv6 extension chains and fragments ------------------------------- */

struct ext { uint8_t type; size_t size; };

static const struct v6chain_case {
	const char *name;
	struct ext ext[10];
	size_t n;
	uint8_t l4;  /* 6, 17 */
	size_t hdr;  /* expected l3_hdr_len */
} v6chains[] = {
	{ "hop", { { 0, 8 } }, 1, 6, 48 },
	{ "hop dst rt dst", { { 0, 16 }, { 60, 8 }, { 43, 24 }, { 60, 8 } }, 4, 17, 96 },
	{ "ah", { { 51, 24 } }, 1, 6, 64 },
	{ "ah min", { { 51, 8 } }, 1, 17, 48 },
	{ "hop ah dst", { { 0, 8 }, { 51, 12 }, { 60, 2048 } }, 3, 6, 40 + 8 + 12 + 2048 },
	{ "8 headers (the limit)",
	  { { 0, 8 }, { 60, 8 }, { 43, 8 }, { 60, 8 }, { 60, 8 }, { 60, 8 }, { 60, 8 }, { 51, 12 } },
	  8, 6, 40 + 7 * 8 + 12 },
};

static void build_chain(struct fb *f, const struct ext *ext, size_t n, uint8_t l4)
{
	fb_reset(f);
	fb_append(f, payload, PAYLOAD_LEN);
	if (l4 == 6)
		fb_tcp(f, 2525, 587, 7, 9, PD_TCP_ACK, 512, 12);
	else
		fb_udp(f, 2525, 53);
	uint8_t nh = l4;
	for (size_t i = n; i-- > 0;) {
		fb_ext6(f, ext[i].type, nh, ext[i].size);
		nh = ext[i].type;
	}
	fb_ip6(f, nh, fb_v6a, fb_v6b, 255);
}

START_TEST(test_v6_chains)
{
	const struct v6chain_case *c = &v6chains[_i];
	struct fb f;
	build_chain(&f, c->ext, c->n, c->l4);
	fb_sll(&f, 0x86dd);
	struct pd_packet pkt;
	enum pd_status st = pd_decode(&pkt, f.b, f.n, PD_LINK_LINUX_SLL);
	ck_assert_msg(st == PD_OK, "%s: %s", c->name, pd_reason_name(pkt.reason));
	ck_assert_int_eq(pkt.reason, PD_R_NONE);
	ck_assert_uint_eq(pkt.ip_version, 6);
	ck_assert_mem_eq(pkt.src.b, fb_v6a, 16);
	ck_assert_mem_eq(pkt.dst.b, fb_v6b, 16);
	ck_assert_uint_eq(pkt.ttl, 255);
	ck_assert_uint_eq(pkt.ip_proto, c->l4);
	ck_assert_ptr_eq(pkt.l3, f.b + 16);
	ck_assert_uint_eq(pkt.l3_hdr_len, c->hdr);
	size_t l4hdr = c->l4 == 6 ? 32 : 8;
	ck_assert_uint_eq(pkt.l3_len, c->hdr + l4hdr + PAYLOAD_LEN);
	ck_assert(!pkt.is_fragment);
	ck_assert(pkt.has_l4);
	ck_assert_uint_eq(pkt.sport, 2525);
	ck_assert_uint_eq(pkt.dport, c->l4 == 6 ? 587 : 53);
	ck_assert_ptr_eq(pkt.payload, f.b + 16 + c->hdr + l4hdr);
	ck_assert_uint_eq(pkt.payload_len, PAYLOAD_LEN);
	ck_assert_uint_eq(fb_sweep(f.b, f.n, PD_LINK_LINUX_SLL), f.n);
}
END_TEST

static const struct v6frag_case {
	const char *name;
	uint32_t offset;
	bool more;
	uint8_t nh;
} v6frags[] = {
	{ "first", 0, true, 6 },
	{ "middle", 1232, true, 6 },
	{ "last", 2464, false, 17 },
	{ "max offset", 65528, false, 17 },
};

/* hop-by-hop (8) + destination options (16) + fragment header + data. */
static void build_v6frag(struct fb *f, const struct v6frag_case *c)
{
	fb_reset(f);
	fb_append(f, payload, PAYLOAD_LEN);
	fb_frag6(f, c->nh, c->offset, c->more, 0xdeadbeefu);
	fb_ext6(f, 60, 44, 16);
	fb_ext6(f, 0, 60, 8);
	fb_ip6(f, 0, fb_v6a, fb_v6b, 64);
}

START_TEST(test_v6_fragments)
{
	const struct v6frag_case *c = &v6frags[_i];
	struct fb f;
	build_v6frag(&f, c);
	fb_eth(&f, 0x86dd, NULL, NULL, 0);
	struct pd_packet pkt;
	ck_assert_int_eq(pd_decode(&pkt, f.b, f.n, PD_LINK_ETHERNET), PD_OK);
	ck_assert_int_eq(pkt.reason, PD_R_FRAGMENT);
	ck_assert_uint_eq(pkt.ip_version, 6);
	ck_assert_uint_eq(pkt.ip_proto, c->nh);
	ck_assert_ptr_eq(pkt.l3, f.b + 14);
	ck_assert_uint_eq(pkt.l3_len, 64 + 8 + PAYLOAD_LEN);
	ck_assert_uint_eq(pkt.l3_hdr_len, 64);
	ck_assert(pkt.is_fragment);
	ck_assert_uint_eq(pkt.frag_id, 0xdeadbeefu);
	ck_assert_uint_eq(pkt.frag_offset, c->offset);
	ck_assert_int_eq(pkt.more_fragments, c->more);
	ck_assert_uint_eq(pkt.frag_unfrag_len, 64);
	ck_assert_uint_eq(pkt.frag_hdr_offset, 64);
	ck_assert_ptr_eq(pkt.frag_data, f.b + 14 + 72);
	ck_assert_uint_eq(pkt.frag_len, PAYLOAD_LEN);
	ck_assert(!pkt.has_l4);
	ck_assert_ptr_null(pkt.payload);
	ck_assert_uint_eq(fb_sweep(f.b, f.n, PD_LINK_ETHERNET), f.n);
}
END_TEST

/* Offset 0 without M (RFC 6946 atomic fragment) is the whole datagram. */
START_TEST(test_v6_atomic_fragment)
{
	struct fb f;
	fb_reset(&f);
	fb_append(&f, payload, PAYLOAD_LEN);
	fb_udp(&f, 4000, 53);
	fb_frag6(&f, 17, 0, false, 77);
	fb_ip6(&f, 44, fb_v6a, fb_v6b, 64);
	struct pd_packet pkt;
	ck_assert_int_eq(pd_decode(&pkt, f.b, f.n, PD_LINK_IPV6), PD_OK);
	ck_assert_int_eq(pkt.reason, PD_R_NONE);
	ck_assert(!pkt.is_fragment);
	ck_assert(pkt.has_l4);
	ck_assert_uint_eq(pkt.ip_proto, 17);
	ck_assert_uint_eq(pkt.l3_hdr_len, 48);
	ck_assert_uint_eq(pkt.dport, 53);
	ck_assert_uint_eq(pkt.payload_len, PAYLOAD_LEN);
	ck_assert_uint_eq(fb_sweep(f.b, f.n, PD_LINK_IPV6), f.n);
}
END_TEST

/* ---- IPv4 options, padding, other protocols ---------------------------- */

START_TEST(test_v4_options)
{
	static const size_t opts[] = { 4, 8, 20, 40 };
	for (size_t i = 0; i < 4; i++) {
		struct fb f;
		fb_reset(&f);
		fb_append(&f, payload, PAYLOAD_LEN);
		fb_tcp(&f, 1, 2, 3, 4, PD_TCP_SYN, 5, 40);
		fb_ip4(&f, 6, fb_v4a, fb_v4b, 9, 1, 0, opts[i]);
		struct pd_packet pkt;
		ck_assert_int_eq(pd_decode(&pkt, f.b, f.n, PD_LINK_IPV4), PD_OK);
		ck_assert_uint_eq(pkt.l3_hdr_len, 20 + opts[i]);
		ck_assert_uint_eq(pkt.l3_len, f.n);
		ck_assert(pkt.has_l4);
		ck_assert_uint_eq(pkt.tcp_flags, PD_TCP_SYN);
		ck_assert_ptr_eq(pkt.payload, f.b + 20 + opts[i] + 60);
		ck_assert_uint_eq(pkt.payload_len, PAYLOAD_LEN);
		ck_assert_uint_eq(fb_sweep(f.b, f.n, PD_LINK_IPV4), f.n);
	}
}
END_TEST

/* Bytes after the IP datagram (Ethernet minimum-size padding, trailers)
 * are not payload. */
START_TEST(test_padding_ignored)
{
	for (int v = 4; v <= 6; v += 2) {
		struct fb f;
		fb_reset(&f);
		fb_append(&f, "x", 1);
		fb_udp(&f, 7, 9);
		if (v == 4)
			fb_ip4(&f, 17, fb_v4a, fb_v4b, 1, 1, 0, 0);
		else
			fb_ip6(&f, 17, fb_v6a, fb_v6b, 1);
		size_t l3 = f.n;
		fb_eth(&f, v == 4 ? 0x0800 : 0x86dd, NULL, NULL, 0);
		fb_pad(&f, 60 > f.n ? 60 - f.n : 4, 0xff);
		struct pd_packet pkt;
		ck_assert_int_eq(pd_decode(&pkt, f.b, f.n, PD_LINK_ETHERNET), PD_OK);
		ck_assert_uint_eq(pkt.wire_len, f.n);
		ck_assert_uint_eq(pkt.l3_len, l3);
		ck_assert_uint_eq(pkt.payload_len, 1);
		ck_assert_uint_eq(pkt.payload[0], 'x');
	}
}
END_TEST

static const struct other_case {
	const char *name;
	int ver;
	uint8_t proto;
	enum pd_reason reason;
} others[] = {
	{ "icmp", 4, 1, PD_R_L4_UNSUPPORTED },
	{ "gre", 4, 47, PD_R_L4_UNSUPPORTED },
	{ "sctp", 4, 132, PD_R_L4_UNSUPPORTED },
	{ "icmpv6", 6, 58, PD_R_L4_UNSUPPORTED },
	{ "ipip6", 6, 4, PD_R_L4_UNSUPPORTED },
	{ "no next header", 6, 59, PD_R_NONE },
};

START_TEST(test_other_protocols)
{
	const struct other_case *c = &others[_i];
	struct fb f;
	fb_reset(&f);
	fb_hex(&f, "8000 1234 0001 0002 6162636465");
	if (c->ver == 4)
		fb_ip4(&f, c->proto, fb_v4a, fb_v4b, 64, 1, 0, 0);
	else
		fb_ip6(&f, c->proto, fb_v6a, fb_v6b, 64);
	struct pd_packet pkt;
	ck_assert_int_eq(pd_decode(&pkt, f.b, f.n, PD_LINK_RAW), PD_OK);
	ck_assert_msg(pkt.reason == c->reason, "%s: %s", c->name, pd_reason_name(pkt.reason));
	ck_assert_uint_eq(pkt.ip_version, c->ver);
	ck_assert_uint_eq(pkt.ip_proto, c->proto);
	ck_assert_uint_eq(pkt.l3_len, f.n);
	ck_assert(!pkt.has_l4);
	ck_assert(!pkt.is_fragment);
	ck_assert_uint_eq(fb_sweep(f.b, f.n, PD_LINK_RAW), f.n);
}
END_TEST

/* ---- malformed / unsupported IP ---------------------------------------- */

enum recipe { R_V4_TCP, R_V6_TCP, R_V6_HOP_TCP, R_V6_EXT9, R_V6_ESP, R_V6_MOBILITY,
              R_V6_HIP, R_V6_EXP, R_V6_FRAG_SHORT };

struct patch { size_t off; uint8_t val; };

static const struct ip_bad_case {
	const char *name;
	enum recipe recipe;
	struct patch patch[4];
	size_t npatch;
	enum pd_status st;
	enum pd_reason reason;
} ip_bads[] = {
	{ "ihl 4", R_V4_TCP, { { 0, 0x44 } }, 1, PD_MALFORMED, PD_R_IPV4_BAD_IHL },
	{ "ihl 0", R_V4_TCP, { { 0, 0x40 } }, 1, PD_MALFORMED, PD_R_IPV4_BAD_IHL },
	{ "total 19", R_V4_TCP, { { 2, 0 }, { 3, 19 } }, 2, PD_MALFORMED, PD_R_IPV4_BAD_TOTAL_LENGTH },
	{ "total 0 (TSO)", R_V4_TCP, { { 2, 0 }, { 3, 0 } }, 2, PD_MALFORMED, PD_R_IPV4_BAD_TOTAL_LENGTH },
	{ "total < ihl 15", R_V4_TCP, { { 0, 0x4f }, { 2, 0 }, { 3, 40 } }, 3,
	  PD_MALFORMED, PD_R_IPV4_BAD_TOTAL_LENGTH },
	{ "ihl 15 beyond frame", R_V4_TCP, { { 0, 0x4f }, { 2, 0x10 }, { 3, 0 } }, 3,
	  PD_TRUNCATED, PD_R_IPV4_TRUNCATED },
	{ "total beyond frame", R_V4_TCP, { { 2, 0x05 }, { 3, 0xdc } }, 2,
	  PD_TRUNCATED, PD_R_IPV4_TRUNCATED },
	{ "v6 payload beyond frame", R_V6_TCP, { { 4, 0x05 } }, 1, PD_TRUNCATED, PD_R_IPV6_TRUNCATED },
	{ "jumbo (plen 0 + hop-by-hop)", R_V6_HOP_TCP, { { 4, 0 }, { 5, 0 } }, 2,
	  PD_MALFORMED, PD_R_IPV6_BAD_PAYLOAD_LENGTH },
	{ "hop-by-hop longer than payload", R_V6_HOP_TCP, { { 41, 200 } }, 1,
	  PD_TRUNCATED, PD_R_IPV6_EXT_TRUNCATED },
	{ "9 extension headers", R_V6_EXT9, { { 0, 0x60 } }, 0, PD_MALFORMED, PD_R_IPV6_EXT_TOO_MANY },
	{ "esp", R_V6_ESP, { { 0, 0x60 } }, 0, PD_UNSUPPORTED, PD_R_IPV6_ESP },
	{ "mobility header", R_V6_MOBILITY, { { 0, 0x60 } }, 0, PD_UNSUPPORTED, PD_R_IPV6_EXT_UNKNOWN },
	{ "hip", R_V6_HIP, { { 0, 0x60 } }, 0, PD_UNSUPPORTED, PD_R_IPV6_EXT_UNKNOWN },
	{ "experimental 253", R_V6_EXP, { { 0, 0x60 } }, 0, PD_UNSUPPORTED, PD_R_IPV6_EXT_UNKNOWN },
	{ "fragment header cut by payload length", R_V6_FRAG_SHORT, { { 0, 0x60 } }, 0,
	  PD_TRUNCATED, PD_R_IPV6_EXT_TRUNCATED },
	{ "v4 header version 7", R_V4_TCP, { { 0, 0x75 } }, 1, PD_MALFORMED, PD_R_IP_VERSION_UNKNOWN },
};

static void build_recipe(struct fb *f, enum recipe r)
{
	static const struct ext nine[9] = { { 0, 8 }, { 60, 8 }, { 60, 8 }, { 60, 8 }, { 60, 8 },
	                                    { 60, 8 }, { 60, 8 }, { 60, 8 }, { 43, 8 } };
	fb_reset(f);
	fb_append(f, payload, PAYLOAD_LEN);
	switch (r) {
	case R_V4_TCP:
		fb_tcp(f, 1, 25, 1, 1, PD_TCP_ACK, 1, 0);
		fb_ip4(f, 6, fb_v4a, fb_v4b, 64, 1, 0, 0);
		break;
	case R_V6_TCP:
		fb_tcp(f, 1, 25, 1, 1, PD_TCP_ACK, 1, 0);
		fb_ip6(f, 6, fb_v6a, fb_v6b, 64);
		break;
	case R_V6_HOP_TCP:
		fb_tcp(f, 1, 25, 1, 1, PD_TCP_ACK, 1, 0);
		fb_ext6(f, 0, 6, 8);
		fb_ip6(f, 0, fb_v6a, fb_v6b, 64);
		break;
	case R_V6_EXT9:
		build_chain(f, nine, 9, 6);
		break;
	case R_V6_ESP:
		fb_hex(f, "00001000 00000001"); /* SPI, sequence */
		fb_ext6(f, 0, 50, 8);
		fb_ip6(f, 0, fb_v6a, fb_v6b, 64);
		break;
	case R_V6_MOBILITY:
		fb_ext6(f, 60, 135, 8);
		fb_ip6(f, 60, fb_v6a, fb_v6b, 64);
		break;
	case R_V6_HIP:
		fb_ip6(f, 139, fb_v6a, fb_v6b, 64);
		break;
	case R_V6_EXP:
		fb_ip6(f, 253, fb_v6a, fb_v6b, 64);
		break;
	case R_V6_FRAG_SHORT:
		fb_reset(f);
		fb_hex(f, "06 00 0001"); /* half a fragment header */
		fb_ip6(f, 44, fb_v6a, fb_v6b, 64);
		break;
	}
}

START_TEST(test_ip_bad)
{
	const struct ip_bad_case *c = &ip_bads[_i];
	struct fb f;
	build_recipe(&f, c->recipe);
	for (size_t i = 0; i < c->npatch; i++)
		f.b[c->patch[i].off] = c->patch[i].val;
	uint8_t *copy = malloc(f.n);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, f.b, f.n);
	struct pd_packet pkt;
	enum pd_status st = pd_decode(&pkt, copy, f.n, PD_LINK_RAW);
	free(copy);
	ck_assert_msg(st == c->st && pkt.status == c->st && pkt.reason == c->reason,
	              "%s: got %s/%s, want %s/%s", c->name, pd_status_name(st),
	              pd_reason_name(pkt.reason), pd_status_name(c->st), pd_reason_name(c->reason));
	ck_assert(!pkt.has_l4);
	ck_assert(!pkt.is_fragment);
}
END_TEST

/* The unpatched recipes are valid (so each bad case fails for its patch alone). */
START_TEST(test_recipes_valid_base)
{
	static const enum recipe ok[] = { R_V4_TCP, R_V6_TCP, R_V6_HOP_TCP };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct fb f;
		build_recipe(&f, ok[i]);
		struct pd_packet pkt;
		ck_assert_int_eq(pd_decode(&pkt, f.b, f.n, PD_LINK_RAW), PD_OK);
		ck_assert(pkt.has_l4);
		ck_assert_uint_eq(pkt.payload_len, PAYLOAD_LEN);
		ck_assert_uint_eq(fb_sweep(f.b, f.n, PD_LINK_RAW), f.n);
	}
}
END_TEST

/* ---- re-entry ---------------------------------------------------------- */

START_TEST(test_decode_ip_reentry)
{
	for (int v = 4; v <= 6; v += 2) {
		struct fb frag, whole;
		/* A fragment seen on VLAN 7 ... */
		build_v4frag(&frag, &v4frags[0]);
		struct pd_packet pkt;
		ck_assert_int_eq(pd_decode(&pkt, frag.b, frag.n, PD_LINK_ETHERNET), PD_OK);
		ck_assert(pkt.is_fragment);
		/* ... whose reassembled datagram re-enters, keeping the link fields. */
		fb_reset(&whole);
		fb_append(&whole, payload, PAYLOAD_LEN);
		fb_tcp(&whole, 40000, 465, 100, 200, PD_TCP_FIN | PD_TCP_ACK, 1024, 0);
		if (v == 4)
			fb_ip4(&whole, 6, fb_v4a, fb_v4b, 30, 0xbeef, 0, 0);
		else
			fb_ip6(&whole, 6, fb_v6a, fb_v6b, 30);
		ck_assert_int_eq(pd_decode_ip(&pkt, whole.b, whole.n), PD_OK);
		ck_assert_int_eq(pkt.reason, PD_R_NONE);
		ck_assert_int_eq(pkt.linktype, PD_LINK_ETHERNET);
		ck_assert_uint_eq(pkt.vlan_count, 1);
		ck_assert_uint_eq(pkt.vlan[0], 7);
		ck_assert_uint_eq(pkt.wire_len, whole.n);
		ck_assert_uint_eq(pkt.ip_version, v);
		ck_assert(!pkt.is_fragment);
		ck_assert(!pkt.more_fragments);
		ck_assert_uint_eq(pkt.frag_id, 0);
		ck_assert_ptr_null(pkt.frag_data);
		ck_assert_ptr_eq(pkt.l3, whole.b);
		ck_assert(pkt.has_l4);
		ck_assert_uint_eq(pkt.sport, 40000);
		ck_assert_uint_eq(pkt.dport, 465);
		ck_assert_uint_eq(pkt.tcp_flags, PD_TCP_FIN | PD_TCP_ACK);
		ck_assert_uint_eq(pkt.payload_len, PAYLOAD_LEN);
		ck_assert_uint_eq(fb_sweep_ip(whole.b, whole.n), whole.n);
	}
}
END_TEST

/* ---- names and address text -------------------------------------------- */

START_TEST(test_names)
{
	for (int r = 0; r < PD_R_COUNT; r++) {
		const char *n = pd_reason_name((enum pd_reason)r);
		ck_assert_ptr_nonnull(n);
		ck_assert_uint_gt(strlen(n), 0);
		ck_assert_str_ne(n, "unknown");
		for (int q = 0; q < r; q++)
			ck_assert_str_ne(n, pd_reason_name((enum pd_reason)q));
	}
	ck_assert_str_eq(pd_reason_name(PD_R_NONE), "none");
	ck_assert_str_eq(pd_reason_name(PD_R_TCP_BAD_OFFSET), "tcp_bad_data_offset");
	ck_assert_str_eq(pd_reason_name(PD_R_IPV6_EXT_TOO_MANY), "ipv6_ext_too_many");
	ck_assert_str_eq(pd_reason_name(PD_R_COUNT), "unknown");
	ck_assert_str_eq(pd_reason_name((enum pd_reason)-1), "unknown");
	ck_assert_str_eq(pd_status_name(PD_OK), "ok");
	ck_assert_str_eq(pd_status_name(PD_TRUNCATED), "truncated");
	ck_assert_str_eq(pd_status_name(PD_MALFORMED), "malformed");
	ck_assert_str_eq(pd_status_name(PD_UNSUPPORTED), "unsupported");
	ck_assert_str_eq(pd_status_name((enum pd_status)PD_STATUS_COUNT), "unknown");
}
END_TEST

START_TEST(test_ip_str)
{
	static const struct {
		uint8_t b[16];
		uint8_t ver;
		size_t buflen;
		const char *want;
	} t[] = {
		{ { 192, 0, 2, 10 }, 4, 64, "192.0.2.10" },
		{ { 0, 0, 0, 0 }, 4, 64, "0.0.0.0" },
		{ { 255, 255, 255, 255 }, 4, 16, "255.255.255.255" },
		{ { 255, 255, 255, 255 }, 4, 15, "" },  /* does not fit: empty, not cut */
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 6, 64, "2001:db8::1" },
		{ { 0 }, 6, 64, "::" },
		{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 }, 6, 64, "::ffff:192.0.2.1" },
		{ { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 6, 300, "fe80::1" },
		{ { 1, 2, 3, 4 }, 0, 64, "" },
		{ { 1, 2, 3, 4 }, 5, 64, "" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pd_ip a;
		memcpy(a.b, t[i].b, 16);
		char *buf = malloc(t[i].buflen);
		ck_assert_ptr_nonnull(buf);
		ck_assert_ptr_eq(pd_ip_str(&a, t[i].ver, buf, t[i].buflen), buf);
		ck_assert_str_eq(buf, t[i].want);
		free(buf);
	}
	struct pd_ip a = { { 0 } };
	char one[1] = { 'z' };
	ck_assert_ptr_eq(pd_ip_str(&a, 4, one, 1), one);
	ck_assert_int_eq(one[0], '\0');
	ck_assert_ptr_eq(pd_ip_str(&a, 4, one, 0), one); /* nothing written */
}
END_TEST

static Suite *ip_suite(void)
{
	Suite *s = suite_create("decode_ip");
	TCase *tc = tcase_create("ip");
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
	tcase_add_loop_test(tc, test_v4_fragments, 0, N(v4frags));
	tcase_add_test(tc, test_v4_df_not_fragment);
	tcase_add_loop_test(tc, test_v6_chains, 0, N(v6chains));
	tcase_add_loop_test(tc, test_v6_fragments, 0, N(v6frags));
	tcase_add_test(tc, test_v6_atomic_fragment);
	tcase_add_test(tc, test_v4_options);
	tcase_add_test(tc, test_padding_ignored);
	tcase_add_loop_test(tc, test_other_protocols, 0, N(others));
	tcase_add_loop_test(tc, test_ip_bad, 0, N(ip_bads));
	tcase_add_test(tc, test_recipes_valid_base);
	tcase_add_test(tc, test_decode_ip_reentry);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_ip_str);
#undef N
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ip_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
