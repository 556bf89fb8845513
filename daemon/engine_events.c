/* SPDX-License-Identifier: BSD-2-Clause */
/* Events the engine writes itself: the EVE `flow` record at the end of every
 * flow, and `anomaly` records for decode, defragmentation and stream trouble
 * (and the start of those for what caps shed, engine_shed.c). */
#include <stdio.h>
#include <string.h>

#include "daemon/engine_int.h"
#include "daemon/engine_shed.h"

void engine_flow_meta(const struct pd_engine *e, const struct flow *f, struct out_flow_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->ip_version = f->ip_version;
	m->ip_proto = f->ip_proto;
	memcpy(m->src_addr, f->addr[0].b, 16);
	memcpy(m->dest_addr, f->addr[1].b, 16);
	m->src_port = f->port[0];
	m->dest_port = f->port[1];
	m->vlan_count = f->vlan_count > OUT_MAX_VLAN ? OUT_MAX_VLAN : f->vlan_count;
	for (unsigned i = 0; i < m->vlan_count; i++) m->vlan[i] = f->vlan[i];
	out_meta_finish(m, e->cfg.community_id_seed, f->first_us);
}

static void flags_hex(char out[3], uint8_t flags)
{
	static const char hex[] = "0123456789abcdef";
	out[0] = hex[flags >> 4];
	out[1] = hex[flags & 15];
	out[2] = 0;
}

static void tcp_flag_names(struct pd_event *ev, const char *key, uint8_t flags)
{
	static const struct { uint8_t bit; const char *name; } names[] = {
		{ PD_TCP_SYN, "syn" }, { PD_TCP_FIN, "fin" }, { PD_TCP_RST, "rst" },
		{ PD_TCP_PSH, "psh" }, { PD_TCP_ACK, "ack" }, { PD_TCP_URG, "urg" },
		{ PD_TCP_ECE, "ece" }, { PD_TCP_CWR, "cwr" },
	};
	pd_event_array_open(ev, key);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit) pd_event_str(ev, NULL, names[i].name);
	pd_event_array_close(ev);
}

void engine_flow_event(struct pd_engine *e, struct flow *f, enum flow_end why)
{
	struct pd_session *s = flow_user(f);
	char ts[32], hex[3];
	struct pd_event *ev = out_event_begin(&e->ev, &s->meta, hd_session_flow_app_proto(s),
	                                      f->last_us, "flow");
	/* One per flow: the keys are literals, written without a scan (the
	 * output is what pd_event_uint/str/bool would give). */
	struct out_json *j = &ev->j;
	out_json_uint_k(j, OUT_JSON_KEY("pkts_toserver"), f->pkts[0]);
	out_json_uint_k(j, OUT_JSON_KEY("pkts_toclient"), f->pkts[1]);
	out_json_uint_k(j, OUT_JSON_KEY("bytes_toserver"), f->bytes[0]);
	out_json_uint_k(j, OUT_JSON_KEY("bytes_toclient"), f->bytes[1]);
	out_format_time(ts, f->first_us);
	out_json_str_k(j, OUT_JSON_KEY("start"), ts);
	out_format_time(ts, f->last_us);
	out_json_str_k(j, OUT_JSON_KEY("end"), ts);
	out_json_uint_k(j, OUT_JSON_KEY("age"), (f->last_us - f->first_us) / 1000000u);
	out_json_str_k(j, OUT_JSON_KEY("state"), flow_state_name((enum flow_state)f->state));
	out_json_str_k(j, OUT_JSON_KEY("reason"), flow_end_name(why));
	if (f->ip_proto == 6) {
		out_json_bool_k(j, OUT_JSON_KEY("midstream"), !f->syn_seen);
		flags_hex(hex, (uint8_t)(f->tcp_flags[0] | f->tcp_flags[1]));
		out_json_str_k(j, OUT_JSON_KEY("tcp_flags"), hex);
		flags_hex(hex, f->tcp_flags[0]);
		out_json_str_k(j, OUT_JSON_KEY("tcp_flags_ts"), hex);
		flags_hex(hex, f->tcp_flags[1]);
		out_json_str_k(j, OUT_JSON_KEY("tcp_flags_tc"), hex);
		tcp_flag_names(ev, "flags_toserver", f->tcp_flags[0]);
		tcp_flag_names(ev, "flags_toclient", f->tcp_flags[1]);
		out_json_uint_k(j, OUT_JSON_KEY("bytes_missed_toserver"), f->reasm.d[0].gap_bytes);
		out_json_uint_k(j, OUT_JSON_KEY("bytes_missed_toclient"), f->reasm.d[1].gap_bytes);
		out_json_uint_k(j, OUT_JSON_KEY("gaps"),
		                (uint64_t)f->reasm.d[0].gaps + f->reasm.d[1].gaps);
	}
	pd_event_emit(ev);
}

/* Addresses of the current packet as event meta (ports when decoded). */
static bool packet_meta(const struct pd_engine *e, struct out_flow_meta *m)
{
	const struct pd_packet *p = &e->pkt;
	memset(m, 0, sizeof(*m));
	if (p->ip_version != 4 && p->ip_version != 6) return false;
	m->ip_version = p->ip_version;
	m->ip_proto = p->ip_proto;
	memcpy(m->src_addr, p->src.b, 16);
	memcpy(m->dest_addr, p->dst.b, 16);
	if (p->has_l4) {
		m->src_port = p->sport;
		m->dest_port = p->dport;
	}
	m->vlan_count = p->vlan_count > OUT_MAX_VLAN ? OUT_MAX_VLAN : p->vlan_count;
	for (unsigned i = 0; i < m->vlan_count; i++) m->vlan[i] = p->vlan[i];
	out_meta_finish(m, e->cfg.community_id_seed, e->now);
	return true;
}

void engine_decode_anomaly(struct pd_engine *e)
{
	struct out_flow_meta m;
	bool have = packet_meta(e, &m);
	struct pd_event *ev = out_event_begin(&e->ev, have ? &m : NULL, NULL, e->now, "anomaly");
	pd_event_str(ev, "type", "decode");
	pd_event_str(ev, "event", pd_reason_name(e->pkt.reason));
	pd_event_str(ev, "status", pd_status_name(e->pkt.status));
	pd_event_int(ev, "linktype", e->pkt.linktype);
	pd_event_uint(ev, "pcap_cnt", e->pkt_index);
	pd_event_emit(ev);
}

void engine_stream_anomaly(struct pd_engine *e, struct flow *f, const char *type,
                           const char *reason)
{
	struct out_flow_meta m;
	const struct out_flow_meta *mp = NULL;
	const char *label = NULL;
	if (f) {
		struct pd_session *s = flow_user(f);
		mp = &s->meta;
		label = hd_session_flow_app_proto(s);
	} else if (packet_meta(e, &m)) {
		mp = &m;
	}
	struct pd_event *ev = out_event_begin(&e->ev, mp, label, e->now, "anomaly");
	pd_event_str(ev, "type", type);
	pd_event_str(ev, "event", reason);
	pd_event_uint(ev, "pcap_cnt", e->pkt_index);
	pd_event_emit(ev);
}

struct pd_event *engine_anomaly_begin(struct pd_engine *e, bool with_packet, uint64_t ts_us,
                                      const char *type, const char *event)
{
	struct out_flow_meta m;
	bool have = with_packet && packet_meta(e, &m);
	struct pd_event *ev = out_event_begin(&e->ev, have ? &m : NULL, NULL, ts_us, "anomaly");
	pd_event_str(ev, "type", type);
	pd_event_str(ev, "event", event);
	return ev;
}
