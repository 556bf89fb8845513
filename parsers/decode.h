/* SPDX-License-Identifier: BSD-2-Clause */
/* Stateless frame decoder: link layer, IPv4/IPv6, TCP/UDP into one pd_packet.
 *
 * No allocation, no global state, no libpcap types. pd_decode() takes a frame
 * and a link type number (libpcap DLT_ value as returned by pcap_datalink on
 * Linux, or the file LINKTYPE_ value where they differ) and fills *pkt.
 */
#ifndef PD_DECODE_H
#define PD_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsers/reasons.h"

#define PD_MAX_VLAN 4  /* stacked 802.1Q/802.1ad tags kept; deeper is MALFORMED */

/* Link types accepted (DLT_* on Linux; LINKTYPE_* aliases). */
enum pd_linktype {
	PD_LINK_NULL = 0,       /* BSD loopback, host byte order of the capturer */
	PD_LINK_ETHERNET = 1,
	PD_LINK_RAW_DLT = 12,   /* DLT_RAW on Linux */
	PD_LINK_RAW_DLT14 = 14, /* DLT_RAW on OpenBSD */
	PD_LINK_RAW = 101,      /* LINKTYPE_RAW */
	PD_LINK_LOOP = 108,     /* OpenBSD loopback, network byte order */
	PD_LINK_LINUX_SLL = 113,
	PD_LINK_IPV4 = 228,
	PD_LINK_IPV6 = 229,
	PD_LINK_LINUX_SLL2 = 276,
};

/* True when pd_decode understands this link type. */
bool pd_linktype_supported(int linktype);

/* An address: IPv4 in the first 4 bytes (rest zero), IPv6 in all 16. */
struct pd_ip {
	uint8_t b[16];
};

/* TCP flag bits as on the wire. */
#define PD_TCP_FIN 0x01
#define PD_TCP_SYN 0x02
#define PD_TCP_RST 0x04
#define PD_TCP_PSH 0x08
#define PD_TCP_ACK 0x10
#define PD_TCP_URG 0x20
#define PD_TCP_ECE 0x40
#define PD_TCP_CWR 0x80

struct pd_packet {
	enum pd_status status;   /* PD_OK when everything needed was decoded */
	enum pd_reason reason;   /* why not OK (or a notable PD_OK detail: PD_R_NONE) */

	int linktype;
	uint8_t vlan_count;
	uint16_t vlan[PD_MAX_VLAN]; /* outermost first, 12-bit ids */

	/* network layer (ip_version 0 when none) */
	uint8_t ip_version;       /* 4 or 6 */
	struct pd_ip src, dst;
	uint8_t ip_proto;         /* final upper-layer protocol (after v6 ext headers) */
	uint8_t ttl;              /* TTL / hop limit */
	const uint8_t *l3;        /* first byte of the (innermost) IP header */
	size_t l3_len;            /* IP header + payload as bounded by total/payload length */
	size_t l3_hdr_len;        /* IPv4 header with options / IPv6 header + ext headers
	                             up to (excluding) the fragment header if any */

	/* fragments: when is_fragment, l4 fields are only valid if frag_offset == 0,
	 * and then only if the first fragment held the whole L4 header. */
	bool is_fragment;
	bool more_fragments;
	uint32_t frag_id;          /* IPv4 16-bit id or IPv6 32-bit identification */
	uint32_t frag_offset;      /* in bytes */
	const uint8_t *frag_data;  /* fragmentable part carried by this fragment */
	size_t frag_len;
	size_t frag_unfrag_len;    /* IPv6: bytes before the fragment header (40 + ext) */
	size_t frag_hdr_offset;    /* IPv6: offset of the fragment header within l3 */

	/* transport (has_l4 false for non-first fragments, ICMP, unknown protocols) */
	bool has_l4;
	uint16_t sport, dport;
	uint8_t tcp_flags;
	uint32_t seq, ack;
	uint16_t window;
	const uint8_t *payload;
	size_t payload_len;

	size_t wire_len;           /* frame length as given to pd_decode */
};

/* Decodes one frame. Always fills pkt (zeroed first) and returns pkt->status.
 * Pointers in pkt point into frame. Outcomes:
 *  PD_OK, PD_R_NONE            TCP/UDP decoded (has_l4), or IPv6 No Next Header
 *  PD_OK, PD_R_FRAGMENT        an IP fragment (every one, the first included):
 *                              has_l4 false, frag_* set; reassemble, then
 *                              pd_decode_ip(). An IPv6 atomic fragment (offset 0,
 *                              no M flag; RFC 6946) is not a fragment: it is
 *                              decoded through (l3_hdr_len includes its header).
 *  PD_OK, PD_R_L4_UNSUPPORTED  another protocol (ICMP, GRE...): ip_proto set
 *  PD_UNSUPPORTED              link type, ethertype (ARP...), NULL family,
 *                              IPv6 ESP or an extension header not walked
 *  PD_TRUNCATED / PD_MALFORMED with the reason of the layer at fault.
 * On failure, the layers decoded before the fault stay filled (link fields,
 * addresses and ip_proto once the IP header was read). */
enum pd_status pd_decode(struct pd_packet *pkt, const uint8_t *frame, size_t len, int linktype);

/* Decodes an IP datagram (v4 or v6, chosen by its version nibble) into pkt,
 * keeping pkt's link-layer fields (linktype, vlan_count, vlan) and clearing
 * the rest; wire_len becomes len. Used by defragmentation to re-enter a
 * reassembled datagram (which must carry no fragment header / MF flag). */
enum pd_status pd_decode_ip(struct pd_packet *pkt, const uint8_t *data, size_t len);

/* Formats an address as text (inet_ntop); returns buf. An unknown version or
 * a buffer too small for the text gives "" (when buflen > 0). */
const char *pd_ip_str(const struct pd_ip *a, uint8_t ip_version, char *buf, size_t buflen);

#endif
