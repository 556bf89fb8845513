/* SPDX-License-Identifier: BSD-2-Clause */
/* portdemux public event API: build one JSON event line for a session.
 *
 *   struct pd_event *e = pd_event_begin(s, "smtp");
 *   pd_event_str(e, "helo", "laptop.corp.test");
 *   pd_event_array_open(e, "rcpt_to");
 *   pd_event_str(e, NULL, "bob@corp.test");
 *   pd_event_array_close(e);
 *   pd_event_emit(e);
 *
 * pd_event_begin writes the EVE top level (timestamp, flow_id, community_id,
 * event_type, src/dest as client/server, proto, app_proto, vlan) and opens the
 * object named after event_type; pd_event_emit closes every open container and
 * writes the line. Keys are NULL inside arrays. Strings may hold any bytes: the
 * encoder always writes valid UTF-8 JSON (see docs/events.md for how invalid
 * bytes appear). Errors (misnesting) are counted by the core, never fatal.
 */
#ifndef PORTDEMUX_EVENT_H
#define PORTDEMUX_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portdemux/handler.h"

#ifdef __cplusplus
extern "C" {
#endif

struct pd_event; /* opaque, owned by the core; valid until pd_event_emit */

struct pd_event *pd_event_begin(struct pd_session *s, const char *event_type);
void pd_event_str(struct pd_event *e, const char *key, const char *value);
void pd_event_bytes(struct pd_event *e, const char *key, const uint8_t *v, size_t n);
void pd_event_uint(struct pd_event *e, const char *key, uint64_t value);
void pd_event_int(struct pd_event *e, const char *key, int64_t value);
void pd_event_bool(struct pd_event *e, const char *key, bool value);
void pd_event_null(struct pd_event *e, const char *key);
void pd_event_object_open(struct pd_event *e, const char *key);
void pd_event_object_close(struct pd_event *e);
void pd_event_array_open(struct pd_event *e, const char *key);
void pd_event_array_close(struct pd_event *e);
void pd_event_emit(struct pd_event *e);

#ifdef __cplusplus
}
#endif
#endif
