/* SPDX-License-Identifier: BSD-2-Clause */
/* Derived per-flow facts for the EVE top level: address text, Community ID,
 * flow_id (a JSON-safe 51-bit integer, IEEE 754 doubles hold 53 bits). */
#include "output/meta.h"

#include <string.h>

/* splitmix64 finaliser: spreads start_us over all bits so flows on the same
 * tuple a microsecond apart get unrelated ids. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

void out_meta_finish(struct out_flow_meta *m, uint16_t seed, uint64_t start_us)
{
	m->src_ip[0] = m->dest_ip[0] = m->community_id[0] = '\0';
	m->src_ip_len = m->dest_ip_len = m->community_id_len = 0;
	m->flow_id = 0;
	if (m->ip_version != 4 && m->ip_version != 6)
		return;
	if (m->vlan_count > OUT_MAX_VLAN)
		m->vlan_count = OUT_MAX_VLAN;

	_Static_assert(sizeof(m->src_ip) >= OUT_IP_TEXT_LEN, "address text fits");
	out_ip_text(m->src_ip, m->ip_version, m->src_addr);
	out_ip_text(m->dest_ip, m->ip_version, m->dest_addr);

	uint8_t d[20];
	out_community_digest(d, seed, m->ip_version, m->ip_proto, m->src_addr, m->src_port,
	                     m->dest_addr, m->dest_port);
	out_community_id_format(m->community_id, d);
	m->src_ip_len = (uint8_t)strlen(m->src_ip);
	m->dest_ip_len = (uint8_t)strlen(m->dest_ip);
	m->community_id_len = (uint8_t)strlen(m->community_id);

	uint64_t h = 0;
	for (int i = 0; i < 8; i++)
		h = h << 8 | d[i];
	uint64_t id = (h ^ mix64(start_us)) & ((1ULL << OUT_FLOW_ID_BITS) - 1);
	m->flow_id = id != 0 ? id : 1;
}
