/* SPDX-License-Identifier: BSD-2-Clause */
/* TCP header (RFC 9293 section 3.1): ports, sequence numbers, flags, window, payload.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Options (Data Offset > 5)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */

#include "parsers/decode_int.h"

#define TCP_MIN_HDR 20u

enum pd_status tcp_decode(struct pd_packet *pkt, struct pcur *seg)
{
	size_t seglen = pcur_left(seg);
	uint16_t sport = pcur_be16(seg);
	uint16_t dport = pcur_be16(seg);
	uint32_t seq = pcur_be32(seg);
	uint32_t ack = pcur_be32(seg);
	uint8_t off = pcur_u8(seg);
	uint8_t flags = pcur_u8(seg);
	uint16_t window = pcur_be16(seg);
	pcur_skip(seg, 4); /* checksum, urgent pointer */
	if (!pcur_ok(seg))
		return pd_fail(pkt, PD_TRUNCATED, PD_R_TCP_TRUNCATED);

	size_t hdr = (size_t)(off >> 4) * 4;
	if (hdr < TCP_MIN_HDR || hdr > seglen)
		return pd_fail(pkt, PD_MALFORMED, PD_R_TCP_BAD_OFFSET);
	pcur_skip(seg, hdr - TCP_MIN_HDR); /* options: the reassembler needs none of them */

	pkt->has_l4 = true;
	pkt->sport = sport;
	pkt->dport = dport;
	pkt->seq = seq;
	pkt->ack = ack;
	pkt->tcp_flags = flags;
	pkt->window = window;
	pkt->payload_len = pcur_left(seg);
	pkt->payload = pcur_take(seg, pkt->payload_len);
	return pd_fail(pkt, PD_OK, PD_R_NONE);
}
