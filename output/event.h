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
};

/* One builder is reused for every event (no allocation per event once warm). */
int out_event_init(struct pd_event *e, struct out_sink *sink, size_t max_line);
void out_event_free(struct pd_event *e);

/* Starts an event: timestamp, flow_id, community_id, event_type, src_ip,
 * src_port, dest_ip, dest_port, proto, app_proto (omitted when NULL), vlan
 * (when tagged), then opens the object named event_type. meta may be NULL
 * (stats events: only timestamp and event_type). */
struct pd_event *out_event_begin(struct pd_event *e, const struct out_flow_meta *meta,
                                 const char *app_proto, uint64_t ts_us,
                                 const char *event_type);

/* pd_event_* functions of the public API operate on the same struct. */

#endif
