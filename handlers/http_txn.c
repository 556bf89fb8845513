/* SPDX-License-Identifier: BSD-2-Clause */
/* HTTP/1.x transactions: the fixed table of kept request/response pairs,
 * their string pools, and the FIFO of requests waiting for a response
 * (RFC 9112 9.3.2: responses come in the order of the requests). */
#include "handlers/http.h"

#include <string.h>

/* Bytes kept per string; the caps add up to the pool, so a string is only
 * ever cut by its own cap. */
static const uint16_t http_field_cap[HTTP_F_COUNT] = {
	[HTTP_F_METHOD] = 32,         [HTTP_F_URL] = 1024,          [HTTP_F_HOST] = 255,
	[HTTP_F_PROTOCOL] = 16,       [HTTP_F_UA] = 256,            [HTTP_F_REFERER] = 256,
	[HTTP_F_XFF] = 128,           [HTTP_F_REQ_CTYPE] = 96,      [HTTP_F_RESP_PROTOCOL] = 16,
	[HTTP_F_REASON] = 64,         [HTTP_F_RESP_CTYPE] = 96,     [HTTP_F_LOCATION] = 256,
	[HTTP_F_UPGRADE] = 64,
};

_Static_assert(32 + 1024 + 255 + 16 + 256 + 256 + 128 + 96 + 16 + 64 + 96 + 256 + 64 <= HTTP_POOL,
               "HTTP string caps must fit the pool");

struct http_txn *http_txn_get(struct http_state *st, int slot, uint32_t id)
{
	if (slot < 0 || slot >= (int)HTTP_TXN_MAX)
		return NULL;
	struct http_txn *t = &st->txn[slot];
	return t->used && t->id == id ? t : NULL;
}

int http_txn_open(struct http_state *st)
{
	for (unsigned i = 0; i < HTTP_TXN_MAX; i++) {
		struct http_txn *t = &st->txn[i];
		if (!t->used) {
			memset(t, 0, sizeof(*t));
			t->used = true;
			t->port = -1;
			return (int)i;
		}
	}
	return -1;
}

void http_txn_set(struct http_txn *t, enum http_fld f, const uint8_t *p, size_t n)
{
	struct http_str *h = &t->f[f];
	if (h->set)
		return;
	size_t cap = http_field_cap[f];
	size_t room = HTTP_POOL - t->pool_used;
	size_t m = n < cap ? n : cap;
	if (m > room)
		m = room;
	h->set = true;
	h->off = t->pool_used;
	h->len = (uint16_t)m;
	h->trunc = m < n;
	if (m > 0)
		memcpy(t->pool + h->off, p, m);
	t->pool_used = (uint16_t)(t->pool_used + m);
}

void http_txn_append(struct http_txn *t, enum http_fld f, const uint8_t *p, size_t n)
{
	struct http_str *h = &t->f[f];
	if (!h->set || n == 0)
		return;
	if ((size_t)h->off + h->len != t->pool_used) {
		h->trunc = true; /* another string follows it in the pool */
		return;
	}
	size_t cap = http_field_cap[f];
	size_t room = cap > h->len ? cap - h->len : 0;
	size_t m = n < room ? n : room;
	if (m > HTTP_POOL - t->pool_used)
		m = HTTP_POOL - t->pool_used;
	if (m < n)
		h->trunc = true;
	memcpy(t->pool + t->pool_used, p, m);
	h->len = (uint16_t)(h->len + m);
	t->pool_used = (uint16_t)(t->pool_used + m);
}

const char *http_txn_str(const struct http_txn *t, enum http_fld f, size_t *n)
{
	const struct http_str *h = &t->f[f];
	*n = h->len;
	return h->set ? t->pool + h->off : NULL;
}

bool http_pipe_push(struct http_state *st, const struct http_pending *p)
{
	if (st->pipe_len >= HTTP_PIPE_MAX)
		return false;
	st->pipe[(st->pipe_head + st->pipe_len) % HTTP_PIPE_MAX] = *p;
	st->pipe_len++;
	return true;
}

struct http_pending *http_pipe_head(struct http_state *st)
{
	return st->pipe_len > 0 ? &st->pipe[st->pipe_head] : NULL;
}

void http_pipe_pop(struct http_state *st)
{
	if (st->pipe_len == 0)
		return;
	st->pipe_head = (uint16_t)((st->pipe_head + 1) % HTTP_PIPE_MAX);
	st->pipe_len--;
}

void http_txn_finish(struct pd_session *s, struct http_state *st, int slot, uint32_t id)
{
	struct http_txn *t = http_txn_get(st, slot, id);
	if (t == NULL)
		return;
	http_event_txn(s, t);
	t->used = false;
}

void http_txn_flush(struct pd_session *s, struct http_state *st)
{
	/* Oldest first: slots are reused, so their order is not the ids'. */
	for (;;) {
		int best = -1;
		for (unsigned i = 0; i < HTTP_TXN_MAX; i++)
			if (st->txn[i].used && (best < 0 || st->txn[i].id < st->txn[best].id))
				best = (int)i;
		if (best < 0)
			return;
		struct http_txn *t = &st->txn[best];
		if (t->incomplete == HTTP_INC_NONE) {
			if (!t->has_response && !t->orphan)
				t->incomplete = HTTP_INC_NO_RESPONSE;
			else if (!t->resp.done || !t->req.done)
				t->incomplete = HTTP_INC_CLOSED;
		}
		http_txn_finish(s, st, best, t->id);
	}
}
