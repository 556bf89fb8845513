/* SPDX-License-Identifier: BSD-2-Clause */
/* Anomaly events for what the engine's caps shed (DESIGN.md "Memory is
 * bounded by configuration; hitting a cap produces a counter and an event"),
 * rate-limited per cap in packet time (engine_shed.h). */
#include "daemon/engine_shed.h"

#include "daemon/capture_check.h"
#include "daemon/engine_int.h"

#define SHED_INTERVAL_US ((uint64_t)ENGINE_SHED_INTERVAL_S * 1000000u)

static const struct {
	const char *name, *type;
} shed_names[SHED_COUNT] = {
	[SHED_FLOW_MEMCAP] = { "flow_memcap", "flow" },
	[SHED_FLOW_TABLE_FULL] = { "flow_table_full", "flow" },
	[SHED_FLOW_NO_ROOM] = { "flow_no_room", "flow" },
	[SHED_FRAG_MEMCAP] = { "frag_memcap", "defrag" },
	[SHED_FRAG_TOO_MANY] = { "frag_too_many", "defrag" },
	[SHED_REASM_MEMCAP] = { "reasm_memcap", "stream" },
	[SHED_REASM_FLOW_CAP] = { "reasm_flow_cap", "stream" },
	[SHED_CAPTURE_CUT] = { "record_over_snaplen", "capture" },
};

const char *engine_shed_name(enum engine_shed_kind k)
{
	return k < SHED_COUNT ? shed_names[k].name : "unknown";
}

const char *engine_shed_type(enum engine_shed_kind k)
{
	return k < SHED_COUNT ? shed_names[k].type : "unknown";
}

uint64_t engine_shed_events(const struct pd_engine *e, enum engine_shed_kind k)
{
	return k < SHED_COUNT ? e->shed.s[k].events : 0;
}

void engine_shed_capture_counts(const struct pd_engine *e, uint64_t *records, uint64_t *bytes)
{
	*records = e->shed.capture_cut;
	*bytes = e->shed.capture_skipped;
}

/* The configured limit behind a cap, for the event (0: none to show). */
static uint64_t shed_limit(const struct pd_engine *e, enum engine_shed_kind k)
{
	switch (k) {
	case SHED_FLOW_MEMCAP:
	case SHED_FLOW_NO_ROOM:
		return e->cfg.flow_memcap;
	case SHED_FLOW_TABLE_FULL:
		return e->cfg.max_flows;
	case SHED_FRAG_MEMCAP:
		return e->cfg.defrag_memcap;
	case SHED_REASM_MEMCAP:
		return e->cfg.reasm_memcap;
	case SHED_REASM_FLOW_CAP:
		return e->cfg.reasm_flow_cap;
	default:
		return 0;
	}
}

static void shed_event(struct pd_engine *e, enum engine_shed_kind k, bool with_packet,
                       uint64_t total)
{
	struct engine_shed_slot *sl = &e->shed.s[k];
	struct pd_event *ev = engine_anomaly_begin(e, with_packet, e->now, shed_names[k].type,
	                                           shed_names[k].name);
	uint64_t limit = shed_limit(e, k);

	pd_event_uint(ev, "count", sl->pending);
	pd_event_uint(ev, "total", total);
	if (limit)
		pd_event_uint(ev, "limit", limit);
	if (with_packet)
		pd_event_uint(ev, "pcap_cnt", e->pkt_index);
	pd_event_emit(ev);
	sl->pending = 0;
	sl->last_us = e->now;
	sl->events++;
}

/* Counter k now reads `value`: growth becomes pending, and an event when the
 * cap's first, or when its interval has passed. */
static void shed_note(struct pd_engine *e, enum engine_shed_kind k, uint64_t value)
{
	struct engine_shed_slot *sl = &e->shed.s[k];

	if (value <= sl->seen) {
		sl->seen = value;
		return;
	}
	sl->pending += value - sl->seen;
	sl->seen = value;
	if (sl->events == 0 || e->now >= sl->last_us + SHED_INTERVAL_US)
		shed_event(e, k, true, value);
}

void engine_shed_poll(struct pd_engine *e)
{
	if (e->shed.fs == NULL) {
		e->shed.fs = flow_get_stats(e->ft);
		e->shed.ds = defrag_get_stats(e->df);
		e->shed.rs = reasm_get_stats(e->rs);
	}
	const struct flow_stats *fs = e->shed.fs;
	const struct defrag_stats *ds = e->shed.ds;
	const struct reasm_stats *rs = e->shed.rs;
	const struct engine_shed_slot *s = e->shed.s;

	/* The normal path: nothing moved (a few loads and compares). */
	if (fs->evictions == s[SHED_FLOW_MEMCAP].seen + s[SHED_FLOW_TABLE_FULL].seen &&
	    fs->no_room == s[SHED_FLOW_NO_ROOM].seen && ds->memcap_hits == s[SHED_FRAG_MEMCAP].seen &&
	    ds->too_many == s[SHED_FRAG_TOO_MANY].seen && rs->memcap_hits == s[SHED_REASM_MEMCAP].seen &&
	    rs->flow_cap_hits == s[SHED_REASM_FLOW_CAP].seen)
		return;
	shed_note(e, SHED_FLOW_MEMCAP, fs->memcap_hits);
	shed_note(e, SHED_FLOW_TABLE_FULL,
	          fs->evictions > fs->memcap_hits ? fs->evictions - fs->memcap_hits : 0);
	shed_note(e, SHED_FLOW_NO_ROOM, fs->no_room);
	shed_note(e, SHED_FRAG_MEMCAP, ds->memcap_hits);
	shed_note(e, SHED_FRAG_TOO_MANY, ds->too_many);
	shed_note(e, SHED_REASM_MEMCAP, rs->memcap_hits);
	shed_note(e, SHED_REASM_FLOW_CAP, rs->flow_cap_hits);
}

void engine_shed_flush(struct pd_engine *e)
{
	engine_shed_poll(e);
	for (int k = 0; k < SHED_COUNT; k++)
		if (e->shed.s[k].pending)
			shed_event(e, (enum engine_shed_kind)k, false, e->shed.s[k].seen);
}

void engine_shed_capture_cut(struct pd_engine *e, const struct capture_cut *cut)
{
	struct engine_shed_slot *sl = &e->shed.s[SHED_CAPTURE_CUT];
	struct pd_event *ev;

	e->shed.capture_cut++;
	e->shed.capture_skipped += cut->skipped;
	sl->seen = e->shed.capture_cut;
	sl->pending++;
	if (sl->events != 0 && cut->ts_us < sl->last_us + SHED_INTERVAL_US)
		return;
	ev = engine_anomaly_begin(e, false, cut->ts_us, "capture", shed_names[SHED_CAPTURE_CUT].name);
	pd_event_uint(ev, "count", sl->pending);
	pd_event_uint(ev, "total", e->shed.capture_cut);
	pd_event_str(ev, "file", cut->file);
	pd_event_uint(ev, "record", cut->record);
	pd_event_uint(ev, "record_length", cut->reclen);
	pd_event_uint(ev, "snaplen", cut->snaplen);
	pd_event_uint(ev, "skipped_bytes", cut->skipped);
	pd_event_emit(ev);
	sl->pending = 0;
	sl->last_us = cut->ts_us;
	sl->events++;
}
