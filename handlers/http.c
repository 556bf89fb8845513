/* SPDX-License-Identifier: BSD-2-Clause */
/* HTTP/1.x handler (RFC 9112, RFC 9110): descriptor, the per-direction
 * state dispatch, start lines, the CONNECT tunnel hand-over to TLS, gaps and
 * close. Header fields live in http_line.c, framing in http_body.c,
 * transactions in http_txn.c, events in http_event.c. */
#include "handlers/builtin.h"
#include "handlers/http.h"

#include <stdio.h>
#include <string.h>

static const uint16_t http_ports[] = { 80, 8080, 8000, 0 };

static const char *const http_anomaly_names[HTTP_A_COUNT] = {
#define HTTP_A_NAME(id, name) [HTTP_A_##id] = name,
	HTTP_ANOMALIES(HTTP_A_NAME)
#undef HTTP_A_NAME
};

void http_anomaly(struct pd_session *s, struct http_state *st, enum http_anomaly a,
                  const char *detail)
{
	if ((unsigned)a >= HTTP_A_COUNT)
		return;
	st->anomaly[a]++;
	/* A long pipelined run would otherwise raise one event per request. */
	if (st->anomaly[a] <= HTTP_ANOMALY_EVENTS)
		pd_session_anomaly(s, http_anomaly_names[a], detail);
}

/* ---- start lines ---- */

/* A line where a start line belongs does not parse: skip lines until one
 * does. Expected (no anomaly) while looking for the first message of a
 * stream picked up mid-way or after lost bytes. */
static void bad_start(struct pd_session *s, struct http_state *st, enum pd_dir dir)
{
	struct http_dir *d = &st->d[dir];
	if (d->hunting)
		return;
	d->hunting = true;
	http_anomaly(s, st, HTTP_A_BAD_START_LINE,
	             dir == PD_TO_SERVER ? "not a request line where one was expected"
	                                 : "not a status line where one was expected");
}

/* The URL as sent, except the userinfo of an absolute-form target
 * ("http://user:password@host/"), which may hold a password: left out. */
static void set_url(struct http_state *st, struct http_txn *t, const uint8_t *p, size_t n)
{
	size_t a, end;
	if (http_target_authority(p, n, &a, &end)) {
		const uint8_t *at = end > a ? memchr(p + a, '@', end - a) : NULL;
		if (at != NULL) {
			http_txn_set(st, t, HTTP_F_URL, p, a);
			http_txn_append(st, t, HTTP_F_URL, at + 1, n - (size_t)(at + 1 - p));
			return;
		}
	}
	http_txn_set(st, t, HTTP_F_URL, p, n);
}

static void request_line(struct pd_session *s, struct http_state *st, const struct ls_line *l)
{
	struct http_dir *d = &st->d[PD_TO_SERVER];
	struct http_request_line rl;
	if (!http_parse_request_line(l->text, l->len, (l->flags & LS_TOO_LONG) != 0, &rl)) {
		bad_start(s, st, PD_TO_SERVER);
		return;
	}
	d->hunting = false;
	d->synced = true;
	http_msg_reset(d);
	if (rl.target_ws)
		http_anomaly(s, st, HTTP_A_TARGET_WHITESPACE, "whitespace inside the request target");
	uint8_t kind = HTTP_K_PLAIN;
	if (rl.method_len == 4 && memcmp(rl.method, "HEAD", 4) == 0)
		kind = HTTP_K_HEAD;
	else if (rl.method_len == 7 && memcmp(rl.method, "CONNECT", 7) == 0)
		kind = HTTP_K_CONNECT;

	struct http_pending p = { .kind = kind, .slot = -1, .id = ++st->next_id };
	bool pipelined = st->pipe_len > 0 || st->resp_active;
	int slot = http_txn_open(st);
	if (slot < 0) {
		st->untracked++;
		http_anomaly(s, st, HTTP_A_PIPELINE_OVERFLOW,
		             "too many requests waiting for a response: details not kept");
	}
	p.slot = (int8_t)slot;
	if (!http_pipe_push(st, &p)) {
		/* Its response could not be matched: counted only. */
		st->pipe_lost++;
		if (slot >= 0)
			st->txn[slot].used = false;
		slot = -1;
	}
	d->slot = (int8_t)slot;
	d->id = p.id;
	d->kind = kind;
	d->state = HTTP_P_HEADERS;

	if (slot < 0)
		return;
	struct http_txn *t = &st->txn[slot];
	t->id = p.id;
	t->kind = kind;
	t->pipelined = pipelined;
	http_txn_set(st, t, HTTP_F_METHOD, rl.method, rl.method_len);
	set_url(st, t, rl.target, rl.target_len);
	if (rl.version_len > 0)
		http_txn_set(st, t, HTTP_F_PROTOCOL, rl.version, rl.version_len);
	http_request_authority(st, t, rl.target, rl.target_len);
}

static void status_line(struct pd_session *s, struct http_state *st, const struct ls_line *l)
{
	struct http_dir *d = &st->d[PD_TO_CLIENT];
	struct http_status_line sl;
	if ((l->flags & LS_TOO_LONG) || !http_parse_status_line(l->text, l->len, &sl)) {
		/* A status line is short: one cut at 8 KiB is not one. */
		bad_start(s, st, PD_TO_CLIENT);
		return;
	}
	d->hunting = false;
	d->synced = true;
	http_msg_reset(d);
	d->status = sl.status;
	d->state = HTTP_P_HEADERS;
	struct http_pending *p = http_pipe_head(st);

	if (sl.status != 0 && sl.status < 200 && sl.status != 101) {
		/* Interim: the request still waits for its final response. */
		d->slot = p != NULL ? p->slot : -1;
		d->id = p != NULL ? p->id : 0;
		d->kind = p != NULL ? p->kind : HTTP_K_PLAIN;
		struct http_txn *t = http_txn_get(st, d->slot, d->id);
		if (t != NULL)
			t->interim++;
		return;
	}
	if (p != NULL) {
		d->slot = p->slot;
		d->id = p->id;
		d->kind = p->kind;
		http_pipe_pop(st);
	} else {
		/* Without a request its HEAD/CONNECT-ness is unknown: framed as GET. */
		if (!st->midstream && !st->client_lost)
			http_anomaly(s, st, HTTP_A_UNEXPECTED_RESPONSE, "response without a request");
		d->kind = HTTP_K_PLAIN;
		d->id = ++st->next_id;
		d->slot = (int8_t)http_txn_open(st);
		if (d->slot >= 0) {
			struct http_txn *o = &st->txn[d->slot];
			o->id = d->id;
			o->orphan = true;
			o->req.done = true;
		} else {
			st->untracked++;
		}
	}
	st->resp_active = true;
	struct http_txn *t = http_txn_get(st, d->slot, d->id);
	if (t == NULL)
		return;
	t->has_response = true;
	t->status = sl.status;
	if (sl.status == 0)
		memcpy(t->status_str, sl.code, sizeof(sl.code));
	http_txn_set(st, t, HTTP_F_RESP_PROTOCOL, sl.version, sl.version_len);
	if (sl.reason_len > 0)
		http_txn_set(st, t, HTTP_F_REASON, sl.reason, sl.reason_len);
}

static void start_line(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                       const struct ls_line *l)
{
	/* RFC 9112 2.2: empty lines before a start line are ignored. */
	if (l->len == 0 && !(l->flags & LS_TOO_LONG))
		return;
	if (dir == PD_TO_SERVER)
		request_line(s, st, l);
	else
		status_line(s, st, l);
}

static void header_line(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                        const struct ls_line *l)
{
	if (l->len == 0 && !(l->flags & LS_TOO_LONG))
		http_headers_done(s, st, dir);
	else
		http_header_line(s, st, dir, l->text, l->len);
}

/* ---- byte states ---- */

static size_t hold_bytes(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                         struct pcur *c)
{
	/* Bytes after CONNECT wait (kept by the core) until the response says
	 * whether they are the tunnel or more requests. */
	return 0;
}

static size_t skip_bytes(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                         struct pcur *c)
{
	size_t n = pcur_left(c);
	pcur_skip(c, n);
	return n;
}

/* The first bytes through an accepted CONNECT: a TLS handshake record
 * (type 22, version 3.x) goes to the TLS handler with everything after it;
 * plain HTTP requests from the client (a proxy tunnel to port 80) are
 * parsed on as HTTP; anything else is an opaque tunnel. */
static size_t tunnel_bytes(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                           struct pcur *c)
{
	int b0 = pcur_peek(c, 0), b1 = pcur_peek(c, 1);
	if (b0 == 0x16 && b1 < 0)
		return 0; /* one byte: wait for the second */
	if (b0 == '\r' || b0 == '\n') {
		/* A stray line end after the CONNECT or its 2xx (RFC 9112 2.2
		 * leniency) does not tell what the tunnel carries. */
		pcur_skip(c, 1);
		return 1;
	}
	enum pd_probe http = dir == PD_TO_SERVER ? http_probe(dir, pcur_ptr(c), pcur_left(c))
	                                         : PD_PROBE_REJECT;
	if (http == PD_PROBE_NEED_MORE)
		return 0; /* held by the core until the line is complete */
	struct http_txn *t = http_txn_get(st, st->tunnel_slot, st->tunnel_id);
	bool tls = b0 == 0x16 && b1 == 0x03 && pd_session_upgrade(s, "tls") == 0;
	if (t != NULL)
		t->tunnel = tls ? HTTP_TUN_TLS : http == PD_PROBE_MATCH ? HTTP_TUN_HTTP : HTTP_TUN_OPAQUE;
	http_txn_finish(s, st, st->tunnel_slot, st->tunnel_id);
	st->tunnel_slot = -1;
	if (tls) {
		st->upgraded = true;
		return 0;
	}
	enum http_pstate next = http == PD_PROBE_MATCH ? HTTP_P_START : HTTP_P_STOPPED;
	st->d[PD_TO_SERVER].state = (uint8_t)next;
	st->d[PD_TO_CLIENT].state = (uint8_t)next;
	return next == HTTP_P_START ? 0 : skip_bytes(s, st, dir, c);
}

struct http_pstate_ops {
	size_t line_max;
	void (*line)(struct pd_session *s, struct http_state *st, enum pd_dir dir,
	             const struct ls_line *l);
	size_t (*bytes)(struct pd_session *s, struct http_state *st, enum pd_dir dir,
	                struct pcur *c);
	const char *what; /* for anomaly details */
};

static const struct http_pstate_ops http_ops[HTTP_P_COUNT] = {
	[HTTP_P_START] = { HTTP_LINE_MAX, start_line, NULL, "start line" },
	[HTTP_P_HEADERS] = { HTTP_LINE_MAX, header_line, NULL, "header line" },
	[HTTP_P_BODY_LEN] = { 0, NULL, http_body_bytes, "body" },
	[HTTP_P_CHUNK_SIZE] = { HTTP_CHUNK_LINE_MAX, http_chunk_size_line, NULL, "chunk-size line" },
	[HTTP_P_CHUNK_DATA] = { 0, NULL, http_body_bytes, "chunk" },
	[HTTP_P_CHUNK_END] = { HTTP_CHUNK_LINE_MAX, http_chunk_end_line, NULL, "chunk end" },
	[HTTP_P_TRAILERS] = { HTTP_LINE_MAX, http_trailer_line, NULL, "trailer line" },
	[HTTP_P_BODY_CLOSE] = { 0, NULL, http_body_bytes, "body" },
	[HTTP_P_CONNECT_WAIT] = { 0, NULL, hold_bytes, "tunnel" },
	[HTTP_P_TUNNEL] = { 0, NULL, tunnel_bytes, "tunnel" },
	[HTTP_P_STOPPED] = { 0, NULL, skip_bytes, "data" },
};

static void dir_data(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                     struct pcur *c)
{
	struct http_dir *d = &st->d[dir];
	while (!st->upgraded && pcur_left(c) > 0) {
		const struct http_pstate_ops *op = &http_ops[d->state];
		/* A cut or resynchronised line is dropped up to its LF first, even
		 * when its start already moved the direction to a byte state. */
		if (op->bytes != NULL && ls_at_line_start(&d->ls)) {
			uint8_t was = d->state;
			if (op->bytes(s, st, dir, c) == 0 && d->state == was)
				break; /* waiting for more bytes */
			continue;
		}
		struct ls_line l;
		size_t max = op->line_max != 0 ? op->line_max : HTTP_LINE_MAX;
		if (ls_next(&d->ls, max, c, &l) == LS_NEED_MORE)
			break;
		if ((l.flags & LS_TAIL) || op->line == NULL)
			continue;
		if (l.flags & LS_TOO_LONG) {
			char detail[80];
			snprintf(detail, sizeof(detail), "%s %s longer than %zu octets",
			         dir == PD_TO_SERVER ? "request" : "response", op->what, max);
			http_anomaly(s, st, HTTP_A_LINE_TOO_LONG, detail);
		}
		op->line(s, st, dir, &l);
	}
}

static void http_start(struct pd_session *s, struct http_state *st)
{
	st->started = true;
	st->midstream = pd_session_midstream(s);
	st->tunnel_slot = -1;
	for (int i = 0; i < 2; i++) {
		st->d[i].slot = -1;
		st->d[i].last_field = HTTP_F_COUNT;
		/* Picked up mid-way: the first bytes may be inside a message. */
		st->d[i].hunting = st->midstream;
	}
}

static size_t http_on_data(struct pd_session *s, void *state, enum pd_dir dir,
                           const uint8_t *data, size_t len)
{
	struct http_state *st = state;
	if (!st->started)
		http_start(s, st);
	if (st->upgraded)
		return len;
	struct pcur c = pcur_make(data, len);
	dir_data(s, st, dir, &c);
	size_t used = len - pcur_left(&c);
	st->d[dir].kept = len - used;
	return used;
}

static void http_on_gap(struct pd_session *s, void *state, enum pd_dir dir, size_t lost)
{
	struct http_state *st = state;
	if (!st->started)
		http_start(s, st);
	st->gaps++;
	if (st->upgraded)
		return;
	struct http_dir *d = &st->d[dir];
	/* The bytes the core kept for us are dropped with the gap. */
	uint64_t all = (uint64_t)lost + d->kept;
	d->kept = 0;
	if (d->state == HTTP_P_STOPPED || d->state == HTTP_P_TUNNEL ||
	    d->state == HTTP_P_CONNECT_WAIT)
		return;
	if (ls_at_line_start(&d->ls)) {
		if (http_body_gap(s, st, dir, all))
			return;
		/* A counted body that ended inside the gap (a sender that wrote
		 * more than its Content-Length, say): complete it, then look for
		 * the next start line. */
		if (d->state == HTTP_P_BODY_LEN)
			http_body_gap(s, st, dir, d->left);
	}
	/* Framing is lost: finish what was in progress, then look for the next
	 * start line. */
	struct http_txn *t = http_txn_get(st, d->slot, d->id);
	if (t != NULL && t->incomplete == HTTP_INC_NONE)
		t->incomplete = HTTP_INC_GAP;
	if (dir == PD_TO_CLIENT && st->resp_active) {
		st->resp_active = false;
		http_txn_finish(s, st, d->slot, d->id);
	}
	if (dir == PD_TO_SERVER)
		st->client_lost = true;
	http_msg_reset(d);
	d->slot = -1;
	d->state = HTTP_P_START;
	/* Not ls_resync(): the bytes after the gap may well start a line, and
	 * hunting skips whatever does not parse as a start line. */
	d->hunting = true;
	memset(&d->ls, 0, sizeof(d->ls));
}

static void http_on_close(struct pd_session *s, void *state, enum pd_close why)
{
	struct http_state *st = state;
	if (!st->started)
		return;
	/* RFC 9112 6.3 item 8: the close ends a body delimited by it. */
	if (!st->upgraded && st->d[PD_TO_CLIENT].state == HTTP_P_BODY_CLOSE)
		http_message_done(s, st, PD_TO_CLIENT);
	http_txn_flush(s, st);
}

_Static_assert(sizeof(struct http_state) <= 24 * 1024, "HTTP per-session state budget");

const struct pd_handler pd_handler_http = {
	.api_version = PD_API_VERSION,
	.name = "http",
	.transports = PD_TCP,
	.default_ports = http_ports,
	.state_size = sizeof(struct http_state),
	.probe = http_probe,
	.on_data = http_on_data,
	.on_gap = http_on_gap,
	.on_close = http_on_close,
};
