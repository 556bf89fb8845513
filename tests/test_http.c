/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite for the HTTP/1.x handler: the probe, the line and framing
 * parsers, and whole transcripts through the real session core (memory
 * sink): keep-alive, pipelining, Content-Length, chunked (extensions,
 * trailers), HEAD/1xx/204/304, read-until-close, CONNECT to TLS, 101,
 * gaps, mid-stream pickup, anomalies. Every transcript is also replayed cut
 * at every byte (identical events) and cut short at every length (valid
 * JSON, no more events than the whole). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/http.h"
#include "tests/json_check.h"
#include "tests/test_http_data.h"
#include "tests/test_http_run.h"
#include "tests/test_tls_data.h"

static struct hd_harness H;

/* ---- probe ---- */

struct probe_case {
	enum pd_dir dir;
	const char *data;
	enum pd_probe want;
};

static const struct probe_case probe_cases[] = {
	{ PD_TO_SERVER, "GET / HTTP/1.1\r\n", PD_PROBE_MATCH },
	{ PD_TO_SERVER, "GET / HTTP/1.0\n", PD_PROBE_MATCH },
	{ PD_TO_SERVER, "CONNECT www.corp.test:443 HTTP/1.1\r\n", PD_PROBE_MATCH },
	{ PD_TO_SERVER, "PROPFIND /dav/ HTTP/1.1\r\n", PD_PROBE_MATCH },
	{ PD_TO_SERVER, "GET /", PD_PROBE_NEED_MORE },
	{ PD_TO_SERVER, "G", PD_PROBE_NEED_MORE },
	{ PD_TO_SERVER, "get / HTTP/1.1\r\n", PD_PROBE_REJECT },     /* methods are case-sensitive */
	{ PD_TO_SERVER, "GETS / HTTP/1.1\r\n", PD_PROBE_REJECT },
	{ PD_TO_SERVER, "FOO / HTTP/1.1\r\n", PD_PROBE_REJECT },
	{ PD_TO_SERVER, "GET  HTTP/1.1\r\n", PD_PROBE_REJECT },      /* no target */
	{ PD_TO_SERVER, "GET /a\x01b HTTP/1.1\r\n", PD_PROBE_REJECT },
	/* Nikto's unencoded spaces: invalid, but HTTP */
	{ PD_TO_SERVER, "GET /cgi-bin/x;cat /etc/passwd|?d=1 HTTP/1.1\r\n", PD_PROBE_MATCH },
	{ PD_TO_SERVER, "OPTIONS rtsp://cam/ RTSP/1.0\r\n", PD_PROBE_REJECT },
	{ PD_TO_SERVER, "OPTIONS sip:bob@example.com SIP/2.0\r\n", PD_PROBE_REJECT },
	{ PD_TO_SERVER, "GET / HTTP/2.0\r\n", PD_PROBE_REJECT },
	{ PD_TO_SERVER, "GET / HTTP/1.1 \r\n", PD_PROBE_REJECT },
	{ PD_TO_SERVER, "EHLO mail.example.com\r\n", PD_PROBE_REJECT },
	{ PD_TO_SERVER, "\x16\x03\x01\x02\x00", PD_PROBE_REJECT },
	{ PD_TO_SERVER, "SSH-2.0-OpenSSH_9.2\r\n", PD_PROBE_REJECT },
	{ PD_TO_CLIENT, "HTTP/1.1 200 OK\r\n", PD_PROBE_MATCH },
	{ PD_TO_CLIENT, "HTTP/1.0 404\r\n", PD_PROBE_MATCH },
	{ PD_TO_CLIENT, "HTTP/1.1 20", PD_PROBE_NEED_MORE },
	{ PD_TO_CLIENT, "HTTP/1.1 2x0 OK\r\n", PD_PROBE_REJECT },
	{ PD_TO_CLIENT, "HTTP/2 200\r\n", PD_PROBE_REJECT },
	{ PD_TO_CLIENT, "RTSP/1.0 200 OK\r\n", PD_PROBE_REJECT },
	{ PD_TO_CLIENT, "220 mx.example.com ESMTP\r\n", PD_PROBE_REJECT },
	{ PD_TO_CLIENT, "SSH-2.0-OpenSSH_9.2\r\n", PD_PROBE_REJECT },
};

START_TEST(probe_table)
{
	const struct probe_case *c = &probe_cases[_i];
	ck_assert_msg(http_probe(c->dir, (const uint8_t *)c->data, strlen(c->data)) == c->want,
	              "case %d: \"%s\"", _i, c->data);
}
END_TEST

/* Every proper prefix of a matching line asks for more, never rejects. */
START_TEST(probe_prefixes)
{
	const struct probe_case *c = &probe_cases[_i];
	if (c->want != PD_PROBE_MATCH)
		return;
	size_t n = strlen(c->data);
	size_t first_match = n;
	for (size_t k = 0; k <= n; k++) {
		uint8_t *p = malloc(k ? k : 1);
		memcpy(p, c->data, k);
		enum pd_probe v = http_probe(c->dir, p, k);
		free(p);
		ck_assert_msg(v != PD_PROBE_REJECT, "case %d prefix %zu rejected", _i, k);
		if (v == PD_PROBE_MATCH && first_match == n)
			first_match = k;
	}
	/* A match needs the version (and, for a status line, the code). */
	ck_assert_uint_ge(first_match, c->dir == PD_TO_SERVER ? 14 : 13);
}
END_TEST

/* ---- line parsers ---- */

START_TEST(parse_clen)
{
	static const struct {
		const char *v;
		bool ok;
		uint64_t want;
	} t[] = {
		{ "0", true, 0 },           { "25", true, 25 },        { "5, 5", true, 5 },
		{ "5,5 ,5", true, 5 },      { "5, 6", false, 0 },      { "", false, 0 },
		{ "-1", false, 0 },         { "12a", false, 0 },       { "1 2", false, 0 },
		{ "999999999999999999", true, 999999999999999999ULL }, { "1000000000000000000", false, 0 },
		{ "+5", false, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 77;
		bool ok = http_parse_clen((const uint8_t *)t[i].v, strlen(t[i].v), &v);
		ck_assert_msg(ok == t[i].ok, "\"%s\"", t[i].v);
		if (ok)
			ck_assert_uint_eq(v, t[i].want);
	}
}
END_TEST

START_TEST(parse_chunk_size)
{
	static const struct {
		const char *v;
		bool ok;
		uint64_t want;
	} t[] = {
		{ "0", true, 0 },        { "1a", true, 26 },          { "1A;name=value", true, 26 },
		{ "ff ; a=\"b\"", true, 255 }, { "FFFFFFFFFFFFFFF", true, 0xfffffffffffffffULL },
		{ "1000000000000000", false, 0 }, { "", false, 0 },   { ";ext", false, 0 },
		{ "g", false, 0 },       { "10 x", false, 0 },        { "-1", false, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 77;
		bool ok = http_parse_chunk_size((const uint8_t *)t[i].v, strlen(t[i].v), &v);
		ck_assert_msg(ok == t[i].ok, "\"%s\"", t[i].v);
		if (ok)
			ck_assert_uint_eq(v, t[i].want);
	}
}
END_TEST

START_TEST(parse_start_lines)
{
	struct http_request_line rl;
	struct http_status_line sl;
	static const char *const good_req[] = { "GET / HTTP/1.1", "MKCOL /x HTTP/1.0",
		                                    "X-CUSTOM http://a/b HTTP/1.1", "GET  /  HTTP/1.1" };
	static const char *const bad_req[] = { "GET /", " GET / HTTP/1.1", "GET / HTTP/1.1 x",
		                                   "GET / HTTP/11", "G(T / HTTP/1.1", "GET / http/1.1" };
	for (size_t i = 0; i < sizeof(good_req) / sizeof(good_req[0]); i++)
		ck_assert_msg(http_parse_request_line((const uint8_t *)good_req[i], strlen(good_req[i]),
		                                      false, &rl), "%s", good_req[i]);
	for (size_t i = 0; i < sizeof(bad_req) / sizeof(bad_req[0]); i++)
		ck_assert_msg(!http_parse_request_line((const uint8_t *)bad_req[i], strlen(bad_req[i]),
		                                       false, &rl), "%s", bad_req[i]);
	/* A line cut by the limit may lack its version. */
	ck_assert(http_parse_request_line((const uint8_t *)"GET /aaaa", 9, true, &rl));
	ck_assert_uint_eq(rl.version_len, 0);

	ck_assert(http_parse_status_line((const uint8_t *)"HTTP/1.1 404 Not Found", 22, &sl));
	ck_assert_uint_eq(sl.status, 404);
	ck_assert_uint_eq(sl.reason_len, 9);
	ck_assert(http_parse_status_line((const uint8_t *)"HTTP/1.0 200", 12, &sl));
	ck_assert_uint_eq(sl.reason_len, 0);
	ck_assert(!http_parse_status_line((const uint8_t *)"HTTP/1.1 099 x", 14, &sl));
	ck_assert(http_parse_status_line((const uint8_t *)"HTTP/1.0 2XX OK", 15, &sl));
	ck_assert_uint_eq(sl.status, 0);
	ck_assert_mem_eq(sl.code, "2XX", 3);
	ck_assert(!http_parse_status_line((const uint8_t *)"HTTP/1.1 2\x01X", 12, &sl));
	ck_assert(!http_parse_status_line((const uint8_t *)"HTTP/1.1 2000", 13, &sl));
	ck_assert(!http_parse_status_line((const uint8_t *)"HTTP/1.1  200", 13, &sl));
}
END_TEST

/* ---- the real capture ---- */

static const struct hr_chk d16_checks[] = {
	{ "#", NULL, 0, NULL, 2 },
	{ "0", "app_proto", 's', "http", 0 },
	{ "0", "http.tx_id", 'u', NULL, 1 },
	{ "0", "http.hostname", 's', "www.corp.test", 0 },
	{ "0", "http.url", 's', "/", 0 },
	{ "0", "http.http_user_agent", 's', "curl/7.88.1", 0 },
	{ "0", "http.http_method", 's', "GET", 0 },
	{ "0", "http.protocol", 's', "HTTP/1.1", 0 },
	{ "0", "http.status", 'u', NULL, 200 },
	{ "0", "http.reason", 's', "OK", 0 },
	{ "0", "http.http_content_type", 's', "text/html", 0 },
	{ "0", "http.length", 'u', NULL, 25 },
	{ "0", "http.response.content_length", 'u', NULL, 25 },
	{ "0", "http.response.framing", 's', "length", 0 },
	{ "0", "http.response.headers", 'u', NULL, 8 },
	{ "0", "http.request.headers", 'u', NULL, 3 },
	{ "0", "http.request.framing", 's', "none", 0 },
	{ "0", "http.pipelined", 'b', NULL, 0 },
	{ "0", "http.incomplete", 'b', NULL, 0 },
	{ "0", "http.http_port", 'x', NULL, 0 },
	{ "1", "http.tx_id", 'u', NULL, 2 },
	{ "1", "http.url", 's', "/status.json", 0 },
	{ "1", "http.http_content_type", 's', "text/plain", 0 },
	{ "1", "http.length", 'u', NULL, 35 },
	{ "1", "http.status", 'u', NULL, 200 },
	{ "1", "http.incomplete", 'b', NULL, 0 },
	{ "!A", "http_unexpected_response", 0, NULL, 0 },
	{ "!A", "http_bad_start_line", 0, NULL, 0 },
};

START_TEST(d16_keepalive)
{
	struct hr_opts o = { 0 };
	hr_run_segs(&H, http_d16, http_d16_count, &o);
	hr_check(&H, "http", "d16", d16_checks, sizeof(d16_checks) / sizeof(d16_checks[0]));
	char *whole = strdup(hr_text(&H));
	hh_teardown(&H);
	/* Cut at every byte: the same events. */
	o.chunk = 1;
	hr_run_segs(&H, http_d16, http_d16_count, &o);
	ck_assert_str_eq(hr_text(&H), whole);
	hh_teardown(&H);
	free(whole);
}
END_TEST

/* Every prefix: an event per request line already complete, the status
 * once its line is complete, "incomplete" until the body is whole. */
START_TEST(d16_truncation)
{
	size_t total = 0, off2 = 0;
	for (size_t i = 0; i < http_d16_count; i++) {
		if (i == 2)
			off2 = total;
		total += http_d16[i].len;
	}
	const size_t req1 = strlen("GET / HTTP/1.1\r\n");
	const size_t req2 = off2 + strlen("GET /status.json HTTP/1.1\r\n");
	const size_t st1 = http_d16[0].len + strlen("HTTP/1.1 200 OK\r\n");
	const size_t end1 = http_d16[0].len + http_d16[1].len;
	for (size_t k = 1; k <= total; k++) {
		struct hr_opts o = { .limit = k };
		hr_run_segs(&H, http_d16, http_d16_count, &o);
		size_t want = (k >= req1) + (k >= req2);
		ck_assert_msg(hr_events(&H, "http") == want, "prefix %zu: %zu events", k,
		              hr_events(&H, "http"));
		long i0 = hr_event(&H, "http", 0);
		if (i0 >= 0) {
			const char *l = hh_line(&H, (size_t)i0);
			uint64_t status = 0;
			bool inc = false;
			ck_assert_int_eq(jc_get_uint(l, "http.status", &status) == 0, k >= st1);
			ck_assert_int_eq(jc_get_bool(l, "http.incomplete", &inc), 0);
			ck_assert_msg(inc == (k < end1), "prefix %zu incomplete=%d", k, inc);
		}
		hh_teardown(&H);
	}
}
END_TEST

/* ---- transcripts ---- */

#define T(...) ((const struct hr_step[]){ __VA_ARGS__ })
#define N(...) (sizeof((const struct hr_step[]){ __VA_ARGS__ }) / sizeof(struct hr_step))
#define K(...) ((const struct hr_chk[]){ __VA_ARGS__ })
#define KN(...) (sizeof((const struct hr_chk[]){ __VA_ARGS__ }) / sizeof(struct hr_chk))
#define CASE(name, port, steps, checks) \
	{ name, port, false, T steps, N steps, K checks, KN checks }
#define CASE_MID(name, port, steps, checks) \
	{ name, port, true, T steps, N steps, K checks, KN checks }

struct tcase {
	const char *name;
	uint16_t port;
	bool midstream;
	const struct hr_step *steps;
	size_t nsteps;
	const struct hr_chk *checks;
	size_t nchecks;
};

static const char long_ua[] =
	"GET /big HTTP/1.1\r\nHost: a\r\nUser-Agent: "
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	"\r\n\r\n";

static const struct tcase cases[] = {
	CASE("content-length body that looks like HTTP", 80,
	     ({ 'C', "POST /up HTTP/1.1\r\nHost: Api.Corp.TEST:8080\r\nContent-Type: application/json; "
	             "charset=utf-8\r\nContent-Length: 34\r\n\r\nGET /fake HTTP/1.1\r\nHost: evil\r\n\r\n",
	        0 },
	      { 'S', "HTTP/1.1 201 Created\r\nContent-Length: 17\r\nContent-Type: text/plain\r\n\r\n"
	             "HTTP/1.1 200 OK\r\n",
	        0 },
	      { 'C', "GET /next HTTP/1.1\r\nHost: api.corp.test\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 204 No Content\r\n\r\n", 0 }),
	     ({ "#", NULL, 0, NULL, 2 },
	      { "0", "http.hostname", 's', "api.corp.test", 0 },
	      { "0", "http.http_port", 'u', NULL, 8080 },
	      { "0", "http.http_method", 's', "POST", 0 },
	      { "0", "http.request.content_type", 's', "application/json", 0 },
	      { "0", "http.request.content_length", 'u', NULL, 34 },
	      { "0", "http.request.body_length", 'u', NULL, 34 },
	      { "0", "http.request.framing", 's', "length", 0 },
	      { "0", "http.status", 'u', NULL, 201 },
	      { "0", "http.length", 'u', NULL, 17 },
	      { "1", "http.url", 's', "/next", 0 },
	      { "1", "http.status", 'u', NULL, 204 },
	      { "1", "http.length", 'u', NULL, 0 },
	      { "1", "http.response.framing", 's', "none", 0 },
	      { "1", "http.incomplete", 'b', NULL, 0 },
	      { "!A", "http_unexpected_response", 0, NULL, 0 })),
	CASE("chunked response with extensions and trailers", 80,
	     ({ 'C', "GET /c HTTP/1.1\r\nHost: h\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
	             "5;name=\"va;l\"\r\nHTTP/\r\n1A ; x=1\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	             "0;last\r\nX-Trailer: 1\r\nX-Sum: abc\r\n\r\n",
	        0 },
	      { 'C', "HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", 0 },
	      { 'C', "GET /after HTTP/1.1\r\nHost: h\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\n\r\n", 0 }),
	     ({ "#", NULL, 0, NULL, 3 },
	      { "0", "http.length", 'u', NULL, 31 },
	      { "0", "http.response.framing", 's', "chunked", 0 },
	      { "0", "http.response.chunks", 'u', NULL, 2 },
	      { "0", "http.incomplete", 'b', NULL, 0 },
	      { "1", "http.http_method", 's', "HEAD", 0 },
	      { "1", "http.response.content_length", 'u', NULL, 1000 },
	      { "1", "http.length", 'u', NULL, 0 },
	      { "1", "http.response.framing", 's', "none", 0 },
	      { "2", "http.url", 's', "/after", 0 },
	      { "2", "http.status", 'u', NULL, 304 },
	      { "2", "http.length", 'u', NULL, 0 },
	      { "2", "http.incomplete", 'b', NULL, 0 },
	      { "!A", "http_bad_chunk", 0, NULL, 0 })),
	CASE("pipelined requests answered in order", 8080,
	     ({ 'C', "GET /1 HTTP/1.1\r\nHost: p\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: p\r\n\r\n"
	             "GET /3 HTTP/1.1\r\nHost: p\r\n\r\n",
	        0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
	             "HTTP/1.1 200 OK\r\nContent-Length: 12345\r\nContent-Type: text/html\r\n\r\n"
	             "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope",
	        0 }),
	     ({ "#", NULL, 0, NULL, 3 },
	      { "0", "http.url", 's', "/1", 0 },
	      { "0", "http.pipelined", 'b', NULL, 0 },
	      { "0", "http.length", 'u', NULL, 3 },
	      { "1", "http.url", 's', "/2", 0 },
	      { "1", "http.pipelined", 'b', NULL, 1 },
	      { "1", "http.length", 'u', NULL, 0 },
	      { "1", "http.http_content_type", 's', "text/html", 0 },
	      { "2", "http.url", 's', "/3", 0 },
	      { "2", "http.pipelined", 'b', NULL, 1 },
	      { "2", "http.status", 'u', NULL, 404 },
	      { "2", "http.reason", 's', "Not Found", 0 },
	      { "2", "http.length", 'u', NULL, 4 },
	      { "2", "http.incomplete", 'b', NULL, 0 })),
	CASE("100 continue then the final response", 80,
	     ({ 'C', "PUT /f HTTP/1.1\r\nHost: u\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 100 Continue\r\n\r\n", 0 },
	      { 'C', "data", 0 },
	      { 'S', "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
	             "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	        0 }),
	     ({ "#", NULL, 0, NULL, 1 },
	      { "0", "http.status", 'u', NULL, 200 },
	      { "0", "http.length", 'u', NULL, 2 },
	      { "0", "http.request.body_length", 'u', NULL, 4 },
	      { "0", "http.response.interim_responses", 'u', NULL, 2 },
	      { "0", "http.incomplete", 'b', NULL, 0 })),
	CASE("HTTP/1.0 body read until close", 80,
	     ({ 'C', "GET /old HTTP/1.0\r\nUser-Agent: Wget/1.0\r\nReferer: http://r/\r\n"
	             "X-Forwarded-For: 192.0.2.7\r\n\r\n",
	        0 },
	      { 'S', "HTTP/1.0 302 Found\r\nLocation: http://new/\r\n\r\n0123456789", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\n", 0 }),
	     ({ "#", NULL, 0, NULL, 1 },
	      { "0", "http.protocol", 's', "HTTP/1.0", 0 },
	      { "0", "http.hostname", 'x', NULL, 0 },
	      { "0", "http.redirect", 's', "http://new/", 0 },
	      { "0", "http.http_refer", 's', "http://r/", 0 },
	      { "0", "http.xff", 's', "192.0.2.7", 0 },
	      { "0", "http.response.framing", 's', "close", 0 },
	      { "0", "http.length", 'u', NULL, 27 },
	      { "0", "http.incomplete", 'b', NULL, 0 })),
	CASE("unanswered request at close", 80,
	     ({ 'C', "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: b\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345", 0 }),
	     ({ "#", NULL, 0, NULL, 2 },
	      { "0", "http.status", 'u', NULL, 200 },
	      { "0", "http.length", 'u', NULL, 5 },
	      { "0", "http.incomplete", 'b', NULL, 1 },
	      { "0", "http.incomplete_reason", 's', "closed", 0 },
	      { "1", "http.hostname", 's', "b", 0 },
	      { "1", "http.status", 'n', NULL, 0 },
	      { "1", "http.length", 'u', NULL, 0 },
	      { "1", "http.response", 'x', NULL, 0 },
	      { "1", "http.incomplete_reason", 's', "no_response", 0 })),
	CASE("CONNECT tunnel carrying something else", 8080,
	     ({ 'C', "CONNECT git.corp.test:22 HTTP/1.1\r\nHost: git.corp.test:22\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 Connection established\r\n\r\n", 0 },
	      { 'S', "SSH-2.0-OpenSSH_9.2\r\n", 0 },
	      { 'C', "GET /not-parsed HTTP/1.1\r\n\r\n", 0 }),
	     ({ "#", NULL, 0, NULL, 1 },
	      { "0", "http.http_method", 's', "CONNECT", 0 },
	      { "0", "http.url", 's', "git.corp.test:22", 0 },
	      { "0", "http.hostname", 's', "git.corp.test", 0 },
	      { "0", "http.http_port", 'u', NULL, 22 },
	      { "0", "http.status", 'u', NULL, 200 },
	      { "0", "http.tunnel", 's', "opaque", 0 },
	      { "0", "http.response.framing", 's', "tunnel", 0 },
	      { "0", "http.incomplete", 'b', NULL, 0 })),
	CASE("CONNECT tunnel carrying plain HTTP", 3128,
	     ({ 'C', "CONNECT www.corp.test:80 HTTP/1.1\r\nHost: www.corp.test:80\r\n\r\n\n", 0 },
	      { 'S', "HTTP/1.1 200 Connection established\r\n\r\n\n", 0 },
	      { 'C', "GET /inner HTTP/1.1\r\nHost: www.corp.test\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\ninner", 0 }),
	     ({ "#", NULL, 0, NULL, 2 },
	      { "0", "http.tunnel", 's', "http", 0 },
	      { "0", "http.http_method", 's', "CONNECT", 0 },
	      { "1", "http.url", 's', "/inner", 0 },
	      { "1", "http.status", 'u', NULL, 200 },
	      { "1", "http.length", 'u', NULL, 5 },
	      { "!A", "http_unexpected_response", 0, NULL, 0 })),
	CASE("gap beyond a counted body", 80,
	     ({ 'C', "GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n", 0 },
	      { 'S', "HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\n", 0 },
	      { 's', NULL, 14 },
	      { 'S', "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 0 }),
	     ({ "#", NULL, 0, NULL, 2 },
	      { "0", "http.length", 'u', NULL, 12 },
	      { "0", "http.response.body_bytes_missed", 'u', NULL, 12 },
	      { "0", "http.incomplete", 'b', NULL, 0 },
	      { "1", "http.status", 'u', NULL, 200 },
	      { "1", "http.length", 'u', NULL, 2 },
	      { "1", "http.incomplete", 'b', NULL, 0 },
	      { "!A", "http_bad_start_line", 0, NULL, 0 })),
	CASE("CONNECT refused, then an ordinary request", 8080,
	     ({ 'C', "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 3\r\n\r\nno!", 0 },
	      { 'C', "GET http://user:secret@www.corp.test:81/p?q=1 HTTP/1.1\r\nHost: other\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0 }),
	     ({ "#", NULL, 0, NULL, 2 },
	      { "0", "http.status", 'u', NULL, 407 },
	      { "0", "http.tunnel", 'x', NULL, 0 },
	      { "0", "http.length", 'u', NULL, 3 },
	      { "1", "http.url", 's', "http://www.corp.test:81/p?q=1", 0 },
	      { "1", "http.hostname", 's', "www.corp.test", 0 },
	      { "1", "http.http_port", 'u', NULL, 81 },
	      { "1", "http.status", 'u', NULL, 200 },
	      { "*", NULL, 0, "secret", 0 })),
	CASE("101 switching protocols stops parsing", 80,
	     ({ 'C', "GET /ws HTTP/1.1\r\nHost: w\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
	             "\x81\x05hello",
	        0 },
	      { 'C', "GET /not-http HTTP/1.1\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\n\r\n", 0 }),
	     ({ "#", NULL, 0, NULL, 1 },
	      { "0", "http.status", 'u', NULL, 101 },
	      { "0", "http.upgrade", 's', "websocket", 0 },
	      { "0", "http.response.framing", 's', "switch", 0 },
	      { "!A", "http_unexpected_response", 0, NULL, 0 },
	      { "!A", "http_bad_start_line", 0, NULL, 0 })),
	CASE("chunked request body", 80,
	     ({ 'C', "POST /c HTTP/1.1\r\nHost: c\r\nTransfer-Encoding: chunked\r\n\r\n"
	             "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\nGET /z HTTP/1.1\r\nHost: c\r\n\r\n",
	        0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	        0 }),
	     ({ "#", NULL, 0, NULL, 2 },
	      { "0", "http.request.framing", 's', "chunked", 0 },
	      { "0", "http.request.body_length", 'u', NULL, 9 },
	      { "0", "http.request.chunks", 'u', NULL, 2 },
	      { "1", "http.url", 's', "/z", 0 },
	      { "1", "http.pipelined", 'b', NULL, 1 })),
	CASE("origin-form target that contains ://", 80,
	     ({ 'C', "GET /redirect?to=a://b@evil/ HTTP/1.1\r\nHost: good.example\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 204 No Content\r\n\r\n", 0 }),
	     ({ "0", "http.hostname", 's', "good.example", 0 },
	      { "0", "http.url", 's', "/redirect?to=a://b@evil/", 0 })),
	CASE("obs-fold and header edge cases", 80,
	     ({ 'C', "GET /f HTTP/1.1\r\nUser-Agent: Mozilla/5.0\r\n (X11; Linux)\r\nHost: [2001:DB8::1]:8443\r\n"
	             "Host: second\r\nCookie: session=topsecret\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\n",
	        0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0 }),
	     ({ "0", "http.http_user_agent", 's', "Mozilla/5.0 (X11; Linux)", 0 },
	      { "0", "http.hostname", 's', "[2001:db8::1]", 0 },
	      { "0", "http.http_port", 'u', NULL, 8443 },
	      { "*", NULL, 0, "topsecret", 0 },
	      { "*", NULL, 0, "dXNlcjpwYXNz", 0 })),
	CASE("anomalies: smuggling-shaped headers", 80,
	     ({ 'C', "POST /s HTTP/1.1\r\nHost: s\r\nTransfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc"
	             "POST /t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n"
	             "0\r\n\r\n",
	        0 },
	      { 'S', "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
	             "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
	        0 }),
	     ({ "#", NULL, 0, NULL, 2 },
	      { "A", "http_bad_header", 0, NULL, 0 },
	      { "A", "http_te_and_cl", 0, NULL, 0 },
	      { "0", "http.request.framing", 's', "length", 0 },
	      { "0", "http.request.body_length", 'u', NULL, 3 },
	      { "1", "http.request.framing", 's', "chunked", 0 },
	      { "1", "http.request.body_length", 'u', NULL, 0 },
	      { "1", "http.incomplete", 'b', NULL, 0 })),
	CASE("invalid content-length stops the direction", 80,
	     ({ 'C', "POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"
	             "GET /never HTTP/1.1\r\n\r\n",
	        0 },
	      { 'S', "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 0 }),
	     ({ "#", NULL, 0, NULL, 1 },
	      { "A", "http_bad_framing", 0, NULL, 0 },
	      { "0", "http.request.framing", 's', "invalid", 0 },
	      { "0", "http.incomplete_reason", 's', "bad_framing", 0 },
	      { "0", "http.status", 'u', NULL, 400 })),
	CASE("bad chunk size", 80,
	     ({ 'C', "GET /b HTTP/1.1\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\nmore", 0 }),
	     ({ "#", NULL, 0, NULL, 1 },
	      { "A", "http_bad_chunk", 0, NULL, 0 },
	      { "0", "http.length", 'u', NULL, 3 },
	      { "0", "http.incomplete_reason", 's', "bad_framing", 0 })),
	CASE("chunk longer than its size", 80,
	     ({ 'C', "GET /b HTTP/1.1\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", 0 }),
	     ({ "A", "http_bad_chunk", 0, NULL, 0 }, { "0", "http.incomplete", 'b', NULL, 1 })),
	CASE("status code that is not a number", 8001,
	     ({ 'C', "GET /test HTTP/1.1\r\nHost: 127.0.0.1:8001\r\n\r\n", 0 },
	      { 'S', "HTTP/1.0 2XX OK\nServer: POC\nContent-Length:4\n\ntoto", 0 }),
	     ({ "#", NULL, 0, NULL, 1 },
	      { "0", "http.status", 'n', NULL, 0 },
	      { "0", "http.status_string", 's', "2XX", 0 },
	      { "0", "http.length", 'u', NULL, 4 },
	      { "0", "http.hostname", 's', "127.0.0.1", 0 },
	      { "0", "http.http_port", 'u', NULL, 8001 },
	      { "0", "http.incomplete", 'b', NULL, 0 })),
	CASE("response without a request", 80,
	     ({ 'S', "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 0 }),
	     ({ "#", NULL, 0, NULL, 1 },
	      { "A", "http_unexpected_response", 0, NULL, 0 },
	      { "0", "http.request_seen", 'b', NULL, 0 },
	      { "0", "http.http_method", 'x', NULL, 0 },
	      { "0", "http.request", 'x', NULL, 0 },
	      { "0", "http.status", 'u', NULL, 200 },
	      { "0", "http.incomplete", 'b', NULL, 0 })),
	CASE("header and line limits", 80,
	     ({ 'C', long_ua, 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0 }),
	     ({ "0", "http.truncated.0", 's', "http_user_agent", 0 },
	      { "0", "http.status", 'u', NULL, 200 })),
	CASE("gap inside a body, gap inside headers", 80,
	     ({ 'C', "GET /1 HTTP/1.1\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", 0 },
	      { 's', NULL, 80 },
	      { 'S', "0123456789", 0 },
	      { 'C', "GET /2 HTTP/1.1\r\nHo", 0 },
	      { 'c', NULL, 10 },
	      { 'C', "xxx\r\n\r\nGET /3 HTTP/1.1\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 201 OK\r\nContent-Length: 0\r\n\r\n",
	        0 }),
	     ({ "#", NULL, 0, NULL, 3 },
	      { "0", "http.length", 'u', NULL, 100 },
	      { "0", "http.response.body_bytes_missed", 'u', NULL, 80 },
	      { "0", "http.incomplete", 'b', NULL, 0 },
	      { "1", "http.url", 's', "/2", 0 },
	      { "1", "http.incomplete_reason", 's', "gap", 0 },
	      { "1", "http.status", 'u', NULL, 200 },
	      { "2", "http.url", 's', "/3", 0 },
	      { "2", "http.status", 'u', NULL, 201 },
	      { "!A", "http_bad_start_line", 0, NULL, 0 })),
	CASE_MID("picked up mid-stream", 80,
	     ({ 'S', "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody", 0 },
	      { 'C', "ial-body-bytes\r\nmore\r\nGET /seen HTTP/1.1\r\nHost: m\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0 }),
	     ({ "#", NULL, 0, NULL, 2 },
	      { "0", "http.request_seen", 'b', NULL, 0 },
	      { "1", "http.url", 's', "/seen", 0 },
	      { "1", "http.status", 'u', NULL, 200 },
	      { "!A", "http_unexpected_response", 0, NULL, 0 },
	      { "!A", "http_bad_start_line", 0, NULL, 0 })),
	CASE("spaces inside the target", 8080,
	     ({ 'C', "GET /cgi-bin/handler/netsonar;cat /etc/passwd|?data=Download HTTP/1.1\r\n"
	             "User-Agent: Mozilla/5.00 (Nikto/2.1.6)\r\nHost: 127.0.0.1\r\n\r\n",
	        0 }),
	     ({ "#", NULL, 0, NULL, 1 },
	      { "A", "http_target_whitespace", 0, NULL, 0 },
	      { "0", "http.url", 's', "/cgi-bin/handler/netsonar;cat /etc/passwd|?data=Download", 0 },
	      { "0", "http.protocol", 's', "HTTP/1.1", 0 },
	      { "0", "http.status", 'n', NULL, 0 })),
	CASE("garbage where a request belongs", 80,
	     ({ 'C', "GET /ok HTTP/1.1\r\n\r\nthis is not http\r\nneither\r\nGET /again HTTP/1.1\r\n\r\n", 0 },
	      { 'S', "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	        0 }),
	     ({ "#", NULL, 0, NULL, 2 },
	      { "A", "http_bad_start_line", 0, NULL, 0 },
	      { "1", "http.url", 's', "/again", 0 })),
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

START_TEST(transcripts)
{
	const struct tcase *c = &cases[_i];
	struct hr_opts o = { .dport = c->port, .midstream = c->midstream };
	hr_run(&H, c->steps, c->nsteps, &o);
	hr_check(&H, "http", c->name, c->checks, c->nchecks);
	hh_teardown(&H);
}
END_TEST

/* The events do not depend on how the bytes were cut into calls. */
START_TEST(transcripts_split)
{
	const struct tcase *c = &cases[_i];
	struct hr_opts o = { .dport = c->port, .midstream = c->midstream };
	hr_run(&H, c->steps, c->nsteps, &o);
	char *whole = strdup(hr_text(&H));
	hh_teardown(&H);
	static const size_t chunks[] = { 1, 2, 3, 7, 64 };
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		o.chunk = chunks[i];
		hr_run(&H, c->steps, c->nsteps, &o);
		ck_assert_msg(strcmp(hr_text(&H), whole) == 0, "%s: chunk %zu differs:\n%s\nvs\n%s",
		              c->name, chunks[i], hr_text(&H), whole);
		hh_teardown(&H);
	}
	free(whole);
}
END_TEST

/* Every prefix of every transcript: valid JSON (hh_line validates), no
 * more http events than the whole, ASan-clean. */
START_TEST(transcripts_truncated)
{
	const struct tcase *c = &cases[_i];
	struct hr_opts o = { .dport = c->port, .midstream = c->midstream };
	hr_run(&H, c->steps, c->nsteps, &o);
	size_t full = hr_events(&H, "http");
	hh_teardown(&H);
	size_t total = hr_total(c->steps, c->nsteps);
	for (size_t k = 1; k < total; k++) {
		o.limit = k;
		hr_run(&H, c->steps, c->nsteps, &o);
		size_t lines = hh_count(&H);
		for (size_t i = 0; i < lines; i++)
			(void)hh_line(&H, i);
		ck_assert_msg(hr_events(&H, "http") <= full, "%s: prefix %zu has %zu events > %zu",
		              c->name, k, hr_events(&H, "http"), full);
		hh_teardown(&H);
	}
}
END_TEST

/* ---- CONNECT to TLS, pipelining limits, detection ---- */

START_TEST(connect_tls)
{
	static const char req[] = "CONNECT www.corp.test:443 HTTP/1.1\r\nHost: www.corp.test:443\r\n"
	                          "User-Agent: curl/7.88.1\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 Connection established\r\n\r\n";
	struct hr_step steps[2 + 8];
	size_t n = 0;
	steps[n++] = (struct hr_step){ 'C', req, 0 };
	steps[n++] = (struct hr_step){ 'S', resp, 0 };
	for (size_t i = 0; i < tls_d16_count && n < sizeof(steps) / sizeof(steps[0]); i++)
		steps[n++] = (struct hr_step){ tls_d16[i].dir == PD_TO_SERVER ? 'C' : 'S',
			                           (const char *)tls_d16[i].data, tls_d16[i].len };
	static const size_t chunks[] = { 0, 1, 5 };
	char *first = NULL;
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		struct hr_opts o = { .dport = 3128, .chunk = chunks[k] };
		hr_run(&H, steps, n, &o);
		static const struct hr_chk chk[] = {
			{ "#", NULL, 0, NULL, 1 },
			{ "0", "http.tunnel", 's', "tls", 0 },
			{ "0", "http.status", 'u', NULL, 200 },
			{ "0", "http.http_port", 'u', NULL, 443 },
		};
		hr_check(&H, "http", "connect-tls", chk, sizeof(chk) / sizeof(chk[0]));
		static const struct hr_chk tchk[] = {
			{ "#", NULL, 0, NULL, 1 },
			{ "0", "tls.sni", 's', "www.corp.test", 0 },
			{ "0", "app_proto", 's', "http", 0 },
		};
		hr_check(&H, "tls", "connect-tls", tchk, sizeof(tchk) / sizeof(tchk[0]));
		/* The http event comes before the tls one. */
		ck_assert_int_lt(hr_event(&H, "http", 0), hr_event(&H, "tls", 0));
		if (first == NULL)
			first = strdup(hr_text(&H));
		else
			ck_assert_str_eq(hr_text(&H), first);
		hh_teardown(&H);
	}
	free(first);
}
END_TEST

START_TEST(pipeline_overflow)
{
	/* HTTP_TXN_MAX + 4 pipelined requests: the first HTTP_TXN_MAX kept in
	 * detail, 4 only framed (one of them HEAD, so its response must not
	 * swallow the next one). */
	enum { NREQ = HTTP_TXN_MAX + 4, HEAD_AT = HTTP_TXN_MAX + 1 };
	static char req[NREQ * 64], resp[NREQ * 64];
	req[0] = resp[0] = '\0';
	for (int i = 0; i < NREQ; i++) {
		char line[96];
		snprintf(line, sizeof line, "%s /%d HTTP/1.1\r\nHost: p\r\n\r\n",
		         i == HEAD_AT ? "HEAD" : "GET", i);
		strcat(req, line);
		snprintf(line, sizeof line, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s",
		         i == HEAD_AT ? 50 : 2, i == HEAD_AT ? "" : "ab");
		strcat(resp, line);
	}
	const struct hr_step steps[] = {
		{ 'C', req, 0 },
		{ 'S', resp, 0 },
		{ 'C', "GET /last HTTP/1.1\r\nHost: p\r\n\r\n", 0 },
		{ 'S', "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", 0 },
	};
	struct hr_opts o = { 0 };
	hr_run(&H, steps, sizeof(steps) / sizeof(steps[0]), &o);
	char lastk[8], lastid[8], url[8];
	snprintf(lastk, sizeof lastk, "%u", HTTP_TXN_MAX - 1);
	snprintf(url, sizeof url, "/%u", HTTP_TXN_MAX - 1);
	snprintf(lastid, sizeof lastid, "%u", HTTP_TXN_MAX);
	const struct hr_chk chk[] = {
		{ "#", NULL, 0, NULL, HTTP_TXN_MAX + 1 },
		{ "A", "http_pipeline_overflow", 0, NULL, 0 },
		{ lastk, "http.url", 's', url, 0 },
		{ lastk, "http.tx_id", 'u', NULL, HTTP_TXN_MAX },
		{ lastid, "http.url", 's', "/last", 0 },
		{ lastid, "http.tx_id", 'u', NULL, NREQ + 1 },
		{ lastid, "http.status", 'u', NULL, 202 },
		{ lastid, "http.incomplete", 'b', NULL, 0 },
		{ "!A", "http_unexpected_response", 0, NULL, 0 },
	};
	hr_check(&H, "http", "overflow", chk, sizeof(chk) / sizeof(chk[0]));
	hh_teardown(&H);
}
END_TEST

static void long_url(char *out, size_t cap, int g, int i)
{
	int n = snprintf(out, cap, "/%d/%d/", g, i);
	memset(out + n, 'a' + (g * 4 + i) % 26, 900);
	out[n + 900] = '\0';
}

/* Twenty transactions with 900-byte URLs, pipelined four at a time: the
 * string arena fills, is compacted around live transactions (whose
 * response strings came after later requests' strings) and reused; every
 * string still comes out whole and right. */
START_TEST(arena_reuse)
{
	static char req[5][8192], resp[5][1024];
	struct hr_step steps[10];
	for (int g = 0; g < 5; g++) {
		req[g][0] = resp[g][0] = '\0';
		for (int i = 0; i < 4; i++) {
			char url[1000], line[1200];
			long_url(url, sizeof url, g, i);
			snprintf(line, sizeof line, "GET %s HTTP/1.1\r\nHost: h%d\r\n\r\n", url, g * 4 + i);
			strcat(req[g], line);
			snprintf(line, sizeof line, "HTTP/1.1 200 R%d\r\nContent-Length: 0\r\n\r\n", g * 4 + i);
			strcat(resp[g], line);
		}
		steps[2 * g] = (struct hr_step){ 'C', req[g], 0 };
		steps[2 * g + 1] = (struct hr_step){ 'S', resp[g], 0 };
	}
	struct hr_opts o = { 0 };
	hr_run(&H, steps, 10, &o);
	ck_assert_uint_eq(hr_events(&H, "http"), 20);
	for (int g = 0; g < 5; g++) {
		for (int i = 0; i < 4; i++) {
			char want[1000], got[1100], tag[8];
			const char *l = hh_line(&H, (size_t)hr_event(&H, "http", (size_t)(g * 4 + i)));
			long_url(want, sizeof want, g, i);
			ck_assert_int_eq(jc_get_string(l, "http.url", got, sizeof got), 0);
			ck_assert_str_eq(got, want);
			snprintf(tag, sizeof tag, "h%d", g * 4 + i);
			ck_assert_int_eq(jc_get_string(l, "http.hostname", got, sizeof got), 0);
			ck_assert_str_eq(got, tag);
			snprintf(tag, sizeof tag, "R%d", g * 4 + i);
			ck_assert_int_eq(jc_get_string(l, "http.reason", got, sizeof got), 0);
			ck_assert_str_eq(got, tag);
		}
	}
	hh_teardown(&H);
}
END_TEST

/* More live strings than the arena holds: later ones are cut and flagged,
 * never overwritten or lost. */
START_TEST(arena_full)
{
	static char req[20 * 1100];
	req[0] = '\0';
	for (int i = 0; i < 16; i++) {
		char url[1000], line[1100];
		long_url(url, sizeof url, 0, i);
		snprintf(line, sizeof line, "GET %s HTTP/1.1\r\n\r\n", url);
		strcat(req, line);
	}
	struct hr_step steps[] = { { 'C', req, 0 } };
	struct hr_opts o = { 0 };
	hr_run(&H, steps, 1, &o);
	ck_assert_uint_eq(hr_events(&H, "http"), 16);
	size_t total = 0, cut = 0;
	for (int i = 0; i < 16; i++) {
		char want[1000], got[1100], tr[32];
		const char *l = hh_line(&H, (size_t)hr_event(&H, "http", (size_t)i));
		long_url(want, sizeof want, 0, i);
		ck_assert_int_eq(jc_get_string(l, "http.url", got, sizeof got), 0);
		ck_assert_msg(strncmp(got, want, strlen(got)) == 0, "url %d is not a prefix", i);
		total += strlen(got);
		if (strlen(got) < strlen(want)) {
			cut++;
			bool flagged = false;
			for (int k = 0; k < HTTP_F_COUNT && !flagged; k++) {
				char path[32];
				snprintf(path, sizeof path, "http.truncated.%d", k);
				flagged = jc_get_string(l, path, tr, sizeof tr) == 0 && strcmp(tr, "url") == 0;
			}
			ck_assert_msg(flagged, "url %d cut but not flagged", i);
		}
	}
	ck_assert_uint_gt(cut, 0);
	ck_assert_uint_le(total, HTTP_ARENA);
	hh_teardown(&H);
}
END_TEST

/* A request line over HTTP_LINE_MAX and more than HTTP_HEADERS_MAX fields:
 * flagged, cut, and the message still framed. */
START_TEST(limits)
{
	size_t cap = 9000 + 101 * 16 + 128;
	char *req = malloc(cap);
	ck_assert_ptr_nonnull(req);
	strcpy(req, "GET /");
	size_t n = strlen(req);
	memset(req + n, 'a', 9000);
	n += 9000;
	n += (size_t)snprintf(req + n, cap - n, " HTTP/1.1\r\nHost: big\r\n");
	for (int i = 0; i < 101; i++)
		n += (size_t)snprintf(req + n, cap - n, "X-H%d: v\r\n", i);
	snprintf(req + n, cap - n, "\r\n");
	const struct hr_step steps[] = {
		{ 'C', req, 0 },
		{ 'S', "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0 },
		{ 'C', "GET /small HTTP/1.1\r\n\r\n", 0 },
	};
	struct hr_opts o = { 0 };
	hr_run(&H, steps, 3, &o);
	static const struct hr_chk chk[] = {
		{ "#", NULL, 0, NULL, 2 },
		{ "A", "http_line_too_long", 0, NULL, 0 },
		{ "A", "http_header_too_many", 0, NULL, 0 },
		{ "0", "http.hostname", 's', "big", 0 },
		{ "0", "http.truncated.0", 's', "url", 0 },
		{ "0", "http.protocol", 'x', NULL, 0 },
		{ "0", "http.request.headers", 'u', NULL, 102 },
		{ "0", "http.status", 'u', NULL, 200 },
		{ "1", "http.url", 's', "/small", 0 },
		{ "1", "http.status", 'n', NULL, 0 },
	};
	hr_check(&H, "http", "limits", chk, sizeof(chk) / sizeof(chk[0]));
	char url[2048];
	ck_assert_int_eq(jc_get_string(hh_line(&H, (size_t)hr_event(&H, "http", 0)), "http.url", url,
	                               sizeof url), 0);
	ck_assert_uint_eq(strlen(url), 1024);
	hh_teardown(&H);
	free(req);
}
END_TEST

START_TEST(ports_and_detection)
{
	hh_setup(&H, NULL, 0);
	const struct pd_handler *h = hd_registry_find(&H.reg, "http");
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_eq(hd_registry_port(&H.reg, PD_TCP, 80), h);
	ck_assert_ptr_eq(hd_registry_port(&H.reg, PD_TCP, 8080), h);
	ck_assert_ptr_eq(hd_registry_port(&H.reg, PD_TCP, 8000), h);
	ck_assert_ptr_null(hd_registry_port(&H.reg, PD_UDP, 80));
	int idx = hd_registry_index(&H.reg, h);
	hh_teardown(&H);

	/* On a port nobody owns, the probe claims the flow by content. */
	const struct hr_step steps[] = {
		{ 'C', "GET /x HTTP/1.1\r\nHost: odd\r\n\r\n", 0 },
		{ 'S', "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0 },
	};
	struct hr_opts o = { .dport = 5555 };
	hr_run(&H, steps, 2, &o);
	ck_assert_uint_eq(H.ctx.stats[idx].flows_by_content, 1);
	ck_assert_uint_eq(hr_events(&H, "http"), 1);
	hh_teardown(&H);

	/* Something else on port 80: the port's probe rejects it. */
	const struct hr_step smtp[] = { { 'S', "220 mx.corp.test ESMTP\r\n", 0 },
		                            { 'C', "EHLO a\r\n", 0 } };
	o.dport = 80;
	hr_run(&H, smtp, 2, &o);
	ck_assert_uint_eq(hr_events(&H, "http"), 0);
	ck_assert_uint_eq(H.ctx.stats[idx].mismatches, 1);
	hh_teardown(&H);
}
END_TEST

static Suite *http_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("probe");
	tcase_add_loop_test(tc, probe_table, 0, sizeof(probe_cases) / sizeof(probe_cases[0]));
	tcase_add_loop_test(tc, probe_prefixes, 0, sizeof(probe_cases) / sizeof(probe_cases[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("lines");
	tcase_add_test(tc, parse_clen);
	tcase_add_test(tc, parse_chunk_size);
	tcase_add_test(tc, parse_start_lines);
	suite_add_tcase(s, tc);
	tc = tcase_create("d16");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, d16_keepalive);
	tcase_add_test(tc, d16_truncation);
	suite_add_tcase(s, tc);
	tc = tcase_create("transcripts");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, transcripts, 0, NCASES);
	tcase_add_loop_test(tc, transcripts_split, 0, NCASES);
	tcase_add_loop_test(tc, transcripts_truncated, 0, NCASES);
	tcase_add_test(tc, connect_tls);
	tcase_add_test(tc, pipeline_overflow);
	tcase_add_test(tc, arena_reuse);
	tcase_add_test(tc, arena_full);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, ports_and_detection);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(http_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
