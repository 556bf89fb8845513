/* SPDX-License-Identifier: BSD-2-Clause */
/* HTTP/1.x message framing (RFC 9112 6.3 message body length, 7.1 chunked
 * transfer coding, 7.1.2 trailers; RFC 9110 9.3.6 CONNECT, 15.2.2 101).
 * Body octets are counted and skipped, never kept, so a body costs no
 * memory whatever its size. */
#include "handlers/http.h"

#include <stdio.h>

struct http_body *http_body_of(struct http_txn *t, enum pd_dir dir)
{
	if (t == NULL)
		return NULL;
	return dir == PD_TO_SERVER ? &t->req : &t->resp;
}

static struct http_body *cur_body(struct http_state *st, enum pd_dir dir)
{
	struct http_dir *d = &st->d[dir];
	return http_body_of(http_txn_get(st, d->slot, d->id), dir);
}

void http_msg_reset(struct http_dir *d)
{
	d->clen_seen = d->clen_bad = d->te_seen = d->te_chunked = false;
	d->too_many = false;
	d->last_field = HTTP_F_COUNT;
	d->headers = 0;
	d->clen = 0;
	d->left = 0;
}

void http_dir_stop(struct pd_session *s, struct http_state *st, enum pd_dir dir)
{
	struct http_dir *d = &st->d[dir];
	struct http_txn *t = http_txn_get(st, d->slot, d->id);
	d->state = HTTP_P_STOPPED;
	if (t != NULL && t->incomplete == HTTP_INC_NONE)
		t->incomplete = HTTP_INC_BAD_FRAMING;
	if (dir == PD_TO_SERVER) {
		st->client_lost = true;
		return;
	}
	/* The response can no longer end: write it now. */
	if (st->resp_active) {
		st->resp_active = false;
		http_txn_finish(s, st, d->slot, d->id);
	}
}

/* RFC 9112 6.3 items 3-8, for what is not decided by the status code. */
static enum http_framing length_framing(struct pd_session *s, struct http_state *st,
                                        enum pd_dir dir)
{
	struct http_dir *d = &st->d[dir];
	if (d->te_seen) {
		if (d->clen_seen)
			http_anomaly(s, st, HTTP_A_TE_AND_CL,
			             "both Transfer-Encoding and Content-Length: Transfer-Encoding wins");
		if (d->te_chunked)
			return HTTP_FR_CHUNKED;
		if (dir == PD_TO_CLIENT)
			return HTTP_FR_CLOSE;
		http_anomaly(s, st, HTTP_A_BAD_FRAMING,
		             "request Transfer-Encoding does not end with chunked");
		return HTTP_FR_BAD;
	}
	if (d->clen_seen) {
		if (!d->clen_bad)
			return HTTP_FR_LENGTH;
		http_anomaly(s, st, HTTP_A_BAD_FRAMING,
		             dir == PD_TO_SERVER ? "invalid Content-Length in a request"
		                                 : "invalid Content-Length in a response");
		return HTTP_FR_BAD;
	}
	return dir == PD_TO_CLIENT ? HTTP_FR_CLOSE : HTTP_FR_NONE;
}

static enum http_framing response_framing(struct pd_session *s, struct http_state *st)
{
	struct http_dir *d = &st->d[PD_TO_CLIENT];
	if (d->status == 101)
		return HTTP_FR_SWITCH;
	if (d->kind == HTTP_K_CONNECT && d->status / 100 == 2)
		return HTTP_FR_TUNNEL;
	if (d->kind == HTTP_K_HEAD || d->status == 204 || d->status == 304)
		return HTTP_FR_NONE;
	return length_framing(s, st, PD_TO_CLIENT);
}

/* CONNECT accepted (RFC 9110 9.3.6): from here on both directions carry the
 * tunnel; its first bytes tell whether it is TLS. */
static void start_tunnel(struct http_state *st)
{
	struct http_dir *d = &st->d[PD_TO_CLIENT];
	struct http_txn *t = http_txn_get(st, d->slot, d->id);
	st->resp_active = false;
	st->tunnel_slot = t != NULL ? d->slot : -1;
	st->tunnel_id = d->id;
	if (t != NULL)
		t->tunnel = HTTP_TUN_UNUSED;
	st->d[PD_TO_SERVER].state = HTTP_P_TUNNEL;
	st->d[PD_TO_CLIENT].state = HTTP_P_TUNNEL;
}

void http_headers_done(struct pd_session *s, struct http_state *st, enum pd_dir dir)
{
	struct http_dir *d = &st->d[dir];
	struct http_txn *t = http_txn_get(st, d->slot, d->id);
	struct http_body *b = http_body_of(t, dir);

	if (dir == PD_TO_CLIENT && d->status >= 100 && d->status < 200 && d->status != 101) {
		/* Interim response (RFC 9110 15.2): the final one follows. */
		http_msg_reset(d);
		d->state = HTTP_P_START;
		return;
	}
	enum http_framing fr = dir == PD_TO_CLIENT ? response_framing(s, st)
	                                           : length_framing(s, st, dir);
	if (b != NULL) {
		b->headers = d->headers;
		b->framing = (uint8_t)fr;
		b->have_clen = d->clen_seen && !d->clen_bad;
		b->clen = d->clen;
		b->chunked = fr == HTTP_FR_CHUNKED;
	}
	if (dir == PD_TO_CLIENT && d->kind == HTTP_K_CONNECT && fr != HTTP_FR_TUNNEL &&
	    st->d[PD_TO_SERVER].state == HTTP_P_CONNECT_WAIT)
		st->d[PD_TO_SERVER].state = HTTP_P_START; /* refused: requests may follow */

	switch (fr) {
	case HTTP_FR_NONE:
		http_message_done(s, st, dir);
		break;
	case HTTP_FR_LENGTH:
		d->left = d->clen;
		if (d->left == 0)
			http_message_done(s, st, dir);
		else
			d->state = HTTP_P_BODY_LEN;
		break;
	case HTTP_FR_CHUNKED:
		d->state = HTTP_P_CHUNK_SIZE;
		break;
	case HTTP_FR_CLOSE:
		d->state = HTTP_P_BODY_CLOSE;
		break;
	case HTTP_FR_TUNNEL:
		if (b != NULL)
			b->done = true;
		start_tunnel(st);
		break;
	case HTTP_FR_SWITCH:
		/* RFC 9110 15.2.2: the connection now speaks the protocol named by
		 * Upgrade; nothing more of it is HTTP/1.x. */
		if (b != NULL)
			b->done = true;
		st->resp_active = false;
		http_txn_finish(s, st, d->slot, d->id);
		st->d[PD_TO_SERVER].state = HTTP_P_STOPPED;
		st->d[PD_TO_CLIENT].state = HTTP_P_STOPPED;
		break;
	default:
		http_dir_stop(s, st, dir);
		break;
	}
}

void http_message_done(struct pd_session *s, struct http_state *st, enum pd_dir dir)
{
	struct http_dir *d = &st->d[dir];
	struct http_body *b = cur_body(st, dir);
	if (b != NULL)
		b->done = true;
	uint8_t kind = d->kind;
	int slot = d->slot;
	uint32_t id = d->id;
	http_msg_reset(d);
	d->slot = -1;
	if (dir == PD_TO_SERVER) {
		/* CONNECT: what follows is the tunnel or, when refused, requests. */
		d->state = kind == HTTP_K_CONNECT ? HTTP_P_CONNECT_WAIT : HTTP_P_START;
		return;
	}
	d->state = HTTP_P_START;
	st->resp_active = false;
	http_txn_finish(s, st, slot, id);
}

size_t http_body_bytes(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                       struct pcur *c)
{
	struct http_dir *d = &st->d[dir];
	struct http_body *b = cur_body(st, dir);
	size_t avail = pcur_left(c);
	size_t take = avail;
	if (d->state != HTTP_P_BODY_CLOSE && d->left < take)
		take = (size_t)d->left;
	pcur_skip(c, take);
	if (b != NULL)
		b->len += take;
	if (d->state == HTTP_P_BODY_CLOSE)
		return take;
	d->left -= take;
	if (d->left == 0) {
		if (d->state == HTTP_P_BODY_LEN)
			http_message_done(s, st, dir);
		else
			d->state = HTTP_P_CHUNK_END;
	}
	return take;
}

static void bad_chunk(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                      const char *detail)
{
	http_anomaly(s, st, HTTP_A_BAD_CHUNK, detail);
	http_dir_stop(s, st, dir);
}

void http_chunk_size_line(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                          const struct ls_line *l)
{
	struct http_dir *d = &st->d[dir];
	uint64_t size;
	if (!http_parse_chunk_size(l->text, l->len, &size)) {
		bad_chunk(s, st, dir, "invalid chunk-size line");
		return;
	}
	if (size == 0) {
		d->state = HTTP_P_TRAILERS;
		return;
	}
	struct http_body *b = cur_body(st, dir);
	if (b != NULL)
		b->chunks++;
	d->left = size;
	d->state = HTTP_P_CHUNK_DATA;
}

void http_chunk_end_line(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                         const struct ls_line *l)
{
	/* chunk-data is followed by CRLF and nothing else (RFC 9112 7.1). */
	if (l->len != 0 || (l->flags & LS_TOO_LONG)) {
		bad_chunk(s, st, dir, "chunk data longer than its chunk-size");
		return;
	}
	st->d[dir].state = HTTP_P_CHUNK_SIZE;
}

void http_trailer_line(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                       const struct ls_line *l)
{
	/* Trailer fields never change the framing (RFC 9112 7.1.2): skipped. */
	if (l->len == 0 && !(l->flags & LS_TOO_LONG))
		http_message_done(s, st, dir);
}

bool http_body_gap(struct pd_session *s, struct http_state *st, enum pd_dir dir, uint64_t lost)
{
	struct http_dir *d = &st->d[dir];
	struct http_body *b = cur_body(st, dir);
	switch (d->state) {
	case HTTP_P_BODY_LEN:
	case HTTP_P_CHUNK_DATA:
		if (lost > d->left)
			return false;
		d->left -= lost;
		break;
	case HTTP_P_BODY_CLOSE:
		break;
	case HTTP_P_CONNECT_WAIT:
	case HTTP_P_TUNNEL:
	case HTTP_P_STOPPED:
		return true;
	default:
		return false;
	}
	if (b != NULL) {
		b->len += lost;
		b->missed += lost;
	}
	if (d->state != HTTP_P_BODY_CLOSE && d->left == 0) {
		if (d->state == HTTP_P_BODY_LEN)
			http_message_done(s, st, dir);
		else
			d->state = HTTP_P_CHUNK_END;
	}
	return true;
}
