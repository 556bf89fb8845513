/* SPDX-License-Identifier: BSD-2-Clause */
/* The engine: wires decode -> defrag -> flow table -> reassembly -> sessions ->
 * events for one stream of frames. One engine per worker; no global state.
 * Packet time only: the engine never reads the clock. */
#ifndef PD_ENGINE_H
#define PD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsers/reasons.h"
#include "handlers/registry.h"
#include "handlers/session.h"
#include "output/sink.h"

struct engine_config {
	/* flows (0 = default) */
	uint32_t max_flows;              /* default 1,000,000 */
	uint64_t flow_memcap;            /* bytes, default 160 MiB (bench/README.md, churn) */
	uint32_t tcp_established_timeout;/* s, default 600 */
	uint32_t tcp_closing_timeout;    /* s, default 10 */
	uint32_t tcp_syn_timeout;        /* s, default 30 */
	uint32_t udp_timeout;            /* s, default 60 */
	uint32_t rst_linger;             /* s, default 2? see flows */
	/* reassembly */
	uint64_t reasm_flow_cap;         /* out-of-order bytes per flow, default 1 MiB */
	uint64_t reasm_memcap;           /* global, default 256 MiB */
	/* defragmentation */
	uint64_t defrag_memcap;          /* default 16 MiB */
	uint32_t defrag_timeout;         /* s, default 30 */
	/* detection */
	size_t probe_budget_bytes;       /* default 4096 */
	unsigned probe_budget_pkts;      /* default 10 */
	size_t tail_cap;                 /* kept unconsumed bytes per direction, default
	                                    128 KiB: a whole 64 KiB DNS/TCP message fits */
	uint64_t handler_memcap;         /* handler state + kept bytes, default 256 MiB */
	uint16_t community_id_seed;      /* default 0 */
	size_t max_event_bytes;          /* default 1 MiB */
};

/* Counters the summary and the stats event report. */
struct engine_stats {
	uint64_t packets, bytes;
	uint64_t decoded_ok;
	uint64_t by_status[4];                   /* enum pd_status */
	uint64_t by_reason[PD_R_COUNT];          /* enum pd_reason (decode failures and notes) */
	uint64_t tcp_packets, udp_packets, other_packets;
	uint64_t ipv4_packets, ipv6_packets;
	uint64_t fragments, frags_reassembled, frags_timed_out, frags_overlapping,
	         frags_evicted, frags_invalid;
	uint64_t flows_created, flows_active, flows_ended;
	uint64_t flows_by_reason[5];             /* enum pd_close */
	uint64_t flow_evictions, flow_memcap_hits;
	uint64_t tcp_ooo_segments, tcp_retransmissions, tcp_overlaps_conflicting,
	         tcp_gaps, tcp_gap_bytes, reasm_memcap_hits;
	uint64_t events;
	/* per server port (the flow's server side), by transport: packets and bytes
	 * (wire bytes of frames whose flow has that server port) */
	uint64_t *port_pkts[2];                  /* [0] TCP, [1] UDP: 65536 entries each */
	uint64_t *port_bytes[2];
	uint64_t *unclaimed_port_pkts[2];        /* flows no handler claimed */
	uint64_t *unclaimed_port_bytes[2];
	/* Bit c: ports c * ENGINE_PORT_CHUNK and up have counts. The tables are
	 * mostly zero; only these ranges are read (reports, sums of workers),
	 * so untouched pages stay unmapped. */
	uint64_t port_chunks[2];
};

#define ENGINE_PORT_CHUNK 1024u   /* 65536 ports in 64 ranges */

/* The first port at or after p in a range with counts (port_chunks), or
 * 65536: for (p = engine_port_next(st, t, 0); p < 65536; p = engine_port_next(st, t, p + 1)). */
static inline unsigned engine_port_next(const struct engine_stats *st, int t, unsigned p)
{
	while (p < 65536 && !((st->port_chunks[t] >> (p / ENGINE_PORT_CHUNK)) & 1))
		p = (p / ENGINE_PORT_CHUNK + 1) * ENGINE_PORT_CHUNK;
	return p;
}

struct pd_engine;

int engine_new(struct pd_engine **out, const struct engine_config *cfg,
               const struct hd_registry *reg, struct out_sink *sink,
               char *err, size_t errlen);
void engine_free(struct pd_engine *e);

/* One captured frame. caplen bytes are present; wirelen is the original length.
 * ts_us is the packet time (microseconds since the epoch). */
void engine_packet(struct pd_engine *e, const uint8_t *frame, size_t caplen, size_t wirelen,
                   int linktype, uint64_t ts_us);

/* Live capture only: advances time without a packet (the daemon passes the
 * wall clock while the tap is quiet) so idle flows and fragments expire.
 * Never moves time backwards. */
void engine_tick(struct pd_engine *e, uint64_t now_us);

/* Before a stats snapshot: ends every flow idle past its timeout at the
 * engine's clock, also those the flow table's lazy order would end up to a
 * second later (flow_expire_exact), so that one engine and the workers'
 * engines count the same flows. Nothing for a front. */
void engine_settle(struct pd_engine *e);

/* engine_packet for an engine fed by a reader thread that numbers the packets
 * and keeps the clock for several engines (daemon/workers.c): pkt_index is the
 * packet's 1-based index in the whole input (pcap_cnt in events) and now_us
 * the reader's clock (the largest packet time so far), so every engine sees
 * the packet exactly as the single engine of a one-thread run would. */
void engine_packet_seq(struct pd_engine *e, const uint8_t *frame, size_t caplen,
                       size_t wirelen, int linktype, uint64_t now_us, uint64_t pkt_index);

/* The configuration of one of n engines sharing the work of one: defaults
 * resolved, then the engine-wide caps (max_flows, flow, reassembly,
 * defragmentation and handler memory) divided by n (at least one flow and
 * one byte each), so n engines together stay within what was configured.
 * Per-flow limits are unchanged. */
void engine_config_share(const struct engine_config *in, unsigned n, struct engine_config *out);

/* Makes e the front of n engines that do the packet work elsewhere (worker
 * threads): from now on engine_stats(e) and engine_handlers(e) report the sum
 * of the parts' counters (plus e's own events), and engine_set_registry(e)
 * switches every part too. The caller guarantees that no part is running
 * while these are called. parts must outlive their use by e; n = 0 detaches. */
void engine_set_parts(struct pd_engine *e, struct pd_engine *const *parts, unsigned n);

/* Ends every flow (reason shutdown: flow events, handler records), at the last
 * packet time seen. Call before the final stats event. */
void engine_finish(struct pd_engine *e);

/* Last packet time seen (0 before any). */
uint64_t engine_now(const struct pd_engine *e);

/* Counters, refreshed from the flow table, reassembly and defragmentation. */
const struct engine_stats *engine_stats(struct pd_engine *e);
const struct hd_ctx *engine_handlers(const struct pd_engine *e);
/* The event builder, for daemon-level events (stats, capture errors). */
struct pd_event *engine_event_builder(struct pd_engine *e);

/* Switches the handler table for flows that start from now on (SIGHUP reload,
 * daemon/htable.c; implemented in daemon/engine_reload.c). Flows in progress
 * keep the handler descriptors they hold, which must stay valid (built-ins are
 * static, plug-ins are never unloaded while the engine runs). Per-handler
 * counters follow their handler to its index in reg; a handler reg lacks
 * leaves the stats event. reg must outlive its use by e. */
void engine_set_registry(struct pd_engine *e, const struct hd_registry *reg);

#endif
