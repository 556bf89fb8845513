/* SPDX-License-Identifier: BSD-2-Clause */
/* Functions shared by the session files (session.c: delivery and lifetime,
 * session_detect.c: protocol detection, session_api.c: what handlers call).
 * Not for handlers. */
#ifndef PD_HD_SESSION_INT_H
#define PD_HD_SESSION_INT_H

#include "handlers/session.h"

/* Grows d->buf to hold `need` bytes, charging ctx->mem_in_use. False (and a
 * memcap hit when that is the cause) when mem_cap or the allocator refuses. */
bool hd_buf_reserve(struct pd_session *s, struct hd_dirbuf *d, size_t need);
/* True when hd_buf_reserve(s, d, need) would not be refused by the memory cap. */
bool hd_buf_would_fit(const struct pd_session *s, const struct hd_dirbuf *d, size_t need);
/* Frees d->buf and gives its memory back. */
void hd_buf_free(struct pd_session *s, struct hd_dirbuf *d);

/* Makes h the active handler (state allocated and charged). On a refused
 * allocation the session becomes HD_UNKNOWN, a memcap anomaly is written and
 * -1 returned. by_content: claimed by probe on a port that is not h's. */
int hd_activate(struct pd_session *s, const struct pd_handler *h, bool by_content);

/* Active phase: hands bytes (or one datagram) to the handler, keeping the
 * unconsumed tail and carrying out a pending upgrade. */
void hd_deliver(struct pd_session *s, enum pd_dir dir, const uint8_t *data, size_t len);
/* Active phase: a hole of `lost` bytes; drops the tail, calls on_gap. */
void hd_deliver_gap(struct pd_session *s, enum pd_dir dir, uint64_t lost);

/* Detection phase entry points (session_detect.c). */
void hd_detect_data(struct pd_session *s, enum pd_dir dir, const uint8_t *data, size_t len);
void hd_detect_gap(struct pd_session *s, enum pd_dir dir, size_t lost);
/* Ends detection without a match: HD_FAILED (+ app_proto_mismatch) when the
 * port's handler rejected, else HD_UNKNOWN. Frees the detection buffers. */
void hd_detect_resolve(struct pd_session *s);

/* Events the core writes itself (layer "dispatch"), with an explicit app_proto
 * label. hd_core_anomaly_begin leaves the anomaly object open for extra fields;
 * finish with pd_event_emit. */
struct pd_event *hd_core_anomaly_begin(struct pd_session *s, const char *app_proto,
                                       const char *reason, const char *detail);

/* Registry index of h (stats slot), or -1. */
int hd_stats_index(const struct pd_session *s, const struct pd_handler *h);

#endif
