/* SPDX-License-Identifier: BSD-2-Clause */
/* BSD loopback encapsulations: LINKTYPE_NULL (0) and LINKTYPE_LOOP (108)
 * (tcpdump.org/linktypes/LINKTYPE_NULL.html).
 *
 * +---------------+---------------+
 * |  address family (4 bytes)     |   NULL: byte order of the capturing host
 * +---------------+---------------+   LOOP: network byte order
 * |  IPv4 or IPv6 datagram ...
 *
 * AF_INET is 2 everywhere; AF_INET6 differs by OS: 24 (NetBSD, OpenBSD),
 * 28 (FreeBSD, DragonFly), 30 (macOS). A file may come from any of them,
 * so a NULL header is accepted in either byte order.
 */

#include "parsers/decode_int.h"

#define NULL_AF_INET 2u

static inline bool null_family(uint32_t af, uint16_t *ethertype)
{
	switch (af) {
	case NULL_AF_INET:
		*ethertype = PD_ETHERTYPE_IPV4;
		return true;
	case 24u:
	case 28u:
	case 30u:
		*ethertype = PD_ETHERTYPE_IPV6;
		return true;
	default:
		return false;
	}
}

enum pd_status null_decode(struct pd_packet *pkt, struct pcur *c, bool network_order,
                           uint16_t *ethertype)
{
	struct pcur le = *c;
	uint32_t be = pcur_be32(c);
	if (!pcur_ok(c))
		return pd_fail(pkt, PD_TRUNCATED, PD_R_NULL_TRUNCATED);
	if (null_family(be, ethertype))
		return PD_OK;
	/* Family values are small, so the two byte orders never collide. */
	if (!network_order && null_family(pcur_le32(&le), ethertype))
		return PD_OK;
	return pd_fail(pkt, PD_UNSUPPORTED, PD_R_NULL_FAMILY_UNKNOWN);
}
