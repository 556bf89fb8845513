/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP events: one "transaction" record per mail transaction (RFC 5321 3.3)
 * and one "session" record at the end (greeting, EHLO extensions, RFC 3207
 * STARTTLS, RFC 4954 AUTH outcome, how it ended). Field reference:
 * docs/events.d/smtp.md. No credential ever reaches these functions. */
#include "handlers/smtp.h"

#include <string.h>
#include <strings.h>

static const char *const auth_result_name[] = {
	[SMTP_AUTH_PENDING] = "no_reply",
	[SMTP_AUTH_SUCCESS] = "success",
	[SMTP_AUTH_FAILURE] = "failure",
	[SMTP_AUTH_CANCELLED] = "cancelled",
};

static const char *const incomplete_name[] = {
	[SMTP_INC_NONE] = "",
	[SMTP_INC_GAP] = "gap",
	[SMTP_INC_CLOSED] = "closed",
	[SMTP_INC_TLS] = "tls",
	[SMTP_INC_NO_REPLY] = "no_reply",
};

static void code_or_null(struct pd_event *e, const char *key, uint16_t code)
{
	if (code != 0)
		pd_event_uint(e, key, code);
	else
		pd_event_null(e, key);
}

static void str_if(struct pd_event *e, const char *key, const char *v)
{
	if (v[0] != '\0')
		pd_event_str(e, key, v);
}

/* The keyword as shown: upper-cased (case-insensitive, RFC 5321 2.4), cut
 * at a NUL (the event key is a C string) and at 32 characters. */
static size_t param_name(const uint8_t *k, size_t kl, char up[33])
{
	size_t m = 0;
	while (m < kl && m < 32 && k[m] != '\0') {
		up[m] = (char)((k[m] >= 'a' && k[m] <= 'z') ? k[m] - ('a' - 'A') : k[m]);
		m++;
	}
	up[m] = '\0';
	return m;
}

/* Whether a keyword shown as `up` already appeared before `here` in the list:
 * a repeated keyword is shown once (first wins) so the object keeps unique
 * keys (RFC 8259 4: names SHOULD be unique; jq and most parsers keep one).
 * Compared as shown, so keywords that differ only after a NUL or past 32
 * characters count as repeats too. */
static bool param_seen(const uint8_t *p, size_t n, const uint8_t *here, const char *up)
{
	struct smtp_param_iter it;
	const uint8_t *k, *v;
	size_t kl, vl;
	char prev[33];

	smtp_params_begin(&it, p, n);
	while (smtp_params_next(&it, &k, &kl, &v, &vl) && k < here)
		if (param_name(k, kl, prev) > 0 && strcmp(prev, up) == 0)
			return true;
	return false;
}

/* esmtp-params as an object: keyword upper-cased (they are
 * case-insensitive, RFC 5321 2.4), value as sent or true without '='. The
 * AUTH= value (RFC 4954 5) names the authenticated submitter, so only "<>"
 * is shown; any identity is replaced by "<redacted>". */
static void params_object(struct pd_event *e, const char *key, const uint8_t *p, size_t n)
{
	struct smtp_param_iter it;
	const uint8_t *k, *v;
	size_t kl, vl;

	pd_event_object_open(e, key);
	smtp_params_begin(&it, p, n);
	while (smtp_params_next(&it, &k, &kl, &v, &vl)) {
		char up[33];
		if (param_name(k, kl, up) == 0 || param_seen(p, n, k, up))
			continue;
		if (v == NULL)
			pd_event_bool(e, up, true);
		else if (strcmp(up, "AUTH") == 0 && !(vl == 2 && v[0] == '<' && v[1] == '>'))
			pd_event_str(e, up, "<redacted>");
		else
			pd_event_bytes(e, up, v, vl);
	}
	pd_event_object_close(e);
}

static void auth_object(struct pd_event *e, const char *key, const struct smtp_auth *a)
{
	pd_event_object_open(e, key);
	if (a->mechanism[0] != '\0')
		pd_event_str(e, "mechanism", a->mechanism);
	else
		pd_event_null(e, "mechanism");
	pd_event_bool(e, "initial_response", a->initial_response);
	pd_event_uint(e, "rounds", a->rounds);
	pd_event_str(e, "result", auth_result_name[a->result]);
	code_or_null(e, "reply", a->reply);
	str_if(e, "enhanced", a->enhanced);
	pd_event_object_close(e);
}

static void data_object(struct pd_event *e, const struct smtp_txn *t)
{
	if (t->data_cmd == SMTP_DATA_NONE) {
		pd_event_null(e, "data");
		return;
	}
	pd_event_object_open(e, "data");
	if (t->data_cmd == SMTP_DATA_DATA) {
		pd_event_str(e, "command", "DATA");
		code_or_null(e, "reply", t->data_reply);
	} else {
		pd_event_str(e, "command", "BDAT");
		unsigned kept = t->chunks < SMTP_CHUNK_MAX ? t->chunks : SMTP_CHUNK_MAX;
		pd_event_array_open(e, "chunks");
		for (unsigned i = 0; i < kept; i++)
			pd_event_uint(e, NULL, t->chunk[i]);
		pd_event_array_close(e);
		pd_event_array_open(e, "chunk_replies");
		for (unsigned i = 0; i < kept; i++)
			code_or_null(e, NULL, t->chunk_reply[i]);
		pd_event_array_close(e);
		pd_event_uint(e, "chunk_count", t->chunks);
		pd_event_bool(e, "last", t->bdat_last);
	}
	if (t->data_started) {
		pd_event_uint(e, "message_size", t->message_size);
		pd_event_uint(e, "bytes_on_wire", t->wire_bytes);
		if (t->data_cmd == SMTP_DATA_DATA)
			pd_event_uint(e, "dot_stuffed_lines", t->stuffed_lines);
	}
	if (t->lost_bytes > 0)
		pd_event_uint(e, "lost_bytes", t->lost_bytes);
	code_or_null(e, "final_reply", t->final_reply);
	str_if(e, "final_enhanced", t->final_enhanced);
	pd_event_bool(e, "incomplete", t->data_started && t->final_reply == 0);
	pd_event_object_close(e);
}

void smtp_event_txn(struct pd_session *s, const struct smtp_state *st, const struct smtp_txn *t)
{
	struct pd_event *e = pd_event_begin(s, "smtp");
	if (e == NULL)
		return;
	pd_event_str(e, "type", "transaction");
	pd_event_uint(e, "tx_id", t->id);
	if (t->helo_idx >= 0)
		pd_event_bytes(e, "helo", (const uint8_t *)st->helo[t->helo_idx].name,
		               st->helo[t->helo_idx].name_len);
	if (t->have_mail) {
		pd_event_bytes(e, "mail_from", (const uint8_t *)t->mail_from, t->mail_from_len);
		params_object(e, "mail_params", (const uint8_t *)t->mail_params, t->mail_params_len);
		code_or_null(e, "mail_reply", t->mail_reply);
		str_if(e, "mail_enhanced", t->mail_enhanced);
	} else {
		pd_event_null(e, "mail_from");
	}

	bool any_params = false;
	pd_event_array_open(e, "rcpt_to");
	for (unsigned i = 0; i < t->rcpt_kept; i++) {
		pd_event_bytes(e, NULL, (const uint8_t *)t->pool + t->rcpt[i].addr_off, t->rcpt[i].addr_len);
		any_params |= t->rcpt[i].par_len > 0;
	}
	pd_event_array_close(e);
	pd_event_array_open(e, "rcpt_replies");
	for (unsigned i = 0; i < t->rcpt_kept; i++)
		code_or_null(e, NULL, t->rcpt[i].reply);
	pd_event_array_close(e);
	if (any_params) {
		pd_event_array_open(e, "rcpt_params");
		for (unsigned i = 0; i < t->rcpt_kept; i++)
			params_object(e, NULL, (const uint8_t *)t->pool + t->rcpt[i].par_off, t->rcpt[i].par_len);
		pd_event_array_close(e);
	}
	pd_event_uint(e, "rcpt_count", t->rcpt_count);
	pd_event_uint(e, "rcpt_accepted", t->rcpt_accepted);
	if (t->rcpt_count > t->rcpt_kept)
		pd_event_bool(e, "rcpt_truncated", true);

	data_object(e, t);
	if (t->auth_idx >= 0)
		auth_object(e, "auth", &st->auth[t->auth_idx]);
	pd_event_bool(e, "tls", false);
	pd_event_bool(e, "pipelined", t->pipelined);
	pd_event_bool(e, "submission_without_auth", t->without_auth);
	pd_event_bool(e, "incomplete", t->incomplete != SMTP_INC_NONE);
	if (t->incomplete != SMTP_INC_NONE)
		pd_event_str(e, "incomplete_reason", incomplete_name[t->incomplete]);
	pd_event_emit(e);
}

static void greeting_object(struct pd_event *e, const struct smtp_state *st)
{
	if (!st->greeting_seen) {
		pd_event_null(e, "greeting");
		return;
	}
	const uint8_t *t = (const uint8_t *)st->greeting_text;
	char enh[SMTP_ENH_MAX];
	/* "554 5.3.2 mx.example.net ...": the name follows the status code. */
	size_t at = smtp_enhanced_parse(t, st->greeting_len, enh);
	while (at < st->greeting_len && t[at] == ' ')
		at++;
	size_t w = at;
	while (w < st->greeting_len && t[w] != ' ')
		w++;
	pd_event_object_open(e, "greeting");
	pd_event_uint(e, "code", st->greeting_code);
	pd_event_bytes(e, "text", t, st->greeting_len);
	/* RFC 5321 4.3.1: the greeting starts with the server's name. */
	pd_event_bytes(e, "server_name", t + at, w - at);
	pd_event_uint(e, "lines", st->greeting_lines);
	pd_event_bool(e, "no_service", st->greeting_code == 554);
	pd_event_object_close(e);
}

static void extensions_array(struct pd_event *e, const struct smtp_exts *x)
{
	pd_event_array_open(e, "extensions");
	for (unsigned i = 0; i < x->n; i++) {
		const struct smtp_ext *k = &x->e[i];
		const uint8_t *kw = (const uint8_t *)x->pool + k->off;
		const uint8_t *par = kw + k->klen;
		pd_event_object_open(e, NULL);
		pd_event_bytes(e, "name", kw, k->klen);
		if (k->plen > 0)
			pd_event_bytes(e, "params", par, k->plen);
		if (k->flag == SMTP_X_SIZE && x->size_known)
			pd_event_uint(e, "size", x->size);
		if (k->flag == SMTP_X_AUTH) {
			pd_event_array_open(e, "mechanisms");
			size_t at = 0;
			while (at < k->plen) {
				size_t w = 0;
				while (at + w < k->plen && par[at + w] != ' ')
					w++;
				if (w > 0)
					pd_event_bytes(e, NULL, par + at, w);
				at += w + 1;
			}
			pd_event_array_close(e);
		}
		pd_event_object_close(e);
	}
	pd_event_array_close(e);
	if (x->dropped > 0)
		pd_event_uint(e, "extensions_dropped", x->dropped);
}

static const char *starttls_result(const struct smtp_state *st)
{
	switch (st->starttls) {
	case SMTP_TLS_WAITING:
		return "no_reply";
	case SMTP_TLS_ACCEPTED:
		return "accepted";
	case SMTP_TLS_REFUSED:
		return "refused";
	default:
		return "not_attempted";
	}
}

static const char *end_how(const struct smtp_state *st, enum pd_close why)
{
	if (st->upgraded)
		return "TLS";
	if (st->quit_sent)
		return "QUIT";
	if (st->closing_reply == 421)
		return "server_421";
	switch (why) {
	case PD_CLOSE_FIN:
		return "FIN";
	case PD_CLOSE_RST:
		return "RST";
	case PD_CLOSE_TIMEOUT:
		return "timeout";
	default:
		return "truncated";
	}
}

void smtp_event_session(struct pd_session *s, const struct smtp_state *st, enum pd_close why)
{
	struct pd_event *e = pd_event_begin(s, "smtp");
	if (e == NULL)
		return;
	pd_event_str(e, "type", "session");
	greeting_object(e, st);
	pd_event_bool(e, "client_spoke_first", st->client_first);

	pd_event_array_open(e, "helo");
	for (unsigned i = 0; i < st->helo_n; i++) {
		pd_event_object_open(e, NULL);
		pd_event_str(e, "command", st->helo[i].command);
		pd_event_bytes(e, "name", (const uint8_t *)st->helo[i].name, st->helo[i].name_len);
		code_or_null(e, "reply", st->helo[i].reply);
		pd_event_object_close(e);
	}
	pd_event_array_close(e);
	pd_event_uint(e, "helo_count", st->helo_count);

	if (st->ext_seen)
		extensions_array(e, &st->ext);
	else
		pd_event_null(e, "extensions");

	pd_event_object_open(e, "starttls");
	pd_event_bool(e, "offered", st->starttls_offered);
	pd_event_bool(e, "attempted", st->starttls != SMTP_TLS_NONE);
	pd_event_str(e, "result", starttls_result(st));
	code_or_null(e, "reply", st->starttls_reply);
	if (st->injected > 0)
		pd_event_uint(e, "injected_bytes", st->injected);
	pd_event_object_close(e);
	pd_event_bool(e, "implicit_tls", st->implicit_tls);

	pd_event_array_open(e, "auth");
	for (unsigned i = 0; i < st->auth_n; i++)
		auth_object(e, NULL, &st->auth[i]);
	pd_event_array_close(e);
	pd_event_uint(e, "auth_count", st->auth_count);

	pd_event_uint(e, "transactions", st->txn_count);
	pd_event_uint(e, "commands", st->commands);
	pd_event_object_open(e, "pipelining");
	pd_event_bool(e, "advertised", st->ext_seen && (st->ext.flags & SMTP_X_PIPELINING));
	pd_event_bool(e, "used", st->pipelining_used);
	pd_event_object_close(e);
	pd_event_uint(e, "unexpected_replies", st->unexpected_replies);
	pd_event_uint(e, "anomalies", st->anomaly_total);
	if (st->anomaly_total > 0) {
		pd_event_object_open(e, "anomaly_counts");
		for (unsigned a = 0; a < SMTP_A_COUNT; a++)
			if (st->anomaly[a] > 0)
				pd_event_uint(e, smtp_anomaly_name((enum smtp_anomaly)a), st->anomaly[a]);
		pd_event_object_close(e);
	}
	pd_event_uint(e, "gaps", st->gaps);
	pd_event_bool(e, "partial", st->partial);
	pd_event_bool(e, "incomplete", st->gaps > 0 || st->partial);

	pd_event_object_open(e, "end");
	pd_event_str(e, "how", end_how(st, why));
	code_or_null(e, "quit_reply", st->quit_reply);
	if (st->closing_reply == 421)
		pd_event_uint(e, "server_reply", 421);
	pd_event_object_close(e);
	pd_event_emit(e);
}
