/* SPDX-License-Identifier: BSD-2-Clause */
/* Frame decoder entry points: link type dispatch (tcpdump LINKTYPE_ registry), IP re-entry. */

#include <string.h>

#include "parsers/decode_int.h"

bool pd_linktype_supported(int linktype)
{
	switch (linktype) {
	case PD_LINK_NULL:
	case PD_LINK_ETHERNET:
	case PD_LINK_RAW_DLT:
	case PD_LINK_RAW_DLT14:
	case PD_LINK_RAW:
	case PD_LINK_LOOP:
	case PD_LINK_LINUX_SLL:
	case PD_LINK_IPV4:
	case PD_LINK_IPV6:
	case PD_LINK_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

/* An IP datagram whose version comes from its own first nibble (raw links,
 * re-entry). want is 4 or 6 when the link type already promised one. */
static enum pd_status ip_by_version(struct pd_packet *pkt, struct pcur *c, unsigned want)
{
	int b0 = pcur_peek(c, 0);
	if (b0 < 0) {
		enum pd_reason r = want == 4 ? PD_R_IPV4_TRUNCATED :
		                   want == 6 ? PD_R_IPV6_TRUNCATED : PD_R_IP_TRUNCATED;
		return pd_fail(pkt, PD_TRUNCATED, r);
	}
	unsigned v = (unsigned)b0 >> 4;
	if (want != 0 && v != want)
		return pd_fail(pkt, PD_MALFORMED, PD_R_IP_VERSION_MISMATCH);
	if (v == 4)
		return ip4_decode(pkt, c);
	if (v == 6)
		return ip6_decode(pkt, c);
	return pd_fail(pkt, PD_MALFORMED, PD_R_IP_VERSION_UNKNOWN);
}

static enum pd_status by_ethertype(struct pd_packet *pkt, struct pcur *c, uint16_t type)
{
	/* The ethertype promises a version; a datagram saying otherwise is broken. */
	if (type == PD_ETHERTYPE_IPV4)
		return ip_by_version(pkt, c, 4);
	if (type == PD_ETHERTYPE_IPV6)
		return ip_by_version(pkt, c, 6);
	return pd_fail(pkt, PD_UNSUPPORTED, PD_R_ETHERTYPE_UNSUPPORTED);
}

enum pd_status pd_decode(struct pd_packet *pkt, const uint8_t *frame, size_t len, int linktype)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->linktype = linktype;
	pkt->wire_len = len;

	struct pcur c = pcur_make(frame, len);
	uint16_t type = 0;
	enum pd_status st;

	switch (linktype) {
	case PD_LINK_ETHERNET:
		st = eth_decode(pkt, &c, &type);
		break;
	case PD_LINK_LINUX_SLL:
		st = sll_decode(pkt, &c, &type);
		break;
	case PD_LINK_LINUX_SLL2:
		st = sll2_decode(pkt, &c, &type);
		break;
	case PD_LINK_NULL:
		st = null_decode(pkt, &c, false, &type);
		break;
	case PD_LINK_LOOP:
		st = null_decode(pkt, &c, true, &type);
		break;
	case PD_LINK_RAW_DLT:
	case PD_LINK_RAW_DLT14:
	case PD_LINK_RAW:
		return ip_by_version(pkt, &c, 0);
	case PD_LINK_IPV4:
		return ip_by_version(pkt, &c, 4);
	case PD_LINK_IPV6:
		return ip_by_version(pkt, &c, 6);
	default:
		return pd_fail(pkt, PD_UNSUPPORTED, PD_R_LINK_UNSUPPORTED);
	}
	if (st != PD_OK)
		return st;
	return by_ethertype(pkt, &c, type);
}

enum pd_status pd_decode_ip(struct pd_packet *pkt, const uint8_t *data, size_t len)
{
	int linktype = pkt->linktype;
	uint8_t vlan_count = pkt->vlan_count;
	uint16_t vlan[PD_MAX_VLAN];
	memcpy(vlan, pkt->vlan, sizeof(vlan));

	memset(pkt, 0, sizeof(*pkt));
	pkt->linktype = linktype;
	pkt->vlan_count = vlan_count;
	memcpy(pkt->vlan, vlan, sizeof(vlan));
	pkt->wire_len = len;

	struct pcur c = pcur_make(data, len);
	return ip_by_version(pkt, &c, 0);
}

enum pd_status pd_decode_l4(struct pd_packet *pkt, struct pcur *seg)
{
	switch (pkt->ip_proto) {
	case PD_IPPROTO_TCP:
		return tcp_decode(pkt, seg);
	case PD_IPPROTO_UDP:
		return udp_decode(pkt, seg);
	default:
		/* ICMP, SCTP, tunnels...: a valid datagram the engine counts as "other". */
		return pd_fail(pkt, PD_OK, PD_R_L4_UNSUPPORTED);
	}
}
