/* SPDX-License-Identifier: BSD-2-Clause */
/* The "stats" event (EVE stats, docs/events.md) and the counter tree it shares
 * with the end-of-run summary. */
#include "daemon/stats_event.h"

#include "daemon/engine_shed.h"

#include "flows/flowtable.h"
#include "handlers/session.h"
#include "output/event.h"
#include "parsers/reasons.h"

static void walk_decoder(const struct engine_stats *st, const struct stats_visitor *v, void *arg)
{
	v->open(arg, "decoder");
	for (int s = 0; s < PD_STATUS_COUNT; s++)
		v->value(arg, pd_status_name((enum pd_status)s), st->by_status[s]);
	v->value(arg, "ipv4", st->ipv4_packets);
	v->value(arg, "ipv6", st->ipv6_packets);
	v->value(arg, "tcp", st->tcp_packets);
	v->value(arg, "udp", st->udp_packets);
	v->value(arg, "other", st->other_packets);
	v->open(arg, "reasons");
	for (int r = PD_R_NONE + 1; r < PD_R_COUNT; r++)
		if (st->by_reason[r])
			v->value(arg, pd_reason_name((enum pd_reason)r), st->by_reason[r]);
	v->close(arg);
	v->close(arg);
}

static void walk_flows(const struct engine_stats *st, const struct stats_visitor *v, void *arg)
{
	v->open(arg, "flows");
	v->value(arg, "created", st->flows_created);
	v->value(arg, "active", st->flows_active);
	v->value(arg, "ended", st->flows_ended);
	v->value(arg, "evictions", st->flow_evictions);
	v->value(arg, "memcap_hits", st->flow_memcap_hits);
	v->open(arg, "by_reason");
	for (int r = 0; r < (int)(sizeof st->flows_by_reason / sizeof st->flows_by_reason[0]); r++)
		v->value(arg, flow_end_name((enum flow_end)r), st->flows_by_reason[r]);
	v->close(arg);
	v->close(arg);
}

static void walk_tcp_defrag(const struct engine_stats *st, const struct stats_visitor *v,
                            void *arg)
{
	v->open(arg, "tcp");
	v->value(arg, "ooo_segments", st->tcp_ooo_segments);
	v->value(arg, "retransmissions", st->tcp_retransmissions);
	v->value(arg, "overlaps_conflicting", st->tcp_overlaps_conflicting);
	v->value(arg, "gaps", st->tcp_gaps);
	v->value(arg, "gap_bytes", st->tcp_gap_bytes);
	v->value(arg, "reasm_memcap_hits", st->reasm_memcap_hits);
	v->close(arg);
	v->open(arg, "defrag");
	v->value(arg, "fragments", st->fragments);
	v->value(arg, "reassembled", st->frags_reassembled);
	v->value(arg, "timed_out", st->frags_timed_out);
	v->value(arg, "overlapping", st->frags_overlapping);
	v->value(arg, "evicted", st->frags_evicted);
	v->value(arg, "invalid", st->frags_invalid);
	v->close(arg);
}

static void walk_handlers(const struct hd_ctx *hc, const struct stats_visitor *v, void *arg)
{
	v->open(arg, "handlers");
	for (unsigned i = 0; i < hc->reg->count; i++) {
		const struct hd_handler_stats *hs = &hc->stats[i];
		v->open(arg, hc->reg->h[i]->name);
		v->value(arg, "flows_by_port", hs->flows_by_port);
		v->value(arg, "flows_by_content", hs->flows_by_content);
		v->value(arg, "mismatches", hs->mismatches);
		v->value(arg, "bytes", hs->bytes);
		v->value(arg, "events", hs->events);
		v->value(arg, "anomalies", hs->anomalies);
		v->close(arg);
	}
	v->close(arg);
}

/* Traffic of flows no handler claimed, per transport (DESIGN.md "stats"). */
static void walk_unclaimed(const struct engine_stats *st, const struct stats_visitor *v,
                           void *arg)
{
	static const char *const names[2] = {"tcp", "udp"};

	v->open(arg, "unclaimed");
	for (int t = 0; t < 2; t++) {
		uint64_t pkts = 0, bytes = 0, ports = 0;
		for (unsigned p = engine_port_next(st, t, 0); st->unclaimed_port_pkts[t] && p < 65536;
		     p = engine_port_next(st, t, p + 1)) {
			pkts += st->unclaimed_port_pkts[t][p];
			bytes += st->unclaimed_port_bytes[t][p];
			ports += st->unclaimed_port_pkts[t][p] != 0;
		}
		v->open(arg, names[t]);
		v->value(arg, "packets", pkts);
		v->value(arg, "bytes", bytes);
		v->value(arg, "server_ports", ports);
		v->close(arg);
	}
	v->close(arg);
}

void stats_walk(struct pd_engine *e, const struct capture_counts *cap,
                const struct stats_visitor *v, void *arg)
{
	const struct engine_stats *st = engine_stats(e);
	uint64_t cut, skipped;

	v->value(arg, "packets", st->packets);
	v->value(arg, "bytes", st->bytes);
	v->value(arg, "events", st->events);
	v->value(arg, "handler_memcap_hits", engine_handlers(e)->memcap_hits);
	walk_decoder(st, v, arg);
	walk_flows(st, v, arg);
	walk_tcp_defrag(st, v, arg);
	walk_handlers(engine_handlers(e), v, arg);
	walk_unclaimed(st, v, arg);
	engine_shed_capture_counts(e, &cut, &skipped);
	if (cut) { /* records of the input longer than their file's snaplen */
		v->open(arg, "input");
		v->value(arg, "records_over_snaplen", cut);
		v->value(arg, "bytes_over_snaplen", skipped);
		v->close(arg);
	}
	if (cap) {
		v->open(arg, "capture");
		v->value(arg, "received", cap->received);
		v->value(arg, "dropped", cap->dropped);
		v->value(arg, "ifdropped", cap->ifdropped);
		v->close(arg);
	}
}

static void ev_open(void *arg, const char *name)
{
	pd_event_object_open(arg, name);
}

static void ev_value(void *arg, const char *name, uint64_t v)
{
	pd_event_uint(arg, name, v);
}

static void ev_close(void *arg)
{
	pd_event_object_close(arg);
}

void stats_event_emit(struct pd_engine *e, const struct capture_counts *cap, uint64_t ts_us)
{
	static const struct stats_visitor json = {ev_open, ev_value, ev_close};
	struct pd_event *ev = out_event_begin(engine_event_builder(e), NULL, NULL, ts_us, "stats");

	if (!ev)
		return;
	stats_walk(e, cap, &json, ev);
	pd_event_emit(ev);
}
