/* SPDX-License-Identifier: BSD-2-Clause */
/* TCP stream reassembly per direction (RFC 9293 section 3.4 sequence space,
 * RFC 1982 serial arithmetic for the 32-bit wrap).
 *
 * State lives inside each struct flow (two directions, struct reasm_flow);
 * one struct reasm per engine holds the caps, callbacks and counters.
 *
 * Delivery model:
 *  - In-order bytes go to cfg.deliver straight from the packet (no copy).
 *  - Out-of-order segments are copied (the only allocation here), bounded
 *    by a per-flow cap (both directions together) and a global cap.
 *  - Retransmitted and overlapping bytes are delivered once: the bytes that
 *    arrived first win (RFC 5722-style first-wins, as for fragments). An
 *    overlap with *buffered* bytes that differ is counted and flagged
 *    (REASM_F_OVERLAP_CONFLICT) so the engine can emit "tcp_overlap_conflict".
 *    Bytes already delivered are not kept, so a retransmission of delivered
 *    data is counted as a retransmission but cannot be compared.
 *  - A hole that can no longer be filled is reported as cfg.gap(lost) and
 *    delivery resumes after it; bytes are never invented. A hole is given up
 *    when: a cap is reached (the hole before the first buffered segment is
 *    declared lost, then buffered data is delivered), the other direction's
 *    ACK acknowledges bytes we never saw (capture loss), or the flow ends.
 *  - SYN and FIN each consume one sequence number. The ISN comes from the
 *    SYN; without a SYN (mid-stream pickup) the first data segment of a
 *    direction sets the expected sequence. Pure ACKs never initialise a
 *    direction (keep-alives carry seq = next - 1).
 *  - After a direction's FIN has been reached in order, later data in that
 *    direction is ignored (counted as retransmission).
 *
 * Callbacks run synchronously inside reasm_packet()/reasm_flow_end(); they
 * must not call back into reasm_ for the same flow. `dir` in callbacks and
 * calls is the flow direction from flow_lookup(): 0 = to server (client's
 * bytes), 1 = to client (server's bytes).
 */
#ifndef PD_FLOWS_REASM_H
#define PD_FLOWS_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsers/decode.h"

struct flow;       /* flows/flowtable.h */
struct reasm_seg;  /* private: one buffered out-of-order segment */

/* Per-direction state, embedded (zeroed) in struct flow. Read-only for
 * callers; the counters are meant for flow events. */
struct reasm_dir {
	struct reasm_seg *ooo;  /* buffered segments, sorted by sequence, disjoint */
	uint32_t next_seq;      /* next sequence number to deliver */
	uint32_t isn;           /* initial sequence number (valid if syn) */
	uint32_t fin_seq;       /* sequence number of the FIN (valid if fin) */
	uint32_t ooo_bytes;     /* payload bytes buffered in ooo */
	uint8_t init;           /* next_seq is known */
	uint8_t syn;            /* a SYN set the ISN */
	uint8_t fin;            /* a FIN was seen (fin_seq valid) */
	uint8_t closed;         /* the FIN was reached in order: nothing more */
	uint64_t delivered;     /* bytes handed to deliver */
	uint64_t gap_bytes;     /* bytes reported lost through gap */
	uint32_t gaps;          /* number of gap callbacks */
	uint32_t ooo_segments;  /* segments that arrived ahead of next_seq */
};

struct reasm_flow {
	struct reasm_dir d[2];  /* index = flow direction */
};

struct reasm_config {
	uint64_t flow_cap;  /* buffered out-of-order bytes per flow; 0 = 1 MiB;
	                       at most 1 GiB */
	uint64_t memcap;    /* all buffered bytes incl. overhead; 0 = 256 MiB */
	/* In-order bytes of one direction; data is valid only during the call. */
	void (*deliver)(void *arg, struct flow *f, int dir, const uint8_t *data, size_t len);
	/* `lost` bytes of one direction will never be delivered. */
	void (*gap)(void *arg, struct flow *f, int dir, size_t lost);
	void *arg;
};

/* Engine-wide counters (monotonic except mem_in_use). */
struct reasm_stats {
	uint64_t segments;            /* segments with payload or SYN/FIN processed */
	uint64_t in_order;            /* segments delivered straight from the packet */
	uint64_t ooo_segments;        /* segments that arrived ahead of next_seq */
	uint64_t retransmissions;     /* segments entirely or partly already seen */
	uint64_t overlaps;            /* segments overlapping buffered bytes */
	uint64_t overlaps_conflicting;/* ... whose bytes differed (first wins) */
	uint64_t gaps, gap_bytes;     /* holes given up, and their size */
	uint64_t ack_gaps;            /* holes given up because of an ACK */
	uint64_t memcap_hits;         /* global cap reached */
	uint64_t flow_cap_hits;       /* per-flow cap reached */
	uint64_t after_fin;           /* payload ignored after the FIN */
	uint64_t mem_in_use, peak_mem;/* bytes of buffered segments incl. headers */
};

/* Notes returned by reasm_packet() about that one packet (bit mask). */
#define REASM_F_OOO              0x01u /* buffered out of order */
#define REASM_F_RETRANSMISSION   0x02u /* some bytes were old */
#define REASM_F_OVERLAP          0x04u /* overlapped buffered bytes */
#define REASM_F_OVERLAP_CONFLICT 0x08u /* ... with different bytes: anomaly */
#define REASM_F_GAP              0x10u /* at least one gap callback */
#define REASM_F_MEMCAP           0x20u /* global or per-flow cap reached */

/* Returns NULL when out of memory. cfg->deliver is required, cfg->gap optional. */
struct reasm *reasm_new(const struct reasm_config *cfg);
void reasm_free(struct reasm *r);  /* NULL-safe; flows must have been ended */

/* One TCP packet of flow f in direction dir (as returned by flow_lookup).
 * Uses p->tcp_flags, seq, ack, payload, payload_len. The ACK is applied to
 * the other direction first (gap detection), then SYN/data/FIN to dir.
 * Returns REASM_F_* notes. Ignores non-TCP packets (returns 0). */
unsigned reasm_packet(struct reasm *r, struct flow *f, int dir, const struct pd_packet *p);

/* Final flush of both directions: for each, buffered data is delivered in
 * order with gap callbacks for every hole before it (and for the missing
 * bytes before a seen FIN), then all buffers are freed. Idempotent.
 * The flow table calls this itself before on_end when it was given the
 * reasm (flow_config.reasm), so the engine normally never calls it. */
void reasm_flow_end(struct reasm *r, struct flow *f);

/* Frees f's buffered segments without any callback (teardown only: the
 * flow table's flow_free() uses it for flows that were never ended). */
void reasm_flow_discard(struct reasm *r, struct flow *f);

const struct reasm_stats *reasm_get_stats(const struct reasm *r);

#endif
