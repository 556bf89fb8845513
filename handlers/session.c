/* SPDX-License-Identifier: BSD-2-Clause */
/* Session core (DESIGN.md "Dispatch" and "Handle"): lifetime of one flow's
 * session, delivery of in-order bytes to the active handler, the capped
 * unconsumed tail per direction, handler upgrades and closing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/session_int.h"

_Static_assert(HD_MAX_HANDLERS <= 64, "hd_dirbuf.rejected is a 64-bit mask");

/* Smallest buffer allocation; growth doubles from here. */
#define HD_BUF_MIN 256

void hd_ctx_init(struct hd_ctx *c, const struct hd_registry *reg, struct pd_event *ev)
{
	memset(c, 0, sizeof *c);
	c->reg = reg;
	c->ev = ev;
	c->probe_budget_bytes = 4096;
	c->probe_budget_pkts = 10;
	c->tail_cap = 65536;
}

void hd_ctx_release(struct hd_ctx *c)
{
	hd_slabs_release(&c->slabs);
}

void hd_session_init(struct pd_session *s, struct hd_ctx *c, const struct out_flow_meta *meta,
                     unsigned transport, bool midstream)
{
	memset(s, 0, sizeof *s);
	s->ctx = c;
	s->meta = *meta;
	s->transport = transport;
	s->midstream = midstream;
	s->phase = HD_DETECTING;
	s->first_dir = -1;
	s->port_handler = hd_registry_port(c->reg, transport, meta->dest_port);
}

int hd_stats_index(const struct pd_session *s, const struct pd_handler *h)
{
	return h == NULL ? -1 : hd_registry_index(s->ctx->reg, h);
}

/* The capacity hd_buf_reserve gives d for need bytes. */
static size_t buf_cap_for(const struct hd_dirbuf *d, size_t need)
{
	size_t cap = d->cap < HD_BUF_MIN ? HD_BUF_MIN : d->cap;
	while (cap < need) {
		cap *= 2;
	}
	return cap;
}

bool hd_buf_would_fit(const struct pd_session *s, const struct hd_dirbuf *d, size_t need)
{
	const struct hd_ctx *c = s->ctx;
	return d->cap >= need || c->mem_cap == 0 ||
	       c->mem_in_use + (buf_cap_for(d, need) - d->cap) <= c->mem_cap;
}

bool hd_buf_reserve(struct pd_session *s, struct hd_dirbuf *d, size_t need)
{
	struct hd_ctx *c = s->ctx;
	if (d->cap >= need) {
		return true;
	}
	size_t cap = buf_cap_for(d, need);
	size_t grow = cap - d->cap;
	if (c->mem_cap != 0 && c->mem_in_use + grow > c->mem_cap) {
		c->memcap_hits++;
		return false;
	}
	uint8_t *nb = realloc(d->buf, cap);
	if (nb == NULL) {
		c->memcap_hits++;
		return false;
	}
	d->buf = nb;
	d->cap = cap;
	c->mem_in_use += grow;
	return true;
}

void hd_buf_free(struct pd_session *s, struct hd_dirbuf *d)
{
	s->ctx->mem_in_use -= d->cap;
	free(d->buf);
	d->buf = NULL;
	d->len = d->cap = 0;
}

/* Allocates and charges handler state; NULL with *ok false when refused. */
static void *state_new(struct pd_session *s, const struct pd_handler *h, bool *ok)
{
	struct hd_ctx *c = s->ctx;
	*ok = true;
	if (h->state_size == 0) {
		return NULL;
	}
	void *st = NULL;
	if (c->mem_cap == 0 || c->mem_in_use + h->state_size <= c->mem_cap) {
		bool served;
		st = hd_slab_alloc(&c->slabs, h->state_size, &served);
		if (!served)
			st = calloc(1, h->state_size);
	}
	if (st == NULL) {
		c->memcap_hits++;
		*ok = false;
		char detail[96];
		snprintf(detail, sizeof detail, "state of handler %s (%zu bytes) refused", h->name,
		         h->state_size);
		pd_event_emit(hd_core_anomaly_begin(s, s->app_proto, "handler_memcap", detail));
		return NULL;
	}
	c->mem_in_use += h->state_size;
	return st;
}

static void state_free(struct pd_session *s, const struct pd_handler *h, void **st)
{
	if (*st != NULL) {
		s->ctx->mem_in_use -= h->state_size;
		if (!hd_slab_free(&s->ctx->slabs, *st, h->state_size))
			free(*st);
		*st = NULL;
	}
}

int hd_activate(struct pd_session *s, const struct pd_handler *h, bool by_content)
{
	bool ok;
	void *st = state_new(s, h, &ok);
	if (!ok) {
		s->phase = HD_UNKNOWN;
		hd_buf_free(s, &s->dir[0]);
		hd_buf_free(s, &s->dir[1]);
		return -1;
	}
	s->h = h;
	s->state = st;
	s->phase = HD_ACTIVE;
	s->claimed_by_content = by_content;
	if (s->app_proto == NULL) {
		s->app_proto = h->name;
	}
	int idx = hd_stats_index(s, h);
	if (idx >= 0) {
		if (by_content) {
			s->ctx->stats[idx].flows_by_content++;
		} else {
			s->ctx->stats[idx].flows_by_port++;
		}
	}
	return 0;
}

/* One on_data call; the return value is clamped to what was offered. */
static size_t feed(struct pd_session *s, enum pd_dir dir, const uint8_t *p, size_t n)
{
	const struct pd_handler *h = s->h;
	int idx = hd_stats_index(s, h);
	if (idx >= 0) {
		s->ctx->stats[idx].bytes += n;
	}
	s->cur = h;
	s->in_callback = true;
	size_t used = h->on_data(s, s->state, dir, p, n);
	s->in_callback = false;
	s->cur = NULL;
	return used > n ? n : used;
}

static void call_gap(struct pd_session *s, enum pd_dir dir, uint64_t lost)
{
	if (s->h != NULL && s->h->on_gap != NULL && lost > 0) {
		s->cur = s->h;
		s->h->on_gap(s, s->state, dir, (size_t)lost);
		s->cur = NULL;
	}
}

/* Bytes the core had to drop from a kept tail: counted, reported to the
 * handler as a gap, and written as an anomaly. */
static void tail_dropped(struct pd_session *s, enum pd_dir dir, size_t n)
{
	struct hd_ctx *c = s->ctx;
	c->tail_drops++;
	c->tail_drop_bytes += n;
	call_gap(s, dir, n);
	char detail[96];
	snprintf(detail, sizeof detail, "%zu unconsumed bytes %s dropped (tail cap %zu)", n,
	         dir == PD_TO_SERVER ? "to server" : "to client", c->tail_cap);
	pd_event_emit(hd_core_anomaly_begin(s, s->app_proto, "tail_cap_exceeded", detail));
}

/* Moves the session to the handler named by pd_session_upgrade. On a refused
 * state allocation the old handler still gets on_close, nothing else. */
static int upgrade(struct pd_session *s)
{
	const struct pd_handler *nh = s->pending_upgrade;
	s->pending_upgrade = NULL;
	s->outer = s->h;
	s->outer_state = s->state;
	s->h = NULL;
	s->state = NULL;
	bool ok;
	void *st = state_new(s, nh, &ok);
	if (!ok) {
		s->phase = HD_UNKNOWN;
		return -1;
	}
	s->h = nh;
	s->state = st;
	return 0;
}

static void keep_tail(struct pd_session *s, enum pd_dir dir, const uint8_t *p, size_t n)
{
	struct hd_dirbuf *d = &s->dir[dir];
	if (n == 0) {
		return;
	}
	if (n > s->ctx->tail_cap || !hd_buf_reserve(s, d, n)) {
		tail_dropped(s, dir, n);
		return;
	}
	memcpy(d->buf, p, n);
	d->len = n;
}

/* Appends new bytes to a kept tail and offers the whole to the handler, in
 * pieces when tail + new bytes exceed the cap: the cap bounds what the core
 * holds, not what a handler may consume. Returns how much of data was taken;
 * 0 with the tail dropped when the handler let a full buffer sit. */
static size_t feed_with_tail(struct pd_session *s, enum pd_dir dir, const uint8_t *data,
                             size_t len)
{
	struct hd_dirbuf *d = &s->dir[dir];
	size_t room = s->ctx->tail_cap > d->len ? s->ctx->tail_cap - d->len : 0;
	size_t take = len < room ? len : room;
	if (take == 0 || !hd_buf_reserve(s, d, d->len + take)) {
		size_t dropped = d->len;
		d->len = 0;
		tail_dropped(s, dir, dropped);
		return 0;
	}
	memcpy(d->buf + d->len, data, take);
	d->len += take;
	size_t used = feed(s, dir, d->buf, d->len);
	if (s->pending_upgrade != NULL) {
		/* The rest belongs to the new handler: detach it so the new handler's
		 * own tail can use the direction's buffer. */
		struct hd_dirbuf rest = *d;
		memset(d, 0, sizeof *d);
		if (upgrade(s) == 0) {
			hd_deliver(s, dir, rest.buf + used, rest.len - used);
		}
		hd_buf_free(s, &rest);
		return take;
	}
	size_t left = d->len - used;
	if (left == 0) {
		hd_buf_free(s, d); /* idle sessions hold no buffer */
	} else {
		memmove(d->buf, d->buf + used, left);
		d->len = left;
	}
	return take;
}

void hd_deliver(struct pd_session *s, enum pd_dir dir, const uint8_t *data, size_t len)
{
	struct hd_dirbuf *d = &s->dir[dir];
	if (s->transport == PD_UDP) {
		/* A datagram is whole: no tail, the return value means nothing. */
		if (s->phase == HD_ACTIVE && s->h != NULL) {
			(void)feed(s, dir, data, len);
			if (s->pending_upgrade != NULL) {
				(void)upgrade(s);
			}
		}
		return;
	}
	while (len > 0 && s->phase == HD_ACTIVE && s->h != NULL) {
		if (d->len > 0) {
			size_t took = feed_with_tail(s, dir, data, len);
			data += took;
			len -= took;
			continue;
		}
		size_t used = feed(s, dir, data, len);
		data += used;
		len -= used;
		if (s->pending_upgrade != NULL) {
			if (upgrade(s) != 0) {
				return;
			}
			continue; /* the rest goes to the new handler */
		}
		keep_tail(s, dir, data, len);
		return;
	}
}

void hd_deliver_gap(struct pd_session *s, enum pd_dir dir, uint64_t lost)
{
	struct hd_dirbuf *d = &s->dir[dir];
	if (s->phase != HD_ACTIVE || s->h == NULL) {
		return;
	}
	/* The handler saw the kept bytes already; they cannot join what follows. */
	hd_buf_free(s, d);
	call_gap(s, dir, lost);
}

void hd_session_data(struct pd_session *s, enum pd_dir dir, const uint8_t *data, size_t len,
                     uint64_t now_us)
{
	/* An empty TCP delivery carries nothing; an empty datagram is a message. */
	if (s->closed || (len == 0 && s->transport == PD_TCP)) {
		return;
	}
	s->now_us = now_us;
	if (s->phase == HD_DETECTING) {
		hd_detect_data(s, dir, data, len);
	} else if (s->phase == HD_ACTIVE) {
		hd_deliver(s, dir, data, len);
	}
}

void hd_session_gap(struct pd_session *s, enum pd_dir dir, size_t lost, uint64_t now_us)
{
	if (s->closed || s->transport != PD_TCP || lost == 0) {
		return;
	}
	s->now_us = now_us;
	if (s->phase == HD_DETECTING) {
		hd_detect_gap(s, dir, lost);
	} else if (s->phase == HD_ACTIVE) {
		hd_deliver_gap(s, dir, lost);
	}
}

void hd_session_close(struct pd_session *s, enum pd_close why, uint64_t now_us)
{
	if (s->closed) {
		return;
	}
	s->now_us = now_us;
	if (s->phase == HD_DETECTING) {
		hd_detect_resolve(s);
	}
	s->closed = true;
	/* Inner first: it may still write events that the outer's record follows. */
	if (s->h != NULL) {
		if (s->h->on_close != NULL) {
			s->cur = s->h;
			s->h->on_close(s, s->state, why);
			s->cur = NULL;
		}
		state_free(s, s->h, &s->state);
	}
	if (s->outer != NULL) {
		if (s->outer->on_close != NULL) {
			s->cur = s->outer;
			s->outer->on_close(s, s->outer_state, why);
			s->cur = NULL;
		}
		state_free(s, s->outer, &s->outer_state);
	}
	hd_buf_free(s, &s->dir[0]);
	hd_buf_free(s, &s->dir[1]);
}

const char *hd_session_flow_app_proto(const struct pd_session *s)
{
	if (s->phase == HD_FAILED) {
		return "failed";
	}
	return s->app_proto != NULL ? s->app_proto : "unknown";
}
