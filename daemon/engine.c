/* SPDX-License-Identifier: BSD-2-Clause */
/* The engine's packet path: decode -> defragment -> flow -> reassemble ->
 * session, for one stream of frames in packet time (DESIGN.md "The walk of
 * one packet"). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/engine_int.h"

#define MIB (1024ull * 1024ull)

static void apply_defaults(struct engine_config *c)
{
	if (!c->max_flows) c->max_flows = 1000000;
	if (!c->flow_memcap) c->flow_memcap = 160 * MIB;
	if (!c->tcp_established_timeout) c->tcp_established_timeout = 600;
	if (!c->tcp_closing_timeout) c->tcp_closing_timeout = 10;
	if (!c->tcp_syn_timeout) c->tcp_syn_timeout = 30;
	if (!c->udp_timeout) c->udp_timeout = 60;
	if (!c->rst_linger) c->rst_linger = 2;
	if (!c->reasm_flow_cap) c->reasm_flow_cap = 1 * MIB;
	if (!c->reasm_memcap) c->reasm_memcap = 256 * MIB;
	if (!c->defrag_memcap) c->defrag_memcap = 16 * MIB;
	if (!c->defrag_timeout) c->defrag_timeout = 30;
	if (!c->probe_budget_bytes) c->probe_budget_bytes = 4096;
	if (!c->probe_budget_pkts) c->probe_budget_pkts = 10;
	if (!c->tail_cap) c->tail_cap = 128 * 1024;
	if (!c->handler_memcap) c->handler_memcap = 256 * MIB;
	if (!c->max_event_bytes) c->max_event_bytes = 1 * MIB;
}

static uint64_t share(uint64_t v, unsigned n)
{
	return v / n > 0 ? v / n : 1;
}

void engine_config_share(const struct engine_config *in, unsigned n, struct engine_config *out)
{
	*out = *in;
	apply_defaults(out);
	if (n <= 1) return;
	out->max_flows = (uint32_t)share(out->max_flows, n);
	out->flow_memcap = share(out->flow_memcap, n);
	out->reasm_memcap = share(out->reasm_memcap, n);
	out->defrag_memcap = share(out->defrag_memcap, n);
	out->handler_memcap = share(out->handler_memcap, n);
}

static unsigned transport_of(uint8_t ip_proto)
{
	return ip_proto == 6 ? PD_TCP : PD_UDP;
}

static struct pd_session *session_of(struct flow *f)
{
	return flow_user(f);
}

static bool is_handler_port(void *arg, unsigned ip_proto, uint16_t port)
{
	const struct pd_engine *e = arg;
	if (ip_proto != 6 && ip_proto != 17) return false;
	return hd_registry_port(e->reg, transport_of((uint8_t)ip_proto), port) != NULL;
}

static void on_deliver(void *arg, struct flow *f, int dir, const uint8_t *data, size_t len)
{
	struct pd_engine *e = arg;
	hd_session_data(session_of(f), (enum pd_dir)dir, data, len, e->now);
}

static void on_gap(void *arg, struct flow *f, int dir, size_t lost)
{
	struct pd_engine *e = arg;
	hd_session_gap(session_of(f), (enum pd_dir)dir, lost, e->now);
}

/* Every flow ends here exactly once: the handler's records first, then the
 * flow event, so a session's events precede its flow event. */
static void on_flow_end(void *arg, struct flow *f, enum flow_end why)
{
	struct pd_engine *e = arg;
	struct pd_session *s = session_of(f);
	/* Close-time records carry the flow's last packet time, not the time of
	 * whichever later packet made the table notice the end (linger, timeout). */
	hd_session_close(s, (enum pd_close)why, f->last_us);
	engine_flow_event(e, f, why);
	if (s->phase != HD_ACTIVE && (f->ip_proto == 6 || f->ip_proto == 17)) {
		int t = f->ip_proto == 6 ? 0 : 1;
		e->st.unclaimed_port_pkts[t][f->port[1]] += f->pkts[0] + f->pkts[1];
		e->st.unclaimed_port_bytes[t][f->port[1]] += f->bytes[0] + f->bytes[1];
		/* port_chunks already has this port: its packets were counted. */
	}
}

static int alloc_port_tables(struct engine_stats *st)
{
	for (int t = 0; t < 2; t++) {
		st->port_pkts[t] = calloc(65536, sizeof(uint64_t));
		st->port_bytes[t] = calloc(65536, sizeof(uint64_t));
		st->unclaimed_port_pkts[t] = calloc(65536, sizeof(uint64_t));
		st->unclaimed_port_bytes[t] = calloc(65536, sizeof(uint64_t));
		if (!st->port_pkts[t] || !st->port_bytes[t] || !st->unclaimed_port_pkts[t] ||
		    !st->unclaimed_port_bytes[t])
			return -1;
	}
	return 0;
}

int engine_new(struct pd_engine **out, const struct engine_config *cfg,
               const struct hd_registry *reg, struct out_sink *sink, char *err, size_t errlen)
{
	struct pd_engine *e = calloc(1, sizeof(*e));
	*out = NULL;
	if (!e) goto oom;
	e->cfg = *cfg;
	apply_defaults(&e->cfg);
	e->reg = reg;
	if (out_event_init(&e->ev, sink, e->cfg.max_event_bytes) != 0) goto oom;
	hd_ctx_init(&e->hctx, reg, &e->ev);
	e->hctx.probe_budget_bytes = e->cfg.probe_budget_bytes;
	e->hctx.probe_budget_pkts = e->cfg.probe_budget_pkts;
	e->hctx.tail_cap = e->cfg.tail_cap;
	e->hctx.mem_cap = e->cfg.handler_memcap;
	if (alloc_port_tables(&e->st) != 0) goto oom;

	struct reasm_config rc = {
		.flow_cap = e->cfg.reasm_flow_cap, .memcap = e->cfg.reasm_memcap,
		.deliver = on_deliver, .gap = on_gap, .arg = e,
	};
	e->rs = reasm_new(&rc);
	if (!e->rs) goto oom;

	struct defrag_config dc = { .memcap = e->cfg.defrag_memcap, .timeout_s = e->cfg.defrag_timeout };
	e->df = defrag_new(&dc);
	if (!e->df) goto oom;

	struct flow_config fc = {
		.max_flows = e->cfg.max_flows, .memcap = e->cfg.flow_memcap,
		.tcp_established_s = e->cfg.tcp_established_timeout,
		.tcp_closing_s = e->cfg.tcp_closing_timeout, .tcp_syn_s = e->cfg.tcp_syn_timeout,
		.udp_s = e->cfg.udp_timeout, .other_s = e->cfg.udp_timeout,
		.rst_linger_s = e->cfg.rst_linger, .user_size = sizeof(struct pd_session),
		.is_handler_port = is_handler_port, .on_end = on_flow_end, .arg = e, .reasm = e->rs,
	};
	e->ft = flow_new(&fc, err, errlen);
	if (!e->ft) {
		engine_free(e);
		return -1;
	}
	*out = e;
	return 0;
oom:
	snprintf(err, errlen, "engine: %s", strerror(ENOMEM));
	engine_free(e);
	return -1;
}

void engine_free(struct pd_engine *e)
{
	if (!e) return;
	flow_free(e->ft);
	reasm_free(e->rs);
	defrag_free(e->df);
	out_event_free(&e->ev);
	hd_ctx_release(&e->hctx); /* after flow_free: every session is closed */
	for (int t = 0; t < 2; t++) {
		free(e->st.port_pkts[t]);
		free(e->st.port_bytes[t]);
		free(e->st.unclaimed_port_pkts[t]);
		free(e->st.unclaimed_port_bytes[t]);
	}
	free(e);
}

/* A new flow gets its session: top-level facts computed once, here. */
static void start_session(struct pd_engine *e, struct flow *f)
{
	struct out_flow_meta m;
	engine_flow_meta(e, f, &m);
	hd_session_init(session_of(f), &e->hctx, &m, transport_of(f->ip_proto), !f->syn_seen);
}

/* Fragments: hold until complete, then re-enter the decoder with the whole
 * datagram. Returns true when e->pkt now holds a decodable datagram. */
static bool defragment(struct pd_engine *e)
{
	const uint8_t *dg;
	size_t len;
	e->st.fragments++;
	enum defrag_result r = defrag_add(e->df, &e->pkt, e->now, &dg, &len);
	unsigned notes = defrag_last_flags(e->df);
	if (notes & DEFRAG_F_OVERLAP_CONFLICT) engine_stream_anomaly(e, NULL, "defrag", "frag_overlap");
	if (notes & DEFRAG_F_TINY) engine_stream_anomaly(e, NULL, "defrag", "frag_tiny");
	if (notes & DEFRAG_F_OVERFLOW) engine_stream_anomaly(e, NULL, "defrag", "frag_offset_overflow");
	if (notes & DEFRAG_F_OVERSIZE) engine_stream_anomaly(e, NULL, "defrag", "frag_oversize");
	if (r != DEFRAG_COMPLETE) return false;
	if (pd_decode_ip(&e->pkt, dg, len) != PD_OK) {
		/* The frame was already counted (as an OK fragment): by_status stays
		 * one count per frame; the datagram's failure shows as its reason. */
		e->st.by_reason[e->pkt.reason]++;
		engine_decode_anomaly(e);
		return false;
	}
	return !e->pkt.is_fragment;
}

void engine_packet(struct pd_engine *e, const uint8_t *frame, size_t caplen, size_t wirelen,
                   int linktype, uint64_t ts_us)
{
	engine_packet_seq(e, frame, caplen, wirelen, linktype, ts_us, e->pkt_index + 1);
}

void engine_packet_seq(struct pd_engine *e, const uint8_t *frame, size_t caplen,
                       size_t wirelen, int linktype, uint64_t now_us, uint64_t pkt_index)
{
	struct pd_packet *p = &e->pkt;
	if (now_us > e->now) e->now = now_us;
	e->pkt_index = pkt_index;
	e->st.packets++;
	e->st.bytes += wirelen;

	enum pd_status status = pd_decode(p, frame, caplen, linktype);
	e->st.by_status[status]++;
	if (status != PD_OK) {
		e->st.by_reason[p->reason]++;
		/* A capture cut by its snaplen is not an attack: count it only. */
		if (status != PD_UNSUPPORTED && caplen >= wirelen) engine_decode_anomaly(e);
		goto expire;
	}
	e->st.decoded_ok++;
	if (p->ip_version == 4) e->st.ipv4_packets++;
	else if (p->ip_version == 6) e->st.ipv6_packets++;

	if (p->is_fragment && !defragment(e)) goto expire;

	if (!p->has_l4 || (p->ip_proto != 6 && p->ip_proto != 17)) {
		e->st.other_packets++;
		goto expire;
	}
	int t = p->ip_proto == 6 ? 0 : 1;
	if (t == 0) e->st.tcp_packets++;
	else e->st.udp_packets++;

	int dir;
	bool created;
	struct flow *f = flow_lookup(e->ft, p, wirelen, e->now, &dir, &created);
	if (!f) goto expire;
	if (created) start_session(e, f);
	e->st.port_pkts[t][f->port[1]]++;
	e->st.port_bytes[t][f->port[1]] += wirelen;
	e->st.port_chunks[t] |= 1ull << (f->port[1] / ENGINE_PORT_CHUNK);

	if (t == 0) {
		unsigned notes = reasm_packet(e->rs, f, dir, p);
		if (notes & REASM_F_OVERLAP_CONFLICT)
			engine_stream_anomaly(e, f, "stream", "tcp_overlap_conflict");
		/* Both FINs reached in order: no byte can follow, so the handler
		 * closes now rather than after the flow's linger, and its state
		 * (up to tens of KiB) goes back for the next connection. */
		if (f->reasm.d[0].closed && f->reasm.d[1].closed)
			hd_session_close(session_of(f), PD_CLOSE_FIN, e->now);
	} else if (p->payload_len > 0) {
		hd_session_data(session_of(f), (enum pd_dir)dir, p->payload, p->payload_len, e->now);
	}
expire:
	flow_expire(e->ft, e->now);
	defrag_expire(e->df, e->now);
	engine_shed_poll(e);
}

void engine_tick(struct pd_engine *e, uint64_t now_us)
{
	if (now_us <= e->now) return;
	e->now = now_us;
	/* A front (engine_set_parts) holds no flows: its clock is all it keeps,
	 * moved by the reader at nearly every packet. */
	if (e->nparts) return;
	flow_expire(e->ft, e->now);
	defrag_expire(e->df, e->now);
	engine_shed_poll(e);
}

void engine_settle(struct pd_engine *e)
{
	if (e->nparts == 0)
		flow_expire_exact(e->ft, e->now);
}

void engine_finish(struct pd_engine *e)
{
	flow_end_all(e->ft, FLOW_END_SHUTDOWN);
	defrag_expire(e->df, e->now + (uint64_t)e->cfg.defrag_timeout * 1000000u + 1);
	engine_shed_flush(e);
}

uint64_t engine_now(const struct pd_engine *e)
{
	return e->now;
}

void engine_set_parts(struct pd_engine *e, struct pd_engine *const *parts, unsigned n)
{
	e->parts = n ? parts : NULL;
	e->nparts = n;
}

/* Every counter of struct engine_stats before the port tables is a uint64_t:
 * the parts' are added as one array. */
#define ENGINE_SCALAR_COUNTERS (offsetof(struct engine_stats, port_pkts) / sizeof(uint64_t))
_Static_assert(offsetof(struct engine_stats, port_pkts) % sizeof(uint64_t) == 0,
               "engine_stats counters are uint64_t up to the port tables");

static void add_u64(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++) dst[i] += src[i];
}

static void sum_parts(struct pd_engine *e)
{
	struct engine_stats *st = &e->st;
	uint64_t *acc = (uint64_t *)(void *)st;
	struct hd_ctx *hc = &e->hctx;

	memset(acc, 0, ENGINE_SCALAR_COUNTERS * sizeof(uint64_t));
	for (int t = 0; t < 2; t++) {
		/* Only the port ranges some part counted (the front's earlier
		 * ranges are among them: a part's only grow). */
		uint64_t used = 0;
		for (unsigned i = 0; i < e->nparts; i++)
			used |= e->parts[i]->st.port_chunks[t];
		st->port_chunks[t] = used;
		for (unsigned c = 0; c < 64; c++) {
			if (!((used >> c) & 1))
				continue;
			size_t at = (size_t)c * ENGINE_PORT_CHUNK, len = ENGINE_PORT_CHUNK * sizeof(uint64_t);
			memset(st->port_pkts[t] + at, 0, len);
			memset(st->port_bytes[t] + at, 0, len);
			memset(st->unclaimed_port_pkts[t] + at, 0, len);
			memset(st->unclaimed_port_bytes[t] + at, 0, len);
		}
	}
	hc->mem_in_use = hc->memcap_hits = hc->events = hc->anomalies = 0;
	hc->tail_drops = hc->tail_drop_bytes = hc->mismatches = 0;
	memset(hc->stats, 0, sizeof hc->stats);
	for (unsigned i = 0; i < e->nparts; i++) {
		struct pd_engine *p = e->parts[i];
		const struct engine_stats *ps = engine_stats(p);
		add_u64(acc, (const uint64_t *)(const void *)ps, ENGINE_SCALAR_COUNTERS);
		for (int t = 0; t < 2; t++) {
			for (unsigned c = 0; c < 64; c++) {
				if (!((ps->port_chunks[t] >> c) & 1))
					continue;
				size_t at = (size_t)c * ENGINE_PORT_CHUNK;
				add_u64(st->port_pkts[t] + at, ps->port_pkts[t] + at, ENGINE_PORT_CHUNK);
				add_u64(st->port_bytes[t] + at, ps->port_bytes[t] + at, ENGINE_PORT_CHUNK);
				add_u64(st->unclaimed_port_pkts[t] + at, ps->unclaimed_port_pkts[t] + at,
				        ENGINE_PORT_CHUNK);
				add_u64(st->unclaimed_port_bytes[t] + at, ps->unclaimed_port_bytes[t] + at,
				        ENGINE_PORT_CHUNK);
			}
		}
		const struct hd_ctx *pc = &p->hctx;
		hc->mem_in_use += pc->mem_in_use;
		hc->memcap_hits += pc->memcap_hits;
		hc->events += pc->events;
		hc->anomalies += pc->anomalies;
		hc->tail_drops += pc->tail_drops;
		hc->tail_drop_bytes += pc->tail_drop_bytes;
		hc->mismatches += pc->mismatches;
		for (unsigned h = 0; h < HD_MAX_HANDLERS; h++) {
			hc->stats[h].flows_by_port += pc->stats[h].flows_by_port;
			hc->stats[h].flows_by_content += pc->stats[h].flows_by_content;
			hc->stats[h].bytes += pc->stats[h].bytes;
			hc->stats[h].events += pc->stats[h].events;
			hc->stats[h].anomalies += pc->stats[h].anomalies;
			hc->stats[h].mismatches += pc->stats[h].mismatches;
		}
	}
	/* The front's own lines: stats events written through its builder. */
	st->events += e->ev.lines;
}

const struct engine_stats *engine_stats(struct pd_engine *e)
{
	struct engine_stats *st = &e->st;
	if (e->nparts) {
		sum_parts(e);
		return st;
	}
	const struct flow_stats *fs = flow_get_stats(e->ft);
	const struct reasm_stats *rs = reasm_get_stats(e->rs);
	const struct defrag_stats *ds = defrag_get_stats(e->df);

	st->flows_created = fs->created;
	st->flows_active = fs->active;
	st->flows_ended = fs->ended;
	for (int i = 0; i < FLOW_END_COUNT; i++) st->flows_by_reason[i] = fs->ended_by_reason[i];
	st->flow_evictions = fs->evictions;
	st->flow_memcap_hits = fs->memcap_hits;
	st->tcp_ooo_segments = rs->ooo_segments;
	st->tcp_retransmissions = rs->retransmissions;
	st->tcp_overlaps_conflicting = rs->overlaps_conflicting;
	st->tcp_gaps = rs->gaps;
	st->tcp_gap_bytes = rs->gap_bytes;
	st->reasm_memcap_hits = rs->memcap_hits + rs->flow_cap_hits;
	st->frags_reassembled = ds->reassembled;
	st->frags_timed_out = ds->timed_out;
	st->frags_overlapping = ds->overlaps;
	st->frags_evicted = ds->evicted;
	st->frags_invalid = ds->tiny + ds->overflow + ds->oversize + ds->invalid + ds->too_many;
	st->events = e->ev.lines;
	return st;
}

const struct hd_ctx *engine_handlers(const struct pd_engine *e)
{
	/* With parts, the sums are refreshed by engine_stats(), which the stats
	 * walk calls first. */
	return &e->hctx;
}

struct pd_event *engine_event_builder(struct pd_engine *e)
{
	return &e->ev;
}
