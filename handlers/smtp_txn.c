/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP mail transactions (RFC 5321 section 3.3): slots for transactions in
 * flight, message data after DATA counted line by line with dot-unstuffing
 * and end-of-data detection (RFC 5321 4.5.2, 4.1.1.4), BDAT chunks counted
 * as octets (RFC 3030 section 2). Message bytes are never kept. */
#include "handlers/smtp.h"

#include <stdio.h>
#include <string.h>

struct smtp_txn *smtp_txn_get(struct smtp_state *st, unsigned slot, uint32_t gen)
{
	if (slot >= SMTP_TXN_SLOTS || !st->txn[slot].used || st->txn[slot].gen != gen)
		return NULL;
	return &st->txn[slot];
}

static void txn_emit(struct pd_session *s, struct smtp_state *st, struct smtp_txn *t)
{
	smtp_event_txn(s, st, t);
	t->used = false;
}

/* A free slot; when every slot is in flight the oldest one is written out
 * as it stands (its missing replies can no longer be attributed). */
int smtp_txn_open(struct pd_session *s, struct smtp_state *st)
{
	int slot = -1;
	for (unsigned i = 0; i < SMTP_TXN_SLOTS; i++) {
		if (!st->txn[i].used) {
			slot = (int)i;
			break;
		}
	}
	if (slot < 0) {
		slot = 0;
		for (unsigned i = 1; i < SMTP_TXN_SLOTS; i++)
			if (st->txn[i].id < st->txn[slot].id)
				slot = (int)i;
		struct smtp_txn *o = &st->txn[slot];
		if (o->incomplete == SMTP_INC_NONE)
			o->incomplete = SMTP_INC_NO_REPLY;
		txn_emit(s, st, o);
	}
	struct smtp_txn *t = &st->txn[slot];
	memset(t, 0, sizeof(*t));
	t->used = true;
	t->gen = ++st->txn_gen;
	t->id = ++st->txn_count;
	t->helo_idx = st->helo_cur;
	t->auth_idx = st->auth_n > 0 ? (int8_t)(st->auth_n - 1) : -1;
	st->cur_txn = (int8_t)slot;
	return slot;
}

void smtp_txn_settle(struct pd_session *s, struct smtp_state *st, unsigned slot)
{
	if (slot >= SMTP_TXN_SLOTS)
		return;
	struct smtp_txn *t = &st->txn[slot];
	if (t->used && t->client_done && t->pending == 0)
		txn_emit(s, st, t);
}

void smtp_txn_client_done(struct pd_session *s, struct smtp_state *st)
{
	if (st->cur_txn < 0)
		return;
	unsigned slot = (unsigned)st->cur_txn;
	st->txn[slot].client_done = true;
	st->cur_txn = -1;
	smtp_txn_settle(s, st, slot);
}

/* Writes out every open transaction, oldest first. */
void smtp_txn_flush_all(struct pd_session *s, struct smtp_state *st, enum smtp_incomplete why)
{
	for (;;) {
		struct smtp_txn *o = NULL;
		for (unsigned i = 0; i < SMTP_TXN_SLOTS; i++)
			if (st->txn[i].used && (o == NULL || st->txn[i].id < o->id))
				o = &st->txn[i];
		if (o == NULL)
			break;
		bool data_open = o->data_started && o->final_reply == 0;
		if (o->incomplete == SMTP_INC_NONE && (o->pending > 0 || data_open))
			o->incomplete = (uint8_t)why;
		txn_emit(s, st, o);
	}
	st->cur_txn = -1;
}

void smtp_data_begin(struct smtp_state *st)
{
	st->cstate = SMTP_C_DATA_BODY;
	if (st->cur_txn >= 0)
		st->txn[st->cur_txn].data_started = true;
}

void smtp_data_dropped(struct smtp_state *st, size_t n)
{
	if (st->cur_txn < 0)
		return;
	st->txn[st->cur_txn].message_size += n;
	st->txn[st->cur_txn].wire_bytes += n;
}

static const char *brk_name(int kind)
{
	return kind == 0 ? "<CR><LF>" : kind == 1 ? "<LF>" : "<CR>";
}

/* An end-of-data look-alike: a '.' between two line breaks of any kind
 * (CRLF, bare LF, bare CR) other than the real CRLF.CRLF. Servers that
 * accept one of these as the end let a second message hide inside the
 * first (SMTP smuggling). Break kinds: 0 CRLF, 1 LF, 2 CR. */
static bool eod_lookalike(const struct ls_line *l, bool prev_crlf, char *detail, size_t dlen)
{
	const uint8_t *t = l->text;
	size_t n = l->len;
	int end_kind = (l->flags & LS_CRLF) ? 0 : 1;
	int before = -1, after = -1;

	if (n > 0 && t[0] == '.') {
		before = prev_crlf ? 0 : 1;
		if (n == 1)
			after = end_kind;
		else if (t[1] == '\r')
			after = 2;
		if (after >= 0 && !(before == 0 && after == 0)) {
			snprintf(detail, dlen, "%s.%s inside message data", brk_name(before), brk_name(after));
			return true;
		}
	}
	if (!(l->flags & LS_BARE_CR))
		return false;
	for (size_t j = 0; j + 1 < n; j++) {
		if (t[j] != '\r' || t[j + 1] != '.')
			continue;
		if (j + 2 == n)
			after = end_kind;
		else if (t[j + 2] == '\r')
			after = 2;
		else
			continue;
		snprintf(detail, dlen, "<CR>.%s inside message data", brk_name(after));
		return true;
	}
	return false;
}

void smtp_data_line(struct pd_session *s, struct smtp_state *st, const struct ls_line *l)
{
	struct smtp_txn *t = st->cur_txn >= 0 ? &st->txn[st->cur_txn] : NULL;
	char detail[64];

	if (!(l->flags & LS_RESYNC))
		smtp_line_anomalies(s, st, l, "message data");
	if (l->flags & (LS_TAIL | LS_TOO_LONG)) {
		bool stuffed = (l->flags & LS_TOO_LONG) && l->text[0] == '.';
		if (t != NULL) {
			t->wire_bytes += l->consumed;
			t->message_size += l->consumed - (stuffed ? 1u : 0u);
			t->stuffed_lines += stuffed ? 1u : 0u;
		}
		if (l->flags & LS_TAIL)
			st->data_prev_crlf = (l->flags & LS_CRLF) != 0;
		else
			st->data_prev_crlf = false;
		return;
	}

	bool crlf = (l->flags & LS_CRLF) != 0;
	if (l->len == 1 && l->text[0] == '.' && crlf && st->data_prev_crlf) {
		/* RFC 5321 4.1.1.4: CRLF "." CRLF ends the message; the CRLF
		 * before the dot belongs to the message. */
		st->cstate = SMTP_C_CMD;
		st->data_speculative = false;
		if (t != NULL) {
			t->wire_bytes += l->consumed;
			t->data_ended = true;
		}
		smtp_cmd_queue(s, st, SMTP_K_DATA_END, t != NULL ? (unsigned)st->cur_txn : SMTP_NO_SLOT, 0);
		smtp_txn_client_done(s, st);
		return;
	}
	bool lookalike = eod_lookalike(l, st->data_prev_crlf, detail, sizeof(detail));
	if (lookalike)
		smtp_anomaly(s, st, SMTP_A_SMUGGLING_EOD, detail);
	/* RFC 5321 4.5.2: a leading dot on a line with more text was doubled
	 * by the client and is not part of the message. */
	bool stuffed = l->len > 1 && l->text[0] == '.';
	if (t != NULL) {
		t->wire_bytes += l->consumed;
		t->message_size += l->consumed - (stuffed ? 1u : 0u);
		t->stuffed_lines += stuffed ? 1u : 0u;
	}
	st->data_prev_crlf = crlf;
}

size_t smtp_bdat_take(struct smtp_state *st, size_t avail)
{
	size_t n = st->bdat_left < avail ? (size_t)st->bdat_left : avail;
	st->bdat_left -= n;
	if (st->bdat_left == 0)
		st->cstate = SMTP_C_CMD;
	return n;
}

static void mark_gap(struct smtp_txn *t, uint64_t lost)
{
	if (t == NULL)
		return;
	t->lost_bytes += lost;
	t->incomplete = SMTP_INC_GAP;
}

/* Bytes of the client direction were lost. Inside a BDAT chunk the octet
 * count keeps the position exact; inside message data the lines just go on
 * (a lost final dot is recovered from the server's reply); elsewhere the
 * parser waits for a line that is surely a command. */
void smtp_txn_gap(struct smtp_state *st, size_t lost)
{
	struct smtp_txn *cur = st->cur_txn >= 0 ? &st->txn[st->cur_txn] : NULL;

	switch (st->cstate) {
	case SMTP_C_BDAT: {
		uint64_t in = lost < st->bdat_left ? lost : st->bdat_left;
		mark_gap(smtp_txn_get(st, st->bdat_slot, st->bdat_gen), in);
		st->bdat_left -= in;
		if (st->bdat_left == 0)
			st->cstate = SMTP_C_CMD;
		if (lost > in) {
			st->client_hunting = true;
			st->server_hunting = true;
		}
		return;
	}
	case SMTP_C_DATA_BODY:
	case SMTP_C_DATA_WAIT:
		mark_gap(cur, lost);
		st->data_prev_crlf = false;
		return;
	default:
		/* No resync of the splitter: the next line may be a fragment or a
		 * whole command; hunting only accepts a command's full syntax. */
		if (cur != NULL)
			cur->incomplete = SMTP_INC_GAP;
		st->client_hunting = true;
		st->server_hunting = true;
		return;
	}
}
