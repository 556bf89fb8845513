/* SPDX-License-Identifier: BSD-2-Clause */
/* What the engine sheds at its caps, as `anomaly` events (docs/events.md,
 * "Shed at a cap"): flows/ only counts (flow table eviction, defragmentation
 * and reassembly memory caps, fragment limits); this file watches those
 * counters after every packet and writes the events, rate-limited per cap in
 * packet time so that a flood yields a handful of lines, not one per packet:
 * the first time a cap sheds, then at most one event per cap and
 * ENGINE_SHED_INTERVAL_S with the number shed meanwhile (`count`), and a last
 * one at engine_finish for what was still unreported. The `count`s of one
 * cap add up to its counter in `stats`. */
#ifndef PD_DAEMON_ENGINE_SHED_H
#define PD_DAEMON_ENGINE_SHED_H

#include <stdbool.h>
#include <stdint.h>

#define ENGINE_SHED_INTERVAL_S 60u

struct pd_engine;
struct capture_cut;
struct pd_event;

/* The caps watched, in event order. */
enum engine_shed_kind {
	SHED_FLOW_MEMCAP = 0,  /* flows evicted: flow memory cap (flow_stats.memcap_hits) */
	SHED_FLOW_TABLE_FULL,  /* flows evicted: max_flows (evictions - memcap_hits) */
	SHED_FLOW_NO_ROOM,     /* packets left untracked: not one flow record fits */
	SHED_FRAG_MEMCAP,      /* defrag memory cap reached (datagrams evicted or the
	                          fragment dropped) */
	SHED_FRAG_TOO_MANY,    /* datagram dropped: too many fragments */
	SHED_REASM_MEMCAP,     /* hole given up: global reassembly memory cap */
	SHED_REASM_FLOW_CAP,   /* hole given up: per-flow out-of-order cap */
	SHED_CAPTURE_CUT,      /* input record longer than the file's snaplen */
	SHED_COUNT
};

struct engine_shed_slot {
	uint64_t seen;         /* counter value already accounted for */
	uint64_t pending;      /* shed since the last event, not reported yet */
	uint64_t last_us;      /* packet time of the last event */
	uint64_t events;       /* events written */
};

struct flow_stats;
struct defrag_stats;
struct reasm_stats;

/* Embedded in struct pd_engine (zeroed with it). */
struct engine_shed {
	struct engine_shed_slot s[SHED_COUNT];
	/* the modules' counters, fetched once (their addresses never change) */
	const struct flow_stats *fs;
	const struct defrag_stats *ds;
	const struct reasm_stats *rs;
	uint64_t capture_cut, capture_skipped;  /* SHED_CAPTURE_CUT's counters */
};

/* After each packet (and engine_tick): turns counter growth into events. */
void engine_shed_poll(struct pd_engine *e);

/* At engine_finish, after the last expiry: polls, then writes one event per
 * cap with a count not yet reported. */
void engine_shed_flush(struct pd_engine *e);

/* An anomaly event of the engine's (engine_events.c): the current packet's
 * addresses when with_packet and the packet has IP, else none; `type` and
 * `event` written. The caller adds fields and emits. */
struct pd_event *engine_anomaly_begin(struct pd_engine *e, bool with_packet, uint64_t ts_us,
                                      const char *type, const char *event);

/* A record of the input cut to the file's snaplen (daemon/capture_check.h),
 * reported through the front engine e: counted, and an event (rate-limited
 * as above) naming the file and record. */
void engine_shed_capture_cut(struct pd_engine *e, const struct capture_cut *cut);

/* Name of an event ("flow_memcap", ...) and its `type` ("flow", "defrag",
 * "stream", "capture"). */
const char *engine_shed_name(enum engine_shed_kind k);
const char *engine_shed_type(enum engine_shed_kind k);

/* Events written for kind k so far (tests), and the engine's input counters. */
uint64_t engine_shed_events(const struct pd_engine *e, enum engine_shed_kind k);
void engine_shed_capture_counts(const struct pd_engine *e, uint64_t *records, uint64_t *bytes);

#endif
