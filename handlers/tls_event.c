/* SPDX-License-Identifier: BSD-2-Clause */
/* The "tls" event: what the cleartext handshake showed (docs/events.d/tls.md).
 * Top-level names follow Suricata's EVE tls object where one exists (sni,
 * version, subject, issuerdn, serial, fingerprint, notbefore, notafter, ja3,
 * ja3s, ja4); the client/server objects add the hello details. */
#include "portdemux/event.h"
#include "handlers/tls.h"

static void str16(struct pd_event *e, const char *key, const char *name, uint16_t v)
{
	char hx[8];
	pd_event_str(e, key, tls_name_or_hex(name, v, hx));
}

static void version(struct pd_event *e, const char *key, uint16_t v)
{
	char buf[24];
	str16(e, key, tls_version_name(v, buf), v);
}

static void uint_list16(struct pd_event *e, const char *key, const uint16_t *v, size_t n)
{
	pd_event_array_open(e, key);
	for (size_t i = 0; i < n; i++)
		pd_event_uint(e, NULL, v[i]);
	pd_event_array_close(e);
}

static void uint_list8(struct pd_event *e, const char *key, const uint8_t *v, size_t n)
{
	pd_event_array_open(e, key);
	for (size_t i = 0; i < n; i++)
		pd_event_uint(e, NULL, v[i]);
	pd_event_array_close(e);
}

/* Names (or hex) of a list of code points. */
static void name_list(struct pd_event *e, const char *key, const uint16_t *v, size_t n,
                      const char *(*name)(uint16_t))
{
	pd_event_array_open(e, key);
	for (size_t i = 0; i < n; i++)
		str16(e, NULL, name(v[i]), v[i]);
	pd_event_array_close(e);
}

/* "aa:bb:..." of bytes; upper or lower case hex. */
static void colon_hex(struct pd_event *e, const char *key, const uint8_t *b, size_t n, bool upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char out[3 * TLS_SERIAL_MAX];
	size_t k = 0;
	for (size_t i = 0; i < n && k + 3 <= sizeof(out); i++) {
		if (i > 0)
			out[k++] = ':';
		out[k++] = dig[b[i] >> 4];
		out[k++] = dig[b[i] & 15];
	}
	pd_event_bytes(e, key, (const uint8_t *)out, k);
}

static void alert(struct pd_event *e, const struct tls_dir *d)
{
	if (!d->have_alert)
		return;
	pd_event_object_open(e, "alert");
	pd_event_uint(e, "level", d->alert[0]);
	pd_event_uint(e, "description", d->alert[1]);
	pd_event_object_close(e);
}

static void client(struct pd_event *e, const struct tls_conn *c)
{
	const struct tls_client_hello *ch = &c->ch;
	pd_event_object_open(e, "client");
	if (c->have_ch) {
		version(e, "version", ch->legacy_version);
		if (ch->has_versions) {
			pd_event_array_open(e, "versions");
			for (size_t i = 0; i < ch->n_versions; i++)
				version(e, NULL, ch->versions[i]);
			pd_event_array_close(e);
		}
		pd_event_uint(e, "session_id_length", ch->session_id_len);
		name_list(e, "ciphers", ch->ciphers, ch->n_ciphers, tls_cipher_name);
		uint_list8(e, "compression", ch->compression, ch->n_compression);
		uint_list16(e, "extensions", ch->exts, ch->n_exts);
		if (ch->has_groups)
			name_list(e, "groups", ch->groups, ch->n_groups, tls_group_name);
		if (ch->has_sigalgs)
			name_list(e, "sigalgs", ch->sigalgs, ch->n_sigalgs, tls_sigalg_name);
		if (ch->has_point_formats)
			uint_list8(e, "point_formats", ch->point_formats, ch->n_point_formats);
		pd_event_bool(e, "grease", ch->grease);
		if (ch->overflow)
			pd_event_bool(e, "truncated", true);
	}
	alert(e, &c->d[PD_TO_SERVER]);
	pd_event_object_close(e);
}

static void server(struct pd_event *e, const struct tls_conn *c)
{
	const struct tls_server_hello *sh = &c->sh;
	pd_event_object_open(e, "server");
	if (c->have_sh) {
		version(e, "version", tls_server_version(sh));
		version(e, "legacy_version", sh->legacy_version);
		str16(e, "cipher", tls_cipher_name(sh->cipher), sh->cipher);
		pd_event_uint(e, "compression", sh->compression);
		pd_event_uint(e, "session_id_length", sh->session_id_len);
		uint_list16(e, "extensions", sh->exts, sh->n_exts);
		if (sh->has_alpn)
			pd_event_bytes(e, "alpn", sh->alpn, sh->alpn_len);
		if (c->hrr_seen)
			pd_event_bool(e, "hello_retry", true);
	}
	alert(e, &c->d[PD_TO_CLIENT]);
	pd_event_object_close(e);
}

void tls_event_write(struct pd_session *s, const struct tls_conn *c)
{
	struct pd_event *e = pd_event_begin(s, "tls");
	if (e == NULL)
		return;
	const struct tls_client_hello *ch = &c->ch;
	bool final_sh = c->have_sh && !c->sh.hrr;

	if (final_sh)
		version(e, "version", tls_server_version(&c->sh));
	if (c->have_ch && ch->sni_len > 0)
		pd_event_bytes(e, "sni", ch->sni, ch->sni_len);
	if (c->have_ch && ch->has_alpn) {
		pd_event_array_open(e, "alpn");
		for (size_t i = 0; i < ch->n_alpn; i++)
			pd_event_bytes(e, NULL, ch->alpn_pool + ch->alpn_off[i], ch->alpn_len[i]);
		pd_event_array_close(e);
	}
	if (c->have_cert) {
		const struct tls_cert_info *ci = &c->cert;
		pd_event_bytes(e, "subject", (const uint8_t *)ci->subject, ci->subject_len);
		pd_event_bytes(e, "issuerdn", (const uint8_t *)ci->issuer, ci->issuer_len);
		colon_hex(e, "serial", ci->serial, ci->serial_len, true);
		if (ci->has_sha1)
			colon_hex(e, "fingerprint", ci->sha1, sizeof(ci->sha1), false);
		pd_event_str(e, "notbefore", ci->notbefore);
		pd_event_str(e, "notafter", ci->notafter);
		pd_event_uint(e, "chain_length", ci->chain_len);
	}
	if (c->have_ch) {
		char ja4[TLS_JA4_LEN], hash[TLS_JA3_HASH_LEN], str[TLS_JA3_STR_MAX];
		if (tls_ja3(ch, str, sizeof(str), hash) == 0) {
			pd_event_object_open(e, "ja3");
			pd_event_str(e, "hash", hash);
			pd_event_str(e, "string", str);
			pd_event_object_close(e);
		}
		if (tls_ja4(ch, ja4) == 0)
			pd_event_str(e, "ja4", ja4);
	}
	if (final_sh) {
		char hash[TLS_JA3_HASH_LEN], str[TLS_JA3_STR_MAX];
		if (tls_ja3s(&c->sh, str, sizeof(str), hash) == 0) {
			pd_event_object_open(e, "ja3s");
			pd_event_str(e, "hash", hash);
			pd_event_str(e, "string", str);
			pd_event_object_close(e);
		}
	}
	if (c->have_ch || c->d[PD_TO_SERVER].have_alert)
		client(e, c);
	if (c->have_sh || c->d[PD_TO_CLIENT].have_alert)
		server(e, c);
	pd_event_emit(e);
}
