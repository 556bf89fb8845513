/* SPDX-License-Identifier: BSD-2-Clause */
/* The session side of the public handler API (include/portdemux/handler.h):
 * flow facts, app_proto label, upgrades, anomalies, and pd_event_begin, which
 * fills the EVE top level from the session. */
#include <string.h>

#include "handlers/session_int.h"

enum pd_transport pd_session_transport(const struct pd_session *s)
{
	return s->transport == PD_UDP ? PD_UDP : PD_TCP;
}

uint16_t pd_session_server_port(const struct pd_session *s)
{
	return s->meta.dest_port;
}

uint16_t pd_session_client_port(const struct pd_session *s)
{
	return s->meta.src_port;
}

uint64_t pd_session_time_us(const struct pd_session *s)
{
	return s->now_us;
}

bool pd_session_midstream(const struct pd_session *s)
{
	return s->midstream;
}

void pd_session_set_app_proto(struct pd_session *s, const char *label)
{
	if (label != NULL) {
		s->app_proto = label;
	}
}

const char *pd_session_app_proto(const struct pd_session *s)
{
	if (s->app_proto != NULL) {
		return s->app_proto;
	}
	return s->h != NULL ? s->h->name : NULL;
}

/* Only from on_data of the active handler, once per session: the switch
 * happens when on_data returns (session.c). */
int pd_session_upgrade(struct pd_session *s, const char *handler_name)
{
	if (!s->in_callback || s->phase != HD_ACTIVE || s->outer != NULL ||
	    s->pending_upgrade != NULL || handler_name == NULL) {
		return -1;
	}
	const struct pd_handler *h = hd_registry_find(s->ctx->reg, handler_name);
	if (h == NULL || h == s->h || (h->transports & s->transport) == 0) {
		return -1;
	}
	s->pending_upgrade = h;
	return 0;
}

static struct pd_event *begin(struct pd_session *s, const char *app_proto, const char *type)
{
	struct hd_ctx *c = s->ctx;
	c->events++;
	int idx = hd_stats_index(s, s->cur);
	if (idx >= 0) {
		c->stats[idx].events++;
	}
	return out_event_begin(c->ev, &s->meta, app_proto, s->now_us, type);
}

struct pd_event *pd_event_begin(struct pd_session *s, const char *event_type)
{
	return begin(s, pd_session_app_proto(s), event_type);
}

void pd_session_anomaly(struct pd_session *s, const char *reason, const char *detail)
{
	struct hd_ctx *c = s->ctx;
	const struct pd_handler *layer = s->cur != NULL ? s->cur : s->h;
	int idx = hd_stats_index(s, layer);
	c->anomalies++;
	if (idx >= 0) {
		c->stats[idx].anomalies++;
	}
	struct pd_event *e = pd_event_begin(s, "anomaly");
	pd_event_str(e, "type", "applayer");
	pd_event_str(e, "event", reason);
	if (detail != NULL) {
		pd_event_str(e, "detail", detail);
	}
	pd_event_str(e, "layer", layer != NULL ? layer->name : "dispatch");
	pd_event_emit(e);
}

struct pd_event *hd_core_anomaly_begin(struct pd_session *s, const char *app_proto,
                                       const char *reason, const char *detail)
{
	s->ctx->anomalies++;
	struct pd_event *e = begin(s, app_proto, "anomaly");
	pd_event_str(e, "type", "applayer");
	pd_event_str(e, "event", reason);
	if (detail != NULL) {
		pd_event_str(e, "detail", detail);
	}
	pd_event_str(e, "layer", "dispatch");
	return e;
}
