/* SPDX-License-Identifier: BSD-2-Clause */
/* EVE JSON event builder: the Suricata EVE top level, one object named after
 * event_type, one line per event (the public pd_event_* API). */
#include "output/event.h"

#include <string.h>

int out_event_init(struct pd_event *e, struct out_sink *sink, size_t max_line)
{
	memset(e, 0, sizeof(*e));
	if (max_line == 0)
		max_line = OUT_EVENT_DEFAULT_MAX_LINE;
	size_t initial = max_line < 4096 ? max_line : 4096;
	if (out_json_init(&e->j, initial, max_line) != 0)
		return -1;
	e->sink = sink;
	return 0;
}

void out_event_free(struct pd_event *e)
{
	out_json_free(&e->j);
	e->open = false;
}

const char *out_proto_name(uint8_t proto, char buf[4])
{
	switch (proto) {
	case 6: return "TCP";
	case 17: return "UDP";
	case 1: return "ICMP";
	case 58: return "IPv6-ICMP";
	case 132: return "SCTP";
	default:
		break;
	}
	char *p = buf;
	if (proto >= 100)
		*p++ = (char)('0' + proto / 100);
	if (proto >= 10)
		*p++ = (char)('0' + proto / 10 % 10);
	*p++ = (char)('0' + proto % 10);
	*p = '\0';
	return buf;
}

static bool plain(const char *s, size_t n)
{
	return out_json_plain_len((const uint8_t *)s, n) == n;
}

/* Appends literal text (a key and its punctuation) or a value. */
static char *put_text(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define PUT_LIT(p, lit) put_text((p), (lit), sizeof(lit) - 1)

/* The top level of a flow's event in one pass, with one room check: what the
 * member-by-member path below writes when every value is plain text (as
 * out_meta_finish makes them), there is no VLAN list and all of it fits.
 * Fitting is decided on the final length with the final reserve (the two
 * open objects), which is when the member-by-member path fits too. Returns
 * false, having written nothing, when that path must do the work. */
static bool begin_fast(struct out_json *j, const struct out_flow_meta *meta,
                       const char *app_proto, const char *ts, const char *event_type)
{
	char pbuf[4], fbuf[21], sbuf[21], dbuf[21];
	if (meta->vlan_count > 0)
		return false;
	const char *proto = out_proto_name(meta->ip_proto, pbuf);
	size_t tl = strlen(ts), el = strlen(event_type), cl = meta->community_id_len;
	size_t sl = meta->src_ip_len, dl = meta->dest_ip_len, pl = strlen(proto);
	size_t al = app_proto != NULL ? strlen(app_proto) : 0;
	/* Address text and Community ID (digits, hex, ':', '.', base64) never
	 * need escaping; the rest is checked. */
	if (!plain(ts, tl) || !plain(event_type, el) || !plain(proto, pl) ||
	    (app_proto != NULL && !plain(app_proto, al)))
		return false;
	const char *fid = out_json_u64_text(fbuf, meta->flow_id);
	const char *sp = out_json_u64_text(sbuf, meta->src_port);
	const char *dp = out_json_u64_text(dbuf, meta->dest_port);
	size_t fl = (size_t)(fbuf + 20 - fid), spl = (size_t)(sbuf + 20 - sp);
	size_t dpl = (size_t)(dbuf + 20 - dp);
	size_t n = sizeof("{\"timestamp\":\"\"") - 1 + tl +
	           sizeof(",\"flow_id\":") - 1 + fl +
	           (cl > 0 ? sizeof(",\"community_id\":\"\"") - 1 + cl : 0) +
	           sizeof(",\"event_type\":\"\"") - 1 + el +
	           sizeof(",\"src_ip\":\"\"") - 1 + sl + sizeof(",\"src_port\":") - 1 + spl +
	           sizeof(",\"dest_ip\":\"\"") - 1 + dl + sizeof(",\"dest_port\":") - 1 + dpl +
	           sizeof(",\"proto\":\"\"") - 1 + pl +
	           (app_proto != NULL ? sizeof(",\"app_proto\":\"\"") - 1 + al : 0) +
	           sizeof(",\"\":{") - 1 + el;
	if (j->len != 0 || !out_json_reserve(j, n, 2))
		return false;
	char *p = j->buf;
	p = PUT_LIT(p, "{\"timestamp\":\"");
	p = put_text(p, ts, tl);
	p = PUT_LIT(p, "\",\"flow_id\":");
	p = put_text(p, fid, fl);
	if (cl > 0) {
		p = PUT_LIT(p, ",\"community_id\":\"");
		p = put_text(p, meta->community_id, cl);
		*p++ = '"';
	}
	p = PUT_LIT(p, ",\"event_type\":\"");
	p = put_text(p, event_type, el);
	p = PUT_LIT(p, "\",\"src_ip\":\"");
	p = put_text(p, meta->src_ip, sl);
	p = PUT_LIT(p, "\",\"src_port\":");
	p = put_text(p, sp, spl);
	p = PUT_LIT(p, ",\"dest_ip\":\"");
	p = put_text(p, meta->dest_ip, dl);
	p = PUT_LIT(p, "\",\"dest_port\":");
	p = put_text(p, dp, dpl);
	p = PUT_LIT(p, ",\"proto\":\"");
	p = put_text(p, proto, pl);
	*p++ = '"';
	if (app_proto != NULL) {
		p = PUT_LIT(p, ",\"app_proto\":\"");
		p = put_text(p, app_proto, al);
		*p++ = '"';
	}
	p = PUT_LIT(p, ",\"");
	p = put_text(p, event_type, el);
	p = PUT_LIT(p, "\":{");
	*p = '\0';
	j->len = (size_t)(p - j->buf);
	/* As open_container and the members leave them: the top object and the
	 * event_type object open, the latter still empty. */
	j->depth = 2;
	j->first[0] = false;
	j->first[1] = false;
	j->is_array[1] = false;
	j->first[2] = true;
	j->is_array[2] = false;
	return true;
}

struct pd_event *out_event_begin(struct pd_event *e, const struct out_flow_meta *meta,
                                 const char *app_proto, uint64_t ts_us,
                                 const char *event_type)
{
	if (e == NULL)
		return NULL;
	if (e->open) {
		e->misuse++;
		e->abandoned++;
	}
	if (event_type == NULL)
		event_type = "unknown";
	out_json_reset(&e->j);
	e->open = true;

	struct out_json *j = &e->j;
	char ts[OUT_TIME_LEN];
	out_format_time(ts, ts_us);
	if (meta != NULL && meta->ip_version != 0 && begin_fast(j, meta, app_proto, ts, event_type))
		return e;
	out_json_object_open(j, NULL);
	out_json_str(j, "timestamp", ts);
	if (meta == NULL || meta->ip_version == 0) {
		out_json_str(j, "event_type", event_type);
		out_json_object_open(j, event_type);
		return e;
	}
	char pbuf[4];
	out_json_uint(j, "flow_id", meta->flow_id);
	if (meta->community_id[0] != '\0')
		out_json_str(j, "community_id", meta->community_id);
	out_json_str(j, "event_type", event_type);
	out_json_str(j, "src_ip", meta->src_ip);
	out_json_uint(j, "src_port", meta->src_port);
	out_json_str(j, "dest_ip", meta->dest_ip);
	out_json_uint(j, "dest_port", meta->dest_port);
	out_json_str(j, "proto", out_proto_name(meta->ip_proto, pbuf));
	if (app_proto != NULL)
		out_json_str(j, "app_proto", app_proto);
	if (meta->vlan_count > 0) {
		unsigned n = meta->vlan_count < OUT_MAX_VLAN ? meta->vlan_count : OUT_MAX_VLAN;
		out_json_array_open(j, "vlan");
		for (unsigned i = 0; i < n; i++)
			out_json_uint(j, NULL, meta->vlan[i]);
		out_json_array_close(j);
	}
	out_json_object_open(j, event_type);
	return e;
}

/* The event a pd_event_* call may write to, or NULL (counted). */
static struct out_json *open_json(struct pd_event *e)
{
	if (e == NULL)
		return NULL;
	if (!e->open) {
		e->misuse++;
		return NULL;
	}
	return &e->j;
}

void pd_event_str(struct pd_event *e, const char *key, const char *value)
{
	struct out_json *j = open_json(e);
	if (j != NULL)
		out_json_str(j, key, value);
}

void pd_event_bytes(struct pd_event *e, const char *key, const uint8_t *v, size_t n)
{
	struct out_json *j = open_json(e);
	if (j != NULL)
		out_json_strn(j, key, v, n);
}

void pd_event_uint(struct pd_event *e, const char *key, uint64_t value)
{
	struct out_json *j = open_json(e);
	if (j != NULL)
		out_json_uint(j, key, value);
}

void pd_event_int(struct pd_event *e, const char *key, int64_t value)
{
	struct out_json *j = open_json(e);
	if (j != NULL)
		out_json_int(j, key, value);
}

void pd_event_bool(struct pd_event *e, const char *key, bool value)
{
	struct out_json *j = open_json(e);
	if (j != NULL)
		out_json_bool(j, key, value);
}

void pd_event_null(struct pd_event *e, const char *key)
{
	struct out_json *j = open_json(e);
	if (j != NULL)
		out_json_null(j, key);
}

void pd_event_object_open(struct pd_event *e, const char *key)
{
	struct out_json *j = open_json(e);
	if (j != NULL)
		out_json_object_open(j, key);
}

void pd_event_object_close(struct pd_event *e)
{
	struct out_json *j = open_json(e);
	/* Depth 2 is the event_type object: handlers may not close it or
	 * the top level, emit does. */
	if (j == NULL)
		return;
	if (j->skip == 0 && j->depth <= 2) {
		j->misnested = true;
		return;
	}
	out_json_object_close(j);
}

void pd_event_array_open(struct pd_event *e, const char *key)
{
	struct out_json *j = open_json(e);
	if (j != NULL)
		out_json_array_open(j, key);
}

void pd_event_array_close(struct pd_event *e)
{
	struct out_json *j = open_json(e);
	if (j != NULL)
		out_json_array_close(j);
}

void pd_event_emit(struct pd_event *e)
{
	struct out_json *j = open_json(e);
	if (j == NULL)
		return;
	out_json_close_all(j);
	if (j->truncated)
		e->truncated++;
	if (j->misnested)
		e->misnested++;
	if (e->sink != NULL) {
		if (out_sink_write(e->sink, j->buf, j->len) == 0) {
			e->lines++;
			if (e->emitted != NULL)
				(*e->emitted)++;
		} else {
			e->write_errors++;
		}
	}
	out_json_reset(j);
	e->open = false;
}
