/* SPDX-License-Identifier: BSD-2-Clause */
/* The event builder behind include/portdemux/event.h: EVE top level + one
 * object named after event_type, written to a sink as one line. */
#ifndef PD_OUT_EVENT_H
#define PD_OUT_EVENT_H

#include "portdemux/event.h"
#include "output/json.h"
#include "output/meta.h"
#include "output/sink.h"

struct pd_event {
	struct out_json j;
	struct out_sink *sink;
	bool open;            /* between begin and emit */
	uint64_t *emitted;    /* optional counter bumped per line written */
	/* Counters of this builder (the core adds them to its stats). */
	uint64_t lines;        /* lines handed to the sink successfully */
	uint64_t misuse;       /* calls with no event open; begin while one was open */
	uint64_t abandoned;    /* events discarded because begin came before emit */
	uint64_t truncated;    /* lines written with members dropped for max_line */
	uint64_t misnested;    /* lines written after a misnesting call was ignored */
	uint64_t write_errors; /* sink writes that reported an error (see the sink's counters) */
};

#define OUT_EVENT_DEFAULT_MAX_LINE (64 * 1024)

/* One builder is reused for every event (no allocation per event once warm).
 * max_line bounds one line in bytes (0 = OUT_EVENT_DEFAULT_MAX_LINE); sink
 * may be NULL (lines are then built and discarded). Returns 0 or -1 (memory). */
int out_event_init(struct pd_event *e, struct out_sink *sink, size_t max_line);
void out_event_free(struct pd_event *e);

/* Starts an event: timestamp, flow_id, community_id, event_type, src_ip,
 * src_port, dest_ip, dest_port, proto, app_proto (omitted when NULL), vlan
 * (when tagged), then opens the object named event_type. meta may be NULL or
 * have ip_version 0 (stats events: only timestamp and event_type). Returns e,
 * or NULL when e is NULL. An event still open (begin without emit) is
 * discarded and counted in `abandoned` and `misuse`. */
struct pd_event *out_event_begin(struct pd_event *e, const struct out_flow_meta *meta,
                                 const char *app_proto, uint64_t ts_us,
                                 const char *event_type);

/* pd_event_* functions of the public API operate on the same struct; on a
 * NULL event they do nothing, on a builder with no open event they do
 * nothing and count `misuse`. pd_event_emit closes every container, writes
 * the line and resets the builder. */

/* EVE "proto" text: "TCP", "UDP", "SCTP", "ICMP", "IPv6-ICMP", else the
 * decimal number. buf holds at least 4 bytes; returns buf or a constant. */
const char *out_proto_name(uint8_t proto, char buf[4]);

#endif
