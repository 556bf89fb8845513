/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP/submission handler (RFC 5321, RFC 6409, RFC 8314): descriptor, the
 * per-direction byte loops, the client state dispatch table, gaps and close.
 * Parsing lives in smtp_cmd.c (commands), smtp_server.c (replies),
 * smtp_txn.c (transactions and message data), smtp_event.c (events). */
#include "handlers/builtin.h"
#include "handlers/smtp.h"

#include <stdio.h>
#include <string.h>

/* 25 relay (RFC 5321), 587 submission (RFC 6409), 465 submissions (RFC 8314). */
static const uint16_t smtp_ports[] = { 25, 587, 465, 0 };

static const char *const smtp_anomaly_names[SMTP_A_COUNT] = {
#define SMTP_A_NAME(id, name) [SMTP_A_##id] = name,
	SMTP_ANOMALIES(SMTP_A_NAME)
#undef SMTP_A_NAME
};

const char *smtp_anomaly_name(enum smtp_anomaly a)
{
	return (unsigned)a < SMTP_A_COUNT ? smtp_anomaly_names[a] : "smtp_unknown";
}

void smtp_anomaly(struct pd_session *s, struct smtp_state *st, enum smtp_anomaly a,
                  const char *detail)
{
	if ((unsigned)a >= SMTP_A_COUNT)
		return;
	st->anomaly[a]++;
	st->anomaly_total++;
	/* A message with bare LFs would otherwise raise one event per line. */
	if (st->anomaly[a] <= SMTP_ANOMALY_EVENTS && s != NULL)
		pd_session_anomaly(s, smtp_anomaly_names[a], detail);
}

void smtp_line_anomalies(struct pd_session *s, struct smtp_state *st, const struct ls_line *l,
                         const char *where)
{
	char detail[64];
	if (l->flags & LS_BARE_LF) {
		snprintf(detail, sizeof(detail), "bare LF ending a %s", where);
		smtp_anomaly(s, st, SMTP_A_BARE_LF, detail);
	}
	if (l->flags & LS_BARE_CR) {
		snprintf(detail, sizeof(detail), "bare CR inside a %s", where);
		smtp_anomaly(s, st, SMTP_A_BARE_CR, detail);
	}
	if (l->flags & LS_TOO_LONG) {
		snprintf(detail, sizeof(detail), "%s longer than %zu octets", where, l->len);
		smtp_anomaly(s, st, SMTP_A_LINE_TOO_LONG, detail);
	}
}

/* ---- client direction: one handler per enum smtp_cstate ---- */

static void data_wait_line(struct pd_session *s, struct smtp_state *st, const struct ls_line *l)
{
	/* RFC 2920 3.1: DATA ends a pipelined group; message bytes before the
	 * 354 are read as a message until the reply says otherwise. */
	smtp_anomaly(s, st, SMTP_A_DATA_BEFORE_REPLY, "message data sent before the reply to DATA");
	st->data_speculative = true;
	smtp_data_begin(st);
	smtp_data_line(s, st, l);
}

static size_t bdat_bytes(struct pd_session *s, struct smtp_state *st, struct pcur *c)
{
	size_t n = smtp_bdat_take(st, pcur_left(c));
	pcur_skip(c, n);
	return n;
}

/* CVE-2011-0411: plaintext pipelined after STARTTLS would be executed by a
 * vulnerable server as if it came through TLS. */
static size_t starttls_wait_bytes(struct pd_session *s, struct smtp_state *st, struct pcur *c)
{
	if (pcur_peek(c, 0) == 0x16)
		return 0; /* a ClientHello sent early: it belongs to the TLS handler */
	size_t n = pcur_left(c);
	if (st->injected == 0)
		smtp_anomaly(s, st, SMTP_A_STARTTLS_INJECTION,
		             "client sent plaintext after STARTTLS before its reply");
	st->injected += n;
	pcur_skip(c, n);
	return n;
}

struct smtp_cstate_ops {
	size_t line_max;   /* splitter limit for line states */
	void (*line)(struct pd_session *s, struct smtp_state *st, const struct ls_line *l);
	size_t (*bytes)(struct pd_session *s, struct smtp_state *st, struct pcur *c);
};

static const struct smtp_cstate_ops smtp_cstate_ops[SMTP_C_COUNT] = {
	[SMTP_C_CMD] = { SMTP_CMD_LINE_MAX, smtp_cmd_line, NULL },
	[SMTP_C_DATA_WAIT] = { SMTP_TEXT_LINE_MAX, data_wait_line, NULL },
	[SMTP_C_DATA_BODY] = { SMTP_TEXT_LINE_MAX, smtp_data_line, NULL },
	[SMTP_C_BDAT] = { 0, NULL, bdat_bytes },
	[SMTP_C_AUTH] = { SMTP_AUTH_LINE_MAX, smtp_auth_line, NULL },
	[SMTP_C_STARTTLS_WAIT] = { 0, NULL, starttls_wait_bytes },
};

static void client_data(struct pd_session *s, struct smtp_state *st, struct pcur *c)
{
	while (!st->upgraded && pcur_left(c) > 0) {
		const struct smtp_cstate_ops *op = &smtp_cstate_ops[st->cstate];
		if (op->bytes != NULL) {
			if (op->bytes(s, st, c) == 0)
				break;
			continue;
		}
		struct ls_line l;
		if (ls_next(&st->ls[PD_TO_SERVER], op->line_max, c, &l) == LS_NEED_MORE) {
			if (l.consumed > 0 && st->cstate == SMTP_C_DATA_BODY)
				smtp_data_dropped(st, l.consumed);
			break;
		}
		op->line(s, st, &l);
	}
}

static void server_data(struct pd_session *s, struct smtp_state *st, struct pcur *c)
{
	while (!st->upgraded && pcur_left(c) > 0) {
		struct ls_line l;
		if (ls_next(&st->ls[PD_TO_CLIENT], SMTP_REPLY_LINE_MAX, c, &l) == LS_NEED_MORE)
			break;
		if (!smtp_reply_line_in(s, st, &l))
			continue;
		/* STARTTLS accepted: the server should now wait for the
		 * ClientHello; anything else it sent is plaintext injection. */
		if (pcur_left(c) > 0 && pcur_peek(c, 0) != 0x16)
			smtp_anomaly(s, st, SMTP_A_STARTTLS_INJECTION,
			             "server sent plaintext after its 220 to STARTTLS");
		if (pd_session_upgrade(s, "tls") != 0)
			pcur_skip(c, pcur_left(c)); /* no TLS handler: the rest is opaque */
		break;
	}
}

static void smtp_start(struct pd_session *s, struct smtp_state *st)
{
	st->started = true;
	st->cur_txn = -1;
	st->helo_cur = -1;
	st->auth_cur = -1;
	switch (pd_session_server_port(s)) {
	case 587:
		pd_session_set_app_proto(s, "submission");
		st->submission = true;
		break;
	case 465:
		pd_session_set_app_proto(s, "submissions");
		break;
	default:
		pd_session_set_app_proto(s, "smtp");
		break;
	}
	if (pd_session_midstream(s)) {
		/* The first bytes may or may not start a line. Client: skip lines
		 * until one is a command with its full syntax; server: a first
		 * line that does not parse is a fragment, and replies are ignored
		 * until a command is pending. Nothing is judged out of context. */
		st->partial = true;
		st->server_after_gap = true;
		st->client_hunting = true;
		st->server_hunting = true;
	} else {
		smtp_cmd_queue(s, st, SMTP_K_GREETING, SMTP_NO_SLOT, 0);
	}
}

/* RFC 8314 3.3: on 465 the client opens with a TLS ClientHello. Returns
 * true when the session went to TLS. */
static bool implicit_tls(struct pd_session *s, struct smtp_state *st, const struct pcur *c)
{
	/* From the start: a handshake record. Mid-stream (capture started
	 * later): any TLS record type (RFC 8446 5.1: 20-23) of version 3.x. */
	int type = pcur_peek(c, 0);
	bool record = type == 0x16 || (st->partial && type >= 0x14 && type <= 0x17);
	if (!record || pcur_peek(c, 1) != 0x03)
		return false;
	st->implicit_tls = true;
	st->upgraded = true;
	uint16_t port = pd_session_server_port(s);
	if (port != 25 && port != 587 && port != 465) {
		/* Claimed by content on another port: nothing says this TLS
		 * carries mail, so it is plain TLS and gets no smtp record. */
		pd_session_set_app_proto(s, "tls");
		st->not_smtp = true;
	}
	pd_session_upgrade(s, "tls");
	return true;
}

/* One direction's bytes; returns how many were consumed. */
static size_t smtp_data_dir(struct pd_session *s, struct smtp_state *st, enum pd_dir dir,
                            struct pcur *c)
{
	size_t len = pcur_left(c);
	if (dir == PD_TO_SERVER) {
		if (!st->client_seen) {
			if (len < 2 && (pcur_peek(c, 0) == 0x16 || st->partial))
				return 0;
			st->client_seen = true;
			if (implicit_tls(s, st, c))
				return 0;
		}
		st->client_seen = true;
		client_data(s, st, c);
	} else {
		server_data(s, st, c);
	}
	return len - pcur_left(c);
}

static size_t smtp_on_data(struct pd_session *s, void *state, enum pd_dir dir,
                           const uint8_t *data, size_t len)
{
	struct smtp_state *st = state;
	struct pcur c = pcur_make(data, len);

	if (!st->started)
		smtp_start(s, st);
	if (st->upgraded)
		return len;
	size_t used = smtp_data_dir(s, st, dir, &c);
	st->kept[dir] = len - used;
	return used;
}

static void smtp_on_gap(struct pd_session *s, void *state, enum pd_dir dir, size_t lost)
{
	struct smtp_state *st = state;
	if (!st->started)
		smtp_start(s, st);
	st->gaps++;
	if (st->upgraded)
		return;
	/* The core drops the bytes it kept for us before a gap: they are lost
	 * as well. */
	lost += st->kept[dir];
	st->kept[dir] = 0;
	if (dir == PD_TO_SERVER) {
		st->client_seen = true;
		smtp_txn_gap(st, lost);
		return;
	}
	/* Lost replies: the next line may be a fragment (dropped quietly if it
	 * does not parse); commands waiting for lost replies are matched again
	 * by reply code (smtp_server.c). */
	st->server_after_gap = true;
	st->in_reply = false;
	st->reply_matched = false;
	for (unsigned i = 0; i < SMTP_TXN_SLOTS; i++)
		if (st->txn[i].used && st->txn[i].pending > 0)
			st->txn[i].incomplete = SMTP_INC_GAP;
}

static void smtp_on_close(struct pd_session *s, void *state, enum pd_close why)
{
	struct smtp_state *st = state;
	if (!st->started)
		return;
	if (!st->upgraded)
		smtp_txn_flush_all(s, st, SMTP_INC_CLOSED);
	if (!st->not_smtp)
		smtp_event_session(s, st, why);
}

_Static_assert(sizeof(struct smtp_state) <= 24 * 1024, "SMTP per-session state budget");

const struct pd_handler pd_handler_smtp = {
	.api_version = PD_API_VERSION,
	.name = "smtp",
	.transports = PD_TCP,
	.default_ports = smtp_ports,
	.state_size = sizeof(struct smtp_state),
	.probe = smtp_probe,
	.on_data = smtp_on_data,
	.on_gap = smtp_on_gap,
	.on_close = smtp_on_close,
};
