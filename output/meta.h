/* SPDX-License-Identifier: BSD-2-Clause */
/* The flow facts every event's top level carries, computed once per flow. */
#ifndef PD_OUT_META_H
#define PD_OUT_META_H

#include <stdbool.h>
#include <stdint.h>

#define OUT_MAX_VLAN 4

struct out_flow_meta {
	uint8_t ip_version;      /* 4 or 6; 0 = no flow (stats events) */
	uint8_t ip_proto;        /* 6 TCP, 17 UDP, others by number */
	uint8_t src_addr[16];    /* client (src) and server (dest), raw bytes */
	uint8_t dest_addr[16];
	uint16_t src_port, dest_port;
	uint8_t vlan_count;
	uint16_t vlan[OUT_MAX_VLAN];
	/* derived by out_meta_finish(): */
	char src_ip[48], dest_ip[48];
	char community_id[32];   /* "1:" + base64 of SHA-1 (28 chars) */
	uint64_t flow_id;        /* deterministic 51-bit id (JSON-safe integer) */
};

/* Fills the derived fields from the raw ones. `seed` is the Community ID seed
 * (0 by default). `start_us` (flow start) feeds flow_id so reused tuples differ. */
void out_meta_finish(struct out_flow_meta *m, uint16_t seed, uint64_t start_us);

/* Community ID v1 (https://github.com/corelight/community-id-spec) of a tuple,
 * written as "1:<base64>" into out (>= 31 bytes). Endpoint order does not matter. */
void out_community_id(char *out, uint16_t seed, uint8_t ip_version, uint8_t proto,
                      const uint8_t *a, uint16_t aport, const uint8_t *b, uint16_t bport);

/* ISO 8601 with microseconds in UTC, Suricata style: 2026-11-26T21:51:21.672663+0000.
 * out must hold 32 bytes. */
void out_format_time(char *out, uint64_t ts_us);

#endif
