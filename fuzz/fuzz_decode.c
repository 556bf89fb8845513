/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: the stateless frame decoder (parsers/decode.h) over every
 * supported link type, then pd_decode_ip over the IP bytes it found.
 *
 * Input: [link type index][frame...]. The index picks from decode_links[]
 * (modulo its size), so fuzz/seed-corpus.sh must keep the same order.
 * Invariants (abort on violation): status and reason in range; every pointer
 * of the packet inside the frame with its length; payload_len no larger than
 * the frame; pd_decode_ip over a private copy of l3 meets the same rules. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "parsers/decode.h"

/* Same order as fuzz/seed-corpus.sh LINKS. */
static const int decode_links[] = {
	PD_LINK_NULL, PD_LINK_ETHERNET, PD_LINK_RAW_DLT, PD_LINK_RAW_DLT14, PD_LINK_RAW,
	PD_LINK_LOOP, PD_LINK_LINUX_SLL, PD_LINK_IPV4, PD_LINK_IPV6, PD_LINK_LINUX_SLL2,
};
#define N_LINKS (sizeof decode_links / sizeof decode_links[0])

/* Whether [p, p + n) lies within [base, base + len). A NULL p needs n == 0. */
static bool within(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
	if (p == NULL)
		return n == 0;
	if (p < base || p > base + len)
		return false;
	return n <= (size_t)(base + len - p);
}

static void check_packet(const struct pd_packet *pkt, const uint8_t *base, size_t len)
{
	if ((int)pkt->status < 0 || (int)pkt->status >= PD_STATUS_COUNT)
		fz_fail("status out of range", NULL);
	if ((int)pkt->reason < 0 || pkt->reason >= PD_R_COUNT)
		fz_fail("reason out of range", NULL);
	if (pkt->wire_len != len)
		fz_fail("wire_len is not the length given", NULL);
	if (pkt->vlan_count > PD_MAX_VLAN)
		fz_fail("vlan_count above PD_MAX_VLAN", NULL);
	for (unsigned i = 0; i < pkt->vlan_count; i++)
		if (pkt->vlan[i] > 0xfff)
			fz_fail("vlan id wider than 12 bits", NULL);
	if (pkt->ip_version != 0 && pkt->ip_version != 4 && pkt->ip_version != 6)
		fz_fail("ip_version neither 0, 4 nor 6", NULL);
	if (!within(pkt->l3, pkt->l3_len, base, len))
		fz_fail("l3 outside the frame", NULL);
	if (pkt->l3 != NULL && pkt->status == PD_OK && pkt->l3_hdr_len > pkt->l3_len)
		fz_fail("l3_hdr_len beyond l3_len", NULL);
	if (pkt->payload_len > len)
		fz_fail("payload_len larger than the frame", NULL);
	if (!within(pkt->payload, pkt->payload_len, base, len))
		fz_fail("payload outside the frame", NULL);
	if (pkt->has_l4 && pkt->status == PD_OK && pkt->l3 != NULL &&
	    !within(pkt->payload, pkt->payload_len, pkt->l3, pkt->l3_len))
		fz_fail("payload outside the IP datagram", NULL);
	if (pkt->is_fragment) {
		if (pkt->status != PD_OK || pkt->reason != PD_R_FRAGMENT)
			fz_fail("fragment without PD_OK/PD_R_FRAGMENT", NULL);
		if (pkt->has_l4)
			fz_fail("fragment claims an L4 header", NULL);
		if (!within(pkt->frag_data, pkt->frag_len, pkt->l3, pkt->l3_len))
			fz_fail("frag_data outside the datagram", NULL);
		if (pkt->ip_version == 6 && pkt->frag_unfrag_len > pkt->l3_len)
			fz_fail("frag_unfrag_len beyond the datagram", NULL);
	} else if (pkt->status == PD_OK && pkt->reason == PD_R_FRAGMENT) {
		fz_fail("PD_R_FRAGMENT on a packet that is not a fragment", NULL);
	}
	if (pkt->status == PD_OK && pkt->reason == PD_R_NONE && pkt->ip_version == 0)
		fz_fail("PD_OK without a network layer", NULL);

	char text[64];
	pd_ip_str(&pkt->src, pkt->ip_version, text, sizeof text);
	if (memchr(text, '\0', sizeof text) == NULL)
		fz_fail("pd_ip_str left its buffer unterminated", NULL);
	if (pd_reason_name(pkt->reason) == NULL || pd_status_name(pkt->status) == NULL)
		fz_fail("a status or reason without a name", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int link = decode_links[data[0] % N_LINKS];
	const uint8_t *frame = data + 1;
	size_t len = size - 1;
	struct pd_packet pkt;

	if (!pd_linktype_supported(link))
		fz_fail("a link type of decode.h is not supported", NULL);
	enum pd_status st = pd_decode(&pkt, frame, len, link);
	if (st != pkt.status)
		fz_fail("pd_decode returned another status than pkt->status", NULL);
	if (pkt.linktype != link)
		fz_fail("linktype not recorded", NULL);
	check_packet(&pkt, frame, len);

	if (st != PD_OK || pkt.l3 == NULL)
		return 0;
	/* Re-enter the IP decoder as defragmentation does, on a copy of exactly
	 * l3_len bytes so that any read past the datagram is an ASan report. */
	uint8_t *dg = malloc(pkt.l3_len ? pkt.l3_len : 1);
	if (dg == NULL)
		return 0;
	memcpy(dg, pkt.l3, pkt.l3_len);
	struct pd_packet again = pkt;
	enum pd_status st2 = pd_decode_ip(&again, dg, pkt.l3_len);
	if (st2 != again.status)
		fz_fail("pd_decode_ip returned another status than pkt->status", NULL);
	if (again.linktype != pkt.linktype || again.vlan_count != pkt.vlan_count ||
	    memcmp(again.vlan, pkt.vlan, sizeof pkt.vlan) != 0)
		fz_fail("pd_decode_ip changed the link-layer fields", NULL);
	check_packet(&again, dg, pkt.l3_len);
	/* The same datagram must decode the same way on its own. */
	if (st2 != PD_OK || again.ip_version != pkt.ip_version ||
	    again.ip_proto != pkt.ip_proto || again.has_l4 != pkt.has_l4 ||
	    again.is_fragment != pkt.is_fragment || again.payload_len != pkt.payload_len ||
	    again.sport != pkt.sport || again.dport != pkt.dport)
		fz_fail("pd_decode_ip disagrees with pd_decode on the same datagram", NULL);
	free(dg);
	return 0;
}
