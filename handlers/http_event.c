/* SPDX-License-Identifier: BSD-2-Clause */
/* HTTP events: one "http" event per request/response pair (RFC 9112), with
 * Suricata's EVE http names where they exist (hostname, http_port, url,
 * http_user_agent, xff, http_refer, http_method, protocol, status,
 * redirect, http_content_type, length). Field reference: docs/events.d/http.md. */
#include "handlers/http.h"

static const char *const framing_name[] = {
	[HTTP_FR_NONE] = "none",       [HTTP_FR_LENGTH] = "length", [HTTP_FR_CHUNKED] = "chunked",
	[HTTP_FR_CLOSE] = "close",     [HTTP_FR_TUNNEL] = "tunnel", [HTTP_FR_SWITCH] = "switch",
	[HTTP_FR_BAD] = "invalid",
};

static const char *const incomplete_name[] = {
	[HTTP_INC_NONE] = "",
	[HTTP_INC_NO_RESPONSE] = "no_response",
	[HTTP_INC_CLOSED] = "closed",
	[HTTP_INC_GAP] = "gap",
	[HTTP_INC_BAD_FRAMING] = "bad_framing",
};

static const char *const tunnel_name[] = {
	[HTTP_TUN_NONE] = "",       [HTTP_TUN_TLS] = "tls",   [HTTP_TUN_OPAQUE] = "opaque",
	[HTTP_TUN_UNUSED] = "unused", [HTTP_TUN_HTTP] = "http",
};

/* Names of the strings in "truncated". */
static const char *const field_name[HTTP_F_COUNT] = {
	[HTTP_F_METHOD] = "http_method",    [HTTP_F_URL] = "url",
	[HTTP_F_HOST] = "hostname",         [HTTP_F_PROTOCOL] = "protocol",
	[HTTP_F_UA] = "http_user_agent",    [HTTP_F_REFERER] = "http_refer",
	[HTTP_F_XFF] = "xff",               [HTTP_F_REQ_CTYPE] = "request.content_type",
	[HTTP_F_RESP_PROTOCOL] = "response.protocol", [HTTP_F_REASON] = "reason",
	[HTTP_F_RESP_CTYPE] = "http_content_type", [HTTP_F_LOCATION] = "redirect",
	[HTTP_F_UPGRADE] = "upgrade",
};

static void str_field(struct pd_event *e, const char *key, const struct http_state *st,
                      const struct http_txn *t, enum http_fld f)
{
	size_t n;
	const char *v = http_txn_str(st, t, f, &n);
	if (v != NULL)
		pd_event_bytes(e, key, (const uint8_t *)v, n);
}

static void body_object(struct pd_event *e, const char *key, const struct http_state *st,
                        const struct http_txn *t, const struct http_body *b, enum http_fld ctype)
{
	pd_event_object_open(e, key);
	if (ctype == HTTP_F_RESP_CTYPE)
		str_field(e, "protocol", st, t, HTTP_F_RESP_PROTOCOL);
	str_field(e, "content_type", st, t, ctype);
	if (b->have_clen)
		pd_event_uint(e, "content_length", b->clen);
	pd_event_str(e, "framing", framing_name[b->framing]);
	if (b->chunked)
		pd_event_uint(e, "chunks", b->chunks);
	pd_event_uint(e, "body_length", b->len);
	if (b->missed > 0)
		pd_event_uint(e, "body_bytes_missed", b->missed);
	pd_event_uint(e, "headers", b->headers);
	if (ctype == HTTP_F_RESP_CTYPE && t->interim > 0)
		pd_event_uint(e, "interim_responses", t->interim);
	pd_event_object_close(e);
}

void http_event_txn(struct pd_session *s, const struct http_state *st, const struct http_txn *t)
{
	struct pd_event *e = pd_event_begin(s, "http");
	if (e == NULL)
		return;
	pd_event_uint(e, "tx_id", t->id);
	str_field(e, "hostname", st, t, HTTP_F_HOST);
	if (t->port >= 0)
		pd_event_uint(e, "http_port", (uint64_t)t->port);
	str_field(e, "url", st, t, HTTP_F_URL);
	str_field(e, "http_user_agent", st, t, HTTP_F_UA);
	str_field(e, "xff", st, t, HTTP_F_XFF);
	str_field(e, "http_refer", st, t, HTTP_F_REFERER);
	str_field(e, "http_method", st, t, HTTP_F_METHOD);
	str_field(e, "protocol", st, t, HTTP_F_PROTOCOL);
	if (t->has_response && t->status != 0)
		pd_event_uint(e, "status", t->status);
	else
		pd_event_null(e, "status");
	if (t->status_str[0] != '\0')
		pd_event_bytes(e, "status_string", (const uint8_t *)t->status_str, 3);
	str_field(e, "reason", st, t, HTTP_F_REASON);
	str_field(e, "redirect", st, t, HTTP_F_LOCATION);
	str_field(e, "http_content_type", st, t, HTTP_F_RESP_CTYPE);
	/* Always written, 0 without a response, as Suricata does. */
	pd_event_uint(e, "length", t->resp.len);
	if (t->status == 101)
		str_field(e, "upgrade", st, t, HTTP_F_UPGRADE);
	if (t->tunnel != 0)
		pd_event_str(e, "tunnel", tunnel_name[t->tunnel]);

	if (t->orphan)
		pd_event_bool(e, "request_seen", false);
	else
		body_object(e, "request", st, t, &t->req, HTTP_F_REQ_CTYPE);
	if (t->has_response)
		body_object(e, "response", st, t, &t->resp, HTTP_F_RESP_CTYPE);

	bool any = false;
	for (unsigned f = 0; f < HTTP_F_COUNT; f++)
		any |= t->f[f].trunc;
	if (any) {
		pd_event_array_open(e, "truncated");
		for (unsigned f = 0; f < HTTP_F_COUNT; f++)
			if (t->f[f].trunc)
				pd_event_str(e, NULL, field_name[f]);
		pd_event_array_close(e);
	}
	pd_event_bool(e, "pipelined", t->pipelined);
	pd_event_bool(e, "incomplete", t->incomplete != HTTP_INC_NONE);
	if (t->incomplete != HTTP_INC_NONE)
		pd_event_str(e, "incomplete_reason", incomplete_name[t->incomplete]);
	pd_event_emit(e);
}
