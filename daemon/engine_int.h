/* SPDX-License-Identifier: BSD-2-Clause */
/* Engine internals shared by engine.c (packet path) and engine_events.c
 * (flow and anomaly events). */
#ifndef PD_ENGINE_INT_H
#define PD_ENGINE_INT_H

#include "daemon/engine.h"
#include "daemon/engine_shed.h"
#include "flows/defrag.h"
#include "flows/flowtable.h"
#include "flows/reasm.h"
#include "output/event.h"
#include "parsers/decode.h"

struct pd_engine {
	struct engine_config cfg;
	const struct hd_registry *reg;
	struct pd_event ev;          /* the one event builder of this engine */
	struct hd_ctx hctx;
	struct flowtable *ft;
	struct reasm *rs;
	struct defrag *df;
	struct engine_stats st;
	uint64_t now;                /* last packet time, monotonic */
	uint64_t pkt_index;          /* 1-based index of the current packet (pcap_cnt) */
	struct pd_packet pkt;        /* the packet being processed */
	struct pd_engine *const *parts; /* engine_set_parts: counters summed from these */
	unsigned nparts;
	struct engine_shed shed;     /* caps that shed: events (engine_shed.c) */
};

/* The flow event of f, ending for `why` (engine_events.c). */
void engine_flow_event(struct pd_engine *e, struct flow *f, enum flow_end why);
/* A decode anomaly for the current packet (status/reason from e->pkt). */
void engine_decode_anomaly(struct pd_engine *e);
/* A stream/defrag anomaly: type "stream" or "defrag", with the flow's tuple
 * when f is not NULL, else the current packet's addresses. */
void engine_stream_anomaly(struct pd_engine *e, struct flow *f, const char *type,
                           const char *reason);
/* Fills meta from a flow (client = src). */
void engine_flow_meta(const struct pd_engine *e, const struct flow *f,
                      struct out_flow_meta *m);

#endif
