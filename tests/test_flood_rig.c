/* SPDX-License-Identifier: BSD-2-Clause */
/* Test-only flood rig: in-memory frames (Ethernet II RFC 894, IPv4 RFC 791,
 * IPv6 RFC 8200, TCP RFC 9293, UDP RFC 768), the engine fed with them, the
 * event tally and the memory measurements (see test_flood_rig.h). Checksums
 * are left zero: the decoder does not verify them. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "daemon/engine_int.h"
#include "parsers/decode.h"
#include "tests/json_check.h"
#include "tests/test_flood_rig.h"

#if defined(__SANITIZE_ADDRESS__)
#define FL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FL_ASAN 1
#endif
#endif

#ifdef FL_ASAN
/* ASan's hook for built-in defaults (ASAN_OPTIONS still overrides): a small
 * quarantine, so the RSS bound measures the engine and not freed blocks held
 * back by the sanitizer (256 MiB by default; 8 MiB still catches a use soon
 * after a free, which is what these tests could provoke). */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=8";
}
#endif

#define MIB (1024ull * 1024ull)
#define DRAIN_AT (1u << 20)        /* drain the memory sink past 1 MiB */
#define VALIDATE_EVERY 1024u       /* flow lines validated as JSON: one in this many */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* Ethernet II: locally administered MACs, then the EtherType. */
static size_t eth(uint8_t *out, uint16_t ethertype)
{
	static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01 };
	memcpy(out, macs, sizeof macs);
	put16(out + 12, ethertype);
	return 14;
}

/* IPv4 header without options; total = header + payload. */
static size_t ip4(uint8_t *out, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
                  uint16_t id, uint16_t frag, size_t payload_len)
{
	memset(out, 0, 20);
	out[0] = 0x45;
	put16(out + 2, (uint16_t)(20 + payload_len));
	put16(out + 4, id);
	put16(out + 6, frag);
	out[8] = 64;
	out[9] = proto;
	memcpy(out + 12, src, 4);
	memcpy(out + 16, dst, 4);
	return 20;
}

size_t fl_tcp4(uint8_t *out, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
               uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const void *payload,
               size_t len)
{
	ck_assert_uint_le(14 + 20 + 20 + len, FL_FRAME_MAX);
	size_t n = eth(out, 0x0800);
	n += ip4(out + n, 6, src, dst, 0, 0, 20 + len);
	uint8_t *t = out + n;
	memset(t, 0, 20);
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, (flags & PD_TCP_ACK) ? ack : 0);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 65535);
	n += 20;
	if (len > 0)
		memcpy(out + n, payload, len);
	return n + len;
}

size_t fl_udp4(uint8_t *out, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
               uint16_t dport, const void *payload, size_t len)
{
	ck_assert_uint_le(14 + 20 + 8 + len, FL_FRAME_MAX);
	size_t n = eth(out, 0x0800);
	n += ip4(out + n, 17, src, dst, 0, 0, 8 + len);
	put16(out + n, sport);
	put16(out + n + 2, dport);
	put16(out + n + 4, (uint16_t)(8 + len));
	put16(out + n + 6, 0);
	n += 8;
	if (len > 0)
		memcpy(out + n, payload, len);
	return n + len;
}

/* UDP header of a datagram twice the fragment's size, then data_len bytes. */
static size_t frag_udp(uint8_t *out, size_t data_len)
{
	put16(out, 40000);
	put16(out + 2, 53);
	put16(out + 4, (uint16_t)(2 * (8 + data_len)));
	put16(out + 6, 0);
	memset(out + 8, 0x5a, data_len);
	return 8 + data_len;
}

size_t fl_frag4(uint8_t *out, const uint8_t src[4], const uint8_t dst[4], uint16_t id,
                size_t data_len)
{
	ck_assert_uint_le(14 + 20 + 8 + data_len, FL_FRAME_MAX);
	ck_assert_uint_eq((8 + data_len) % 8, 0);
	size_t n = eth(out, 0x0800);
	n += ip4(out + n, 17, src, dst, id, 0x2000 /* MF, offset 0 */, 8 + data_len);
	return n + frag_udp(out + n, data_len);
}

size_t fl_frag6(uint8_t *out, const uint8_t src[16], const uint8_t dst[16], uint32_t id,
                size_t data_len)
{
	ck_assert_uint_le(14 + 40 + 8 + 8 + data_len, FL_FRAME_MAX);
	ck_assert_uint_eq((8 + data_len) % 8, 0);
	size_t n = eth(out, 0x86dd);
	uint8_t *h = out + n;
	memset(h, 0, 40);
	h[0] = 0x60;
	put16(h + 4, (uint16_t)(8 + 8 + data_len));
	h[6] = 44; /* Fragment header */
	h[7] = 64;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
	n += 40;
	uint8_t *fh = out + n;
	fh[0] = 17;
	fh[1] = 0;
	put16(fh + 2, 0x0001); /* offset 0, M */
	put32(fh + 4, id);
	n += 8;
	return n + frag_udp(out + n, data_len);
}

/* ---- the tally ---- */

static void tally_add(struct fl_tally *t, const char *key, size_t klen)
{
	for (unsigned i = 0; i < t->used; i++)
		if (strncmp(t->key[i], key, klen) == 0 && t->key[i][klen] == '\0') {
			t->n[i]++;
			return;
		}
	if (t->used == FL_TALLY_KEYS || klen >= sizeof t->key[0]) {
		t->overflow++;
		return;
	}
	memcpy(t->key[t->used], key, klen);
	t->key[t->used][klen] = '\0';
	t->n[t->used++] = 1;
}

/* Value of the first string member "name":"..." in a line (no escapes in the
 * names looked up here); the value's length in *len. */
static const char *str_member(const char *line, const char *name, size_t *len)
{
	char pat[32];
	snprintf(pat, sizeof pat, "\"%s\":\"", name);
	const char *v = strstr(line, pat);
	if (v == NULL)
		return NULL;
	v += strlen(pat);
	const char *end = strchr(v, '"');
	if (end == NULL)
		return NULL;
	*len = (size_t)(end - v);
	return v;
}

static void tally_prefixed(struct fl_tally *t, const char *prefix, const char *v, size_t len)
{
	char key[64];
	int n = snprintf(key, sizeof key, "%s/%.*s", prefix, (int)len, v);
	if (n < 0 || (size_t)n >= sizeof key) {
		t->overflow++;
		return;
	}
	tally_add(t, key, (size_t)n);
}

static void keep_line(struct fl_tally *t, const char *line, size_t len)
{
	if (t->kept_len + len + 1 > FL_KEPT_MAX) {
		t->kept_dropped++;
		return;
	}
	if (t->kept_len + len + 2 > t->kept_cap) {
		size_t cap = t->kept_cap ? t->kept_cap : 4096;
		while (cap < t->kept_len + len + 2)
			cap *= 2;
		char *nb = realloc(t->kept, cap);
		ck_assert_ptr_nonnull(nb);
		t->kept = nb;
		t->kept_cap = cap;
	}
	memcpy(t->kept + t->kept_len, line, len);
	t->kept_len += len;
	t->kept[t->kept_len++] = '\n';
	t->kept[t->kept_len] = '\0';
}

static void tally_line(struct fl_tally *t, char *line, size_t len)
{
	size_t vlen;
	const char *type = str_member(line, "event_type", &vlen);
	bool flow = type != NULL && vlen == 4 && memcmp(type, "flow", 4) == 0;
	t->lines++;
	if (!flow || t->lines % VALIDATE_EVERY == 0) {
		char err[128];
		if (jc_validate(line, len, err, sizeof err) != 0) {
			t->invalid++;
			fprintf(stderr, "invalid event line (%s): %.200s\n", err, line);
		}
	}
	if (type == NULL) {
		tally_add(t, "untyped", 7);
		return;
	}
	tally_add(t, type, vlen);
	const char *v;
	if (flow && (v = str_member(line, "reason", &vlen)) != NULL)
		tally_prefixed(t, "flow", v, vlen);
	if (vlen == 7 && memcmp(type, "anomaly", 7) == 0 &&
	    (v = str_member(line, "event", &vlen)) != NULL)
		tally_prefixed(t, "anomaly", v, vlen);
	keep_line(t, line, len);
}

static void drain(struct fl_rig *r)
{
	struct out_sink *s = &r->sink;
	if (s->mem_len > r->sink_peak)
		r->sink_peak = s->mem_len;
	char *p = s->mem, *end = s->mem + s->mem_len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		ck_assert_msg(nl != NULL, "sink holds a partial line");
		*nl = '\0';
		tally_line(&r->t, p, (size_t)(nl - p));
		p = nl + 1;
	}
	s->mem_len = 0;
}

/* ---- memory ---- */

static uint64_t peak_rss(void)
{
	struct rusage ru;
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return (uint64_t)ru.ru_maxrss * 1024u; /* Linux: KiB */
}

/* Linux >= 4.0: "5" resets the high-water mark to the current RSS, so each
 * test measures its own peak even when Check runs them in one process. */
static bool reset_peak_rss(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = write(fd, "5", 1) == 1;
	close(fd);
	return ok;
}

uint64_t fl_rss_growth(const struct fl_rig *r)
{
	uint64_t now = peak_rss();
	return now > r->rss0 ? now - r->rss0 : 0;
}

uint64_t fl_rss_slack(bool one_flow)
{
#ifdef FL_ASAN
	return one_flow ? 16 * MIB : 96 * MIB;
#else
	return one_flow ? 4 * MIB : 32 * MIB;
#endif
}

/* ---- the engine ---- */

void fl_open(struct fl_rig *r, const struct engine_config *cfg)
{
	char err[256];
	struct engine_config c;
	memset(&c, 0, sizeof c);
	if (cfg != NULL)
		c = *cfg;
	ck_assert_msg(hd_registry_init(&r->reg, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(out_sink_open(&r->sink, OUT_SINK_MEMORY, NULL, err, sizeof err) == 0, "%s",
	              err);
	r->rss_reset = reset_peak_rss();
	r->rss0 = peak_rss();
	ck_assert_msg(engine_new(&r->e, &c, &r->reg, &r->sink, err, sizeof err) == 0, "%s", err);
	r->fs = flow_get_stats(r->e->ft);
	r->rs = reasm_get_stats(r->e->rs);
	r->ds = defrag_get_stats(r->e->df);
	r->hc = engine_handlers(r->e);
	r->flow_record = flow_record_size(r->e->ft);
	r->ts = 1700000000ull * 1000000u;
}

void fl_frame(struct fl_rig *r, const uint8_t *frame, size_t len, uint64_t dt_us)
{
	engine_packet(r->e, frame, len, len, PD_LINK_ETHERNET, r->ts);
	r->ts += dt_us;
	r->frames++;
	if (r->hc->mem_in_use > r->hd_peak)
		r->hd_peak = r->hc->mem_in_use;
	if (r->sink.mem_len > DRAIN_AT)
		drain(r);
}

void fl_finish(struct fl_rig *r)
{
	engine_finish(r->e);
	if (r->hc->mem_in_use > r->hd_peak)
		r->hd_peak = r->hc->mem_in_use;
	drain(r);
	if (getenv("PD_FLOOD_DUMP") != NULL && r->t.kept != NULL)
		fputs(r->t.kept, stdout); /* debugging aid: the first FL_KEPT_MAX bytes of events */
	ck_assert_uint_eq(r->t.overflow, 0);
	ck_assert_uint_eq(r->t.invalid, 0);
}

void fl_close(struct fl_rig *r)
{
	engine_free(r->e);
	out_sink_close(&r->sink);
	free(r->t.kept);
	memset(&r->t, 0, sizeof r->t);
}

uint64_t fl_count(const struct fl_rig *r, const char *key)
{
	for (unsigned i = 0; i < r->t.used; i++)
		if (strcmp(r->t.key[i], key) == 0)
			return r->t.n[i];
	return 0;
}

bool fl_find(const struct fl_rig *r, char *out, size_t outlen, const char *const *needles)
{
	const char *p = r->t.kept, *end = r->t.kept + r->t.kept_len;
	while (p != NULL && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)(nl - p);
		if (len < outlen) {
			memcpy(out, p, len);
			out[len] = '\0';
			bool all = true;
			for (const char *const *n = needles; *n != NULL && all; n++)
				all = strstr(out, *n) != NULL;
			if (all)
				return true;
		}
		p = nl + 1;
	}
	return false;
}

/* ---- a TCP connection ---- */

void fl_conn_segment_at(struct fl_rig *r, const struct fl_conn *c, int side, uint32_t seq,
                        uint8_t flags, const void *data, size_t len)
{
	uint8_t f[FL_FRAME_MAX];
	size_t n = side == 0
	               ? fl_tcp4(f, c->cli, c->cport, c->srv, c->sport, seq, c->seq[1], flags, data,
	                         len)
	               : fl_tcp4(f, c->srv, c->sport, c->cli, c->cport, seq, c->seq[0], flags, data,
	                         len);
	fl_frame(r, f, n, 10);
}

static void segment(struct fl_rig *r, struct fl_conn *c, int side, uint8_t flags,
                    const void *data, size_t len)
{
	fl_conn_segment_at(r, c, side, c->seq[side], flags, data, len);
	c->seq[side] += (uint32_t)len + ((flags & (PD_TCP_SYN | PD_TCP_FIN)) ? 1u : 0u);
}

void fl_conn_open(struct fl_rig *r, struct fl_conn *c)
{
	segment(r, c, 0, PD_TCP_SYN, NULL, 0);
	segment(r, c, 1, PD_TCP_SYN | PD_TCP_ACK, NULL, 0);
	segment(r, c, 0, PD_TCP_ACK, NULL, 0);
}

void fl_conn_send(struct fl_rig *r, struct fl_conn *c, int side, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len > 0) {
		size_t n = len < FL_MSS ? len : FL_MSS;
		segment(r, c, side, PD_TCP_ACK | PD_TCP_PSH, p, n);
		p += n;
		len -= n;
	}
}

void fl_conn_fill(struct fl_rig *r, struct fl_conn *c, int side, uint8_t byte, uint64_t len)
{
	uint8_t buf[FL_MSS];
	memset(buf, byte, sizeof buf);
	while (len > 0) {
		size_t n = len < FL_MSS ? (size_t)len : FL_MSS;
		segment(r, c, side, PD_TCP_ACK, buf, n);
		len -= n;
	}
}

void fl_conn_fin(struct fl_rig *r, struct fl_conn *c, int side)
{
	segment(r, c, side, PD_TCP_FIN | PD_TCP_ACK, NULL, 0);
}
