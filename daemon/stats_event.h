/* SPDX-License-Identifier: BSD-2-Clause */
/* The engine's counters as one tree (docs/events.md, event_type "stats"): walked
 * once by the stats event writer and once by the text summary, so both always
 * show the same names and numbers. */
#ifndef PD_DAEMON_STATS_EVENT_H
#define PD_DAEMON_STATS_EVENT_H

#include <stdint.h>

#include "daemon/capture.h"
#include "daemon/engine.h"

/* Receives the tree depth first: open/close bracket a named group. */
struct stats_visitor {
	void (*open)(void *arg, const char *name);
	void (*value)(void *arg, const char *name, uint64_t v);
	void (*close)(void *arg);
};

/* Walks packets, bytes, events, handler_memcap_hits, then the groups decoder, flows, tcp, defrag,
 * handlers (one group per handler), unclaimed and, when cap is not NULL,
 * capture. Decode reasons list only non-zero entries; every handler appears. */
void stats_walk(struct pd_engine *e, const struct capture_counts *cap,
                const struct stats_visitor *v, void *arg);

/* Writes one "stats" event at time ts_us through the engine's event builder
 * (top level: timestamp and event_type only). */
void stats_event_emit(struct pd_engine *e, const struct capture_counts *cap, uint64_t ts_us);

#endif
