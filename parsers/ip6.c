/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv6 header and extension-header chain (RFC 8200 sections 3, 4; AH: RFC 4302 section 2.2).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Source Address (16 bytes)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              Destination Address (16 bytes)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Extension headers (0, 43, 60: length in 8-byte units + 1; AH 51: 4-byte units + 2):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Hdr Ext Len  |  ... options / routing data   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Fragment header (44, 8 bytes):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

#include "parsers/decode_int.h"

#define IP6_HDR 40u
#define IP6_MAX_EXT 8 /* a chain longer than this is an evasion attempt, not traffic */
#define IP6_FRAG_OFFSET_MASK 0xfff8u
#define IP6_FRAG_M 0x0001u

/* Extension header numbers (IANA "IPv6 Extension Header Types") this walk
 * does not traverse: Mobility, HIP, Shim6, experimental. */
static inline bool ip6_ext_unwalked(uint8_t nh)
{
	return nh == 135 || nh == 139 || nh == 140 || nh == 253 || nh == 254;
}

/* Fragment header: every real fragment stops the walk; the reassembled
 * datagram re-enters through pd_decode_ip(). Returns true when the walk goes on
 * (an atomic fragment, RFC 6946: offset 0 and no M flag, is processed in place). */
static bool ip6_fragment(struct pd_packet *pkt, struct pcur *pl, size_t before, uint8_t *nh)
{
	uint8_t next = pcur_u8(pl);
	pcur_skip(pl, 1);
	uint16_t offm = pcur_be16(pl);
	uint32_t id = pcur_be32(pl);
	if (!pcur_ok(pl))
		return false;
	*nh = next;
	if ((offm & (IP6_FRAG_OFFSET_MASK | IP6_FRAG_M)) == 0)
		return true;
	pkt->is_fragment = true;
	pkt->frag_id = id;
	pkt->frag_offset = offm & IP6_FRAG_OFFSET_MASK; /* 8-byte units, already << 3 */
	pkt->more_fragments = (offm & IP6_FRAG_M) != 0;
	pkt->frag_unfrag_len = before;
	pkt->frag_hdr_offset = before;
	pkt->l3_hdr_len = before;
	pkt->ip_proto = next;
	pkt->frag_len = pcur_left(pl);
	pkt->frag_data = pcur_take(pl, pkt->frag_len);
	return false;
}

enum pd_status ip6_decode(struct pd_packet *pkt, struct pcur *c)
{
	const uint8_t *l3 = pcur_ptr(c);
	size_t captured = pcur_left(c);

	struct pcur h = *c;
	uint32_t vtcfl = pcur_be32(&h);
	uint16_t plen = pcur_be16(&h);
	uint8_t nh = pcur_u8(&h);
	uint8_t hlim = pcur_u8(&h);
	pcur_copy(&h, pkt->src.b, 16);
	pcur_copy(&h, pkt->dst.b, 16);
	if (!pcur_ok(&h))
		return pd_fail(pkt, PD_TRUNCATED, PD_R_IPV6_TRUNCATED);

	if ((vtcfl >> 28) != 6)
		return pd_fail(pkt, PD_MALFORMED, PD_R_IP_VERSION_MISMATCH);
	pkt->ip_version = 6;
	pkt->ttl = hlim;
	pkt->l3 = l3;

	/* Payload length 0 before a hop-by-hop header means a jumbogram
	 * (RFC 2675), which never crosses the links we capture on. */
	if (plen == 0 && nh == PD_IPPROTO_HOPOPTS)
		return pd_fail(pkt, PD_MALFORMED, PD_R_IPV6_BAD_PAYLOAD_LENGTH);
	size_t total = IP6_HDR + plen;
	if (total > captured)
		return pd_fail(pkt, PD_TRUNCATED, PD_R_IPV6_TRUNCATED);
	pkt->l3_len = total;

	struct pcur dgram = pcur_sub(c, total);
	pcur_skip(&dgram, IP6_HDR);
	struct pcur pl = pcur_sub(&dgram, plen);

	for (unsigned n = 0;; ) {
		pkt->ip_proto = nh;
		pkt->l3_hdr_len = total - pcur_left(&pl);
		switch (nh) {
		case PD_IPPROTO_HOPOPTS:
		case PD_IPPROTO_ROUTING:
		case PD_IPPROTO_DSTOPTS:
		case PD_IPPROTO_AH:
		case PD_IPPROTO_FRAGMENT:
			if (++n > IP6_MAX_EXT)
				return pd_fail(pkt, PD_MALFORMED, PD_R_IPV6_EXT_TOO_MANY);
			break;
		case PD_IPPROTO_ESP:
			return pd_fail(pkt, PD_UNSUPPORTED, PD_R_IPV6_ESP);
		case PD_IPPROTO_NONE:
			return pd_fail(pkt, PD_OK, PD_R_NONE);
		default:
			if (ip6_ext_unwalked(nh))
				return pd_fail(pkt, PD_UNSUPPORTED, PD_R_IPV6_EXT_UNKNOWN);
			return pd_decode_l4(pkt, &pl);
		}

		if (nh == PD_IPPROTO_FRAGMENT) {
			if (ip6_fragment(pkt, &pl, pkt->l3_hdr_len, &nh))
				continue;
			if (!pcur_ok(&pl))
				return pd_fail(pkt, PD_TRUNCATED, PD_R_IPV6_EXT_TRUNCATED);
			return pd_fail(pkt, PD_OK, PD_R_FRAGMENT);
		}

		uint8_t next = pcur_u8(&pl);
		size_t len = pcur_u8(&pl);
		size_t size = nh == PD_IPPROTO_AH ? (len + 2) * 4 : (len + 1) * 8;
		pcur_skip(&pl, size - 2);
		if (!pcur_ok(&pl))
			return pd_fail(pkt, PD_TRUNCATED, PD_R_IPV6_EXT_TRUNCATED);
		nh = next;
	}
}
