/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv4 header (RFC 791 section 3.1): lengths checked, options skipped, fragments flagged.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)          |    Padding    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

#include "parsers/decode_int.h"

#define IP4_MIN_HDR 20u
#define IP4_MF 0x2000u
#define IP4_OFFSET_MASK 0x1fffu

enum pd_status ip4_decode(struct pd_packet *pkt, struct pcur *c)
{
	const uint8_t *l3 = pcur_ptr(c);
	size_t captured = pcur_left(c);

	struct pcur h = *c;
	uint8_t vhl = pcur_u8(&h);
	pcur_skip(&h, 1); /* TOS / DSCP+ECN */
	uint16_t total = pcur_be16(&h);
	uint16_t id = pcur_be16(&h);
	uint16_t frag = pcur_be16(&h);
	uint8_t ttl = pcur_u8(&h);
	uint8_t proto = pcur_u8(&h);
	pcur_skip(&h, 2); /* checksum: verifying it is not our job (offload makes it 0) */
	pcur_copy(&h, pkt->src.b, 4);
	pcur_copy(&h, pkt->dst.b, 4);
	if (!pcur_ok(&h))
		return pd_fail(pkt, PD_TRUNCATED, PD_R_IPV4_TRUNCATED);

	if ((vhl >> 4) != 4)
		return pd_fail(pkt, PD_MALFORMED, PD_R_IP_VERSION_MISMATCH);
	pkt->ip_version = 4;
	pkt->ttl = ttl;
	pkt->ip_proto = proto;
	pkt->l3 = l3;

	size_t hdr = (size_t)(vhl & 0x0f) * 4;
	if (hdr < IP4_MIN_HDR)
		return pd_fail(pkt, PD_MALFORMED, PD_R_IPV4_BAD_IHL);
	if (total < hdr)
		return pd_fail(pkt, PD_MALFORMED, PD_R_IPV4_BAD_TOTAL_LENGTH);
	if (total > captured)
		return pd_fail(pkt, PD_TRUNCATED, PD_R_IPV4_TRUNCATED);
	pkt->l3_len = total;
	pkt->l3_hdr_len = hdr;

	/* Bound everything that follows by the total length: Ethernet pads
	 * short frames to 60 bytes and the padding is not payload. */
	struct pcur dgram = pcur_sub(c, total);
	pcur_skip(&dgram, hdr); /* fixed header and options (not interpreted) */
	struct pcur payload = pcur_sub(&dgram, total - hdr);

	if ((frag & (IP4_MF | IP4_OFFSET_MASK)) != 0) {
		/* Every fragment, the first included, waits for reassembly: the
		 * reassembled datagram re-enters through pd_decode_ip(). */
		pkt->is_fragment = true;
		pkt->frag_id = id;
		pkt->frag_offset = (uint32_t)(frag & IP4_OFFSET_MASK) * 8;
		pkt->more_fragments = (frag & IP4_MF) != 0;
		pkt->frag_len = pcur_left(&payload);
		pkt->frag_data = pcur_take(&payload, pkt->frag_len);
		return pd_fail(pkt, PD_OK, PD_R_FRAGMENT);
	}
	return pd_decode_l4(pkt, &payload);
}
