/* SPDX-License-Identifier: BSD-2-Clause */
/* Protocol detection (DESIGN.md "Dispatch"): the server port's handler is the
 * candidate and its probe confirms, rejects or asks for more; on rejection (or
 * on a port no handler owns) every other probe for the transport may claim the
 * flow. Each direction is probed on its own first bytes, so a server-first
 * protocol (SMTP greets before the client speaks) is found from the replies.
 *
 * The bytes seen while detecting are kept (up to the probe budget) and replayed
 * to the handler that wins: the direction that spoke first is replayed first,
 * then the other one. The exact interleaving of the two directions is not kept;
 * handlers get each direction in order, which is all the API promises.
 *
 * A reload (SIGHUP) may switch the table while a flow is still detecting. What
 * the flow took from the table when it started stays, like its server side
 * (which the engine chose then): its port candidate, even if the port has
 * moved since. But a handler the new table no longer holds (disabled) is never
 * given the flow: it stops being the candidate, its earlier rejection no
 * longer makes the flow "failed", and its probe is not asked; the probes asked
 * are those of the table in force. Rejections are kept per handler
 * (hd_ctx.seen), not per registry index, which a reload shifts. Flows already
 * claimed keep their handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/session_int.h"

/* UDP datagrams are buffered as records: a 2-byte length, then the bytes. */
#define HD_REC_HDR 2

enum verdict { V_NONE, V_PENDING, V_MATCH };

static bool supports(const struct pd_session *s, const struct pd_handler *h)
{
	return (h->transports & s->transport) != 0;
}

static bool dir_done(const struct pd_session *s, int dir)
{
	return s->dir[dir].probe_done;
}

/* The rejection bit of h: its place in ctx->seen, added on first use; -1 when
 * seen is full (more distinct handlers than a table holds, across reloads): the
 * probe is then asked again each time, which costs time, never a verdict. */
static int seen_bit(struct hd_ctx *c, const struct pd_handler *h)
{
	for (unsigned i = 0; i < c->n_seen; i++) {
		if (c->seen[i] == h) {
			return (int)i;
		}
	}
	if (c->n_seen >= HD_MAX_HANDLERS) {
		return -1;
	}
	c->seen[c->n_seen] = h;
	return (int)c->n_seen++;
}

static bool rejected(const struct pd_session *s, enum pd_dir dir, const struct pd_handler *h)
{
	const struct hd_ctx *c = s->ctx;
	for (unsigned i = 0; i < c->n_seen; i++) {
		if (c->seen[i] == h) {
			return (s->dir[dir].rejected & (UINT64_C(1) << i)) != 0;
		}
	}
	return false;
}

/* Asks one probe; records a rejection in the direction's mask. */
static enum pd_probe ask(struct pd_session *s, enum pd_dir dir, const struct pd_handler *h,
                         const uint8_t *view, size_t n)
{
	enum pd_probe v = h->probe(dir, view, n);
	if (v == PD_PROBE_REJECT) {
		int bit = seen_bit(s->ctx, h);
		if (bit >= 0) {
			s->dir[dir].rejected |= UINT64_C(1) << bit;
		}
	}
	return v;
}

/* Drops a port candidate that a reload disabled (see the top of this file). */
static void drop_disabled(struct pd_session *s)
{
	if (s->port_handler != NULL && !hd_registry_enabled(s->ctx->reg, s->port_handler)) {
		s->port_handler = NULL;
		s->port_rejected = false;
	}
}

/* Runs the probes on `view`. The port's handler goes first and is waited for;
 * the others are asked only once it rejected (or when there is none). */
static enum verdict run_probes(struct pd_session *s, enum pd_dir dir, const uint8_t *view,
                               size_t n, const struct pd_handler **winner)
{
	const struct hd_registry *reg = s->ctx->reg;
	const struct pd_handler *ph = s->port_handler;
	bool pending = false;

	if (ph != NULL && ph->probe != NULL && !rejected(s, dir, ph)) {
		enum pd_probe v = ask(s, dir, ph, view, n);
		if (v == PD_PROBE_MATCH) {
			*winner = ph;
			return V_MATCH;
		}
		if (v == PD_PROBE_NEED_MORE) {
			return V_PENDING;
		}
		s->port_rejected = true;
	}
	for (unsigned i = 0; i < reg->count; i++) {
		const struct pd_handler *h = reg->h[i];
		if (h == ph || h->probe == NULL || !supports(s, h) || rejected(s, dir, h)) {
			continue;
		}
		enum pd_probe v = ask(s, dir, h, view, n);
		if (v == PD_PROBE_MATCH) {
			*winner = h;
			return V_MATCH;
		}
		if (v == PD_PROBE_NEED_MORE) {
			pending = true;
		}
	}
	return pending ? V_PENDING : V_NONE;
}

/* app_proto_mismatch: the port's handler rejected; `detected` claimed the flow
 * by content, or NULL when nothing did. */
static void mismatch(struct pd_session *s, const struct pd_handler *detected)
{
	const struct pd_handler *ph = s->port_handler;
	struct hd_ctx *c = s->ctx;
	int pidx = hd_stats_index(s, ph);
	if (pidx >= 0) {
		c->stats[pidx].mismatches++;
	}
	c->mismatches++;
	char detail[96];
	snprintf(detail, sizeof detail, "port %u/%s is %s's but its probe rejected the data",
	         (unsigned)s->meta.dest_port, s->transport == PD_TCP ? "tcp" : "udp", ph->name);
	struct pd_event *e = hd_core_anomaly_begin(s, detected != NULL ? detected->name : "failed",
	                                           "app_proto_mismatch", detail);
	pd_event_uint(e, "port", s->meta.dest_port);
	pd_event_str(e, "expected", ph->name);
	if (detected != NULL) {
		pd_event_str(e, "detected", detected->name);
	} else {
		pd_event_null(e, "detected");
	}
	pd_event_emit(e);
}

/* Replays what one direction buffered, then reports the bytes it lost. */
static void replay_dir(struct pd_session *s, enum pd_dir dir)
{
	struct hd_dirbuf *d = &s->dir[dir];
	struct hd_dirbuf held = *d;
	uint64_t lost = d->lost;
	/* Detached: delivery may keep a tail in the direction's buffer. */
	d->buf = NULL;
	d->len = d->cap = 0;
	d->lost = 0;
	if (s->transport == PD_UDP) {
		size_t off = 0;
		while (held.len - off >= HD_REC_HDR) {
			size_t n = (size_t)held.buf[off] << 8 | held.buf[off + 1];
			off += HD_REC_HDR;
			hd_deliver(s, dir, held.buf + off, n);
			off += n;
		}
	} else {
		if (held.len > 0) {
			hd_deliver(s, dir, held.buf, held.len);
		}
		if (lost > 0) {
			hd_deliver_gap(s, dir, lost);
		}
	}
	hd_buf_free(s, &held);
}

/* h wins: mismatch report when it is not the port's (rejecting) handler,
 * activation, replay of both directions in the order they first spoke. */
static int claim(struct pd_session *s, const struct pd_handler *h)
{
	bool by_content = h != s->port_handler;
	if (by_content && s->port_rejected) {
		mismatch(s, h);
	}
	if (hd_activate(s, h, by_content) != 0) {
		return -1;
	}
	enum pd_dir first = s->first_dir == PD_TO_CLIENT ? PD_TO_CLIENT : PD_TO_SERVER;
	replay_dir(s, first);
	replay_dir(s, first == PD_TO_SERVER ? PD_TO_CLIENT : PD_TO_SERVER);
	return 0;
}

void hd_detect_resolve(struct pd_session *s)
{
	if (s->phase != HD_DETECTING) {
		return;
	}
	drop_disabled(s);
	if (s->port_rejected) {
		s->phase = HD_FAILED;
		mismatch(s, NULL);
	} else {
		s->phase = HD_UNKNOWN;
	}
	hd_buf_free(s, &s->dir[0]);
	hd_buf_free(s, &s->dir[1]);
}

static void direction_done(struct pd_session *s, enum pd_dir dir)
{
	s->dir[dir].probe_done = true;
	if (dir_done(s, PD_TO_SERVER) && dir_done(s, PD_TO_CLIENT)) {
		hd_detect_resolve(s);
	}
}

/* Keeps up to the byte budget for replay; returns how much of data was kept. */
static size_t hold_stream(struct pd_session *s, struct hd_dirbuf *d, const uint8_t *data,
                          size_t len)
{
	size_t budget = s->ctx->probe_budget_bytes;
	if (d->lost > 0 || d->len >= budget) {
		return 0; /* nothing may follow a hole */
	}
	size_t n = len < budget - d->len ? len : budget - d->len;
	if (n == 0 || !hd_buf_reserve(s, d, d->len + n)) {
		return 0;
	}
	memcpy(d->buf + d->len, data, n);
	d->len += n;
	return n;
}

static bool hold_datagram(struct pd_session *s, struct hd_dirbuf *d, const uint8_t *data,
                          size_t len)
{
	size_t budget = s->ctx->probe_budget_bytes;
	if (len > 0xffff || d->len + HD_REC_HDR + len > budget ||
	    !hd_buf_reserve(s, d, d->len + HD_REC_HDR + len)) {
		return false;
	}
	d->buf[d->len] = (uint8_t)(len >> 8);
	d->buf[d->len + 1] = (uint8_t)len;
	memcpy(d->buf + d->len + HD_REC_HDR, data, len);
	d->len += HD_REC_HDR + len;
	return true;
}

static void detect_udp(struct pd_session *s, enum pd_dir dir, const uint8_t *data, size_t len)
{
	struct hd_dirbuf *d = &s->dir[dir];
	const struct pd_handler *winner = NULL;
	d->pkts++;
	enum verdict v = d->probe_done ? V_NONE : run_probes(s, dir, data, len, &winner);
	if (v == V_MATCH) {
		if (claim(s, winner) == 0) {
			hd_deliver(s, dir, data, len);
		}
		return;
	}
	/* Earlier datagrams are replayed if a later one (or the other side) matches. */
	if (!hold_datagram(s, d, data, len)) {
		d->lost += len;
	}
	if (!d->probe_done && (v == V_NONE || d->pkts >= s->ctx->probe_budget_pkts)) {
		direction_done(s, dir);
	}
}

/* After probes that did not match: the bytes not kept are lost to detection,
 * and the direction is done when nothing matched or its budget is spent. */
static void finish_verdict(struct pd_session *s, struct hd_dirbuf *d, enum pd_dir dir,
                           enum verdict v, size_t len, size_t kept)
{
	d->lost += len - kept;
	bool exhausted = kept < len || d->len >= s->ctx->probe_budget_bytes ||
	                 d->pkts >= s->ctx->probe_budget_pkts;
	if (v == V_NONE || exhausted) {
		direction_done(s, dir);
	}
}

void hd_detect_data(struct pd_session *s, enum pd_dir dir, const uint8_t *data, size_t len)
{
	struct hd_dirbuf *d = &s->dir[dir];

	drop_disabled(s);
	const struct pd_handler *ph = s->port_handler;
	if (s->first_dir < 0) {
		s->first_dir = (int8_t)dir;
	}
	if (ph != NULL && ph->probe == NULL) {
		/* A handler without a probe owns its ports outright. */
		if (claim(s, ph) == 0) {
			hd_deliver(s, dir, data, len);
		}
		return;
	}
	if (s->transport == PD_UDP) {
		detect_udp(s, dir, data, len);
		return;
	}
	size_t before = d->len;
	const struct pd_handler *winner = NULL;
	size_t budget = s->ctx->probe_budget_bytes;
	size_t first = len < budget ? len : budget;
	if (before == 0 && d->lost == 0 && !d->probe_done && first > 0 &&
	    hd_buf_would_fit(s, d, first)) {
		/* Nothing held yet: the probes read what hold_stream would keep in
		 * place, and it is copied only when they want more. (Where the
		 * copy could be refused, the general path below decides.) */
		d->pkts++;
		enum verdict v0 = run_probes(s, dir, data, first, &winner);
		if (v0 == V_MATCH) {
			if (claim(s, winner) == 0) {
				hd_deliver(s, dir, data, len);
			}
			return;
		}
		size_t kept0 = hold_stream(s, d, data, len);
		finish_verdict(s, d, dir, v0, len, kept0);
		return;
	}
	size_t kept = hold_stream(s, d, data, len);
	d->pkts++;
	if (d->probe_done) {
		d->lost += len - kept;
		return;
	}
	enum verdict v = run_probes(s, dir, d->buf != NULL ? d->buf : data, d->len, &winner);
	if (v == V_MATCH) {
		/* This delivery goes whole after the replay, not as the kept prefix. */
		d->len = before;
		if (claim(s, winner) == 0) {
			hd_deliver(s, dir, data, len);
		}
		return;
	}
	finish_verdict(s, d, dir, v, len, kept);
}

void hd_detect_gap(struct pd_session *s, enum pd_dir dir, size_t lost)
{
	struct hd_dirbuf *d = &s->dir[dir];
	d->lost += lost;
	if (!d->probe_done) {
		direction_done(s, dir);
	}
}
