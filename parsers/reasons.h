/* SPDX-License-Identifier: BSD-2-Clause */
/* Decode statuses and named reasons, listed once (X-macro) so counters, anomaly
 * events, the summary and tests share the same names. */
#ifndef PD_REASONS_H
#define PD_REASONS_H

/* X(ENUM_SUFFIX, "name") — decoder outcomes; PD_OK must stay first (= 0). */
#define PD_STATUS_LIST(X)                                              \
	X(OK, "ok")                                                        \
	X(TRUNCATED, "truncated")                                          \
	X(MALFORMED, "malformed")                                          \
	X(UNSUPPORTED, "unsupported")

enum pd_status {
#define PD_STATUS_ENUM(e, s) PD_##e,
	PD_STATUS_LIST(PD_STATUS_ENUM)
#undef PD_STATUS_ENUM
};

/* Number of statuses (a macro, not an enumerator, so switches stay exhaustive). */
#define PD_STATUS_COUNT ((int)PD_UNSUPPORTED + 1)

/* X(ENUM_SUFFIX, "name") — names are the anomaly "event" strings. */
#define PD_REASON_LIST(X)                                              \
	X(NONE, "none")                                                    \
	X(LINK_UNSUPPORTED, "link_unsupported")                            \
	X(ETH_TRUNCATED, "eth_truncated")                                  \
	X(VLAN_TRUNCATED, "vlan_truncated")                                \
	X(VLAN_TOO_DEEP, "vlan_too_deep")                                  \
	X(SLL_TRUNCATED, "sll_truncated")                                  \
	X(SLL2_TRUNCATED, "sll2_truncated")                                \
	X(NULL_TRUNCATED, "null_truncated")                                \
	X(NULL_FAMILY_UNKNOWN, "null_family_unknown")                      \
	X(ETHERTYPE_UNSUPPORTED, "ethertype_unsupported")                  \
	X(IP_VERSION_MISMATCH, "ip_version_mismatch")                      \
	X(IPV4_TRUNCATED, "ipv4_truncated")                                \
	X(IPV4_BAD_IHL, "ipv4_bad_ihl")                                    \
	X(IPV4_BAD_TOTAL_LENGTH, "ipv4_bad_total_length")                  \
	X(IPV6_TRUNCATED, "ipv6_truncated")                                \
	X(IPV6_BAD_PAYLOAD_LENGTH, "ipv6_bad_payload_length")              \
	X(IPV6_EXT_TRUNCATED, "ipv6_ext_truncated")                        \
	X(IPV6_EXT_TOO_MANY, "ipv6_ext_too_many")                          \
	X(IPV6_ESP, "ipv6_esp")                                            \
	X(IPV6_EXT_UNKNOWN, "ipv6_ext_unknown")                            \
	X(FRAGMENT, "fragment")                                            \
	X(TCP_TRUNCATED, "tcp_truncated")                                  \
	X(TCP_BAD_OFFSET, "tcp_bad_data_offset")                           \
	X(UDP_TRUNCATED, "udp_truncated")                                  \
	X(UDP_BAD_LENGTH, "udp_bad_length")                                \
	X(L4_UNSUPPORTED, "l4_unsupported")                                \
	X(IP_TRUNCATED, "ip_truncated")                                    \
	X(IP_VERSION_UNKNOWN, "ip_version_unknown")

enum pd_reason {
#define PD_REASON_ENUM(e, s) PD_R_##e,
	PD_REASON_LIST(PD_REASON_ENUM)
#undef PD_REASON_ENUM
	PD_R_COUNT
};

/* Static names ("ipv4_bad_ihl", "truncated"); "unknown" when out of range. */
const char *pd_reason_name(enum pd_reason r);
const char *pd_status_name(enum pd_status s);

#endif
