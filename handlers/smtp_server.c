/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP server replies (RFC 5321 section 4.2, 4.3.2): multi-line assembly,
 * matching each complete reply to the oldest pending command (RFC 2920
 * section 3.1: replies come in command order), and the per-command effects
 * dispatched through a table indexed by enum smtp_kind. */
#include "handlers/smtp.h"

#include <string.h>

typedef void (*smtp_reply_fn)(struct pd_session *s, struct smtp_state *st,
                              const struct smtp_pending *p, uint16_t code, const char *enh);

/* Which codes can answer a command of each kind (RFC 5321 4.3.2). 4yz and
 * 5yz answer anything; 421 may even come unasked (RFC 5321 3.8). */
static bool reply_fits(enum smtp_kind k, uint16_t code)
{
	unsigned cls = code / 100u;
	if (cls == 4 || cls == 5)
		return true;
	switch (k) {
	case SMTP_K_GREETING:
		return code == 220;
	case SMTP_K_DATA:
		return code == 354;
	case SMTP_K_AUTH:
		return code == 334 || cls == 2;
	default:
		return cls == 2;
	}
}

static void pending_done(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p)
{
	struct smtp_txn *t = smtp_txn_get(st, p->slot, p->gen);
	if (t == NULL)
		return;
	if (t->pending > 0)
		t->pending--;
	smtp_txn_settle(s, st, p->slot);
}

static void on_greeting(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                        uint16_t code, const char *enh)
{
	st->greeting_seen = true;
	st->greeting_code = code;
	st->greeting_lines = st->reply_lines;
}

static void on_helo(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                    uint16_t code, const char *enh)
{
	if (p->idx < SMTP_HELO_MAX)
		st->helo[p->idx].reply = code;
	if (p->kind == SMTP_K_EHLO && code == 250) {
		st->ext_seen = true;
		if (st->ext.flags & SMTP_X_STARTTLS)
			st->starttls_offered = true;
	}
}

static void on_mail(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                    uint16_t code, const char *enh)
{
	struct smtp_txn *t = smtp_txn_get(st, p->slot, p->gen);
	if (t == NULL)
		return;
	t->mail_reply = code;
	strcpy(t->mail_enhanced, enh);
	/* RFC 6409 4.3: a submission server requires authentication before
	 * it accepts a message. */
	if (code / 100 == 2 && st->submission && !st->auth_ok) {
		t->without_auth = true;
		smtp_anomaly(s, st, SMTP_A_SUBMISSION_WITHOUT_AUTH, "MAIL accepted on port 587 without AUTH");
	}
}

static void on_rcpt(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                    uint16_t code, const char *enh)
{
	struct smtp_txn *t = smtp_txn_get(st, p->slot, p->gen);
	if (t == NULL)
		return;
	if (code / 100 == 2)
		t->rcpt_accepted++;
	if (p->idx < t->rcpt_kept) {
		t->rcpt[p->idx].reply = code;
		strcpy(t->rcpt[p->idx].enhanced, enh);
	}
}

static void on_data(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                    uint16_t code, const char *enh)
{
	struct smtp_txn *t = smtp_txn_get(st, p->slot, p->gen);
	if (t != NULL)
		t->data_reply = code;
	if (code == 354) {
		if (st->cstate == SMTP_C_DATA_WAIT)
			smtp_data_begin(st);
		st->data_speculative = false;
		return;
	}
	/* Refused: whatever the client sent after DATA were commands. */
	if (st->cstate == SMTP_C_DATA_WAIT || (st->cstate == SMTP_C_DATA_BODY && st->data_speculative)) {
		st->cstate = SMTP_C_CMD;
		st->data_speculative = false;
		if (t != NULL) {
			t->data_started = false;
			t->message_size = t->wire_bytes = 0;
			t->stuffed_lines = 0;
		}
	}
	if (t != NULL) {
		t->final_reply = code;
		strcpy(t->final_enhanced, enh);
	}
}

static void on_data_end(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                        uint16_t code, const char *enh)
{
	struct smtp_txn *t = smtp_txn_get(st, p->slot, p->gen);
	if (t == NULL)
		return;
	t->final_reply = code;
	strcpy(t->final_enhanced, enh);
}

/* RFC 3030 2: a refused chunk fails the transaction; the reply to the LAST
 * chunk is the transaction's outcome. */
static void on_bdat(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                    uint16_t code, const char *enh)
{
	struct smtp_txn *t = smtp_txn_get(st, p->slot, p->gen);
	if (t == NULL)
		return;
	unsigned i = p->idx & 0x7fffu;
	if (i < SMTP_CHUNK_MAX)
		t->chunk_reply[i] = code;
	bool last = (p->idx & 0x8000u) != 0;
	if (t->final_reply == 0 && (last || code / 100 != 2)) {
		t->final_reply = code;
		strcpy(t->final_enhanced, enh);
	}
}

static void on_quit(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                    uint16_t code, const char *enh)
{
	st->quit_reply = code;
}

static void on_starttls(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                        uint16_t code, const char *enh)
{
	st->starttls_reply = code;
	st->starttls = code == 220 ? SMTP_TLS_ACCEPTED : SMTP_TLS_REFUSED;
	if (st->cstate == SMTP_C_STARTTLS_WAIT)
		st->cstate = SMTP_C_CMD;
}

/* RFC 4954 4 and 6: 334 asks for one more response; 235 succeeds; 501
 * after the client's "*" confirms a cancel; anything else fails. */
static void on_auth(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                    uint16_t code, const char *enh)
{
	struct smtp_auth *a = p->idx < SMTP_AUTH_MAX ? &st->auth[p->idx] : NULL;
	if (code == 334) {
		if (a != NULL)
			a->rounds++;
		return;
	}
	if (a != NULL) {
		a->reply = code;
		strcpy(a->enhanced, enh);
		if (code / 100 == 2)
			a->result = SMTP_AUTH_SUCCESS;
		else if (code == 501 && a->cancel_sent)
			a->result = SMTP_AUTH_CANCELLED;
		else
			a->result = SMTP_AUTH_FAILURE;
	}
	if (code / 100 == 2)
		st->auth_ok = true;
	if (st->cstate == SMTP_C_AUTH)
		st->cstate = SMTP_C_CMD;
	st->auth_cur = -1;
}

static void on_nothing(struct pd_session *s, struct smtp_state *st, const struct smtp_pending *p,
                       uint16_t code, const char *enh)
{
}

static const smtp_reply_fn reply_fn[SMTP_K_COUNT] = {
	[SMTP_K_GREETING] = on_greeting,
	[SMTP_K_HELO] = on_helo,
	[SMTP_K_EHLO] = on_helo,
	[SMTP_K_MAIL] = on_mail,
	[SMTP_K_RCPT] = on_rcpt,
	[SMTP_K_DATA] = on_data,
	[SMTP_K_DATA_END] = on_data_end,
	[SMTP_K_BDAT] = on_bdat,
	[SMTP_K_RSET] = on_nothing,
	[SMTP_K_QUIT] = on_quit,
	[SMTP_K_STARTTLS] = on_starttls,
	[SMTP_K_AUTH] = on_auth,
	[SMTP_K_OTHER] = on_nothing,
	[SMTP_K_UNKNOWN] = on_nothing,
};

/* After lost bytes, replies to commands we never saw are expected: they are
 * counted but not reported as anomalies. */
static void unexpected(struct pd_session *s, struct smtp_state *st, const char *detail)
{
	st->unexpected_replies++;
	if (st->gaps == 0)
		smtp_anomaly(s, st, SMTP_A_UNEXPECTED_REPLY, detail);
}

/* First line of a reply: decide which pending command it answers. */
static void reply_begin(struct pd_session *s, struct smtp_state *st, const struct smtp_reply_line *r)
{
	st->in_reply = true;
	st->reply_code = r->code;
	st->reply_lines = 0;
	st->reply_matched = false;
	strcpy(st->reply_enhanced, r->enhanced);

	struct smtp_pending *h = smtp_queue_head(&st->q);
	if (h == NULL && st->cstate == SMTP_C_DATA_BODY && !st->data_speculative && r->code != 354) {
		/* The server answers the message while we are still inside it: it
		 * saw an end we did not (lost bytes, or an end-of-data look-alike
		 * it accepted). Its reading wins. */
		unexpected(s, st, "reply while the message data was still open");
		st->cstate = SMTP_C_CMD;
		if (st->cur_txn >= 0)
			st->txn[st->cur_txn].data_ended = true;
		smtp_cmd_queue(s, st, SMTP_K_DATA_END,
		               st->cur_txn >= 0 ? (unsigned)st->cur_txn : SMTP_NO_SLOT, 0);
		smtp_txn_client_done(s, st);
		h = smtp_queue_head(&st->q);
	}
	if (h == NULL) {
		if (!st->server_hunting && r->code != 421)
			unexpected(s, st, "reply with no pending command");
		return;
	}
	if (!reply_fits((enum smtp_kind)h->kind, r->code)) {
		/* Replies lost to a gap leave older commands unanswered: the first
		 * command this code can answer, a few places on, is the match. */
		size_t n = st->q.count < 8 ? st->q.count : 8;
		size_t found = 0;
		for (size_t i = 1; i < n && found == 0; i++)
			if (reply_fits((enum smtp_kind)smtp_queue_at(&st->q, i)->kind, r->code))
				found = i;
		unexpected(s, st, found ? "reply answers a later command" : "reply code does not fit the command");
		for (size_t i = 0; i < found; i++) {
			unsigned run = smtp_queue_head(&st->q)->count;
			for (unsigned k = 0; k < run; k++) {
				struct smtp_pending skipped = *smtp_queue_head(&st->q);
				smtp_queue_pop(&st->q);
				pending_done(s, st, &skipped);
			}
		}
		h = smtp_queue_head(&st->q);
	}
	st->reply_to = *h;
	st->reply_matched = true;
	if (h->kind == SMTP_K_GREETING)
		st->greeting_len = (uint16_t)smtp_copy(st->greeting_text, sizeof(st->greeting_text),
		                                       r->text, r->len);
	if (h->kind == SMTP_K_EHLO && r->code == 250)
		smtp_exts_clear(&st->ext);
}

/* Last line of a reply: apply it to its command. */
static void reply_done(struct pd_session *s, struct smtp_state *st)
{
	st->in_reply = false;
	if (st->reply_code == 421)
		st->closing_reply = 421;
	if (!st->reply_matched)
		return;
	struct smtp_pending p = st->reply_to;
	st->reply_matched = false;
	reply_fn[p.kind](s, st, &p, st->reply_code, st->reply_enhanced);
	if (p.kind == SMTP_K_AUTH && st->reply_code == 334)
		return; /* the exchange goes on; AUTH stays first in line */
	smtp_queue_pop(&st->q);
	pending_done(s, st, &p);
}

bool smtp_reply_line_in(struct pd_session *s, struct smtp_state *st, const struct ls_line *l)
{
	if (l->flags & LS_TAIL) {
		if (!(l->flags & LS_RESYNC))
			smtp_line_anomalies(s, st, l, "reply line");
		return false;
	}
	smtp_line_anomalies(s, st, l, "reply line");

	struct smtp_reply_line r;
	bool after_gap = st->server_after_gap;
	st->server_after_gap = false;
	if (!smtp_reply_parse(l->text, l->len, &r)) {
		if (!st->server_hunting && !after_gap)
			smtp_anomaly(s, st, SMTP_A_REPLY_MALFORMED, "reply line without a reply code");
		return false;
	}
	if (!st->in_reply)
		reply_begin(s, st, &r);
	else if (r.code != st->reply_code)
		smtp_anomaly(s, st, SMTP_A_REPLY_MALFORMED, "reply code changes inside a multi-line reply");
	st->reply_lines++;
	if (st->reply_matched && st->reply_to.kind == SMTP_K_EHLO && st->reply_code == 250 &&
	    st->reply_lines >= 2)
		smtp_exts_add(&st->ext, r.text, r.len);
	if (!r.last)
		return false;
	reply_done(s, st);

	if (st->starttls == SMTP_TLS_ACCEPTED && !st->upgraded) {
		/* RFC 3207 4: after the 220 both sides start TLS; nothing more is
		 * SMTP in the clear. */
		smtp_txn_flush_all(s, st, SMTP_INC_TLS);
		st->upgraded = true;
		return true;
	}
	return false;
}
