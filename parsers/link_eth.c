/* SPDX-License-Identifier: BSD-2-Clause */
/* Ethernet II (IEEE 802.3 clause 3) with stacked IEEE 802.1Q / 802.1ad VLAN tags.
 *
 *  0                   1                   2                   3
 *  +-------+-------+-------+-------+-------+-------+
 *  |            destination MAC (6 bytes)          |
 *  +-------+-------+-------+-------+-------+-------+
 *  |              source MAC (6 bytes)             |
 *  +-------+-------+-------+-------+-------+-------+
 *  |   ethertype   |  then, per tag (0x8100, 0x88a8, 0x9100):
 *  +-------+-------+  +-----+-+---------------+---------------+
 *                     |PCP|D|   VLAN id (12)  | next ethertype|
 *                     +-----+-+---------------+---------------+
 */

#include "parsers/decode_int.h"

#define ETH_ADDRS_LEN 12

static inline bool eth_is_tag(uint16_t type)
{
	return type == PD_ETHERTYPE_VLAN || type == PD_ETHERTYPE_QINQ ||
	       type == PD_ETHERTYPE_QINQ_OLD;
}

enum pd_status eth_vlan_walk(struct pd_packet *pkt, struct pcur *c, uint16_t *ethertype)
{
	uint16_t type = *ethertype;

	while (eth_is_tag(type)) {
		/* Tags beyond what the flow key holds would merge distinct VLANs. */
		if (pkt->vlan_count >= PD_MAX_VLAN)
			return pd_fail(pkt, PD_MALFORMED, PD_R_VLAN_TOO_DEEP);
		uint16_t tci = pcur_be16(c);
		type = pcur_be16(c);
		if (!pcur_ok(c))
			return pd_fail(pkt, PD_TRUNCATED, PD_R_VLAN_TRUNCATED);
		pkt->vlan[pkt->vlan_count++] = tci & 0x0fff;
	}
	*ethertype = type;
	return PD_OK;
}

enum pd_status eth_decode(struct pd_packet *pkt, struct pcur *c, uint16_t *ethertype)
{
	pcur_skip(c, ETH_ADDRS_LEN);
	*ethertype = pcur_be16(c);
	if (!pcur_ok(c))
		return pd_fail(pkt, PD_TRUNCATED, PD_R_ETH_TRUNCATED);
	/* Values below 0x0600 are 802.3 lengths (LLC frames): not IP, left to
	 * the ethertype dispatch to report as unsupported. */
	return eth_vlan_walk(pkt, c, ethertype);
}
