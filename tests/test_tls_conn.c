/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite for the TLS record/handshake state machine (tls_conn_*), the
 * probe, and the handler through the core (hd_session_* with a memory sink). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/builtin.h"
#include "handlers/tls.h"
#include "tests/json_check.h"
#include "tests/test_hd_harness.h"
#include "tests/test_tls_build.h"
#include "tests/test_tls_data.h"

/* ---- a recording callback set and a core-like feeder ---- */

struct rec {
	int anomalies;
	char reason[8][48];
	char detail[8][96];
	int ready;
};

static void rec_anomaly(void *arg, const char *reason, const char *detail)
{
	struct rec *r = arg;
	if (r->anomalies < 8) {
		snprintf(r->reason[r->anomalies], sizeof(r->reason[0]), "%s", reason);
		snprintf(r->detail[r->anomalies], sizeof(r->detail[0]), "%s", detail);
	}
	r->anomalies++;
}

static void rec_ready(void *arg)
{
	struct rec *r = arg;
	r->ready++;
}

static const struct tls_cb rec_cb = { rec_anomaly, rec_ready };

/* Like the core: keeps what a call did not consume and prepends it to the
 * next call of the same direction. */
struct feeder {
	struct tls_conn c;
	struct rec r;
	uint8_t tail[2][TB_CAP];
	size_t tail_len[2];
};

static void fd_init(struct feeder *f)
{
	memset(f, 0, sizeof(*f));
	tls_conn_init(&f->c, &rec_cb, &f->r);
}

static void fd_feed(struct feeder *f, enum pd_dir dir, const uint8_t *p, size_t n)
{
	size_t have = f->tail_len[dir];
	ck_assert_uint_le(have + n, TB_CAP);
	/* An exact-size heap buffer per call: ASan sees any read past it. */
	uint8_t *buf = malloc(have + n + 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, f->tail[dir], have);
	if (n > 0)
		memcpy(buf + have, p, n);
	size_t used = tls_conn_feed(&f->c, dir, buf, have + n);
	ck_assert_uint_le(used, have + n);
	/* Only a split record header is ever left to the core. */
	ck_assert_uint_lt(have + n - used, 5);
	memcpy(f->tail[dir], buf + used, have + n - used);
	f->tail_len[dir] = have + n - used;
	free(buf);
}

static void fd_segs(struct feeder *f, const struct tls_seg *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fd_feed(f, s[i].dir, s[i].data, s[i].len);
}

/* Same decoded state (hellos, certificate, counters) in a and b. */
static void same_state(const struct feeder *a, const struct feeder *b, const char *what)
{
	ck_assert_msg(a->c.have_ch == b->c.have_ch && a->c.have_sh == b->c.have_sh &&
	                  a->c.have_cert == b->c.have_cert, "%s: flags", what);
	ck_assert_msg(memcmp(&a->c.ch, &b->c.ch, sizeof(a->c.ch)) == 0, "%s: client hello", what);
	ck_assert_msg(memcmp(&a->c.sh, &b->c.sh, sizeof(a->c.sh)) == 0, "%s: server hello", what);
	ck_assert_msg(memcmp(&a->c.cert, &b->c.cert, sizeof(a->c.cert)) == 0, "%s: cert", what);
	ck_assert_msg(a->r.ready == b->r.ready && a->r.anomalies == b->r.anomalies, "%s: calls",
	              what);
	for (int d = 0; d < 2; d++) {
		ck_assert_msg(a->c.d[d].enc_records == b->c.d[d].enc_records &&
		                  a->c.d[d].enc_bytes == b->c.d[d].enc_bytes &&
		                  a->c.d[d].encrypted == b->c.d[d].encrypted,
		              "%s: dir %d counters", what, d);
	}
}

static struct feeder ref, alt;
static uint8_t cbytes[TB_CAP], sbytes[TB_CAP];

/* ---- real handshakes ---- */

START_TEST(conn_tls12_real)
{
	fd_init(&ref);
	for (size_t i = 0; i < tls_d16_count; i++) {
		fd_feed(&ref, tls_d16[i].dir, tls_d16[i].data, tls_d16[i].len);
		/* The server's cleartext part ends with ServerHelloDone (segment 2). */
		ck_assert_int_eq(ref.r.ready, i >= 2 ? 1 : 0);
	}
	ck_assert_int_eq(ref.r.anomalies, 0);
	ck_assert(ref.c.have_ch && ref.c.have_sh && ref.c.have_cert);
	ck_assert_mem_eq(ref.c.ch.sni, "www.corp.test", 13);
	ck_assert_uint_eq(ref.c.sh.cipher, 0xc030);
	ck_assert_str_eq(ref.c.cert.subject, "O=Corpus Test, CN=www.corp.test");
	/* Records (tshark): server SH, Certificate, SKE, SHD, CCS, Finished;
	 * client CH, CKE, CCS, Finished. Only the Finished are encrypted. */
	ck_assert_uint_eq(ref.c.d[PD_TO_CLIENT].records, 6);
	ck_assert_uint_eq(ref.c.d[PD_TO_CLIENT].enc_records, 1);
	ck_assert_uint_eq(ref.c.d[PD_TO_CLIENT].enc_bytes, 40);
	ck_assert_uint_eq(ref.c.d[PD_TO_SERVER].records, 4);
	ck_assert_uint_eq(ref.c.d[PD_TO_SERVER].enc_records, 1);
	ck_assert_uint_eq(ref.c.d[PD_TO_SERVER].enc_bytes, 40);
	ck_assert(ref.c.d[PD_TO_SERVER].encrypted && ref.c.d[PD_TO_CLIENT].encrypted);
	tls_conn_free(&ref.c);
}
END_TEST

START_TEST(conn_tls13_real)
{
	fd_init(&ref);
	fd_feed(&ref, tls_d12[0].dir, tls_d12[0].data, tls_d12[0].len);
	ck_assert(ref.c.have_ch);
	ck_assert_int_eq(ref.r.ready, 0);
	fd_feed(&ref, tls_d12[1].dir, tls_d12[1].data, tls_d12[1].len);
	ck_assert_int_eq(ref.r.ready, 1); /* at the TLS 1.3 ServerHello */
	fd_segs(&ref, tls_d12 + 2, tls_d12_count - 2);
	ck_assert_int_eq(ref.r.ready, 1);
	ck_assert_int_eq(ref.r.anomalies, 0);
	ck_assert(!ref.c.have_cert);
	ck_assert_uint_eq(tls_server_version(&ref.c.sh), 0x0304);
	/* Server records (tshark): SH 122, CCS 1, application data 23, 1217, 281, 69. */
	ck_assert_uint_eq(ref.c.d[PD_TO_CLIENT].records, 6);
	ck_assert_uint_eq(ref.c.d[PD_TO_CLIENT].enc_records, 5);
	ck_assert_uint_eq(ref.c.d[PD_TO_CLIENT].enc_bytes, 1 + 23 + 1217 + 281 + 69);
	/* Client: CH, then the compatibility CCS (cleartext) and Finished (69). */
	ck_assert_uint_eq(ref.c.d[PD_TO_SERVER].records, 3);
	ck_assert_uint_eq(ref.c.d[PD_TO_SERVER].enc_records, 1);
	ck_assert_uint_eq(ref.c.d[PD_TO_SERVER].enc_bytes, 69);
	tls_conn_free(&ref.c);
}
END_TEST

/* Each direction's bytes cut in two at every position give the same result. */
static void split_sweep(const struct tls_seg *segs, size_t n)
{
	size_t cn = tb_dir_bytes(segs, n, PD_TO_SERVER, cbytes, sizeof(cbytes));
	size_t sn = tb_dir_bytes(segs, n, PD_TO_CLIENT, sbytes, sizeof(sbytes));
	fd_init(&ref);
	fd_feed(&ref, PD_TO_SERVER, cbytes, cn);
	fd_feed(&ref, PD_TO_CLIENT, sbytes, sn);
	for (size_t i = 0; i <= cn; i++) {
		fd_init(&alt);
		fd_feed(&alt, PD_TO_SERVER, cbytes, i);
		fd_feed(&alt, PD_TO_SERVER, cbytes + i, cn - i);
		fd_feed(&alt, PD_TO_CLIENT, sbytes, sn);
		same_state(&ref, &alt, "client split");
		tls_conn_free(&alt.c);
	}
	for (size_t i = 0; i <= sn; i++) {
		fd_init(&alt);
		fd_feed(&alt, PD_TO_SERVER, cbytes, cn);
		fd_feed(&alt, PD_TO_CLIENT, sbytes, i);
		fd_feed(&alt, PD_TO_CLIENT, sbytes + i, sn - i);
		same_state(&ref, &alt, "server split");
		tls_conn_free(&alt.c);
	}
	tls_conn_free(&ref.c);
}

START_TEST(conn_split_every_byte)
{
	split_sweep(tls_d16, tls_d16_count);
	split_sweep(tls_d12, tls_d12_count);
}
END_TEST

/* Re-wraps the handshake messages of each direction into records of k body
 * bytes: one message over many records, or several messages in one record. */
START_TEST(conn_reframed_records)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 16, 100, 1000, 16384 };
	static uint8_t chs[TB_CAP], shs[TB_CAP];
	static struct tb out;
	size_t cn = tb_dir_bytes(tls_d16, tls_d16_count, PD_TO_SERVER, cbytes, sizeof(cbytes));
	size_t sn = tb_dir_bytes(tls_d16, tls_d16_count, PD_TO_CLIENT, sbytes, sizeof(sbytes));
	size_t crest, srest;
	size_t chn = tb_hs_stream(tls_d16, tls_d16_count, PD_TO_SERVER, chs, sizeof(chs), &crest);
	size_t shn = tb_hs_stream(tls_d16, tls_d16_count, PD_TO_CLIENT, shs, sizeof(shs), &srest);
	ck_assert_uint_lt(crest, cn);
	ck_assert_uint_lt(srest, sn);

	fd_init(&ref);
	fd_feed(&ref, PD_TO_SERVER, cbytes, cn);
	fd_feed(&ref, PD_TO_CLIENT, sbytes, sn);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fd_init(&alt);
		tb_init(&out);
		tb_records(&out, 22, chs, chn, sizes[i]);
		tb_bytes(&out, cbytes + crest, cn - crest);
		fd_feed(&alt, PD_TO_SERVER, out.b, out.n);
		tb_init(&out);
		tb_records(&out, 22, shs, shn, sizes[i]);
		tb_bytes(&out, sbytes + srest, sn - srest);
		fd_feed(&alt, PD_TO_CLIENT, out.b, out.n);
		ck_assert_msg(alt.r.anomalies == 0, "%zu: %s %s", sizes[i], alt.r.reason[0],
		              alt.r.detail[0]);
		ck_assert(alt.c.have_cert);
		ck_assert_msg(memcmp(&ref.c.ch, &alt.c.ch, sizeof(ref.c.ch)) == 0, "ch %zu", sizes[i]);
		ck_assert_msg(memcmp(&ref.c.sh, &alt.c.sh, sizeof(ref.c.sh)) == 0, "sh %zu", sizes[i]);
		ck_assert_msg(memcmp(&ref.c.cert, &alt.c.cert, sizeof(ref.c.cert)) == 0, "cert %zu",
		              sizes[i]);
		ck_assert_int_eq(alt.r.ready, 1);
		tls_conn_free(&alt.c);
	}
	tls_conn_free(&ref.c);
}
END_TEST

/* Every prefix of each direction: no anomaly, and a hello or certificate is
 * reported only once all of its bytes are there. */
START_TEST(conn_truncation_sweep)
{
	size_t cn = tb_dir_bytes(tls_d16, tls_d16_count, PD_TO_SERVER, cbytes, sizeof(cbytes));
	size_t sn = tb_dir_bytes(tls_d16, tls_d16_count, PD_TO_CLIENT, sbytes, sizeof(sbytes));
	size_t ch_end = 5 + (((size_t)cbytes[3] << 8) | cbytes[4]);
	size_t sh_end = 5 + (((size_t)sbytes[3] << 8) | sbytes[4]);
	size_t cert_end = sh_end + 5 + (((size_t)sbytes[sh_end + 3] << 8) | sbytes[sh_end + 4]);
	size_t ske_end = cert_end + 5 + (((size_t)sbytes[cert_end + 3] << 8) | sbytes[cert_end + 4]);
	size_t shd_end = ske_end + 5 + 4;
	for (size_t n = 0; n <= cn; n++) {
		fd_init(&alt);
		fd_feed(&alt, PD_TO_SERVER, cbytes, n);
		ck_assert_int_eq(alt.r.anomalies, 0);
		ck_assert_int_eq(alt.c.have_ch, n >= ch_end);
		ck_assert_int_eq(alt.r.ready, 0);
		tls_conn_free(&alt.c);
	}
	for (size_t n = 0; n <= sn; n++) {
		fd_init(&alt);
		fd_feed(&alt, PD_TO_SERVER, cbytes, cn);
		fd_feed(&alt, PD_TO_CLIENT, sbytes, n);
		ck_assert_int_eq(alt.r.anomalies, 0);
		ck_assert_int_eq(alt.c.have_sh, n >= sh_end);
		ck_assert_int_eq(alt.c.have_cert, n >= cert_end);
		ck_assert_int_eq(alt.r.ready, n >= shd_end);
		tls_conn_free(&alt.c);
	}
}
END_TEST

/* Deterministic mutations of the real TLS 1.2 handshake fed in random
 * pieces: whatever the bytes, nothing reads out of bounds (ASan), the core
 * is left at most a record header, and decoded strings stay terminated. */
START_TEST(conn_mutations)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t cn = tb_dir_bytes(tls_d16, tls_d16_count, PD_TO_SERVER, cbytes, sizeof(cbytes));
	size_t sn = tb_dir_bytes(tls_d16, tls_d16_count, PD_TO_CLIENT, sbytes, sizeof(sbytes));
	static uint8_t cm[TB_CAP], sm[TB_CAP];
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(cm, cbytes, cn);
		memcpy(sm, sbytes, sn);
		for (int k = 0; k < 1 + iter % 8; k++) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			uint8_t *buf = (x & 1) ? cm : sm;
			size_t len = (x & 1) ? cn : sn;
			buf[(x >> 8) % len] = (uint8_t)(x >> 40);
		}
		fd_init(&alt);
		size_t co = 0, so = 0;
		while (co < cn || so < sn) {
			x ^= x << 13; x ^= x >> 7; x ^= x << 17;
			size_t step = 1 + (x >> 16) % 600;
			if (co < cn && ((x & 2) || so >= sn)) {
				size_t k = step < cn - co ? step : cn - co;
				fd_feed(&alt, PD_TO_SERVER, cm + co, k);
				co += k;
			} else {
				size_t k = step < sn - so ? step : sn - so;
				fd_feed(&alt, PD_TO_CLIENT, sm + so, k);
				so += k;
			}
		}
		ck_assert_int_le(alt.r.ready, 1);
		if (alt.c.have_cert) {
			ck_assert_uint_lt(strlen(alt.c.cert.subject), TLS_DN_MAX);
			ck_assert_uint_lt(strlen(alt.c.cert.issuer), TLS_DN_MAX);
		}
		if (alt.c.have_ch)
			ck_assert_uint_le(alt.c.ch.sni_len, TLS_SNI_MAX);
		tls_conn_free(&alt.c);
	}
}
END_TEST

/* ---- bad records and messages ---- */

static const struct {
	const char *name;
	uint8_t bytes[8];
	size_t len;
	const char *detail; /* NULL: accepted */
} records[] = {
	{ "http", { 'G', 'E', 'T', ' ', '/', ' ', 'H', 'T' }, 8, "content type 0x47" },
	{ "type 19", { 19, 3, 3, 0, 1, 0 }, 6, "content type 0x13" },
	{ "type 25", { 25, 3, 3, 0, 1, 0 }, 6, "content type 0x19" },
	{ "version 2.0", { 22, 2, 0, 0, 4, 1 }, 6, "version 0x0200" },
	{ "version 3.5", { 22, 3, 5, 0, 4, 1 }, 6, "version 0x0305" },
	{ "length 2^14+2049", { 23, 3, 3, 0x48, 0x01 }, 5, "length 18433" },
	{ "sslv2 hello", { 0x80, 0x2e, 0x01, 0x03, 0x01 }, 5, "SSLv2 record header" },
	{ "length 2^14+2048", { 23, 3, 3, 0x48, 0x00 }, 5, NULL },
	{ "heartbeat", { 24, 3, 0, 0, 1, 1 }, 6, NULL },
};

START_TEST(conn_bad_record)
{
	fd_init(&alt);
	size_t used = tls_conn_feed(&alt.c, PD_TO_SERVER, records[_i].bytes, records[_i].len);
	ck_assert_uint_eq(used, records[_i].len);
	if (records[_i].detail == NULL) {
		ck_assert_int_eq(alt.r.anomalies, 0);
		ck_assert(!alt.c.d[PD_TO_SERVER].dead);
		return;
	}
	ck_assert_int_eq(alt.r.anomalies, 1);
	ck_assert_str_eq(alt.r.reason[0], "tls_bad_record");
	ck_assert_str_eq(alt.r.detail[0], records[_i].detail);
	ck_assert(alt.c.d[PD_TO_SERVER].dead);
	/* That direction is over: a valid hello afterwards is not parsed. */
	fd_feed(&alt, PD_TO_SERVER, tls_d16[0].data, tls_d16[0].len);
	ck_assert(!alt.c.have_ch);
	ck_assert_int_eq(alt.r.anomalies, 1);
	/* The other direction is unaffected. */
	fd_feed(&alt, PD_TO_CLIENT, tls_d16[1].data, tls_d16[1].len);
	ck_assert(alt.c.have_sh);
	tls_conn_free(&alt.c);
}
END_TEST

START_TEST(conn_bad_record_after_hello)
{
	static const uint8_t junk[] = { 0x42, 0x03, 0x03, 0x00, 0x01, 0x00 };
	fd_init(&alt);
	fd_feed(&alt, PD_TO_SERVER, tls_d16[0].data, tls_d16[0].len);
	fd_feed(&alt, PD_TO_SERVER, junk, sizeof(junk));
	ck_assert(alt.c.have_ch);
	ck_assert_int_eq(alt.r.anomalies, 1);
	ck_assert_str_eq(alt.r.detail[0], "content type 0x42");
	tls_conn_free(&alt.c);
}
END_TEST

START_TEST(conn_bad_hellos)
{
	static struct tb msg, out;
	/* A ClientHello whose cipher list has an odd length. */
	tb_init(&msg);
	tb_u8(&msg, 1);
	tb_open(&msg, 3);
	tb_u16(&msg, 0x0303);
	for (int i = 0; i < 33; i++)
		tb_u8(&msg, 0);
	tb_u16(&msg, 3);
	tb_u16(&msg, 0x1301);
	tb_u8(&msg, 0);
	tb_u8(&msg, 1);
	tb_u8(&msg, 0);
	tb_close(&msg);
	tb_init(&out);
	tb_records(&out, 22, msg.b, msg.n, 16384);
	fd_init(&alt);
	fd_feed(&alt, PD_TO_SERVER, out.b, out.n);
	ck_assert(!alt.c.have_ch);
	ck_assert_int_eq(alt.r.anomalies, 1);
	ck_assert_str_eq(alt.r.reason[0], "tls_bad_client_hello");
	ck_assert_str_eq(alt.r.detail[0], "cipher_suites malformed");

	/* A ServerHello cut short by its own length field. */
	tb_init(&msg);
	tb_u8(&msg, 2);
	tb_u24(&msg, 10);
	tb_u16(&msg, 0x0303);
	for (int i = 0; i < 8; i++)
		tb_u8(&msg, 0);
	tb_init(&out);
	tb_records(&out, 22, msg.b, msg.n, 16384);
	fd_feed(&alt, PD_TO_CLIENT, out.b, out.n);
	ck_assert(!alt.c.have_sh);
	ck_assert_int_eq(alt.r.anomalies, 2);
	ck_assert_str_eq(alt.r.reason[1], "tls_bad_server_hello");
	ck_assert_str_eq(alt.r.detail[1], "server_hello truncated");
	tls_conn_free(&alt.c);
}
END_TEST

/* One record of `type` around p[0..n) (n <= 16384). */
static void feed_record(struct feeder *f, enum pd_dir dir, uint8_t type, const uint8_t *p,
                        size_t n)
{
	static struct tb rec;
	tb_init(&rec);
	tb_records(&rec, type, p, n, 16384);
	fd_feed(f, dir, rec.b, rec.n);
}

/* n bytes of value v as handshake records of 16384 bytes. */
static void feed_filler(struct feeder *f, enum pd_dir dir, uint8_t v, size_t n)
{
	static uint8_t fill[16384];
	memset(fill, v, sizeof(fill));
	while (n > 0) {
		size_t k = n < sizeof(fill) ? n : sizeof(fill);
		feed_record(f, dir, 22, fill, k);
		n -= k;
	}
}

/* Messages larger than TLS_HS_MAX: a ClientHello is skipped with an anomaly
 * (and what follows still parses); a Certificate still yields its first
 * certificate from the kept prefix. */
START_TEST(conn_oversized_messages)
{
	static uint8_t hsb[TB_CAP];
	static const uint8_t big_ch[] = { 1, 0x01, 0x11, 0x70 }; /* ClientHello of 70000 bytes */
	fd_init(&alt);
	feed_record(&alt, PD_TO_SERVER, 22, big_ch, sizeof(big_ch));
	feed_filler(&alt, PD_TO_SERVER, 0, 70000);
	ck_assert_int_eq(alt.r.anomalies, 1);
	ck_assert_str_eq(alt.r.reason[0], "tls_handshake_too_large");
	ck_assert_str_eq(alt.r.detail[0], "client_hello");
	ck_assert(!alt.c.have_ch);
	size_t chn = tb_hs_stream(tls_d16, 1, PD_TO_SERVER, hsb, sizeof(hsb), NULL);
	feed_record(&alt, PD_TO_SERVER, 22, hsb, chn);
	ck_assert(alt.c.have_ch);
	ck_assert_mem_eq(alt.c.ch.sni, "www.corp.test", 13);

	/* Certificate: the real first certificate, then a 70000-byte second one. */
	size_t shn = tb_hs_stream(tls_d16, tls_d16_count, PD_TO_CLIENT, hsb, sizeof(hsb), NULL);
	size_t sh_len, cert_len;
	const uint8_t *sh = tb_find_msg(hsb, shn, 2, &sh_len);
	const uint8_t *cert = tb_find_msg(hsb, shn, 11, &cert_len);
	ck_assert_ptr_nonnull(sh);
	ck_assert_ptr_nonnull(cert);
	size_t first_len = 3 + (((size_t)cert[3] << 16) | ((size_t)cert[4] << 8) | cert[5]);
	feed_record(&alt, PD_TO_CLIENT, 22, sh - 4, sh_len + 4);
	static struct tb msg;
	tb_init(&msg);
	tb_u8(&msg, 11);
	tb_u24(&msg, (uint32_t)(3 + first_len + 3 + 70000));
	tb_u24(&msg, (uint32_t)(first_len + 3 + 70000));
	tb_bytes(&msg, cert + 3, first_len);
	tb_u24(&msg, 70000);
	feed_record(&alt, PD_TO_CLIENT, 22, msg.b, msg.n);
	feed_filler(&alt, PD_TO_CLIENT, 0x5a, 70000);
	ck_assert(alt.c.have_cert);
	ck_assert_str_eq(alt.c.cert.subject, "O=Corpus Test, CN=www.corp.test");
	ck_assert_uint_eq(alt.c.cert.chain_len, 1); /* the second one was not kept whole */
	ck_assert_int_eq(alt.r.ready, 0);
	static const uint8_t shd[] = { 14, 0, 0, 0 };
	feed_record(&alt, PD_TO_CLIENT, 22, shd, sizeof(shd));
	ck_assert_int_eq(alt.r.ready, 1);
	ck_assert_int_eq(alt.r.anomalies, 1);
	tls_conn_free(&alt.c);
}
END_TEST

static const uint16_t hrr_ciphers[] = { 0x1301 };
static const uint16_t hrr_versions[] = { 0x0304 };
static const struct ch_spec hrr_client = {
	.version = 0x0303, .ciphers = hrr_ciphers, .n_ciphers = 1,
	.versions = hrr_versions, .n_versions = 1,
};

START_TEST(conn_hello_retry)
{
	static struct tb msg, out;
	static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
	fd_init(&alt);
	tb_init(&msg);
	tb_client_hello(&msg, &hrr_client);
	tb_init(&out);
	tb_records(&out, 22, msg.b, msg.n, 16384);
	fd_feed(&alt, PD_TO_SERVER, out.b, out.n);

	tb_init(&msg);
	tb_server_hello(&msg, 0x0303, 0x1301, 1, 0x0304, NULL);
	tb_init(&out);
	tb_records(&out, 22, msg.b, msg.n, 16384);
	tb_bytes(&out, ccs, sizeof(ccs)); /* compatibility CCS right after the HRR */
	fd_feed(&alt, PD_TO_CLIENT, out.b, out.n);
	ck_assert(alt.c.have_sh && alt.c.sh.hrr && alt.c.hrr_seen);
	ck_assert_int_eq(alt.r.ready, 0);
	ck_assert(!alt.c.d[PD_TO_CLIENT].encrypted);

	/* The client's CCS and second ClientHello, then the real ServerHello. */
	fd_feed(&alt, PD_TO_SERVER, ccs, sizeof(ccs));
	tb_init(&msg);
	tb_server_hello(&msg, 0x0303, 0x1302, 0, 0x0304, "h2");
	tb_init(&out);
	tb_records(&out, 22, msg.b, msg.n, 16384);
	fd_feed(&alt, PD_TO_CLIENT, out.b, out.n);
	ck_assert_int_eq(alt.r.ready, 1);
	ck_assert(!alt.c.sh.hrr && alt.c.hrr_seen);
	ck_assert_uint_eq(alt.c.sh.cipher, 0x1302);
	ck_assert(alt.c.d[PD_TO_CLIENT].encrypted);
	ck_assert_int_eq(alt.r.anomalies, 0);
	tls_conn_free(&alt.c);
}
END_TEST

/* TLS 1.2 abbreviated handshake: ServerHello, CCS, no ServerHelloDone. */
START_TEST(conn_resumption)
{
	static struct tb msg, out;
	static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
	fd_init(&alt);
	fd_feed(&alt, PD_TO_SERVER, tls_d16[0].data, tls_d16[0].len);
	tb_init(&msg);
	tb_server_hello(&msg, 0x0303, 0xc02f, 0, 0, NULL);
	tb_init(&out);
	tb_records(&out, 22, msg.b, msg.n, 16384);
	fd_feed(&alt, PD_TO_CLIENT, out.b, out.n);
	ck_assert_int_eq(alt.r.ready, 0);
	fd_feed(&alt, PD_TO_CLIENT, ccs, sizeof(ccs));
	ck_assert_int_eq(alt.r.ready, 1);
	ck_assert(alt.c.d[PD_TO_CLIENT].encrypted);
	tls_conn_free(&alt.c);
}
END_TEST

START_TEST(conn_alert_and_gap)
{
	static const uint8_t alert[] = { 21, 3, 3, 0, 2, 2, 40 };
	fd_init(&alt);
	fd_feed(&alt, PD_TO_SERVER, tls_d16[0].data, tls_d16[0].len);
	fd_feed(&alt, PD_TO_CLIENT, alert, 6); /* split inside the alert */
	fd_feed(&alt, PD_TO_CLIENT, alert + 6, 1);
	ck_assert(alt.c.d[PD_TO_CLIENT].have_alert);
	ck_assert_uint_eq(alt.c.d[PD_TO_CLIENT].alert[0], 2);
	ck_assert_uint_eq(alt.c.d[PD_TO_CLIENT].alert[1], 40);
	tls_conn_gap(&alt.c, PD_TO_CLIENT);
	ck_assert(alt.c.d[PD_TO_CLIENT].dead);
	fd_feed(&alt, PD_TO_CLIENT, tls_d16[1].data, tls_d16[1].len);
	ck_assert(!alt.c.have_sh);
	ck_assert_int_eq(alt.r.anomalies, 0);
	tls_conn_free(&alt.c);
	tls_conn_free(&alt.c); /* idempotent */
}
END_TEST

/* ---- probe ---- */

static const struct {
	enum pd_dir dir;
	uint8_t b[16];
	size_t len;
	enum pd_probe want;
} probes[] = {
	{ PD_TO_SERVER, { 0 }, 0, PD_PROBE_NEED_MORE },
	{ PD_TO_SERVER, { 0x16 }, 1, PD_PROBE_NEED_MORE },
	{ PD_TO_SERVER, { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01 }, 8, PD_PROBE_NEED_MORE },
	{ PD_TO_SERVER, { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc }, 9, PD_PROBE_MATCH },
	{ PD_TO_CLIENT, { 0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76 }, 9, PD_PROBE_MATCH },
	/* a ClientHello to the client: not a hello here, a 512-byte record not yet whole */
	{ PD_TO_CLIENT, { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc }, 9,
	  PD_PROBE_NEED_MORE },
	{ PD_TO_SERVER, { 'E', 'H', 'L', 'O' }, 4, PD_PROBE_REJECT },
	{ PD_TO_SERVER, { 0x17, 0x03, 0x03 }, 3, PD_PROBE_NEED_MORE },
	{ PD_TO_SERVER, { 0x16, 0x02 }, 2, PD_PROBE_REJECT },
	{ PD_TO_SERVER, { 0x16, 0x03, 0x05 }, 3, PD_PROBE_REJECT },
	{ PD_TO_SERVER, { 0x16, 0x03, 0x01, 0x00, 0x03 }, 5, PD_PROBE_REJECT },
	{ PD_TO_SERVER, { 0x16, 0x03, 0x01, 0x48, 0x01 }, 5, PD_PROBE_REJECT },
	{ PD_TO_SERVER, { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x00, 0x25 }, 9, PD_PROBE_REJECT },
	/* midstream: encrypted records, no hello */
	{ PD_TO_SERVER, { 0x17, 0x03, 0x03, 0x00, 0x03, 0xaa, 0xbb, 0xcc }, 8, PD_PROBE_MATCH },
	{ PD_TO_CLIENT, { 0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00 }, 7, PD_PROBE_MATCH },
	{ PD_TO_SERVER, { 0x17, 0x03, 0x03, 0x00, 0x03, 0xaa, 0xbb }, 7, PD_PROBE_NEED_MORE },
	{ PD_TO_SERVER, { 0x17, 0x03, 0x03, 0x00, 0x01, 0xaa, 0x17, 0x03 }, 8, PD_PROBE_NEED_MORE },
	{ PD_TO_SERVER, { 0x17, 0x03, 0x03, 0x00, 0x01, 0xaa, 0x17, 0x03, 0x03, 0x00, 0x01 }, 11,
	  PD_PROBE_MATCH },
	{ PD_TO_SERVER, { 0x17, 0x03, 0x03, 0x00, 0x01, 0xaa, 0x17, 0x03, 0x01 }, 9,
	  PD_PROBE_REJECT },  /* second record of another version */
	{ PD_TO_SERVER, { 0x17, 0x03, 0x03, 0x00, 0x01, 0xaa, 'G', 'E' }, 8, PD_PROBE_REJECT },
	{ PD_TO_SERVER, { 0x17, 0x03, 0x03, 0x00, 0x00 }, 5, PD_PROBE_REJECT },  /* empty record */
	{ PD_TO_SERVER, { 0x14, 0x03, 0x03, 0x00, 0x02, 0x01, 0x01 }, 7, PD_PROBE_REJECT },
	{ PD_TO_SERVER, { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 }, 6, PD_PROBE_MATCH },
	{ PD_TO_SERVER, { 0x18, 0x03, 0x03, 0x00, 0x01, 0x01 }, 6, PD_PROBE_REJECT },
};

START_TEST(probe_table)
{
	ck_assert_int_eq(pd_handler_tls.probe(probes[_i].dir, probes[_i].b, probes[_i].len),
	                 probes[_i].want);
}
END_TEST

/* ---- through the core ---- */

static struct hd_harness h;

static void run_segs(const struct tls_seg *segs, size_t n, uint16_t sport, uint16_t dport)
{
	hh_setup(&h, NULL, 0);
	hh_session(&h, PD_TCP, sport, dport);
	for (size_t i = 0; i < n; i++)
		hd_session_data(&h.s, segs[i].dir, segs[i].data, segs[i].len, 1795729881000000ULL + i);
	hd_session_close(&h.s, PD_CLOSE_FIN, 1795729882000000ULL);
}

static size_t count_type(const char *type)
{
	size_t n = 0;
	for (long i = 0; (i = hh_find(&h, (size_t)i, type, NULL)) >= 0; i++)
		n++;
	return n;
}

static void expect_str(const char *line, const char *path, const char *want)
{
	char v[512];
	ck_assert_msg(jc_get_string(line, path, v, sizeof(v)) == 0, "%s missing in %s", path, line);
	ck_assert_msg(strcmp(v, want) == 0, "%s: %s != %s", path, v, want);
}

START_TEST(core_tls12)
{
	run_segs(tls_d16, tls_d16_count, 41605, 443);
	ck_assert_uint_eq(count_type("tls"), 1);
	ck_assert_uint_eq(count_type("anomaly"), 0);
	const char *l = hh_line(&h, (size_t)hh_find(&h, 0, "tls", NULL));
	expect_str(l, "app_proto", "tls");
	expect_str(l, "tls.version", "TLS 1.2");
	expect_str(l, "tls.sni", "www.corp.test");
	expect_str(l, "tls.alpn.0", "http/1.1");
	expect_str(l, "tls.subject", "O=Corpus Test, CN=www.corp.test");
	expect_str(l, "tls.issuerdn", "O=Corpus Test CA, CN=Corpus Test Root");
	expect_str(l, "tls.serial", "56:56:20:AC:9B:E4:D4:30:9D:39:5F:40:A1:01:81:F3:A7:EA:F3:80");
	expect_str(l, "tls.fingerprint", "06:f5:bb:02:3d:4a:0f:7c:15:a8:27:c4:51:07:bd:53:9e:c9:4b:6d");
	expect_str(l, "tls.notbefore", "2026-11-26T21:51:12");
	expect_str(l, "tls.notafter", "2026-12-26T21:51:12");
	expect_str(l, "tls.ja4", "t13d3112h1_e8f1e7e78f70_b26ce05bbdd6");
	expect_str(l, "tls.ja3.hash", "0149f47eabf9a20d0893e2a44e5a6323");
	expect_str(l, "tls.ja3s.hash", "263c859c5391203d774bc0599793d915");
	expect_str(l, "tls.ja3s.string", "771,49200,65281-0-11-16-23");
	expect_str(l, "tls.client.version", "TLS 1.2");
	expect_str(l, "tls.client.versions.0", "TLS 1.3");
	expect_str(l, "tls.client.ciphers.0", "TLS_AES_256_GCM_SHA384");
	expect_str(l, "tls.client.ciphers.30", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
	expect_str(l, "tls.client.groups.0", "x25519");
	expect_str(l, "tls.client.sigalgs.0", "ecdsa_secp256r1_sha256");
	expect_str(l, "tls.server.version", "TLS 1.2");
	expect_str(l, "tls.server.cipher", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
	expect_str(l, "tls.server.alpn", "http/1.1");
	uint64_t u;
	size_t n;
	ck_assert_int_eq(jc_get_uint(l, "tls.chain_length", &u), 0);
	ck_assert_uint_eq(u, 2);
	ck_assert_int_eq(jc_get_count(l, "tls.client.ciphers", &n), 0);
	ck_assert_uint_eq(n, 31);
	ck_assert_int_eq(jc_get_count(l, "tls.client.extensions", &n), 0);
	ck_assert_uint_eq(n, 12);
	ck_assert_int_eq(jc_get_uint(l, "tls.client.extensions.6", &u), 0);
	ck_assert_uint_eq(u, 49);
	ck_assert_int_eq(jc_get_uint(l, "tls.client.point_formats.2", &u), 0);
	ck_assert_uint_eq(u, 2);
	bool b;
	ck_assert_int_eq(jc_get_bool(l, "tls.client.grease", &b), 0);
	ck_assert(!b);
	ck_assert_int_ne(jc_get_bool(l, "tls.server.hello_retry", &b), 0);
	hh_teardown(&h);
}
END_TEST

/* The event line is the same whatever the segmentation (split each direction
 * at every byte through the core). */
START_TEST(core_split_identical)
{
	static char want[8192];
	run_segs(tls_d16, tls_d16_count, 41605, 443);
	snprintf(want, sizeof(want), "%s", hh_line(&h, (size_t)hh_find(&h, 0, "tls", NULL)));
	hh_teardown(&h);
	size_t cn = tb_dir_bytes(tls_d16, tls_d16_count, PD_TO_SERVER, cbytes, sizeof(cbytes));
	size_t sn = tb_dir_bytes(tls_d16, tls_d16_count, PD_TO_CLIENT, sbytes, sizeof(sbytes));
	for (size_t k = 0; k < cn + sn; k += 7) {
		/* k < cn: split the client bytes at k; else the server bytes at k - cn. */
		struct tls_seg segs[4];
		size_t ci = k < cn ? k : cn, si = k < cn ? sn : k - cn;
		segs[0] = (struct tls_seg){ PD_TO_SERVER, cbytes, ci };
		segs[1] = (struct tls_seg){ PD_TO_SERVER, cbytes + ci, cn - ci };
		segs[2] = (struct tls_seg){ PD_TO_CLIENT, sbytes, si };
		segs[3] = (struct tls_seg){ PD_TO_CLIENT, sbytes + si, sn - si };
		hh_setup(&h, NULL, 0);
		hh_session(&h, PD_TCP, 41605, 443);
		for (size_t i = 0; i < 4; i++)
			if (segs[i].len > 0)
				hd_session_data(&h.s, segs[i].dir, segs[i].data, segs[i].len,
				                1795729881000000ULL);
		hd_session_close(&h.s, PD_CLOSE_FIN, 1795729882000000ULL);
		long at = hh_find(&h, 0, "tls", NULL);
		ck_assert_msg(at >= 0, "no tls event at split %zu", k);
		const char *l = hh_line(&h, (size_t)at);
		/* Packet times differ from the reference run: compare from flow_id on. */
		ck_assert_msg(strcmp(strstr(l, "\"flow_id\""), strstr(want, "\"flow_id\"")) == 0,
		              "split %zu:\n%s\n%s", k, l, want);
		ck_assert_uint_eq(count_type("tls"), 1);
		hh_teardown(&h);
	}
}
END_TEST

START_TEST(core_smtps_upgrade)
{
	run_segs(tls_d12, tls_d12_count, 41201, 465);
	ck_assert_uint_eq(count_type("tls"), 1);
	const char *l = hh_line(&h, (size_t)hh_find(&h, 0, "tls", NULL));
	expect_str(l, "app_proto", "submissions");
	expect_str(l, "tls.version", "TLS 1.3");
	expect_str(l, "tls.server.cipher", "TLS_AES_256_GCM_SHA384");
	expect_str(l, "tls.ja4", "t13i311000_e8f1e7e78f70_d41ae481755e");
	const char *raw;
	size_t n;
	ck_assert_int_ne(jc_get_raw(l, "tls.sni", &raw, &n), 0);
	ck_assert_int_ne(jc_get_raw(l, "tls.subject", &raw, &n), 0);
	hh_teardown(&h);
}
END_TEST

/* On a port no handler owns, the probe claims the flow. */
START_TEST(core_probe_other_port)
{
	run_segs(tls_d16, tls_d16_count, 41605, 8443);
	ck_assert_uint_eq(count_type("tls"), 1);
	const char *l = hh_line(&h, (size_t)hh_find(&h, 0, "tls", NULL));
	expect_str(l, "app_proto", "tls");
	expect_str(l, "tls.sni", "www.corp.test");
	hh_teardown(&h);
}
END_TEST

/* A server that answers a ClientHello with plain text: an anomaly, then the
 * event at close with the client side only. */
START_TEST(core_bad_record_event)
{
	static const char reply[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
	struct tls_seg segs[2] = {
		tls_d16[0],
		{ PD_TO_CLIENT, (const uint8_t *)reply, sizeof(reply) - 1 },
	};
	run_segs(segs, 2, 41605, 443);
	long a = hh_find(&h, 0, "anomaly", "tls_bad_record");
	ck_assert_int_ge(a, 0);
	const char *l = hh_line(&h, (size_t)a);
	expect_str(l, "anomaly.detail", "content type 0x48");
	expect_str(l, "anomaly.layer", "tls");
	ck_assert_uint_eq(count_type("tls"), 1);
	l = hh_line(&h, (size_t)hh_find(&h, 0, "tls", NULL));
	expect_str(l, "tls.sni", "www.corp.test");
	const char *raw;
	size_t n;
	ck_assert_int_ne(jc_get_raw(l, "tls.version", &raw, &n), 0);
	ck_assert_int_ne(jc_get_raw(l, "tls.server", &raw, &n), 0);
	ck_assert_int_eq(jc_get_raw(l, "tls.client", &raw, &n), 0);
	hh_teardown(&h);
}
END_TEST

/* Client hello only, then a fatal alert from the server: one event at close. */
START_TEST(core_alert_at_close)
{
	static const uint8_t alert[] = { 21, 3, 3, 0, 2, 2, 40 };
	struct tls_seg segs[2] = { tls_d16[0], { PD_TO_CLIENT, alert, sizeof(alert) } };
	run_segs(segs, 2, 41605, 443);
	ck_assert_uint_eq(count_type("tls"), 1);
	ck_assert_uint_eq(count_type("anomaly"), 0);
	const char *l = hh_line(&h, (size_t)hh_find(&h, 0, "tls", NULL));
	uint64_t u;
	ck_assert_int_eq(jc_get_uint(l, "tls.server.alert.description", &u), 0);
	ck_assert_uint_eq(u, 40);
	ck_assert_int_eq(jc_get_uint(l, "tls.server.alert.level", &u), 0);
	ck_assert_uint_eq(u, 2);
	hh_teardown(&h);
}
END_TEST

static Suite *tls_conn_suite(void)
{
	Suite *s = suite_create("tls_conn");
	TCase *tc = tcase_create("conn");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, conn_tls12_real);
	tcase_add_test(tc, conn_tls13_real);
	tcase_add_test(tc, conn_split_every_byte);
	tcase_add_test(tc, conn_reframed_records);
	tcase_add_test(tc, conn_truncation_sweep);
	tcase_add_test(tc, conn_mutations);
	tcase_add_loop_test(tc, conn_bad_record, 0, sizeof(records) / sizeof(records[0]));
	tcase_add_test(tc, conn_bad_record_after_hello);
	tcase_add_test(tc, conn_bad_hellos);
	tcase_add_test(tc, conn_oversized_messages);
	tcase_add_test(tc, conn_hello_retry);
	tcase_add_test(tc, conn_resumption);
	tcase_add_test(tc, conn_alert_and_gap);
	tcase_add_loop_test(tc, probe_table, 0, sizeof(probes) / sizeof(probes[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, core_tls12);
	tcase_add_test(tc, core_split_identical);
	tcase_add_test(tc, core_smtps_upgrade);
	tcase_add_test(tc, core_probe_other_port);
	tcase_add_test(tc, core_bad_record_event);
	tcase_add_test(tc, core_alert_at_close);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tls_conn_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
