/* SPDX-License-Identifier: BSD-2-Clause */
/* Bidirectional flow table: symmetric keyed hash, preallocated slab of flow
 * records with a user area, idle timeouts per transport/state in packet time
 * (RFC 9293 section 3.3.2 states, coarsened), LRU eviction under a flow count
 * and a memory cap.
 *
 * Key: addresses, ports, IP version, transport (IP protocol), VLAN ids. Both
 * directions of a connection find the same record. Records are allocated in
 * chunks (lazily, doubling from 256 records) and never beyond max_flows or
 * memcap; after that the least recently used flow is ended (EVICTION) and
 * its record reused. No allocation per packet once the slab is warm.
 *
 * Timeouts (packet time; now is clamped to be monotonic): a flow is idle-
 * expired when now - last_us > its class timeout. Classes:
 *   SYN        TCP, no ACK seen yet (SYN-only)         tcp_syn_s         30 s
 *   EST        TCP, ACK seen, no FIN/RST               tcp_established_s 600 s
 *   CLOSING    TCP, FIN seen in one direction          tcp_closing_s     10 s
 *   LINGER     TCP, RST seen or FIN seen both ways     rst_linger_s      2 s
 *   UDP                                                udp_s             60 s
 *   OTHER                                              other_s           60 s
 * Each class keeps one list in last-seen order (all members share a timeout,
 * so list order = deadline order): flow_expire() pops list heads while due
 * (cost: 6 comparisons when nothing is due); the global LRU flow is the
 * oldest of the 6 heads. A packet moves its flow to the tail of its class
 * only when the class changes or its last move was in an earlier time slice
 * (2^20 us, about 1 s): a move touches two other records (two cache misses
 * on large tables), so doing it once per slice keeps the per-packet cost at
 * the bucket and the record. The price is precision within one slice: the
 * lists are ordered by slice, not exactly by last_us, so the LRU victim is
 * least recently used to within a slice and an idle flow may be ended by
 * flow_expire() up to one slice after its timeout (never before it; and
 * flow_lookup() checks the exact timeout).
 *
 * End reasons: a flow in LINGER (closed by RST or FIN both ways) always ends
 * with RST (if a RST was seen) or FIN, whatever ends it (linger expiry,
 * eviction, shutdown, port reuse): its connection was already over, so such
 * an end is not counted as an eviction. Every other idle expiry is TIMEOUT.
 * The FIN-both-ways flow is kept for the short linger so the final ACK and
 * retransmitted FINs do not create a new mid-stream flow. Port reuse: a SYN without ACK from either side on a
 * flow in state CLOSING or CLOSED (FIN/RST seen) ends the old flow (FIN if FIN
 * both ways, RST if RST, else TIMEOUT) and starts a new flow for that packet.
 * A flow found already past its timeout by flow_lookup() is ended (TIMEOUT,
 * or FIN/RST from LINGER) and a new one started, so the result does not depend on how often
 * flow_expire() runs.
 *
 * Every flow ends exactly once through cfg.on_end. Before on_end the table
 * flushes the flow's reassembly (reasm_flow_end) when cfg.reasm is set.
 * After on_end returns the record (and user area) is reused: do not keep
 * pointers. Callbacks must not call flow_lookup/flow_expire/flow_end_all.
 *
 * Server side: the SYN receiver (first packet SYN without ACK); else the
 * SYN-ACK sender; else the side whose port has a handler (cfg.is_handler_port,
 * asked for the destination port then the source port); when both or neither
 * have one, the lower port; on a tie the destination of the first packet.
 */
#ifndef PD_FLOWS_FLOWTABLE_H
#define PD_FLOWS_FLOWTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsers/decode.h"
#include "flows/reasm.h"

/* Same order and values as enum pd_close in include/portdemux/handler.h. */
enum flow_end {
	FLOW_END_FIN = 0,
	FLOW_END_RST,
	FLOW_END_TIMEOUT,
	FLOW_END_EVICTION,
	FLOW_END_SHUTDOWN,
};
#define FLOW_END_COUNT 5

/* Coarse connection state (for flow events and timeouts). */
enum flow_state {
	FLOW_STATE_NEW = 0,     /* TCP: SYN only; UDP/other: one direction seen */
	FLOW_STATE_ESTABLISHED, /* TCP: ACK seen; UDP/other: both directions seen */
	FLOW_STATE_CLOSING,     /* TCP: FIN seen one way */
	FLOW_STATE_CLOSED,      /* TCP: FIN both ways or RST */
};

/* Timeout classes (see above). */
enum flow_class {
	FLOW_CLASS_SYN = 0,
	FLOW_CLASS_EST,
	FLOW_CLASS_CLOSING,
	FLOW_CLASS_LINGER,
	FLOW_CLASS_UDP,
	FLOW_CLASS_OTHER,
};
#define FLOW_CLASS_COUNT 6

/* Directions: 0 = client to server (PD_TO_SERVER), 1 = server to client. */
#define FLOW_TO_SERVER 0
#define FLOW_TO_CLIENT 1

/* One flow record. Fields are read-only for callers; the user area is the
 * caller's (flow_user()). Arrays indexed [2] are by direction (above), except
 * addr/port which are indexed [0] client, [1] server. */
struct flow {
	struct flow *hnext;          /* hash chain / free list */
	struct flow *prev, *next;    /* timeout-class list (LRU order) */
	uint64_t hash;
	uint64_t first_us, last_us;  /* packet time of first/last packet */
	uint64_t pkts[2], bytes[2];  /* per direction; bytes = wire length */
	struct pd_ip addr[2];        /* [0] client, [1] server */
	uint16_t port[2];            /* [0] client, [1] server */
	uint16_t vlan[PD_MAX_VLAN];
	uint8_t vlan_count;
	uint8_t ip_version;          /* 4 or 6 */
	uint8_t ip_proto;            /* 6 TCP, 17 UDP, other */
	uint8_t tcp_flags[2];        /* OR of flags seen per direction */
	uint8_t state;               /* enum flow_state */
	uint8_t cls;                 /* enum flow_class */
	uint32_t slice;              /* packet time >> 20 of the last list move */
	uint8_t syn_seen;            /* 1 when the flow began with a SYN or SYN-ACK
	                                (the stream start is known); 0 = mid-stream */
	uint8_t fin_seen;            /* bit d: FIN seen in direction d */
	uint8_t rst_seen;
	uint8_t in_use;
	struct reasm_flow reasm;     /* TCP reassembly; gap bytes: reasm.d[dir].gap_bytes */
	/* user area follows, aligned to 16 bytes, cfg.user_size bytes, zeroed */
};

struct flow_config {
	uint32_t max_flows;          /* 0 = 1,000,000 */
	uint64_t memcap;             /* bytes of records + hash buckets; 0 = 512 MiB */
	uint32_t tcp_established_s;  /* 0 = 600 */
	uint32_t tcp_closing_s;      /* 0 = 10 */
	uint32_t tcp_syn_s;          /* 0 = 30 */
	uint32_t udp_s;              /* 0 = 60 */
	uint32_t other_s;            /* 0 = 60 */
	uint32_t rst_linger_s;       /* linger after RST or FIN both ways; 0 = 2 */
	size_t user_size;            /* bytes of zeroed user area per flow */
	uint64_t hash_seed;          /* keys the hash (pass a random value to resist
	                                collision flooding); 0 is valid */
	/* Optional. transport = IP protocol number (6 TCP, 17 UDP). */
	bool (*is_handler_port)(void *arg, unsigned transport, uint16_t port);
	/* Required. Called exactly once per flow, with the flow still complete. */
	void (*on_end)(void *arg, struct flow *f, enum flow_end why);
	void *arg;
	struct reasm *reasm;         /* optional: flushed before on_end for TCP */
};

struct flow_stats {
	uint64_t active;                 /* flows in the table now */
	uint64_t peak_active;
	uint64_t created;
	uint64_t ended;                  /* sum of ended_by_reason */
	uint64_t ended_by_reason[FLOW_END_COUNT];
	uint64_t evictions;              /* = ended_by_reason[FLOW_END_EVICTION] */
	uint64_t memcap_hits;            /* evictions forced by memcap (not max_flows) */
	uint64_t reused;                 /* new SYN on a closed tuple */
	uint64_t no_l4;                  /* flow_lookup on a packet without L4 */
	uint64_t no_room;                /* flow_lookup failed: memcap < one record */
	uint64_t mem_in_use, peak_mem;   /* bytes: record chunks + hash buckets */
};

/* Returns NULL (err filled) on invalid config (no on_end) or out of memory.
 * Allocates only the initial hash buckets; records come lazily. */
struct flowtable *flow_new(const struct flow_config *cfg, char *err, size_t errlen);
/* Frees everything WITHOUT calling on_end (call flow_end_all() first to
 * end flows properly); reassembly buffers of flows still open are
 * discarded. Free the reasm after the flow table. */
void flow_free(struct flowtable *ft);

/* Finds or creates the flow of packet p (decoded, has_l4) at packet time
 * now_us; counts wire_len bytes in the packet's direction; updates flags,
 * state, timeout class and LRU position. *dir gets the packet's direction
 * (FLOW_TO_SERVER / FLOW_TO_CLIENT), *created whether this packet started
 * the flow (both may be NULL). May end other flows (eviction, or an expired
 * or closed flow of the same tuple) through on_end before returning.
 * Returns NULL when p has no L4 (counted no_l4) or no record can exist
 * (counted no_room). */
struct flow *flow_lookup(struct flowtable *ft, const struct pd_packet *p, size_t wire_len,
                         uint64_t now_us, int *dir, bool *created);

/* Ends every flow idle past its timeout at now_us. Cheap when nothing is due. */
void flow_expire(struct flowtable *ft, uint64_t now_us);

/* flow_expire, and also the flows it may leave for up to a slice behind a
 * list head that is not due: after it, exactly the flows idle past their
 * timeout have ended. For snapshots (stats events), so that what they count
 * does not depend on which other flows share the table (--workers). Looks
 * at the flows moved in the last slice-and-timeout only. */
void flow_expire_exact(struct flowtable *ft, uint64_t now_us);

/* Ends every flow with reason why (LINGER flows keep FIN/RST), least
 * recently used first (as for eviction; deterministic for a given input). */
void flow_end_all(struct flowtable *ft, enum flow_end why);

/* The flow's user area (cfg.user_size bytes, 16-byte aligned, zeroed at
 * creation), and back. */
void *flow_user(struct flow *f);
struct flow *flow_from_user(void *user);

/* Idle timeout in microseconds that currently applies to f. */
uint64_t flow_timeout_us(const struct flowtable *ft, const struct flow *f);

/* Bytes one flow record takes (header + user area), for sizing memcaps. */
size_t flow_record_size(const struct flowtable *ft);

const struct flow_stats *flow_get_stats(const struct flowtable *ft);

/* Names: "fin", "rst", "timeout", "eviction", "shutdown" / "new",
 * "established", "closing", "closed". */
const char *flow_end_name(enum flow_end why);
const char *flow_state_name(enum flow_state s);

#endif
