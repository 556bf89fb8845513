/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for the DNS handler (handlers/dns*.c): event fields for queries and
 * every decoded RR type, name compression and its limits, malformed records,
 * a truncation sweep, TCP framing split at every byte, the probe. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/builtin.h"
#include "tests/json_check.h"
#include "tests/test_hd_harness.h"

#define TS 1795729881000000ULL

/* ---- message builder ---- */

struct msg {
	uint8_t b[8192];
	size_t n;
};

static void m_u8(struct msg *m, unsigned v)
{
	ck_assert_uint_lt(m->n, sizeof m->b);
	m->b[m->n++] = (uint8_t)v;
}

static void m_u16(struct msg *m, unsigned v)
{
	m_u8(m, v >> 8);
	m_u8(m, v & 0xff);
}

static void m_u32(struct msg *m, uint32_t v)
{
	m_u16(m, v >> 16);
	m_u16(m, v & 0xffff);
}

static void m_raw(struct msg *m, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		m_u8(m, ((const uint8_t *)p)[i]);
	}
}

/* Dotted name, uncompressed, root-terminated ("" = root). */
static void m_name(struct msg *m, const char *name)
{
	while (*name != '\0') {
		const char *dot = strchr(name, '.');
		size_t n = dot != NULL ? (size_t)(dot - name) : strlen(name);
		m_u8(m, (unsigned)n);
		m_raw(m, name, n);
		name += n + (dot != NULL);
	}
	m_u8(m, 0);
}

static void m_ptr(struct msg *m, unsigned off)
{
	m_u16(m, 0xc000u | off);
}

static void m_header(struct msg *m, unsigned id, unsigned flags, unsigned qd, unsigned an,
                     unsigned ns, unsigned ar)
{
	m->n = 0;
	m_u16(m, id);
	m_u16(m, flags);
	m_u16(m, qd);
	m_u16(m, an);
	m_u16(m, ns);
	m_u16(m, ar);
}

static void m_question(struct msg *m, const char *name, unsigned type)
{
	m_name(m, name);
	m_u16(m, type);
	m_u16(m, 1);
}

/* RR fixed part after the owner name; returns where RDLENGTH is, to patch. */
static size_t m_rr_fixed(struct msg *m, unsigned type, uint32_t ttl)
{
	m_u16(m, type);
	m_u16(m, 1);
	m_u32(m, ttl);
	size_t at = m->n;
	m_u16(m, 0);
	return at;
}

static void m_rdlen_patch(struct msg *m, size_t at)
{
	size_t len = m->n - at - 2;
	m->b[at] = (uint8_t)(len >> 8);
	m->b[at + 1] = (uint8_t)len;
}

static void m_query(struct msg *m, unsigned id, const char *name, unsigned type)
{
	m_header(m, id, 0x0100, 1, 0, 0, 0);
	m_question(m, name, type);
}

/* A response holding one record of every decoded type and then some. */
static void m_big_response(struct msg *m)
{
	size_t at;
	m_header(m, 0xbeef, 0x8180, 1, 10, 1, 1);
	m_question(m, "www.example.com", 1);             /* name at 12 */
	m_ptr(m, 12);                                    /* A */
	at = m_rr_fixed(m, 1, 300);
	m_raw(m, "\x5d\xb8\xd8\x22", 4);
	m_rdlen_patch(m, at);
	m_ptr(m, 12);                                    /* AAAA */
	at = m_rr_fixed(m, 28, 301);
	m_raw(m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	m_rdlen_patch(m, at);
	m_ptr(m, 12);                                    /* CNAME -> cdn. + example.com */
	at = m_rr_fixed(m, 5, 302);
	m_u8(m, 3);
	m_raw(m, "cdn", 3);
	m_ptr(m, 16);
	m_rdlen_patch(m, at);
	m_ptr(m, 16);                                    /* NS of example.com */
	at = m_rr_fixed(m, 2, 303);
	m_name(m, "ns1.example.net");
	m_rdlen_patch(m, at);
	m_name(m, "4.3.2.1.in-addr.arpa");               /* PTR */
	at = m_rr_fixed(m, 12, 304);
	m_ptr(m, 12);
	m_rdlen_patch(m, at);
	m_ptr(m, 16);                                    /* MX 10 mail.example.com */
	at = m_rr_fixed(m, 15, 305);
	m_u16(m, 10);
	m_u8(m, 4);
	m_raw(m, "mail", 4);
	m_ptr(m, 16);
	m_rdlen_patch(m, at);
	m_ptr(m, 16);                                    /* TXT, two strings */
	at = m_rr_fixed(m, 16, 306);
	m_u8(m, 7);
	m_raw(m, "v=spf1 ", 7);
	m_u8(m, 4);
	m_raw(m, "-all", 4);
	m_rdlen_patch(m, at);
	m_ptr(m, 16);                                    /* SOA */
	at = m_rr_fixed(m, 6, 307);
	m_name(m, "ns1.example.com");
	m_name(m, "hostmaster.example.com");
	m_u32(m, 2026112601);
	m_u32(m, 7200);
	m_u32(m, 900);
	m_u32(m, 1209600);
	m_u32(m, 86400);
	m_rdlen_patch(m, at);
	m_ptr(m, 12);                                    /* TYPE999, 3 bytes */
	at = m_rr_fixed(m, 999, 308);
	m_raw(m, "xyz", 3);
	m_rdlen_patch(m, at);
	m_name(m, "");                                   /* root NS, empty TXT */
	at = m_rr_fixed(m, 16, 309);
	m_rdlen_patch(m, at);
	m_ptr(m, 16);                                    /* authority NS */
	at = m_rr_fixed(m, 2, 3600);
	m_ptr(m, 12);
	m_rdlen_patch(m, at);
	m_name(m, "");                                   /* additional OPT */
	m_u16(m, 41);
	m_u16(m, 1232);
	m_u32(m, 0);
	m_u16(m, 0);
}

/* ---- fixture ---- */

static struct hd_harness *H;

static void setup(void)
{
	H = calloc(1, sizeof *H);
	ck_assert_ptr_nonnull(H);
	hh_setup(H, NULL, 0);
}

static void teardown(void)
{
	hh_teardown(H);
	free(H);
}

static void udp_session(void)
{
	hh_session(H, PD_UDP, 40000, 53);
}

static void dgram(const struct msg *m, size_t n)
{
	hd_session_data(&H->s, PD_TO_SERVER, m->b, n, TS);
}

static void m_query(struct msg *m, unsigned id, const char *name, unsigned type);

/* A UDP session on 53 made active by a valid query; its event is forgotten. */
static void udp_active(void)
{
	struct msg q;
	udp_session();
	m_query(&q, 1, "warm.up", 1);
	dgram(&q, q.n);
	ck_assert_int_eq(H->s.phase, HD_ACTIVE);
	hh_clear(H);
}

static void str_at(const char *line, const char *path, const char *want)
{
	char v[512];
	ck_assert_msg(jc_get_string(line, path, v, sizeof v) == 0, "%s missing: %s", path, line);
	ck_assert_msg(strcmp(v, want) == 0, "%s = \"%s\", want \"%s\"", path, v, want);
}

static void uint_at(const char *line, const char *path, uint64_t want)
{
	uint64_t v;
	ck_assert_msg(jc_get_uint(line, path, &v) == 0, "%s missing: %s", path, line);
	ck_assert_msg(v == want, "%s = %llu, want %llu", path, (unsigned long long)v,
	              (unsigned long long)want);
}

static void absent(const char *line, const char *path)
{
	const char *p;
	size_t n;
	ck_assert_msg(jc_get_raw(line, path, &p, &n) != 0, "%s present: %s", path, line);
}

/* The single anomaly event written since the last hh_clear, by name. */
static const char *only_anomaly(const char *event)
{
	long i = hh_find(H, 0, "anomaly", NULL);
	ck_assert_msg(i >= 0, "no anomaly");
	ck_assert_int_eq(hh_find(H, (size_t)i + 1, "anomaly", NULL), -1);
	const char *l = hh_line(H, (size_t)i);
	str_at(l, "anomaly.event", event);
	str_at(l, "anomaly.type", "applayer");
	str_at(l, "anomaly.layer", "dns");
	return l;
}

/* ---- events ---- */

START_TEST(test_query_event)
{
	struct msg m;
	m_query(&m, 0x1234, "www.example.com", 28);
	udp_session();
	dgram(&m, m.n);
	ck_assert_int_eq(H->s.phase, HD_ACTIVE);
	ck_assert_uint_eq(hh_count(H), 1);
	const char *l = hh_line(H, 0);
	str_at(l, "event_type", "dns");
	str_at(l, "app_proto", "dns");
	static const char *const keys[] = { "type", "id", "flags", "rd", "opcode", "rrname",
	                                    "rrtype", "qclass", "authorities_count",
	                                    "additionals_count" };
	size_t n;
	ck_assert_int_eq(jc_get_count(l, "dns", &n), 0);
	ck_assert_uint_eq(n, sizeof keys / sizeof keys[0]);
	for (size_t i = 0; i < n; i++) {
		char k[64];
		ck_assert_int_eq(jc_key_at(l, "dns", i, k, sizeof k), 0);
		ck_assert_str_eq(k, keys[i]);
	}
	str_at(l, "dns.type", "query");
	uint_at(l, "dns.id", 0x1234);
	str_at(l, "dns.flags", "0100");
	bool b;
	ck_assert_int_eq(jc_get_bool(l, "dns.rd", &b), 0);
	ck_assert(b);
	uint_at(l, "dns.opcode", 0);
	str_at(l, "dns.rrname", "www.example.com");
	str_at(l, "dns.rrtype", "AAAA");
	str_at(l, "dns.qclass", "IN");
	ck_assert_uint_eq(H->ctx.stats[0].events, 1);
}
END_TEST

START_TEST(test_response_all_types)
{
	struct msg m;
	m_big_response(&m);
	udp_session();
	dgram(&m, m.n);
	ck_assert_uint_eq(hh_count(H), 1);
	const char *l = hh_line(H, 0);
	uint_at(l, "dns.version", 2);
	str_at(l, "dns.type", "answer");
	uint_at(l, "dns.id", 0xbeef);
	str_at(l, "dns.flags", "8180");
	bool b;
	ck_assert_int_eq(jc_get_bool(l, "dns.qr", &b), 0);
	ck_assert_int_eq(jc_get_bool(l, "dns.ra", &b), 0);
	absent(l, "dns.aa");
	absent(l, "dns.tc");
	str_at(l, "dns.rcode", "NOERROR");
	str_at(l, "dns.rrname", "www.example.com");
	str_at(l, "dns.rrtype", "A");
	uint_at(l, "dns.answers_count", 10);
	uint_at(l, "dns.authorities_count", 1);
	uint_at(l, "dns.additionals_count", 1);
	size_t n;
	ck_assert_int_eq(jc_get_count(l, "dns.answers", &n), 0);
	ck_assert_uint_eq(n, 10);

	str_at(l, "dns.answers.0.rrname", "www.example.com");
	str_at(l, "dns.answers.0.rrtype", "A");
	uint_at(l, "dns.answers.0.ttl", 300);
	str_at(l, "dns.answers.0.rdata", "93.184.216.34");
	str_at(l, "dns.answers.1.rrtype", "AAAA");
	str_at(l, "dns.answers.1.rdata", "2001:db8::1");
	str_at(l, "dns.answers.2.rrtype", "CNAME");
	str_at(l, "dns.answers.2.rdata", "cdn.example.com");
	str_at(l, "dns.answers.3.rrname", "example.com");
	str_at(l, "dns.answers.3.rrtype", "NS");
	str_at(l, "dns.answers.3.rdata", "ns1.example.net");
	str_at(l, "dns.answers.4.rrname", "4.3.2.1.in-addr.arpa");
	str_at(l, "dns.answers.4.rrtype", "PTR");
	str_at(l, "dns.answers.4.rdata", "www.example.com");
	str_at(l, "dns.answers.5.rrtype", "MX");
	str_at(l, "dns.answers.5.rdata", "mail.example.com");
	uint_at(l, "dns.answers.5.preference", 10);
	str_at(l, "dns.answers.6.rrtype", "TXT");
	str_at(l, "dns.answers.6.rdata", "v=spf1 -all");
	str_at(l, "dns.answers.6.txt.0", "v=spf1 ");
	str_at(l, "dns.answers.6.txt.1", "-all");
	str_at(l, "dns.answers.7.rrtype", "SOA");
	absent(l, "dns.answers.7.rdata");
	str_at(l, "dns.answers.7.soa.mname", "ns1.example.com");
	str_at(l, "dns.answers.7.soa.rname", "hostmaster.example.com");
	uint_at(l, "dns.answers.7.soa.serial", 2026112601);
	uint_at(l, "dns.answers.7.soa.refresh", 7200);
	uint_at(l, "dns.answers.7.soa.retry", 900);
	uint_at(l, "dns.answers.7.soa.expire", 1209600);
	uint_at(l, "dns.answers.7.soa.minimum", 86400);
	str_at(l, "dns.answers.8.rrtype", "TYPE999");
	uint_at(l, "dns.answers.8.rdlength", 3);
	absent(l, "dns.answers.8.rdata");
	str_at(l, "dns.answers.9.rrname", "<root>");
	str_at(l, "dns.answers.9.rdata", "");
	ck_assert_int_eq(jc_get_count(l, "dns.answers.9.txt", &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(hh_find(H, 0, "anomaly", NULL), -1);
}
END_TEST

struct flag_case {
	unsigned flags;
	const char *hex, *rcode, *set;
};

static const struct flag_case flag_cases[] = {
	{ 0x8183, "8183", "NXDOMAIN", "qr rd ra" },
	{ 0x8582, "8582", "SERVFAIL", "qr aa rd ra" },
	{ 0x8380, "8380", "NOERROR", "qr tc rd ra" },
	{ 0x81b0, "81b0", "NOERROR", "qr rd ra ad cd" },
	{ 0x80c5, "80c5", "REFUSED", "qr ra z" },
	{ 0x800c, "800c", "RCODE12", "qr" },
	{ 0xa00b, "a00b", "DSOTYPENI", "qr" },
};

START_TEST(test_flags_rcodes)
{
	static const char *const all[] = { "qr", "aa", "tc", "rd", "ra", "z", "ad", "cd" };
	const struct flag_case *fc = &flag_cases[_i];
	struct msg m;
	m_header(&m, 7, fc->flags, 1, 0, 0, 0);
	m_question(&m, "example.org", 15);
	udp_active(); /* some of these the probe would refuse */
	dgram(&m, m.n);
	const char *l = hh_line(H, hh_count(H) - 1);
	str_at(l, "dns.flags", fc->hex);
	str_at(l, "dns.rcode", fc->rcode);
	str_at(l, "dns.rrtype", "MX");
	uint_at(l, "dns.opcode", (fc->flags >> 11) & 0xf);
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		char path[16];
		snprintf(path, sizeof path, "dns.%s", all[i]);
		char word[8];
		snprintf(word, sizeof word, "%s", all[i]);
		bool want = false;
		for (const char *p = fc->set; (p = strstr(p, word)) != NULL; p++) {
			size_t wl = strlen(word);
			if ((p == fc->set || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\0')) {
				want = true;
			}
		}
		bool v;
		if (want) {
			ck_assert_msg(jc_get_bool(l, path, &v) == 0 && v, "%s missing", path);
		} else {
			absent(l, path);
		}
	}
}
END_TEST

START_TEST(test_qdcount_and_class)
{
	struct msg m;
	m_header(&m, 9, 0x0000, 2, 0, 0, 0);
	m_name(&m, "a.test");
	m_u16(&m, 16);
	m_u16(&m, 3); /* CH */
	m_name(&m, "b.test");
	m_u16(&m, 1);
	m_u16(&m, 77);
	udp_session();
	dgram(&m, m.n);
	const char *l = hh_line(H, 0);
	str_at(l, "dns.rrname", "a.test");
	str_at(l, "dns.rrtype", "TXT");
	str_at(l, "dns.qclass", "CH");
	uint_at(l, "dns.qdcount", 2);
	ck_assert_int_eq(hh_find(H, 0, "anomaly", NULL), -1);
}
END_TEST

START_TEST(test_odd_bytes_escaped)
{
	struct msg m;
	m_header(&m, 1, 0x0100, 1, 0, 0, 0);
	m_u8(&m, 5);
	m_raw(&m, "a\"b\xff" "c", 5);
	m_u8(&m, 3);
	m_raw(&m, "x\0y", 3);
	m_u8(&m, 0);
	m_u16(&m, 1);
	m_u16(&m, 1);
	udp_session();
	dgram(&m, m.n);
	const char *l = hh_line(H, 0); /* validated as JSON */
	const char *raw;
	size_t n;
	ck_assert_int_eq(jc_get_raw(l, "dns.rrname", &raw, &n), 0);
	ck_assert_msg(n == strlen("\"a\\\"b\\\\xffc.x\\u0000y\"") &&
	              memcmp(raw, "\"a\\\"b\\\\xffc.x\\u0000y\"", n) == 0,
	              "rrname %.*s", (int)n, raw);
}
END_TEST

/* ---- names ---- */

START_TEST(test_compression_chain_ok)
{
	/* Answer names point to the previous answer's name: a chain of pointers. */
	struct msg m;
	m_header(&m, 2, 0x8180, 1, 64, 0, 0);
	m_question(&m, "chain.example", 1);
	size_t prev = 12;
	for (unsigned i = 0; i < 64; i++) {
		size_t here = m.n;
		m_ptr(&m, (unsigned)prev);
		size_t at = m_rr_fixed(&m, 999, i);
		m_rdlen_patch(&m, at);
		prev = here;
	}
	udp_session();
	dgram(&m, m.n);
	const char *l = hh_line(H, 0);
	size_t n;
	ck_assert_int_eq(jc_get_count(l, "dns.answers", &n), 0);
	ck_assert_uint_eq(n, 64);
	str_at(l, "dns.answers.63.rrname", "chain.example");
	ck_assert_int_eq(hh_find(H, 0, "anomaly", NULL), -1);
}
END_TEST

START_TEST(test_compression_chain_too_long)
{
	struct msg m;
	m_header(&m, 2, 0x8180, 1, 70, 0, 0);
	m_question(&m, "chain.example", 1);
	size_t prev = 12;
	size_t fault = 0;
	for (unsigned i = 0; i < 70; i++) {
		size_t here = m.n;
		if (i == 64) {
			fault = here;
		}
		m_ptr(&m, (unsigned)prev);
		size_t at = m_rr_fixed(&m, 999, i);
		m_rdlen_patch(&m, at);
		prev = here;
	}
	udp_session();
	dgram(&m, m.n);
	const char *l = hh_line(H, 0);
	size_t n;
	ck_assert_int_eq(jc_get_count(l, "dns.answers", &n), 0);
	ck_assert_uint_eq(n, 64); /* what came before the fault */
	l = only_anomaly("dns_name_loop");
	char want[96];
	snprintf(want, sizeof want, "answer 64 at offset %zu of %zu", fault, m.n);
	str_at(l, "anomaly.detail", want);
}
END_TEST

struct name_case {
	const char *what;
	const uint8_t *name; /* bytes at offset 12, then type/class follow */
	size_t len;
	const char *anomaly; /* NULL: fine */
	const char *text;    /* expected rrname when fine */
};

#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static uint8_t long_ok[256], long_bad[258], label63[66];

static void build_long_names(void)
{
	/* 4 labels of 63 = 256 octets with lengths: too long. 3 x 63 + 61 + root = 255: fine. */
	size_t n = 0;
	for (int i = 0; i < 3; i++) {
		long_ok[n++] = 63;
		memset(long_ok + n, 'a' + i, 63);
		n += 63;
	}
	long_ok[n++] = 61;
	memset(long_ok + n, 'z', 61);
	n += 61;
	long_ok[n++] = 0;
	ck_assert_uint_eq(n, 255);
	n = 0;
	for (int i = 0; i < 4; i++) {
		long_bad[n++] = 63;
		memset(long_bad + n, 'a' + i, 63);
		n += 63;
	}
	long_bad[n++] = 0;
	label63[0] = 63;
	memset(label63 + 1, 'q', 63);
	label63[64] = 0;
}

static const struct name_case name_cases[] = {
	{ "self pointer", B("\xc0\x0c"), "dns_name_loop", NULL },
	{ "label then pointer to itself", B("\x01" "a\xc0\x0c"), "dns_name_loop", NULL },
	{ "forward pointer", B("\xc0\x20"), "dns_bad_pointer", NULL },
	{ "pointer past the end", B("\xff\xff"), "dns_bad_pointer", NULL },
	{ "label type 0x40", B("\x41" "a"), "dns_bad_label", NULL },
	{ "label type 0x80", B("\x81" "a"), "dns_bad_label", NULL },
	{ "root", B("\x00"), NULL, "<root>" },
	{ "pointer into the header", B("\x01" "a\xc0\x02"), "dns_bad_label", NULL },
};

START_TEST(test_names)
{
	const struct name_case *nc = &name_cases[_i];
	struct msg m;
	m_header(&m, 0x0c01, 0x8180, 1, 0, 0, 0);
	m_raw(&m, nc->name, nc->len);
	m_u16(&m, 1);
	m_u16(&m, 1);
	/* Room for the forward pointer target. */
	while (m.n < 40) {
		m_u8(&m, 0);
	}
	udp_active();
	dgram(&m, m.n);
	if (nc->anomaly == NULL) {
		str_at(hh_line(H, 0), "dns.rrname", nc->text);
	} else {
		const char *l = only_anomaly(nc->anomaly);
		str_at(l, "anomaly.detail", "question 0 at offset 12 of 40");
	}
}
END_TEST

/* Names built at run time: 255 octets is the limit, a label holds 63. */
START_TEST(test_name_limits)
{
	struct msg m;
	build_long_names();
	udp_active();

	m_header(&m, 1, 0x0100, 1, 0, 0, 0);
	m_raw(&m, long_ok, sizeof long_ok - 1);
	m_u16(&m, 1);
	m_u16(&m, 1);
	dgram(&m, m.n);
	ck_assert_int_eq(hh_find(H, 0, "anomaly", NULL), -1);
	char v[300];
	ck_assert_int_eq(jc_get_string(hh_line(H, 0), "dns.rrname", v, sizeof v), 0);
	ck_assert_uint_eq(strlen(v), 253);

	hh_clear(H);
	m_header(&m, 1, 0x0100, 1, 0, 0, 0);
	m_raw(&m, long_bad, 257);
	m_u16(&m, 1);
	m_u16(&m, 1);
	dgram(&m, m.n);
	only_anomaly("dns_name_too_long");

	hh_clear(H);
	m_header(&m, 1, 0x0100, 1, 0, 0, 0);
	m_raw(&m, label63, 65);
	m_u16(&m, 1);
	m_u16(&m, 1);
	dgram(&m, m.n);
	ck_assert_int_eq(hh_find(H, 0, "anomaly", NULL), -1);
	ck_assert_int_eq(jc_get_string(hh_line(H, 0), "dns.rrname", v, sizeof v), 0);
	ck_assert_uint_eq(strlen(v), 63);

	/* A 64-byte label cannot be written: its length octet is 0x40, a bad label type. */
	hh_clear(H);
	m_header(&m, 1, 0x0100, 1, 0, 0, 0);
	m_u8(&m, 64);
	for (int i = 0; i < 64; i++) {
		m_u8(&m, 'q');
	}
	m_u8(&m, 0);
	m_u16(&m, 1);
	m_u16(&m, 1);
	dgram(&m, m.n);
	only_anomaly("dns_bad_label");
}
END_TEST

/* ---- malformed RDATA ---- */

struct rdata_case {
	unsigned type;
	const uint8_t *rdata;
	size_t len;
	const char *anomaly;
};

static const struct rdata_case rdata_cases[] = {
	{ 1, B("\x01\x02\x03\x04\x05"), "dns_bad_rdlength" },
	{ 1, B("\x01\x02\x03"), "dns_bad_rdlength" },
	{ 28, B("\x01\x02\x03\x04"), "dns_bad_rdlength" },
	{ 15, B("\x00"), "dns_rdata_overflow" },
	{ 15, B("\x00\x0a\x04mail"), "dns_rdata_overflow" },
	{ 5, B("\x03" "cdn\x03" "com"), "dns_rdata_overflow" },
	{ 2, B("\x05" "ab"), "dns_rdata_overflow" },
	{ 16, B("\x05" "abc"), "dns_rdata_overflow" },
	{ 6, B("\x00\x00\x00\x00\x00\x01"), "dns_rdata_overflow" },
	{ 12, B("\xc0\x35"), "dns_bad_pointer" },
	{ 5, B("\x80"), "dns_bad_label" },
};

START_TEST(test_rdata_malformed)
{
	const struct rdata_case *rc = &rdata_cases[_i];
	struct msg m;
	m_header(&m, 3, 0x8180, 1, 2, 0, 0);
	m_question(&m, "x.test", 1);
	m_ptr(&m, 12);                       /* a good record first */
	size_t at = m_rr_fixed(&m, 1, 60);
	m_raw(&m, "\x0a\0\0\x01", 4);
	m_rdlen_patch(&m, at);
	size_t fault = m.n;
	m_ptr(&m, 12);
	at = m_rr_fixed(&m, rc->type, 60);
	m_raw(&m, rc->rdata, rc->len);
	m_rdlen_patch(&m, at);
	udp_session();
	dgram(&m, m.n);
	const char *l = hh_line(H, 0);
	size_t n;
	ck_assert_int_eq(jc_get_count(l, "dns.answers", &n), 0);
	ck_assert_uint_eq(n, 1);
	str_at(l, "dns.answers.0.rdata", "10.0.0.1");
	l = only_anomaly(rc->anomaly);
	char want[96];
	snprintf(want, sizeof want, "answer 1 at offset %zu of %zu", fault, m.n);
	str_at(l, "anomaly.detail", want);
}
END_TEST

/* Every prefix of a valid message is truncated, and says so. */
START_TEST(test_truncation_sweep)
{
	struct msg m;
	m_big_response(&m);
	udp_session();
	dgram(&m, m.n);
	ck_assert_int_eq(hh_find(H, 0, "anomaly", NULL), -1);
	for (size_t len = 0; len < m.n; len++) {
		hh_clear(H);
		uint8_t *copy = malloc(len > 0 ? len : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, m.b, len);
		hd_session_data(&H->s, PD_TO_SERVER, copy, len, TS);
		free(copy);
		size_t lines = hh_count(H);
		ck_assert_msg(lines == (len < 12 ? 1u : 2u), "prefix %zu: %zu lines", len, lines);
		for (size_t i = 0; i < lines; i++) {
			(void)hh_line(H, i); /* valid JSON */
		}
		only_anomaly("dns_truncated");
	}
}
END_TEST

START_TEST(test_udp_empty_datagram)
{
	struct msg m;
	m_query(&m, 5, "a.b", 1);
	udp_session();
	dgram(&m, m.n);
	hh_clear(H);
	hd_session_data(&H->s, PD_TO_CLIENT, m.b, 0, TS);
	const char *l = only_anomaly("dns_truncated");
	str_at(l, "anomaly.detail", "message of 0 bytes, header needs 12");
}
END_TEST

/* ---- TCP ---- */

/* Query and response, each with its 2-byte length, back to back. */
static size_t tcp_stream(uint8_t *out, size_t cap)
{
	struct msg q, r;
	m_query(&q, 0x1111, "www.example.com", 1);
	m_big_response(&r);
	ck_assert_uint_le(4 + q.n + r.n, cap);
	size_t n = 0;
	out[n++] = (uint8_t)(q.n >> 8);
	out[n++] = (uint8_t)q.n;
	memcpy(out + n, q.b, q.n);
	n += q.n;
	out[n++] = (uint8_t)(r.n >> 8);
	out[n++] = (uint8_t)r.n;
	memcpy(out + n, r.b, r.n);
	return n + r.n;
}

static void assert_two_messages(void)
{
	ck_assert_int_eq(H->s.phase, HD_ACTIVE);
	ck_assert_uint_eq(hh_count(H), 2);
	uint_at(hh_line(H, 0), "dns.id", 0x1111);
	str_at(hh_line(H, 0), "dns.type", "query");
	uint_at(hh_line(H, 1), "dns.id", 0xbeef);
	uint_at(hh_line(H, 1), "dns.answers_count", 10);
	ck_assert_int_eq(hh_find(H, 0, "anomaly", NULL), -1);
}

START_TEST(test_tcp_one_segment)
{
	uint8_t s[4096];
	size_t n = tcp_stream(s, sizeof s);
	hh_session(H, PD_TCP, 40000, 53);
	hd_session_data(&H->s, PD_TO_SERVER, s, n, TS);
	assert_two_messages();
	ck_assert_uint_eq(H->s.dir[PD_TO_SERVER].len, 0);
}
END_TEST

START_TEST(test_tcp_split_every_byte)
{
	uint8_t s[4096];
	size_t n = tcp_stream(s, sizeof s);
	for (size_t k = 1; k < n; k++) {
		hh_teardown(H);
		hh_setup(H, NULL, 0);
		hh_session(H, PD_TCP, 40000, 53);
		hd_session_data(&H->s, PD_TO_SERVER, s, k, TS);
		hd_session_data(&H->s, PD_TO_SERVER, s + k, n - k, TS);
		assert_two_messages();
	}
}
END_TEST

START_TEST(test_tcp_byte_by_byte)
{
	uint8_t s[4096];
	size_t n = tcp_stream(s, sizeof s);
	H->ctx.probe_budget_pkts = 100;
	hh_session(H, PD_TCP, 40000, 53);
	for (size_t k = 0; k < n; k++) {
		hd_session_data(&H->s, PD_TO_SERVER, s + k, 1, TS);
	}
	assert_two_messages();
}
END_TEST

START_TEST(test_tcp_zero_length_and_gap)
{
	struct msg q;
	m_query(&q, 0x2222, "a.test", 1);
	uint8_t s[256];
	size_t n = 0;
	s[n++] = (uint8_t)(q.n >> 8);
	s[n++] = (uint8_t)q.n;
	memcpy(s + n, q.b, q.n);
	n += q.n;
	s[n++] = 0; /* an empty message */
	s[n++] = 0;
	s[n++] = (uint8_t)(q.n >> 8);
	s[n++] = (uint8_t)q.n;
	memcpy(s + n, q.b, q.n);
	n += q.n;
	hh_session(H, PD_TCP, 40000, 53);
	hd_session_data(&H->s, PD_TO_SERVER, s, n, TS);
	ck_assert_uint_eq(hh_count(H), 3);
	uint_at(hh_line(H, 0), "dns.id", 0x2222);
	str_at(hh_line(H, 1), "anomaly.event", "dns_truncated");
	uint_at(hh_line(H, 2), "dns.id", 0x2222);

	/* After a gap the framing is lost: one anomaly, then nothing is parsed. */
	hh_clear(H);
	hd_session_data(&H->s, PD_TO_SERVER, s, 5, TS);
	hd_session_gap(&H->s, PD_TO_SERVER, 100, TS);
	hd_session_data(&H->s, PD_TO_SERVER, s, n, TS);
	hd_session_gap(&H->s, PD_TO_SERVER, 100, TS);
	only_anomaly("dns_tcp_desync");
	ck_assert_int_eq(hh_find(H, 0, "dns", NULL), -1);
	/* The other direction still parses. */
	hd_session_data(&H->s, PD_TO_CLIENT, s, n, TS);
	ck_assert_int_ge(hh_find(H, 0, "dns", NULL), 0);
}
END_TEST

/* ---- probe ---- */

struct probe_case {
	const char *what;
	const uint8_t *data;
	size_t len;
	enum pd_probe want;
};

static const struct probe_case probe_cases[] = {
	{ "udp query", B("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	                 "\x03www\x07" "example\x03" "com\x00\x00\x01\x00\x01"), PD_PROBE_MATCH },
	{ "udp query + edns", B("\x12\x34\x01\x20\x00\x01\x00\x00\x00\x00\x00\x01"
	                        "\x01" "a\x00\x00\x01\x00\x01"
	                        "\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00"), PD_PROBE_MATCH },
	{ "tcp query", B("\x00\x16\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	                 "\x01" "a\x02" "bc\x00\x00\x01\x00\x01"), PD_PROBE_MATCH },
	{ "tcp query, first 9 bytes", B("\x00\x16\x12\x34\x01\x00\x00\x01\x00"), PD_PROBE_NEED_MORE },
	{ "tcp query, up to the name", B("\x00\x16\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	                                 "\x01" "a"), PD_PROBE_NEED_MORE },
	{ "one byte", B("\x00"), PD_PROBE_NEED_MORE },
	{ "response", B("\xab\xcd\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00"
	                "\x01" "a\x00\x00\x01\x00\x01"
	                "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x01\x02\x03\x04"),
	  PD_PROBE_MATCH },
	{ "smtp greeting", B("220 mail.example.com ESMTP ready\r\n"), PD_PROBE_REJECT },
	{ "smtp ehlo", B("EHLO laptop.corp.test\r\n"), PD_PROBE_REJECT },
	{ "http", B("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"), PD_PROBE_REJECT },
	{ "tls client hello", B("\x16\x03\x01\x00\x2f\x01\x00\x00\x2b\x03\x03"
	                        "0123456789abcdef0123456789abcdef\x00\x00\x02\x13\x01"),
	  PD_PROBE_REJECT },
	{ "no question", B("\x12\x34\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"), PD_PROBE_REJECT },
	{ "z bit", B("\x12\x34\x01\x40\x00\x01\x00\x00\x00\x00\x00\x00"
	             "\x01" "a\x00\x00\x01\x00\x01"), PD_PROBE_REJECT },
	{ "opcode 3", B("\x12\x34\x19\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	                "\x01" "a\x00\x00\x01\x00\x01"), PD_PROBE_REJECT },
	{ "query with answer", B("\x12\x34\x01\x00\x00\x01\x00\x01\x00\x00\x00\x00"
	                         "\x01" "a\x00\x00\x01\x00\x01"
	                         "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x01\x02\x03\x04"),
	  PD_PROBE_REJECT },
	{ "query with trailing bytes", B("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	                                 "\x01" "a\x00\x00\x01\x00\x01xx"), PD_PROBE_REJECT },
	{ "class 7", B("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
	               "\x01" "a\x00\x00\x01\x00\x07"), PD_PROBE_REJECT },
	{ "too many questions", B("\x12\x34\x01\x00\x00\x09\x00\x00\x00\x00\x00\x00"
	                          "\x01" "a\x00\x00\x01\x00\x01"), PD_PROBE_REJECT },
	{ "counts beyond length", B("\x12\x34\x81\x80\x00\x01\x00\x40\x00\x00\x00\x00"
	                            "\x01" "a\x00\x00\x01\x00\x01"), PD_PROBE_REJECT },
};

START_TEST(test_probe)
{
	const struct probe_case *pc = &probe_cases[_i];
	enum pd_probe got = pd_handler_dns.probe(PD_TO_SERVER, pc->data, pc->len);
	ck_assert_msg(got == pc->want, "%s: %d, want %d", pc->what, got, pc->want);
}
END_TEST

START_TEST(test_probe_random_never_matches)
{
	uint32_t x = 2463534242u;
	uint8_t buf[96];
	for (int round = 0; round < 20000; round++) {
		for (size_t i = 0; i < sizeof buf; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (uint8_t)x;
		}
		size_t len = 12 + x % (sizeof buf - 12);
		ck_assert_int_ne(pd_handler_dns.probe(PD_TO_SERVER, buf, len), PD_PROBE_MATCH);
	}
}
END_TEST

START_TEST(test_probe_claims_other_port)
{
	struct msg m;
	m_query(&m, 0x4444, "by.content", 1);
	hh_session(H, PD_UDP, 40000, 5353);
	dgram(&m, m.n);
	ck_assert_int_eq(H->s.phase, HD_ACTIVE);
	ck_assert(H->s.claimed_by_content);
	uint_at(hh_line(H, 0), "dns.id", 0x4444);
}
END_TEST

static Suite *dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("events");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_query_event);
	tcase_add_test(tc, test_response_all_types);
	tcase_add_loop_test(tc, test_flags_rcodes, 0, (int)(sizeof flag_cases / sizeof flag_cases[0]));
	tcase_add_test(tc, test_qdcount_and_class);
	tcase_add_test(tc, test_odd_bytes_escaped);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_compression_chain_ok);
	tcase_add_test(tc, test_compression_chain_too_long);
	tcase_add_loop_test(tc, test_names, 0, (int)(sizeof name_cases / sizeof name_cases[0]));
	tcase_add_test(tc, test_name_limits);
	tcase_add_loop_test(tc, test_rdata_malformed, 0,
	                    (int)(sizeof rdata_cases / sizeof rdata_cases[0]));
	tcase_add_test(tc, test_truncation_sweep);
	tcase_add_test(tc, test_udp_empty_datagram);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tcp_one_segment);
	tcase_add_test(tc, test_tcp_split_every_byte);
	tcase_add_test(tc, test_tcp_byte_by_byte);
	tcase_add_test(tc, test_tcp_zero_length_and_gap);
	suite_add_tcase(s, tc);

	tc = tcase_create("probe");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_probe, 0, (int)(sizeof probe_cases / sizeof probe_cases[0]));
	tcase_add_test(tc, test_probe_random_never_matches);
	tcase_add_test(tc, test_probe_claims_other_port);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dns_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
