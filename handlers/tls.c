/* SPDX-License-Identifier: BSD-2-Clause */
/* TLS handler: descriptor, probe and session glue around tls_conn (RFC 8446,
 * RFC 5246). Also reached by upgrade from SMTP (STARTTLS, port 465), whose
 * app_proto label the events keep. One "tls" event per connection, written
 * when the server's cleartext handshake is over, else at close. */
#include "portdemux/cursor.h"
#include "portdemux/handler.h"
#include "handlers/builtin.h"
#include "handlers/tls.h"

struct tls_state {
	struct tls_conn conn;
	struct pd_session *s;  /* the session of the current callback */
	bool started;
};

/* Handler state is allocated per flow: keep it small. */
_Static_assert(sizeof(struct tls_state) <= 4096, "tls state over its budget");

static const uint16_t tls_ports[] = { 443, 853, 993, 995, 0 };

static void cb_anomaly(void *arg, const char *reason, const char *detail)
{
	struct tls_state *st = arg;
	pd_session_anomaly(st->s, reason, detail);
}

static void cb_ready(void *arg)
{
	struct tls_state *st = arg;
	tls_event_write(st->s, &st->conn);
}

static const struct tls_cb tls_callbacks = { cb_anomaly, cb_ready };

static struct tls_state *state_of(struct pd_session *s, void *state)
{
	struct tls_state *st = state;
	if (!st->started) {
		tls_conn_init(&st->conn, &tls_callbacks, st);
		st->started = true;
	}
	st->s = s;
	return st;
}

/* A record header as TLS peers write it (RFC 8446 5.1, RFC 5246 6.2.1): content
 * type 20-23, version 3.0-3.4, a length no record exceeds (ChangeCipherSpec
 * is one byte). b holds the 5 header bytes, -1 where not seen yet.
 * Returns -1 (no), 0 (need more), 1 (yes, *rlen set). */
static int record_header(const int b[5], unsigned *rlen)
{
	if ((b[0] >= 0 && (b[0] < TLS_CT_CCS || b[0] > TLS_CT_APPDATA)) ||
	    (b[1] >= 0 && b[1] != 3) || (b[2] >= 0 && b[2] > 4))
		return -1;
	if (b[4] < 0)
		return 0;
	*rlen = ((unsigned)b[3] << 8) | (unsigned)b[4];
	if (*rlen == 0 || *rlen > TLS_RECORD_MAX || (b[0] == TLS_CT_CCS && *rlen != 1))
		return -1;
	return 1;
}

/* A capture that starts after the handshake (midstream) shows encrypted
 * records only. One whole record that ends the data, or a whole record
 * followed by a second valid header of the same version, is TLS (two headers
 * chained by the first one's length); a record longer than what the probe was
 * given waits for more (and, past the probe budget, the flow stays unknown). */
static enum pd_probe probe_records(struct pcur *c, const int first[5], unsigned rlen)
{
	size_t next = 5 + (size_t)rlen;
	if (pcur_left(c) < next)
		return PD_PROBE_NEED_MORE;
	if (pcur_left(c) == next)
		return PD_PROBE_MATCH;
	int b[5];
	for (size_t i = 0; i < 5; i++)
		b[i] = pcur_peek(c, next + i);
	unsigned rlen2;
	int v = record_header(b, &rlen2);
	if (v < 0 || (b[1] >= 0 && b[1] != first[1]) || (b[2] >= 0 && b[2] != first[2]))
		return PD_PROBE_REJECT;
	return v == 0 ? PD_PROBE_NEED_MORE : PD_PROBE_MATCH;
}

/* A handshake record carrying the start of a hello in its own direction:
 * type 22, version 3.0-3.4, a sane length, ClientHello to the server or
 * ServerHello to the client, with a body no shorter than a hello's fixed part.
 * Any other start must be a chain of records (probe_records). */
static enum pd_probe tls_probe(enum pd_dir dir, const uint8_t *data, size_t len)
{
	struct pcur c = pcur_make(data, len);
	int b[9];
	for (size_t i = 0; i < 9; i++)
		b[i] = pcur_peek(&c, i);
	unsigned rlen = 0;
	int hdr = record_header(b, &rlen);
	if (hdr < 0)
		return PD_PROBE_REJECT;
	if (hdr == 0)
		return PD_PROBE_NEED_MORE;
	uint8_t want = dir == PD_TO_SERVER ? TLS_HS_CLIENT_HELLO : TLS_HS_SERVER_HELLO;
	/* No handshake message fits in fewer than 4 bytes (type and length). */
	if (b[0] == TLS_CT_HANDSHAKE && rlen < 4)
		return PD_PROBE_REJECT;
	if (b[5] < 0)
		return PD_PROBE_NEED_MORE;
	if (b[0] != TLS_CT_HANDSHAKE || b[5] != want)
		return probe_records(&c, b, rlen);
	if (b[8] < 0)
		return PD_PROBE_NEED_MORE;
	/* version(2) random(32) session_id_len(1) + suites or suite(2) compression(1) */
	uint32_t hlen = ((uint32_t)b[6] << 16) | ((uint32_t)b[7] << 8) | (uint32_t)b[8];
	return hlen >= 38 ? PD_PROBE_MATCH : PD_PROBE_REJECT;
}

static size_t tls_on_data(struct pd_session *s, void *state, enum pd_dir dir,
                          const uint8_t *data, size_t len)
{
	struct tls_state *st = state_of(s, state);
	return tls_conn_feed(&st->conn, dir, data, len);
}

static void tls_on_gap(struct pd_session *s, void *state, enum pd_dir dir, size_t lost)
{
	struct tls_state *st = state_of(s, state);
	tls_conn_gap(&st->conn, dir);
}

static void tls_on_close(struct pd_session *s, void *state, enum pd_close why)
{
	struct tls_state *st = state_of(s, state);
	struct tls_conn *c = &st->conn;
	if (!c->ready_sent && (c->have_ch || c->have_sh)) {
		c->ready_sent = true;
		tls_event_write(s, c);
	}
	tls_conn_free(c);
}

const struct pd_handler pd_handler_tls = {
	.api_version = PD_API_VERSION,
	.name = "tls",
	.transports = PD_TCP,
	.default_ports = tls_ports,
	.state_size = sizeof(struct tls_state),
	.probe = tls_probe,
	.on_data = tls_on_data,
	.on_gap = tls_on_gap,
	.on_close = tls_on_close,
};
