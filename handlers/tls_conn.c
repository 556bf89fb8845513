/* SPDX-License-Identifier: BSD-2-Clause */
/* TLS record layer and handshake reassembly per direction (RFC 8446 section 5
 * and 4, RFC 5246 section 6.2 and 7.4).
 *
 *   TLSPlaintext: type(1) legacy_record_version(2) length(2) fragment[length]
 *   Handshake:    msg_type(1) length(3) body[length]
 *
 * Records are walked incrementally: a record body is consumed as it arrives,
 * so only a split 5-byte header is left to the core. Handshake messages may
 * span records and several may share one record; the bodies of the messages
 * decoded here (ClientHello, ServerHello, Certificate) are reassembled in one
 * bounded allocation per direction (at most TLS_HS_MAX bytes; the rest of a
 * larger message is skipped), or parsed in place when whole in one delivery.
 * Other messages are skipped without being kept.
 *
 * A direction stops decoding at ChangeCipherSpec, application data, or (for
 * the server) a TLS 1.3 ServerHello; after that records are only counted.
 * A record header that cannot be TLS ends that direction (tls_bad_record).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portdemux/cursor.h"
#include "handlers/tls.h"

static void anomaly(struct tls_conn *c, const char *reason, const char *detail)
{
	if (c->cb != NULL && c->cb->anomaly != NULL)
		c->cb->anomaly(c->cb_arg, reason, detail);
}

static void ready(struct tls_conn *c)
{
	if (c->ready_sent || (!c->have_ch && !c->have_sh))
		return;
	c->ready_sent = true;
	if (c->cb != NULL && c->cb->ready != NULL)
		c->cb->ready(c->cb_arg);
}

static bool is_tls13(uint16_t v)
{
	return v == 0x0304 || (v & 0xff00) == 0x7f00;
}

static void hs_reset(struct tls_dir *d)
{
	free(d->hs);
	d->hs = NULL;
	d->hs_hdr_len = 0;
	d->hs_len = d->hs_want = d->hs_skip = d->hs_body_len = 0;
	d->hs_keep = false;
}

static void bad_hello(struct tls_conn *c, const char *reason, int r, const char *why)
{
	char detail[96];
	snprintf(detail, sizeof(detail), "%s %s", why != NULL ? why : "message",
	         r == TLS_TRUNCATED ? "truncated" : "malformed");
	anomaly(c, reason, detail);
}

/* Whether a message of this type is decoded in this direction now. */
static bool hs_wanted(const struct tls_conn *c, enum pd_dir dir, uint8_t type)
{
	if (dir == PD_TO_SERVER)
		return type == TLS_HS_CLIENT_HELLO && !c->have_ch;
	switch (type) {
	case TLS_HS_SERVER_HELLO:
		return !c->have_sh || c->sh.hrr;
	case TLS_HS_CERTIFICATE:
		return c->have_sh && !c->have_cert && !is_tls13(tls_server_version(&c->sh));
	case TLS_HS_SERVER_HELLO_DONE:
		return true;
	default:
		return false;
	}
}

/* One whole handshake message (or, when !complete, the first TLS_HS_MAX bytes). */
static void hs_message(struct tls_conn *c, enum pd_dir dir, uint8_t type, const uint8_t *body,
                       size_t len, bool complete)
{
	const char *why = NULL;
	int r;
	if (!complete && type != TLS_HS_CERTIFICATE) {
		anomaly(c, "tls_handshake_too_large",
		        type == TLS_HS_CLIENT_HELLO ? "client_hello" : "server_hello");
		return;
	}
	switch (type) {
	case TLS_HS_CLIENT_HELLO:
		r = tls_parse_client_hello(body, len, &c->ch, &why);
		if (r == TLS_OK)
			c->have_ch = true;
		else
			bad_hello(c, "tls_bad_client_hello", r, why);
		break;
	case TLS_HS_SERVER_HELLO: {
		struct tls_server_hello sh;
		r = tls_parse_server_hello(body, len, &sh, &why);
		if (r != TLS_OK) {
			bad_hello(c, "tls_bad_server_hello", r, why);
			break;
		}
		c->sh = sh;
		c->have_sh = true;
		if (sh.hrr) {
			c->hrr_seen = true; /* the real ServerHello follows in cleartext */
			break;
		}
		if (is_tls13(tls_server_version(&sh))) {
			/* Everything after a TLS 1.3 ServerHello is encrypted (RFC 8446 2). */
			c->d[dir].encrypted = true;
			ready(c);
		}
		break;
	}
	case TLS_HS_CERTIFICATE:
		r = tls_parse_certificate_msg(body, len, complete, &c->cert, &why);
		if (r == TLS_OK)
			c->have_cert = true;
		else
			bad_hello(c, "tls_bad_certificate", r, why);
		break;
	case TLS_HS_SERVER_HELLO_DONE:
		ready(c);
		break;
	default:
		break;
	}
}

static void hs_done(struct tls_conn *c, enum pd_dir dir, const uint8_t *body, size_t len)
{
	struct tls_dir *d = &c->d[dir];
	uint8_t type = d->hs_hdr[0];
	bool keep = d->hs_keep, complete = len == d->hs_body_len;
	if (keep)
		hs_message(c, dir, type, body, len, complete);
	hs_reset(d);
}

/* Bytes of handshake records of one direction, in order. */
static void hs_feed(struct tls_conn *c, enum pd_dir dir, const uint8_t *p, size_t n)
{
	struct tls_dir *d = &c->d[dir];
	while (n > 0 && !d->encrypted && !d->dead) {
		if (d->hs_hdr_len < 4) {
			size_t k = 4u - d->hs_hdr_len;
			if (k > n)
				k = n;
			memcpy(d->hs_hdr + d->hs_hdr_len, p, k);
			d->hs_hdr_len = (uint8_t)(d->hs_hdr_len + k);
			p += k;
			n -= k;
			if (d->hs_hdr_len < 4)
				break;
			uint32_t blen = ((uint32_t)d->hs_hdr[1] << 16) | ((uint32_t)d->hs_hdr[2] << 8) |
			                d->hs_hdr[3];
			d->hs_body_len = blen;
			d->hs_keep = hs_wanted(c, dir, d->hs_hdr[0]);
			d->hs_want = d->hs_keep ? (blen < TLS_HS_MAX ? blen : TLS_HS_MAX) : 0;
			d->hs_skip = blen - d->hs_want;
			d->hs_len = 0;
			if (d->hs_want > 0 && d->hs_skip == 0 && n >= d->hs_want) {
				/* Whole in this delivery: parse in place, nothing copied. */
				size_t w = d->hs_want;
				hs_done(c, dir, p, w);
				p += w;
				n -= w;
				continue;
			}
		} else if (d->hs_len < d->hs_want) {
			if (d->hs == NULL) {
				d->hs = malloc(d->hs_want);
				if (d->hs == NULL) {
					/* Out of memory: this message is skipped, not decoded. */
					d->hs_skip += d->hs_want;
					d->hs_want = 0;
					d->hs_keep = false;
					continue;
				}
			}
			size_t k = d->hs_want - d->hs_len;
			if (k > n)
				k = n;
			memcpy(d->hs + d->hs_len, p, k);
			d->hs_len += (uint32_t)k;
			p += k;
			n -= k;
		} else {
			size_t k = d->hs_skip < n ? d->hs_skip : n;
			d->hs_skip -= (uint32_t)k;
			p += k;
			n -= k;
		}
		if (d->hs_hdr_len == 4 && d->hs_len == d->hs_want && d->hs_skip == 0)
			hs_done(c, dir, d->hs, d->hs_len);
	}
}

/* A record header no TLS peer sends; detail into buf. */
static bool record_bad(uint8_t type, uint16_t ver, uint16_t len, char *buf, size_t bufsz)
{
	if (type & 0x80)
		snprintf(buf, bufsz, "SSLv2 record header");
	else if (type < TLS_CT_CCS || type > TLS_CT_HEARTBEAT)
		snprintf(buf, bufsz, "content type 0x%02x", (unsigned)type);
	else if ((ver >> 8) != 3 || (ver & 0xff) > 4)
		snprintf(buf, bufsz, "version 0x%04x", (unsigned)ver);
	else if (len > TLS_RECORD_MAX)
		snprintf(buf, bufsz, "length %u", (unsigned)len);
	else
		return false;
	return true;
}

static void record_start(struct tls_conn *c, enum pd_dir dir, uint8_t type)
{
	struct tls_dir *d = &c->d[dir];
	d->records++;
	d->ctype = type;
	if (type == TLS_CT_APPDATA)
		d->encrypted = true;
	d->rec_enc = d->encrypted;
	if (d->rec_enc)
		d->enc_records++;
	/* The server's cleartext handshake is over at its ChangeCipherSpec
	 * (TLS 1.2 resumption has no ServerHelloDone) or its first encrypted record. */
	if (dir == PD_TO_CLIENT && c->have_sh && !c->sh.hrr &&
	    (type == TLS_CT_CCS || d->encrypted))
		ready(c);
}

static void record_end(struct tls_conn *c, struct tls_dir *d)
{
	d->in_record = false;
	/* In TLS 1.3 ChangeCipherSpec is a middlebox-compatibility dummy (RFC 8446
	 * D.4) that may even precede the ServerHello after a HelloRetryRequest. */
	bool tls13 = c->have_sh && is_tls13(tls_server_version(&c->sh));
	if (d->ctype == TLS_CT_CCS && !d->rec_enc && !tls13) {
		/* Everything after ChangeCipherSpec is under the new keys. A partial
		 * handshake message cannot continue there. */
		d->encrypted = true;
		hs_reset(d);
	}
}

static void record_body(struct tls_conn *c, enum pd_dir dir, const uint8_t *b, size_t k)
{
	struct tls_dir *d = &c->d[dir];
	if (d->rec_enc) {
		d->enc_bytes += k;
		return;
	}
	if (d->ctype == TLS_CT_HANDSHAKE) {
		hs_feed(c, dir, b, k);
	} else if (d->ctype == TLS_CT_ALERT && !d->have_alert) {
		/* Alert: level(1) description(1); kept for the event. */
		for (size_t i = 0; i < k && d->alert_len < 2; i++)
			d->alert[d->alert_len++] = b[i];
		d->have_alert = d->alert_len == 2;
	}
}

size_t tls_conn_feed(struct tls_conn *c, enum pd_dir dir, const uint8_t *data, size_t len)
{
	struct tls_dir *d = &c->d[dir];
	if (len == 0)
		return 0;
	struct pcur cur = pcur_make(data, len);
	while (pcur_left(&cur) > 0) {
		if (d->dead)
			return len;
		if (!d->in_record) {
			if (!pcur_has(&cur, 5))
				break; /* the core keeps the split header */
			uint8_t type = pcur_u8(&cur);
			uint16_t ver = pcur_be16(&cur);
			uint16_t rlen = pcur_be16(&cur);
			char detail[48];
			if (record_bad(type, ver, rlen, detail, sizeof(detail))) {
				anomaly(c, "tls_bad_record", detail);
				d->dead = true;
				hs_reset(d);
				return len;
			}
			d->in_record = true;
			d->rec_left = rlen;
			record_start(c, dir, type);
		} else {
			size_t k = pcur_left(&cur) < d->rec_left ? pcur_left(&cur) : d->rec_left;
			const uint8_t *b = pcur_take(&cur, k);
			d->rec_left = (uint16_t)(d->rec_left - k);
			record_body(c, dir, b, k);
		}
		if (d->in_record && d->rec_left == 0)
			record_end(c, d);
	}
	return (size_t)(pcur_ptr(&cur) - data);
}

void tls_conn_init(struct tls_conn *c, const struct tls_cb *cb, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->cb = cb;
	c->cb_arg = arg;
}

void tls_conn_gap(struct tls_conn *c, enum pd_dir dir)
{
	/* Record boundaries are lost with the bytes: no resynchronisation. */
	c->d[dir].dead = true;
	hs_reset(&c->d[dir]);
}

void tls_conn_free(struct tls_conn *c)
{
	hs_reset(&c->d[PD_TO_SERVER]);
	hs_reset(&c->d[PD_TO_CLIENT]);
}
