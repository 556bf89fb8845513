/* SPDX-License-Identifier: BSD-2-Clause */
/* The flow facts every event's top level carries, computed once per flow. */
#ifndef PD_OUT_META_H
#define PD_OUT_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUT_MAX_VLAN 4

struct out_flow_meta {
	uint8_t ip_version;      /* 4 or 6; 0 = no flow (stats events) */
	uint8_t ip_proto;        /* 6 TCP, 17 UDP, others by number */
	uint8_t src_addr[16];    /* client (src) and server (dest), raw bytes;
	                            IPv4 in the first 4 bytes */
	uint8_t dest_addr[16];
	uint16_t src_port, dest_port; /* ICMP/ICMPv6: src_port = type, dest_port = code */
	uint8_t vlan_count;
	uint16_t vlan[OUT_MAX_VLAN];
	/* derived by out_meta_finish(): */
	char src_ip[48], dest_ip[48];
	char community_id[32];   /* "1:" + base64 of SHA-1 (28 chars) */
	uint8_t src_ip_len, dest_ip_len, community_id_len; /* strlen of the three: every
	                            event's first members are written without a scan */
	uint64_t flow_id;        /* deterministic 51-bit id (JSON-safe integer) */
};

#define OUT_COMMUNITY_ID_LEN 31   /* "1:" + 28 base64 chars + NUL */
#define OUT_FLOW_ID_BITS 51

/* Fills the derived fields from the raw ones. `seed` is the Community ID seed
 * (0 by default). `start_us` (flow start) feeds flow_id so reused tuples differ.
 * flow_id is in [1, 2^51): the first 8 digest bytes mixed with start_us, so it
 * is the same whichever endpoint is called src. ip_version 0 leaves the
 * derived fields empty (flow_id 0). */
void out_meta_finish(struct out_flow_meta *m, uint16_t seed, uint64_t start_us);

/* SHA-1 digest behind Community ID v1 (https://github.com/corelight/community-id-spec):
 * seed (2 bytes, network order), the smaller endpoint's address, the other
 * address, proto, a zero pad byte, then the ports in the same order. TCP, UDP
 * and SCTP hash ports; ICMP (1) and ICMPv6 (58) take aport = type and
 * bport = code and map request/reply types onto each other as the spec does;
 * other protocols hash no ports. a and b are 4 bytes (ip_version 4) or 16. */
void out_community_digest(uint8_t digest[20], uint16_t seed, uint8_t ip_version, uint8_t proto,
                          const uint8_t *a, uint16_t aport, const uint8_t *b, uint16_t bport);

/* "1:" + base64 (RFC 4648 section 4) of a digest from out_community_digest,
 * into out (>= OUT_COMMUNITY_ID_LEN bytes). */
void out_community_id_format(char *out, const uint8_t digest[20]);

/* Community ID v1 of a tuple, written as "1:<base64>" into out
 * (>= OUT_COMMUNITY_ID_LEN bytes). Endpoint order does not matter. */
void out_community_id(char *out, uint16_t seed, uint8_t ip_version, uint8_t proto,
                      const uint8_t *a, uint16_t aport, const uint8_t *b, uint16_t bport);

/* Text of an address as inet_ntop(3) writes it: a.b.c.d for ip_version 4 (the
 * first 4 bytes of addr), RFC 5952 text for 6 (16 bytes), "" otherwise. out
 * holds OUT_IP_TEXT_LEN bytes; returns the length written (NUL not counted). */
#define OUT_IP_TEXT_LEN 46
size_t out_ip_text(char *out, uint8_t ip_version, const uint8_t *addr);

/* ISO 8601 with microseconds in UTC, Suricata style: 2026-11-26T21:51:21.672663+0000.
 * out must hold OUT_TIME_LEN (32) bytes. Times after 9999-12-31T23:59:59.999999
 * are written as that instant (the format has four year digits). */
#define OUT_TIME_LEN 32
void out_format_time(char *out, uint64_t ts_us);

#endif
