/* SPDX-License-Identifier: BSD-2-Clause */
/* UDP header (RFC 768): ports and a payload bounded by the UDP length field.
 *
 *  0      7 8     15 16    23 24    31
 * +--------+--------+--------+--------+
 * |   Source Port   |   Dest. Port    |
 * +--------+--------+--------+--------+
 * |     Length      |    Checksum     |
 * +--------+--------+--------+--------+
 * |          data octets ...
 */

#include "parsers/decode_int.h"

#define UDP_HDR 8u

enum pd_status udp_decode(struct pd_packet *pkt, struct pcur *seg)
{
	size_t avail = pcur_left(seg);
	uint16_t sport = pcur_be16(seg);
	uint16_t dport = pcur_be16(seg);
	uint16_t len = pcur_be16(seg);
	pcur_skip(seg, 2); /* checksum */
	if (!pcur_ok(seg))
		return pd_fail(pkt, PD_TRUNCATED, PD_R_UDP_TRUNCATED);
	/* The IP length is authoritative for the datagram; a UDP length claiming
	 * more, or less than its own header, is a crafted or broken packet. */
	if (len < UDP_HDR || len > avail)
		return pd_fail(pkt, PD_MALFORMED, PD_R_UDP_BAD_LENGTH);

	pkt->has_l4 = true;
	pkt->sport = sport;
	pkt->dport = dport;
	pkt->payload_len = len - UDP_HDR;
	pkt->payload = pcur_take(seg, pkt->payload_len);
	return pd_fail(pkt, PD_OK, PD_R_NONE);
}
