/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP client commands (RFC 5321 section 4.1.1) through one static table:
 * verb -> what the reply will answer (enum smtp_kind) -> handler. Also the
 * AUTH exchange lines (RFC 4954 section 4), which are dropped unread. */
#include "handlers/smtp.h"

#include <stdio.h>
#include <string.h>

struct smtp_cmd_def;
typedef void (*smtp_cmd_fn)(struct pd_session *s, struct smtp_state *st,
                            const struct smtp_cmd_def *d, const struct ls_line *l,
                            const uint8_t *arg, size_t arg_len);

struct smtp_cmd_def {
	const char *verb;
	uint8_t kind;    /* enum smtp_kind */
	smtp_cmd_fn fn;
};

static void cmd_helo(struct pd_session *, struct smtp_state *, const struct smtp_cmd_def *,
                     const struct ls_line *, const uint8_t *, size_t);
static void cmd_mail(struct pd_session *, struct smtp_state *, const struct smtp_cmd_def *,
                     const struct ls_line *, const uint8_t *, size_t);
static void cmd_rcpt(struct pd_session *, struct smtp_state *, const struct smtp_cmd_def *,
                     const struct ls_line *, const uint8_t *, size_t);
static void cmd_data(struct pd_session *, struct smtp_state *, const struct smtp_cmd_def *,
                     const struct ls_line *, const uint8_t *, size_t);
static void cmd_bdat(struct pd_session *, struct smtp_state *, const struct smtp_cmd_def *,
                     const struct ls_line *, const uint8_t *, size_t);
static void cmd_reset(struct pd_session *, struct smtp_state *, const struct smtp_cmd_def *,
                      const struct ls_line *, const uint8_t *, size_t);
static void cmd_starttls(struct pd_session *, struct smtp_state *, const struct smtp_cmd_def *,
                         const struct ls_line *, const uint8_t *, size_t);
static void cmd_auth(struct pd_session *, struct smtp_state *, const struct smtp_cmd_def *,
                     const struct ls_line *, const uint8_t *, size_t);
static void cmd_other(struct pd_session *, struct smtp_state *, const struct smtp_cmd_def *,
                      const struct ls_line *, const uint8_t *, size_t);

/* RFC 5321 4.1.1 and the extensions seen in the wild. Verbs compare
 * case-insensitively (RFC 5321 2.4). */
static const struct smtp_cmd_def smtp_cmds[] = {
	{ "EHLO", SMTP_K_EHLO, cmd_helo },
	{ "HELO", SMTP_K_HELO, cmd_helo },
	{ "MAIL", SMTP_K_MAIL, cmd_mail },
	{ "RCPT", SMTP_K_RCPT, cmd_rcpt },
	{ "DATA", SMTP_K_DATA, cmd_data },
	{ "BDAT", SMTP_K_BDAT, cmd_bdat },     /* RFC 3030 */
	{ "RSET", SMTP_K_RSET, cmd_reset },
	{ "QUIT", SMTP_K_QUIT, cmd_reset },
	{ "STARTTLS", SMTP_K_STARTTLS, cmd_starttls }, /* RFC 3207 */
	{ "AUTH", SMTP_K_AUTH, cmd_auth },     /* RFC 4954 */
	{ "NOOP", SMTP_K_OTHER, cmd_other },
	{ "VRFY", SMTP_K_OTHER, cmd_other },
	{ "EXPN", SMTP_K_OTHER, cmd_other },
	{ "HELP", SMTP_K_OTHER, cmd_other },
	{ "ETRN", SMTP_K_OTHER, cmd_other },   /* RFC 1985 */
	{ "ATRN", SMTP_K_OTHER, cmd_other },   /* RFC 2645 */
	{ "TURN", SMTP_K_OTHER, cmd_other },
	{ "SEND", SMTP_K_OTHER, cmd_other },
	{ "SOML", SMTP_K_OTHER, cmd_other },
	{ "SAML", SMTP_K_OTHER, cmd_other },
	{ "VERB", SMTP_K_OTHER, cmd_other },
	{ "ONEX", SMTP_K_OTHER, cmd_other },
	{ "XCLIENT", SMTP_K_OTHER, cmd_other },  /* Postfix */
	{ "XFORWARD", SMTP_K_OTHER, cmd_other }, /* Postfix */
	{ "XEXCH50", SMTP_K_OTHER, cmd_other },  /* Exchange */
	{ "X-EXPS", SMTP_K_OTHER, cmd_other },
	{ "X-LINK2STATE", SMTP_K_OTHER, cmd_other },
};

/* SASL mechanisms (IANA registry) named in events even when the server's
 * EHLO was not seen; anything else is reported as "other" so that a client
 * sending a blob where the mechanism belongs never has it logged. */
static const char *const smtp_known_mechs[] = {
	"PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "XOAUTH2", "OAUTHBEARER",
	"SCRAM-SHA-1", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS",
	"SCRAM-SHA-512", "SCRAM-SHA-512-PLUS", "GSSAPI", "GS2-KRB5", "NTLM",
	"EXTERNAL", "ANONYMOUS", "SRP", "OTP", "KERBEROS_V4", "XOAUTH",
};

static const struct smtp_cmd_def *cmd_lookup(const uint8_t *verb, size_t n)
{
	for (size_t i = 0; i < sizeof(smtp_cmds) / sizeof(smtp_cmds[0]); i++)
		if (smtp_ieq(verb, n, smtp_cmds[i].verb))
			return &smtp_cmds[i];
	return NULL;
}

void smtp_cmd_queue(struct pd_session *s, struct smtp_state *st, enum smtp_kind kind,
                    unsigned slot, unsigned idx)
{
	struct smtp_txn *t = NULL;
	struct smtp_pending p = { (uint8_t)kind, (uint8_t)slot, (uint16_t)idx, 0, 1, false };
	/* Recipients and chunks are numbered: a run of them shares an entry. */
	p.seq = (kind == SMTP_K_RCPT && idx != 0xffffu) || (kind == SMTP_K_BDAT && !(idx & 0x8000u));

	if (slot < SMTP_TXN_SLOTS && st->txn[slot].used) {
		t = &st->txn[slot];
		p.gen = t->gen;
	} else {
		p.slot = SMTP_NO_SLOT;
	}
	/* RFC 2920: a command sent while an earlier one still waits for its
	 * reply is pipelined (the greeting counts: talking first is too). */
	if (smtp_queue_len(&st->q) > 0) {
		st->pipelining_used = true;
		if (t != NULL)
			t->pipelined = true;
	}
	if (!smtp_queue_push(&st->q, &p)) {
		if (st->q.overflow == 1)
			smtp_anomaly(s, st, SMTP_A_PIPELINE_OVERFLOW, "more pending commands than tracked");
		return;
	}
	if (t != NULL)
		t->pending++;
	st->server_hunting = false;
}

static void cmd_other(struct pd_session *s, struct smtp_state *st, const struct smtp_cmd_def *d,
                      const struct ls_line *l, const uint8_t *arg, size_t arg_len)
{
	smtp_cmd_queue(s, st, (enum smtp_kind)d->kind, SMTP_NO_SLOT, 0);
}

/* RFC 5321 4.1.1.1; an EHLO/HELO also resets any transaction (4.1.4). */
static void cmd_helo(struct pd_session *s, struct smtp_state *st, const struct smtp_cmd_def *d,
                     const struct ls_line *l, const uint8_t *arg, size_t arg_len)
{
	smtp_txn_client_done(s, st);
	unsigned i = st->helo_n < SMTP_HELO_MAX ? st->helo_n++ : SMTP_HELO_MAX - 1;
	struct smtp_helo *h = &st->helo[i];
	memset(h, 0, sizeof(*h));
	smtp_copy(h->command, sizeof(h->command), l->text, 4);
	while (arg_len > 0 && (arg[arg_len - 1] == ' ' || arg[arg_len - 1] == '\t'))
		arg_len--;
	h->name_len = (uint16_t)smtp_copy(h->name, sizeof(h->name), arg, arg_len);
	st->helo_cur = (int8_t)i;
	st->helo_count++;
	smtp_cmd_queue(s, st, (enum smtp_kind)d->kind, SMTP_NO_SLOT, i);
}

static void cmd_mail(struct pd_session *s, struct smtp_state *st, const struct smtp_cmd_def *d,
                     const struct ls_line *l, const uint8_t *arg, size_t arg_len)
{
	if (st->cur_txn >= 0) {
		const struct smtp_txn *o = &st->txn[st->cur_txn];
		if (o->have_mail && (o->mail_reply == 0 || o->mail_reply / 100 == 2))
			smtp_anomaly(s, st, SMTP_A_NESTED_MAIL, "MAIL inside an open transaction");
		smtp_txn_client_done(s, st);
	}
	int slot = smtp_txn_open(s, st);
	struct smtp_txn *t = &st->txn[slot];
	struct smtp_path p;
	t->have_mail = true;
	if (smtp_path_parse(arg, arg_len, "FROM", &p)) {
		t->mail_from_len = (uint16_t)smtp_copy(t->mail_from, sizeof(t->mail_from), p.addr, p.addr_len);
		t->from_truncated = p.addr_len > SMTP_PATH_MAX;
		t->mail_params_len = (uint16_t)smtp_copy(t->mail_params, sizeof(t->mail_params),
		                                         p.params, p.params_len);
	}
	smtp_cmd_queue(s, st, SMTP_K_MAIL, (unsigned)slot, 0);
}

static size_t pool_put(struct smtp_txn *t, const uint8_t *p, size_t n, uint16_t *off)
{
	size_t room = SMTP_RCPT_POOL - t->pool_used;
	if (n > room)
		n = room;
	*off = t->pool_used;
	if (n > 0)
		memcpy(t->pool + t->pool_used, p, n);
	t->pool_used = (uint16_t)(t->pool_used + n);
	return n;
}

static void cmd_rcpt(struct pd_session *s, struct smtp_state *st, const struct smtp_cmd_def *d,
                     const struct ls_line *l, const uint8_t *arg, size_t arg_len)
{
	if (st->cur_txn < 0) {
		/* RCPT before MAIL: the server answers 503; nothing to attach. */
		smtp_cmd_queue(s, st, SMTP_K_RCPT, SMTP_NO_SLOT, 0);
		return;
	}
	struct smtp_txn *t = &st->txn[st->cur_txn];
	struct smtp_path p;
	unsigned idx = 0xffffu;
	t->rcpt_count++;
	if (t->rcpt_kept < SMTP_RCPT_MAX && smtp_path_parse(arg, arg_len, "TO", &p)) {
		struct smtp_rcpt *r = &t->rcpt[t->rcpt_kept];
		memset(r, 0, sizeof(*r));
		size_t alen = p.addr_len > SMTP_PATH_MAX ? SMTP_PATH_MAX : p.addr_len;
		r->addr_len = (uint16_t)pool_put(t, p.addr, alen, &r->addr_off);
		size_t plen = p.params_len > SMTP_PARAMS_MAX ? SMTP_PARAMS_MAX : p.params_len;
		r->par_len = (uint16_t)pool_put(t, p.params, plen, &r->par_off);
		idx = t->rcpt_kept++;
	}
	smtp_cmd_queue(s, st, SMTP_K_RCPT, (unsigned)st->cur_txn, idx);
}

/* DATA or BDAT outside a transaction still moves octets: keep a record. */
static struct smtp_txn *data_txn(struct pd_session *s, struct smtp_state *st)
{
	if (st->cur_txn < 0)
		smtp_txn_open(s, st);
	return &st->txn[st->cur_txn];
}

static void cmd_data(struct pd_session *s, struct smtp_state *st, const struct smtp_cmd_def *d,
                     const struct ls_line *l, const uint8_t *arg, size_t arg_len)
{
	struct smtp_txn *t = data_txn(s, st);
	t->data_cmd = SMTP_DATA_DATA;
	t->message_size = t->wire_bytes = 0;
	t->stuffed_lines = 0;
	t->data_reply = 0;
	st->cstate = SMTP_C_DATA_WAIT;
	/* The DATA line's own terminator precedes the first message line. */
	st->data_prev_crlf = (l->flags & LS_CRLF) != 0;
	st->data_speculative = false;
	smtp_cmd_queue(s, st, SMTP_K_DATA, (unsigned)st->cur_txn, 0);
}

/* RFC 3030 2: "BDAT" SP chunk-size [ SP end-marker ], end-marker = "LAST". */
static void cmd_bdat(struct pd_session *s, struct smtp_state *st, const struct smtp_cmd_def *d,
                     const struct ls_line *l, const uint8_t *arg, size_t arg_len)
{
	struct pcur c = pcur_make(arg, arg_len);
	const uint8_t *num = pcur_ptr(&c);
	size_t n = 0;
	while (n < pcur_left(&c) && num[n] >= '0' && num[n] <= '9')
		n++;
	uint64_t size;
	if (!smtp_parse_u64(num, n, &size)) {
		smtp_cmd_queue(s, st, SMTP_K_OTHER, SMTP_NO_SLOT, 0); /* 501, no chunk follows */
		return;
	}
	pcur_skip(&c, n);
	while (pcur_peek(&c, 0) == ' ')
		pcur_skip(&c, 1);
	size_t rest = pcur_left(&c);
	while (rest > 0 && pcur_ptr(&c)[rest - 1] == ' ')
		rest--;
	bool last = rest > 0 && smtp_ieq(pcur_ptr(&c), rest, "LAST");
	if (rest > 0 && !last) {
		smtp_cmd_queue(s, st, SMTP_K_OTHER, SMTP_NO_SLOT, 0);
		return;
	}

	struct smtp_txn *t = data_txn(s, st);
	if (t->data_cmd != SMTP_DATA_BDAT) {
		t->data_cmd = SMTP_DATA_BDAT;
		t->message_size = t->wire_bytes = 0;
	}
	t->data_started = true;
	unsigned idx = t->chunks < 0x7fffu ? t->chunks : 0x7fffu;
	if (t->chunks < SMTP_CHUNK_MAX)
		t->chunk[t->chunks] = size;
	t->chunks++;
	t->message_size += size;
	t->wire_bytes += size;
	unsigned slot = (unsigned)st->cur_txn;
	smtp_cmd_queue(s, st, SMTP_K_BDAT, slot, idx | (last ? 0x8000u : 0u));
	st->bdat_slot = (uint8_t)slot;
	st->bdat_gen = t->gen;
	if (last) {
		t->bdat_last = true;
		t->data_ended = true;
		smtp_txn_client_done(s, st);
	}
	/* The chunk's octets follow whatever the server answers (RFC 3030 2:
	 * they are never commands). */
	st->bdat_left = size;
	if (size > 0)
		st->cstate = SMTP_C_BDAT;
}

/* RSET (RFC 5321 4.1.1.5) and QUIT (4.1.1.10) both end a transaction. */
static void cmd_reset(struct pd_session *s, struct smtp_state *st, const struct smtp_cmd_def *d,
                      const struct ls_line *l, const uint8_t *arg, size_t arg_len)
{
	smtp_txn_client_done(s, st);
	if (d->kind == SMTP_K_QUIT)
		st->quit_sent = true;
	smtp_cmd_queue(s, st, (enum smtp_kind)d->kind, SMTP_NO_SLOT, 0);
}

static void cmd_starttls(struct pd_session *s, struct smtp_state *st, const struct smtp_cmd_def *d,
                         const struct ls_line *l, const uint8_t *arg, size_t arg_len)
{
	st->starttls = SMTP_TLS_WAITING;
	st->cstate = SMTP_C_STARTTLS_WAIT;
	smtp_cmd_queue(s, st, SMTP_K_STARTTLS, SMTP_NO_SLOT, 0);
}

static void auth_mechanism(const struct smtp_state *st, const uint8_t *p, size_t n, char out[SMTP_MECH_MAX])
{
	char up[SMTP_MECH_MAX];
	out[0] = '\0';
	if (n == 0)
		return;
	if (n >= SMTP_MECH_MAX) {
		strcpy(out, "other");
		return;
	}
	for (size_t i = 0; i < n; i++)
		up[i] = (char)((p[i] >= 'a' && p[i] <= 'z') ? p[i] - ('a' - 'A') : p[i]);
	up[n] = '\0';
	for (size_t i = 0; i < sizeof(smtp_known_mechs) / sizeof(smtp_known_mechs[0]); i++) {
		if (strcmp(up, smtp_known_mechs[i]) == 0) {
			strcpy(out, up);
			return;
		}
	}
	if (smtp_exts_has_mech(&st->ext, up))
		strcpy(out, up);
	else
		strcpy(out, "other");
}

/* RFC 4954 4: "AUTH" SP sasl-mech [SP initial-response]. The initial
 * response is only noted as present; its bytes are never copied. */
static void cmd_auth(struct pd_session *s, struct smtp_state *st, const struct smtp_cmd_def *d,
                     const struct ls_line *l, const uint8_t *arg, size_t arg_len)
{
	unsigned i = st->auth_n < SMTP_AUTH_MAX ? st->auth_n++ : SMTP_AUTH_MAX - 1;
	struct smtp_auth *a = &st->auth[i];
	memset(a, 0, sizeof(*a));
	size_t m = 0;
	while (m < arg_len && arg[m] != ' ')
		m++;
	auth_mechanism(st, arg, m, a->mechanism);
	size_t r = m;
	while (r < arg_len && arg[r] == ' ')
		r++;
	a->initial_response = r < arg_len;
	st->auth_count++;
	st->auth_cur = (int8_t)i;
	st->cstate = SMTP_C_AUTH;
	smtp_cmd_queue(s, st, SMTP_K_AUTH, SMTP_NO_SLOT, i);
}

/* Splits "VERB args": verb up to the first space. */
static void split_verb(const struct ls_line *l, size_t *vlen, const uint8_t **arg, size_t *alen)
{
	size_t v = 0;
	while (v < l->len && l->text[v] != ' ')
		v++;
	size_t a = v;
	while (a < l->len && l->text[a] == ' ')
		a++;
	*vlen = v;
	*arg = l->text + a;
	*alen = l->len - a;
}

/* While resynchronising, only a line with a command's full syntax counts:
 * message text such as "Data follows" must not pass for DATA. */
static bool hunt_ok(const struct smtp_cmd_def *d, const struct ls_line *l, size_t vlen,
                    const uint8_t *arg, size_t alen)
{
	struct smtp_path p;
	switch (d->kind) {
	case SMTP_K_EHLO:
	case SMTP_K_HELO:
	case SMTP_K_AUTH:
		return alen > 0;
	case SMTP_K_MAIL:
		return smtp_path_parse(arg, alen, "FROM", &p) && p.bracketed;
	case SMTP_K_RCPT:
		return smtp_path_parse(arg, alen, "TO", &p) && p.bracketed;
	case SMTP_K_BDAT:
		return alen > 0 && arg[0] >= '0' && arg[0] <= '9';
	case SMTP_K_DATA:
	case SMTP_K_RSET:
	case SMTP_K_QUIT:
	case SMTP_K_STARTTLS:
		return vlen == l->len;
	default:
		return false;
	}
}

void smtp_cmd_line(struct pd_session *s, struct smtp_state *st, const struct ls_line *l)
{
	if (l->flags & LS_TAIL) {
		/* End of an over-long line (already answered for) or of the
		 * partial line after a gap: only its terminator matters. */
		if (!(l->flags & LS_RESYNC))
			smtp_line_anomalies(s, st, l, "command line");
		return;
	}
	if (!st->client_hunting)
		smtp_line_anomalies(s, st, l, "command line");

	size_t vlen, alen;
	const uint8_t *arg;
	split_verb(l, &vlen, &arg, &alen);
	const struct smtp_cmd_def *d = cmd_lookup(l->text, vlen);

	if (st->client_hunting) {
		/* Mid-stream or after a gap: wait for a line that is surely a
		 * command. A lone "." ends a message we joined late. */
		if (l->len == 1 && l->text[0] == '.' && (l->flags & LS_CRLF)) {
			st->client_hunting = false;
			smtp_cmd_queue(s, st, SMTP_K_DATA_END, SMTP_NO_SLOT, 0);
			return;
		}
		if (d == NULL || (l->flags & LS_TOO_LONG) || !hunt_ok(d, l, vlen, arg, alen))
			return;
		st->client_hunting = false;
	}
	st->commands++;
	if (!st->greeting_seen && !st->partial)
		st->client_first = true;
	if (l->flags & LS_TOO_LONG) {
		/* Not interpreted: a truncated path or size would be wrong. The
		 * server still answers it, so it keeps its place in the queue. */
		smtp_cmd_queue(s, st, SMTP_K_UNKNOWN, SMTP_NO_SLOT, 0);
		return;
	}
	if (d == NULL) {
		char detail[64];
		/* The verb itself is not logged: a desynchronised AUTH exchange
		 * would put a credential here. */
		snprintf(detail, sizeof(detail), "unknown command verb of %zu octets", vlen);
		smtp_anomaly(s, st, SMTP_A_UNKNOWN_COMMAND, detail);
		smtp_cmd_queue(s, st, SMTP_K_UNKNOWN, SMTP_NO_SLOT, 0);
		return;
	}
	d->fn(s, st, d, l, arg, alen);
}

static bool is_b64(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

void smtp_auth_line(struct pd_session *s, struct smtp_state *st, const struct ls_line *l)
{
	if (l->flags & (LS_TAIL | LS_TOO_LONG))
		return;
	/* A SASL response is base64 (RFC 4954 4) or "*". A line with other
	 * characters that starts with a known verb means the exchange ended
	 * and its reply was lost: go back to commands. */
	size_t i = 0;
	while (i < l->len && is_b64(l->text[i]))
		i++;
	if (i < l->len && !(l->len == 1 && l->text[0] == '*')) {
		size_t vlen, alen;
		const uint8_t *arg;
		split_verb(l, &vlen, &arg, &alen);
		if (vlen < l->len && cmd_lookup(l->text, vlen) != NULL) {
			st->cstate = SMTP_C_CMD;
			st->auth_cur = -1;
			smtp_cmd_line(s, st, l);
			return;
		}
	}
	if (st->auth_cur >= 0 && l->len == 1 && l->text[0] == '*')
		st->auth[st->auth_cur].cancel_sent = true;
}
