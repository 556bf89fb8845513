/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for output/event.c: the EVE top level (key order, vlan, no-flow
 * events), the pd_event_* API, misuse and size limits. */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/event.h"
#include "tests/json_check.h"

static struct out_sink sink;
static struct pd_event ev;

static void setup(void)
{
	char err[128];
	ck_assert_int_eq(out_sink_open(&sink, OUT_SINK_MEMORY, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(out_event_init(&ev, &sink, 0), 0);
}

static void teardown(void)
{
	out_event_free(&ev);
	out_sink_close(&sink);
}

/* The n-th line (0-based) of the sink, validated, NUL-terminated (static). */
static const char *line_at(unsigned n)
{
	static char buf[1 << 17];
	const char *p = sink.mem;
	ck_assert_ptr_nonnull(p);
	for (unsigned i = 0; i < n; i++) {
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	const char *nl = strchr(p, '\n');
	ck_assert_ptr_nonnull(nl);
	size_t len = (size_t)(nl - p);
	ck_assert_uint_lt(len, sizeof(buf));
	memcpy(buf, p, len);
	buf[len] = '\0';
	char err[128];
	ck_assert_msg(jc_validate(buf, len, err, sizeof(err)) == 0, "%s: %s", err, buf);
	return buf;
}

static void assert_keys(const char *line, const char *const *keys, size_t n)
{
	size_t count;
	ck_assert_int_eq(jc_get_count(line, "", &count), 0);
	ck_assert_msg(count == n, "%zu keys, want %zu: %s", count, n, line);
	for (size_t i = 0; i < n; i++) {
		char k[64];
		ck_assert_int_eq(jc_key_at(line, "", i, k, sizeof(k)), 0);
		ck_assert_msg(strcmp(k, keys[i]) == 0, "key %zu is %s, want %s", i, k, keys[i]);
	}
}

static void meta_make(struct out_flow_meta *m, int af, const char *src, uint16_t sport,
                      const char *dst, uint16_t dport, uint8_t proto)
{
	memset(m, 0, sizeof(*m));
	m->ip_version = af == AF_INET ? 4 : 6;
	ck_assert_int_eq(inet_pton(af, src, m->src_addr), 1);
	ck_assert_int_eq(inet_pton(af, dst, m->dest_addr), 1);
	m->src_port = sport;
	m->dest_port = dport;
	m->ip_proto = proto;
	out_meta_finish(m, 0, 1795729881000000ULL);
}

#define TS 1795729881672663ULL

START_TEST(test_full_line)
{
	struct out_flow_meta m;
	meta_make(&m, AF_INET, "128.232.110.120", 34855, "66.35.250.204", 80, 6);
	struct pd_event *e = out_event_begin(&ev, &m, "http", TS, "smtp");
	ck_assert_ptr_eq(e, &ev);
	pd_event_str(e, "helo", "laptop.corp.test");
	pd_event_array_open(e, "rcpt_to");
	pd_event_str(e, NULL, "bob@corp.test");
	pd_event_bytes(e, NULL, (const uint8_t *)"\xff@x", 3);
	pd_event_array_close(e);
	pd_event_object_open(e, "auth");
	pd_event_uint(e, "reply", 235);
	pd_event_int(e, "delta", -3);
	pd_event_bool(e, "ok", true);
	pd_event_null(e, "user");
	pd_event_object_close(e);
	pd_event_emit(e);

	char want[1024];
	snprintf(want, sizeof(want),
	         "{\"timestamp\":\"2026-11-26T21:51:21.672663+0000\",\"flow_id\":%llu,"
	         "\"community_id\":\"1:LQU9qZlK+B5F3KDmev6m5PMibrg=\",\"event_type\":\"smtp\","
	         "\"src_ip\":\"128.232.110.120\",\"src_port\":34855,\"dest_ip\":\"66.35.250.204\","
	         "\"dest_port\":80,\"proto\":\"TCP\",\"app_proto\":\"http\",\"smtp\":{"
	         "\"helo\":\"laptop.corp.test\",\"rcpt_to\":[\"bob@corp.test\",\"\\\\xff@x\"],"
	         "\"auth\":{\"reply\":235,\"delta\":-3,\"ok\":true,\"user\":null}}}",
	         (unsigned long long)m.flow_id);
	ck_assert_str_eq(line_at(0), want);
	ck_assert_uint_eq(ev.lines, 1);
	ck_assert_uint_eq(sink.lines, 1);
	ck_assert(!ev.open);
	ck_assert_uint_eq(ev.misuse + ev.truncated + ev.misnested, 0);

	char s[64];
	uint64_t u;
	ck_assert_int_eq(jc_get_string(line_at(0), "smtp.rcpt_to.1", s, sizeof(s)), 0);
	ck_assert_str_eq(s, "\\xff@x");
	ck_assert_int_eq(jc_get_uint(line_at(0), "smtp.auth.reply", &u), 0);
	ck_assert_uint_eq(u, 235);
}
END_TEST

START_TEST(test_key_order_vlan)
{
	static const char *const plain[] = {
		"timestamp", "flow_id", "community_id", "event_type", "src_ip", "src_port",
		"dest_ip", "dest_port", "proto", "app_proto", "smtp",
	};
	static const char *const tagged[] = {
		"timestamp", "flow_id", "community_id", "event_type", "src_ip", "src_port",
		"dest_ip", "dest_port", "proto", "app_proto", "vlan", "smtp",
	};
	static const char *const no_app[] = {
		"timestamp", "flow_id", "community_id", "event_type", "src_ip", "src_port",
		"dest_ip", "dest_port", "proto", "vlan", "flow",
	};
	struct out_flow_meta m;
	meta_make(&m, AF_INET6, "2001:db8::2", 40201, "2001:db8::1", 587, 6);

	pd_event_emit(out_event_begin(&ev, &m, "submission", TS, "smtp"));
	assert_keys(line_at(0), plain, sizeof(plain) / sizeof(plain[0]));

	m.vlan_count = 2;
	m.vlan[0] = 100;
	m.vlan[1] = 4094;
	pd_event_emit(out_event_begin(&ev, &m, "submission", TS, "smtp"));
	const char *l = line_at(1);
	assert_keys(l, tagged, sizeof(tagged) / sizeof(tagged[0]));
	const char *raw;
	size_t n;
	ck_assert_int_eq(jc_get_raw(l, "vlan", &raw, &n), 0);
	ck_assert_int_eq(strncmp(raw, "[100,4094]", n), 0);
	ck_assert_uint_eq(n, 10);

	pd_event_emit(out_event_begin(&ev, &m, NULL, TS, "flow"));
	assert_keys(line_at(2), no_app, sizeof(no_app) / sizeof(no_app[0]));

	char s[64];
	uint64_t u;
	l = line_at(2);
	ck_assert_int_eq(jc_get_string(l, "src_ip", s, sizeof(s)), 0);
	ck_assert_str_eq(s, "2001:db8::2");
	ck_assert_int_eq(jc_get_uint(l, "dest_port", &u), 0);
	ck_assert_uint_eq(u, 587);
	ck_assert_int_eq(jc_get_uint(l, "flow_id", &u), 0);
	ck_assert_uint_eq(u, m.flow_id);
	ck_assert_int_eq(jc_get_count(l, "flow", &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_no_meta)
{
	static const char *const keys[] = { "timestamp", "event_type", "stats" };
	struct pd_event *e = out_event_begin(&ev, NULL, "ignored", 0, "stats");
	pd_event_uint(e, "packets", 12);
	pd_event_emit(e);
	ck_assert_str_eq(line_at(0), "{\"timestamp\":\"1970-01-01T00:00:00.000000+0000\","
	                             "\"event_type\":\"stats\",\"stats\":{\"packets\":12}}");
	struct out_flow_meta m;
	memset(&m, 0, sizeof(m));   /* ip_version 0: same as no meta */
	pd_event_emit(out_event_begin(&ev, &m, "x", 0, "stats"));
	assert_keys(line_at(1), keys, 3);
}
END_TEST

static const struct { uint8_t proto; const char *name; } proto_cases[] = {
	{ 6, "TCP" }, { 17, "UDP" }, { 1, "ICMP" }, { 58, "IPv6-ICMP" }, { 132, "SCTP" },
	{ 0, "0" }, { 47, "47" }, { 255, "255" }, { 100, "100" },
};

START_TEST(test_proto_names)
{
	struct out_flow_meta m;
	meta_make(&m, AF_INET, "10.0.0.1", 1, "10.0.0.2", 2, proto_cases[_i].proto);
	pd_event_emit(out_event_begin(&ev, &m, NULL, TS, "anomaly"));
	char s[16];
	ck_assert_int_eq(jc_get_string(line_at(0), "proto", s, sizeof(s)), 0);
	ck_assert_str_eq(s, proto_cases[_i].name);
}
END_TEST

START_TEST(test_misuse)
{
	uint64_t emitted = 0;
	ev.emitted = &emitted;

	/* NULL events: nothing happens, nothing crashes */
	ck_assert_ptr_null(out_event_begin(NULL, NULL, NULL, 0, "x"));
	pd_event_str(NULL, "k", "v");
	pd_event_bytes(NULL, "k", (const uint8_t *)"v", 1);
	pd_event_uint(NULL, "k", 1);
	pd_event_int(NULL, "k", 1);
	pd_event_bool(NULL, "k", true);
	pd_event_null(NULL, "k");
	pd_event_object_open(NULL, "k");
	pd_event_object_close(NULL);
	pd_event_array_open(NULL, "k");
	pd_event_array_close(NULL);
	pd_event_emit(NULL);

	/* calls with no event open: counted, no output */
	pd_event_str(&ev, "k", "v");
	pd_event_emit(&ev);
	ck_assert_uint_eq(ev.misuse, 2);
	ck_assert_uint_eq(sink.mem_len, 0);

	/* begin twice: the first is discarded, one line */
	struct pd_event *e = out_event_begin(&ev, NULL, NULL, 0, "first");
	pd_event_str(e, "a", "1");
	e = out_event_begin(&ev, NULL, NULL, 0, "second");
	pd_event_str(e, "b", "2");
	pd_event_emit(e);
	ck_assert_uint_eq(ev.abandoned, 1);
	ck_assert_uint_eq(ev.misuse, 3);
	ck_assert_str_eq(line_at(0), "{\"timestamp\":\"1970-01-01T00:00:00.000000+0000\","
	                             "\"event_type\":\"second\",\"second\":{\"b\":\"2\"}}");
	ck_assert_uint_eq(emitted, 1);

	/* a handler cannot close the event object or the top level; containers
	 * left open are closed by emit; keys in arrays are dropped */
	e = out_event_begin(&ev, NULL, NULL, 0, "smtp");
	pd_event_object_close(e);
	pd_event_object_close(e);
	pd_event_array_open(e, "list");
	pd_event_uint(e, "bad", 1);
	pd_event_uint(e, NULL, 2);
	pd_event_object_open(e, NULL);
	pd_event_str(e, NULL, "no key");
	pd_event_emit(e);
	ck_assert_str_eq(line_at(1), "{\"timestamp\":\"1970-01-01T00:00:00.000000+0000\","
	                             "\"event_type\":\"smtp\",\"smtp\":{\"list\":[2,{}]}}");
	ck_assert_uint_eq(ev.misnested, 1);
	ck_assert_uint_eq(emitted, 2);
	ck_assert_uint_eq(ev.lines, 2);
}
END_TEST

/* A line capped by max_line: the oversized value is dropped, the line stays
 * valid and within the cap, the counter says so. */
START_TEST(test_max_line)
{
	struct pd_event small;
	ck_assert_int_eq(out_event_init(&small, &sink, 400), 0);
	char big[1000];
	memset(big, 'q', sizeof(big));
	struct out_flow_meta m;
	meta_make(&m, AF_INET, "10.0.0.1", 1025, "10.0.0.2", 25, 6);
	struct pd_event *e = out_event_begin(&small, &m, "smtp", TS, "smtp");
	pd_event_str(e, "helo", "x");
	pd_event_bytes(e, "data", (const uint8_t *)big, sizeof(big));
	pd_event_uint(e, "after", 7);
	pd_event_emit(e);
	const char *l = line_at(0);
	ck_assert_uint_lt(strlen(l), 400);
	ck_assert_uint_eq(small.truncated, 1);
	uint64_t u;
	ck_assert_msg(jc_get_uint(l, "smtp.after", &u) == 0, "%s", l);
	ck_assert_uint_eq(u, 7);
	ck_assert_int_ne(jc_get_raw(l, "smtp.data", &(const char *){ NULL }, &(size_t){ 0 }), 0);
	out_event_free(&small);
}
END_TEST

/* Hostile bytes in every string position still give valid UTF-8 JSON. */
START_TEST(test_hostile_strings)
{
	static const char nasty[] = "\xc0\x80\xed\xa0\x80\"\\\n\x01\xf5\xe2\x80\xa8\xf0\x9f";
	struct out_flow_meta m;
	meta_make(&m, AF_INET, "10.0.0.1", 1025, "10.0.0.2", 25, 6);
	struct pd_event *e = out_event_begin(&ev, &m, nasty, TS, nasty);
	pd_event_str(e, nasty, nasty);
	pd_event_bytes(e, "b", (const uint8_t *)nasty, sizeof(nasty));
	pd_event_emit(e);
	char s[256];
	const char *l = line_at(0);
	/* invalid bytes come back as the text \xNN, the rest as themselves */
	ck_assert_int_eq(jc_get_string(l, "app_proto", s, sizeof(s)), 0);
	ck_assert_str_eq(s, "\\xc0\\x80\\xed\\xa0\\x80\"\\\n\x01\\xf5\xe2\x80\xa8\\xf0\\x9f");
	ck_assert_int_eq(jc_get_string(l, "event_type", s, sizeof(s)), 0);
	ck_assert_int_eq(jc_get_string(l, "b", s, sizeof(s)), -1);   /* inside the object */
	ck_assert_uint_eq(ev.lines, 1);
}
END_TEST

START_TEST(test_no_sink)
{
	struct pd_event e2;
	ck_assert_int_eq(out_event_init(&e2, NULL, 0), 0);
	pd_event_emit(out_event_begin(&e2, NULL, NULL, 0, "stats"));
	ck_assert_uint_eq(e2.lines, 0);
	ck_assert(!e2.open);
	out_event_free(&e2);
}
END_TEST

static Suite *event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("event");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_line);
	tcase_add_test(tc, test_key_order_vlan);
	tcase_add_test(tc, test_no_meta);
	tcase_add_loop_test(tc, test_proto_names, 0,
	                    (int)(sizeof(proto_cases) / sizeof(proto_cases[0])));
	tcase_add_test(tc, test_misuse);
	tcase_add_test(tc, test_max_line);
	tcase_add_test(tc, test_hostile_strings);
	tcase_add_test(tc, test_no_sink);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(event_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
