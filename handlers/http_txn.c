/* SPDX-License-Identifier: BSD-2-Clause */
/* HTTP/1.x transactions: the fixed table of kept request/response pairs,
 * their string pools, and the FIFO of requests waiting for a response
 * (RFC 9112 9.3.2: responses come in the order of the requests). */
#include "handlers/http.h"

#include <stdlib.h>
#include <string.h>

/* Bytes kept per string. One transaction's caps fit the arena many times
 * over; what is cut is flagged. */
static const uint16_t http_field_cap[HTTP_F_COUNT] = {
	[HTTP_F_METHOD] = 32,         [HTTP_F_URL] = 1024,          [HTTP_F_HOST] = 255,
	[HTTP_F_PROTOCOL] = 16,       [HTTP_F_UA] = 256,            [HTTP_F_REFERER] = 256,
	[HTTP_F_XFF] = 128,           [HTTP_F_REQ_CTYPE] = 96,      [HTTP_F_RESP_PROTOCOL] = 16,
	[HTTP_F_REASON] = 64,         [HTTP_F_RESP_CTYPE] = 96,     [HTTP_F_LOCATION] = 256,
	[HTTP_F_UPGRADE] = 64,
};

_Static_assert(4 * (32 + 1024 + 255 + 16 + 256 + 256 + 128 + 96 + 16 + 64 + 96 + 256 + 64) <=
                       HTTP_ARENA,
               "the arena holds at least four transactions at their caps");
_Static_assert(HTTP_ARENA <= UINT16_MAX, "arena offsets are 16-bit");

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

/* ---- the string arena: bump allocation, compaction when full ---- */

static int by_offset(const void *a, const void *b)
{
	const struct http_str *x = *(const struct http_str *const *)a;
	const struct http_str *y = *(const struct http_str *const *)b;
	return (x->off > y->off) - (x->off < y->off);
}

/* Moves the strings of the kept transactions to the front, in their
 * order, so the free space is one run at the end. */
static void arena_compact(struct http_state *st)
{
	struct http_str *live[HTTP_TXN_MAX * HTTP_F_COUNT];
	size_t n = 0;
	for (unsigned i = 0; i < HTTP_TXN_MAX; i++) {
		if (!st->txn[i].used)
			continue;
		for (unsigned f = 0; f < HTTP_F_COUNT; f++)
			if (st->txn[i].f[f].set && st->txn[i].f[f].len > 0)
				live[n++] = &st->txn[i].f[f];
	}
	qsort(live, n, sizeof(live[0]), by_offset);
	uint16_t at = 0;
	for (size_t i = 0; i < n; i++) {
		memmove(st->arena + at, st->arena + live[i]->off, live[i]->len);
		live[i]->off = at;
		at = (uint16_t)(at + live[i]->len);
	}
	st->arena_used = at;
}

/* Room for up to `want` bytes at arena_used (compacting first when short). */
static size_t arena_room(struct http_state *st, size_t want)
{
	if (HTTP_ARENA - st->arena_used < want)
		arena_compact(st);
	size_t room = HTTP_ARENA - st->arena_used;
	return want < room ? want : room;
}

void http_txn_set(struct http_state *st, struct http_txn *t, enum http_fld f, const uint8_t *p,
                  size_t n)
{
	struct http_str *h = &t->f[f];
	if (h->set)
		return;
	size_t cap = http_field_cap[f];
	size_t m = arena_room(st, n < cap ? n : cap);
	h->set = true;
	h->off = st->arena_used;
	h->len = (uint16_t)m;
	h->trunc = m < n;
	if (m > 0)
		memcpy(st->arena + h->off, p, m);
	st->arena_used = (uint16_t)(st->arena_used + m);
}

void http_txn_append(struct http_state *st, struct http_txn *t, enum http_fld f,
                     const uint8_t *p, size_t n)
{
	struct http_str *h = &t->f[f];
	if (!h->set || n == 0)
		return;
	if ((size_t)h->off + h->len != st->arena_used) {
		h->trunc = true; /* another string follows it */
		return;
	}
	size_t cap = http_field_cap[f];
	size_t want = cap > h->len ? cap - h->len : 0;
	if (want > n)
		want = n;
	/* Not arena_room(): a compaction could move a string after this one. */
	size_t m = HTTP_ARENA - st->arena_used;
	if (m > want)
		m = want;
	if (m < n)
		h->trunc = true;
	memcpy(st->arena + st->arena_used, p, m);
	h->len = (uint16_t)(h->len + m);
	st->arena_used = (uint16_t)(st->arena_used + m);
}

const char *http_txn_str(const struct http_state *st, const struct http_txn *t, enum http_fld f,
                         size_t *n)
{
	const struct http_str *h = &t->f[f];
	*n = h->len;
	return h->set ? st->arena + h->off : NULL;
}

char *http_txn_str_rw(struct http_state *st, struct http_txn *t, enum http_fld f, size_t *n)
{
	const struct http_str *h = &t->f[f];
	*n = h->len;
	return h->set ? st->arena + h->off : NULL;
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
	http_event_txn(s, st, t);
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
