/* SPDX-License-Identifier: BSD-2-Clause */
/* Linux "cooked" capture headers: LINKTYPE_LINUX_SLL (113) and LINKTYPE_LINUX_SLL2 (276)
 * (tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and LINKTYPE_LINUX_SLL2.html).
 *
 * SLL (16 bytes)                        SLL2 (20 bytes)
 * +---------------+---------------+     +---------------+---------------+
 * |  packet type  |  ARPHRD type  |     | protocol type |   reserved    |
 * +---------------+---------------+     +---------------+---------------+
 * | link addr len |               |     |        interface index        |
 * +---------------+               |     +---------------+-------+-------+
 * |   link-layer address (8)      |     |  ARPHRD type  |pkttype|addrlen|
 * |               +---------------+     +---------------+-------+-------+
 * |               | protocol type |     |     link-layer address (8)    |
 * +---------------+---------------+     +-------------------------------+
 *
 * libpcap re-inserts offloaded VLAN tags after the cooked header with protocol
 * 0x8100, so the same tag walk as Ethernet follows.
 */

#include "parsers/decode_int.h"

#define SLL_BEFORE_PROTO 14
#define SLL2_AFTER_PROTO 18

enum pd_status sll_decode(struct pd_packet *pkt, struct pcur *c, uint16_t *ethertype)
{
	pcur_skip(c, SLL_BEFORE_PROTO);
	*ethertype = pcur_be16(c);
	if (!pcur_ok(c))
		return pd_fail(pkt, PD_TRUNCATED, PD_R_SLL_TRUNCATED);
	return eth_vlan_walk(pkt, c, ethertype);
}

enum pd_status sll2_decode(struct pd_packet *pkt, struct pcur *c, uint16_t *ethertype)
{
	*ethertype = pcur_be16(c);
	pcur_skip(c, SLL2_AFTER_PROTO);
	if (!pcur_ok(c))
		return pd_fail(pkt, PD_TRUNCATED, PD_R_SLL2_TRUNCATED);
	return eth_vlan_walk(pkt, c, ethertype);
}
