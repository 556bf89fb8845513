/* SPDX-License-Identifier: BSD-2-Clause */
/* Internal contract between the per-layer decoders of parsers/ (not for other folders).
 *
 * Each layer reads its header from a cursor positioned at that header, fills
 * its part of *pkt and either hands the rest to the next layer or stops with
 * pd_fail(). Link decoders report what follows as an ethertype.
 */
#ifndef PD_DECODE_INT_H
#define PD_DECODE_INT_H

#include "parsers/cursor.h"
#include "parsers/decode.h"

#define PD_ETHERTYPE_IPV4 0x0800
#define PD_ETHERTYPE_IPV6 0x86dd
#define PD_ETHERTYPE_VLAN 0x8100   /* IEEE 802.1Q C-tag */
#define PD_ETHERTYPE_QINQ 0x88a8   /* IEEE 802.1ad S-tag */
#define PD_ETHERTYPE_QINQ_OLD 0x9100 /* pre-standard S-tag still seen in the field */

#define PD_IPPROTO_HOPOPTS 0
#define PD_IPPROTO_TCP 6
#define PD_IPPROTO_UDP 17
#define PD_IPPROTO_ROUTING 43
#define PD_IPPROTO_FRAGMENT 44
#define PD_IPPROTO_ESP 50
#define PD_IPPROTO_AH 51
#define PD_IPPROTO_NONE 59
#define PD_IPPROTO_DSTOPTS 60

/* Records a final status and reason; returns the status for tail calls. */
static inline enum pd_status pd_fail(struct pd_packet *pkt, enum pd_status st, enum pd_reason r)
{
	pkt->status = st;
	pkt->reason = r;
	return st;
}

/* Link layers: on PD_OK *ethertype names the payload and c is past the header. */
enum pd_status eth_decode(struct pd_packet *pkt, struct pcur *c, uint16_t *ethertype);
enum pd_status eth_vlan_walk(struct pd_packet *pkt, struct pcur *c, uint16_t *ethertype);
enum pd_status sll_decode(struct pd_packet *pkt, struct pcur *c, uint16_t *ethertype);
enum pd_status sll2_decode(struct pd_packet *pkt, struct pcur *c, uint16_t *ethertype);
enum pd_status null_decode(struct pd_packet *pkt, struct pcur *c, bool network_order,
                           uint16_t *ethertype);

/* Network layer: c covers the rest of the frame; version must match. */
enum pd_status ip4_decode(struct pd_packet *pkt, struct pcur *c);
enum pd_status ip6_decode(struct pd_packet *pkt, struct pcur *c);

/* Transport: seg is bounded by the IP payload length. */
enum pd_status tcp_decode(struct pd_packet *pkt, struct pcur *seg);
enum pd_status udp_decode(struct pd_packet *pkt, struct pcur *seg);

/* Dispatches an IP payload by protocol number (TCP, UDP, or "other"). */
enum pd_status pd_decode_l4(struct pd_packet *pkt, struct pcur *seg);

#endif
