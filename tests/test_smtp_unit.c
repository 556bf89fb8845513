/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for the pure parts of the SMTP handler: reply lines (RFC 5321 4.2)
 * and enhanced status codes (RFC 3463), MAIL/RCPT paths and parameters
 * (RFC 5321 4.1.2), EHLO keywords, the RFC 2920 pipeline queue and the
 * probe (both directions, every prefix). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/smtp.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *line;
	bool ok;
	unsigned code;
	bool last;
	const char *text;
	const char *enh;
} reply_cases[] = {
	{ "250 2.1.5 Ok", true, 250, true, "2.1.5 Ok", "2.1.5" },
	{ "250-PIPELINING", true, 250, false, "PIPELINING", "" },
	{ "250", true, 250, true, "", "" },
	{ "250-", true, 250, false, "", "" },
	{ "354 End data with <CR><LF>.<CR><LF>", true, 354, true, "End data with <CR><LF>.<CR><LF>", "" },
	{ "550 5.1.1 <x@y>: Recipient address rejected", true, 550, true,
	  "5.1.1 <x@y>: Recipient address rejected", "5.1.1" },
	{ "538 5.7.11 Encryption required", true, 538, true, "5.7.11 Encryption required", "5.7.11" },
	{ "421 4.4.2 timeout", true, 421, true, "4.4.2 timeout", "4.4.2" },
	{ "250 2.0.0", true, 250, true, "2.0.0", "2.0.0" },
	{ "250 2.0.00 leading zero", true, 250, true, "2.0.00 leading zero", "" },
	{ "250 3.1.1 bad class", true, 250, true, "3.1.1 bad class", "" },
	{ "250 2.1.5x", true, 250, true, "2.1.5x", "" },
	{ "250 2.1000.5 too long", true, 250, true, "2.1000.5 too long", "" },
	{ "250 2..5 empty", true, 250, true, "2..5 empty", "" },
	{ "2500 no", false, 0, false, NULL, NULL },
	{ "25", false, 0, false, NULL, NULL },
	{ "", false, 0, false, NULL, NULL },
	{ "150 first digit 1", false, 0, false, NULL, NULL },
	{ "650 first digit 6", false, 0, false, NULL, NULL },
	{ "260 second digit 6", false, 0, false, NULL, NULL },
	{ "25a x", false, 0, false, NULL, NULL },
	{ "hello", false, 0, false, NULL, NULL },
	{ "250\t2.0.0", false, 0, false, NULL, NULL },
};

START_TEST(test_reply_parse)
{
	const char *line = reply_cases[_i].line;
	struct smtp_reply_line r;
	bool ok = smtp_reply_parse((const uint8_t *)line, strlen(line), &r);
	ck_assert_msg(ok == reply_cases[_i].ok, "%s", line);
	if (!ok)
		return;
	ck_assert_uint_eq(r.code, reply_cases[_i].code);
	ck_assert_int_eq(r.last, reply_cases[_i].last);
	ck_assert_uint_eq(r.len, strlen(reply_cases[_i].text));
	ck_assert(memcmp(r.text, reply_cases[_i].text, r.len) == 0);
	ck_assert_str_eq(r.enhanced, reply_cases[_i].enh);
}
END_TEST

/* Every prefix of every reply parses within bounds (ASan). */
START_TEST(test_reply_truncation)
{
	for (size_t i = 0; i < N(reply_cases); i++) {
		const char *line = reply_cases[i].line;
		for (size_t n = 0; n <= strlen(line); n++) {
			uint8_t *copy = malloc(n ? n : 1);
			memcpy(copy, line, n);
			struct smtp_reply_line r;
			if (smtp_reply_parse(copy, n, &r))
				ck_assert_uint_ge(n, 3);
			free(copy);
		}
	}
}
END_TEST

static const struct {
	const char *arg;
	const char *kw;
	bool ok;
	const char *addr;
	const char *params;
	bool bracketed;
} path_cases[] = {
	{ "FROM:<a@b.test>", "FROM", true, "a@b.test", "", true },
	{ "from:<a@b.test> SIZE=10 BODY=8BITMIME", "FROM", true, "a@b.test", "SIZE=10 BODY=8BITMIME", true },
	{ "FROM: <a@b.test>", "FROM", true, "a@b.test", "", true },
	{ "FROM:<>", "FROM", true, "", "", true },
	{ "FROM:<> SIZE=5  ", "FROM", true, "", "SIZE=5", true },
	{ "FROM:a@b.test BODY=7BIT", "FROM", true, "a@b.test", "BODY=7BIT", false },
	{ "FROM:<\"x>y\"@b.test> RET=HDRS", "FROM", true, "\"x>y\"@b.test", "RET=HDRS", true },
	{ "FROM:<@relay.test:a@b.test>", "FROM", true, "@relay.test:a@b.test", "", true },
	{ "FROM:<unterminated", "FROM", true, "unterminated", "", true },
	{ "TO:<j\xc3\xb6rg@corp.test>", "TO", true, "j\xc3\xb6rg@corp.test", "", true },
	{ "TO:<b@c> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@c", "TO", true, "b@c",
	  "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@c", true },
	{ "TO:<postmaster>", "TO", true, "postmaster", "", true },
	{ "FROM <a@b>", "FROM", false, NULL, NULL, false },
	{ "TO:<a@b>", "FROM", false, NULL, NULL, false },
	{ "", "FROM", false, NULL, NULL, false },
	{ "FRO", "FROM", false, NULL, NULL, false },
};

START_TEST(test_path_parse)
{
	const char *arg = path_cases[_i].arg;
	struct smtp_path p;
	bool ok = smtp_path_parse((const uint8_t *)arg, strlen(arg), path_cases[_i].kw, &p);
	ck_assert_msg(ok == path_cases[_i].ok, "%s", arg);
	if (!ok)
		return;
	ck_assert_uint_eq(p.addr_len, strlen(path_cases[_i].addr));
	ck_assert(memcmp(p.addr, path_cases[_i].addr, p.addr_len) == 0);
	ck_assert_uint_eq(p.params_len, strlen(path_cases[_i].params));
	ck_assert(memcmp(p.params, path_cases[_i].params, p.params_len) == 0);
	ck_assert_int_eq(p.bracketed, path_cases[_i].bracketed);
}
END_TEST

START_TEST(test_params_iter)
{
	const char *s = "SIZE=10  SMTPUTF8 BODY=8BITMIME AUTH=<> X= =v";
	const char *want[][2] = {
		{ "SIZE", "10" }, { "SMTPUTF8", NULL }, { "BODY", "8BITMIME" },
		{ "AUTH", "<>" }, { "X", "" }, { "", "v" },
	};
	struct smtp_param_iter it;
	const uint8_t *k, *v;
	size_t kl, vl, n = 0;
	smtp_params_begin(&it, (const uint8_t *)s, strlen(s));
	while (smtp_params_next(&it, &k, &kl, &v, &vl)) {
		ck_assert_uint_lt(n, N(want));
		ck_assert_uint_eq(kl, strlen(want[n][0]));
		ck_assert(memcmp(k, want[n][0], kl) == 0);
		if (want[n][1] == NULL) {
			ck_assert_ptr_null(v);
		} else {
			ck_assert_ptr_nonnull(v);
			ck_assert_uint_eq(vl, strlen(want[n][1]));
			ck_assert(memcmp(v, want[n][1], vl) == 0);
		}
		n++;
	}
	ck_assert_uint_eq(n, N(want));
	smtp_params_begin(&it, NULL, 0);
	ck_assert(!smtp_params_next(&it, &k, &kl, &v, &vl));
}
END_TEST

START_TEST(test_numbers_and_case)
{
	uint64_t v;
	ck_assert(smtp_parse_u64((const uint8_t *)"0", 1, &v) && v == 0);
	ck_assert(smtp_parse_u64((const uint8_t *)"18446744073709551615", 20, &v) && v == UINT64_MAX);
	ck_assert(!smtp_parse_u64((const uint8_t *)"18446744073709551616", 20, &v));
	ck_assert(!smtp_parse_u64((const uint8_t *)"", 0, &v));
	ck_assert(!smtp_parse_u64((const uint8_t *)"12a", 3, &v));
	ck_assert(!smtp_parse_u64((const uint8_t *)"-1", 2, &v));
	ck_assert(smtp_ieq((const uint8_t *)"eHlO", 4, "EHLO"));
	ck_assert(!smtp_ieq((const uint8_t *)"EHL", 3, "EHLO"));
	ck_assert(!smtp_ieq((const uint8_t *)"EHLOX", 5, "EHLO"));
	char buf[4];
	ck_assert_uint_eq(smtp_copy(buf, sizeof buf, (const uint8_t *)"abcdef", 6), 3);
	ck_assert_str_eq(buf, "abc");
}
END_TEST

START_TEST(test_exts)
{
	struct smtp_exts x;
	smtp_exts_clear(&x);
	static const char *const lines[] = {
		"PIPELINING", "SIZE 4194304", "AUTH PLAIN LOGIN CRAM-MD5", "AUTH=LOGIN", "8BITMIME",
		"XCLIENT NAME HELO", "", "  ", "STARTTLS  ", "smtputf8", "CHUNKING",
		"ENHANCEDSTATUSCODES", "DSN",
	};
	for (size_t i = 0; i < N(lines); i++)
		smtp_exts_add(&x, (const uint8_t *)lines[i], strlen(lines[i]));
	ck_assert_uint_eq(x.n, 11);
	ck_assert(x.size_known);
	ck_assert_uint_eq(x.size, 4194304);
	unsigned all = SMTP_X_PIPELINING | SMTP_X_SIZE | SMTP_X_AUTH | SMTP_X_8BITMIME |
	               SMTP_X_STARTTLS | SMTP_X_SMTPUTF8 | SMTP_X_CHUNKING |
	               SMTP_X_ENHANCEDSTATUSCODES | SMTP_X_DSN;
	ck_assert_uint_eq(x.flags, all);
	ck_assert(smtp_exts_has_mech(&x, "CRAM-MD5"));
	ck_assert(smtp_exts_has_mech(&x, "LOGIN"));
	ck_assert(!smtp_exts_has_mech(&x, "XOAUTH2"));
	ck_assert(!smtp_exts_has_mech(&x, "PLAI"));
	/* XCLIENT kept by name with its parameters */
	const struct smtp_ext *e = &x.e[5];
	ck_assert_uint_eq(e->klen, 7);
	ck_assert(memcmp(x.pool + e->off, "XCLIENT", 7) == 0);
	ck_assert_uint_eq(e->plen, 9);
	ck_assert(memcmp(x.pool + e->off + 7, "NAME HELO", 9) == 0);
	/* STARTTLS: trailing spaces are not parameters */
	ck_assert_uint_eq(x.e[6].plen, 0);

	/* capacity: counted, never overrun */
	smtp_exts_clear(&x);
	char big[400];
	memset(big, 'K', sizeof big);
	for (int i = 0; i < 100; i++)
		smtp_exts_add(&x, (const uint8_t *)big, 40 + (size_t)i);
	ck_assert_uint_le(x.n, SMTP_EXT_MAX);
	ck_assert_uint_le(x.used, SMTP_EXT_POOL);
	ck_assert_uint_eq(x.n + x.dropped, 100);
	smtp_exts_add(&x, (const uint8_t *)big, sizeof big);
	ck_assert_uint_eq(x.n + x.dropped, 101);
}
END_TEST

static struct smtp_pending pend(enum smtp_kind k, unsigned idx, bool seq)
{
	struct smtp_pending p = { (uint8_t)k, SMTP_NO_SLOT, (uint16_t)idx, 0, 1, seq };
	return p;
}

START_TEST(test_queue_order_and_runs)
{
	struct smtp_queue q;
	memset(&q, 0, sizeof q);
	ck_assert_ptr_null(smtp_queue_head(&q));
	struct smtp_pending p = pend(SMTP_K_MAIL, 0, false);
	ck_assert(smtp_queue_push(&q, &p));
	for (unsigned i = 0; i < 5; i++) {
		p = pend(SMTP_K_RCPT, i, true);
		ck_assert(smtp_queue_push(&q, &p));
	}
	p = pend(SMTP_K_DATA, 0, false);
	ck_assert(smtp_queue_push(&q, &p));
	ck_assert_uint_eq(q.count, 3); /* MAIL, RCPT x5, DATA */
	ck_assert_uint_eq(smtp_queue_len(&q), 7);
	ck_assert_uint_eq(smtp_queue_head(&q)->kind, SMTP_K_MAIL);
	smtp_queue_pop(&q);
	for (unsigned i = 0; i < 5; i++) {
		struct smtp_pending *h = smtp_queue_head(&q);
		ck_assert_uint_eq(h->kind, SMTP_K_RCPT);
		ck_assert_uint_eq(h->idx, i);
		smtp_queue_pop(&q);
	}
	ck_assert_uint_eq(smtp_queue_head(&q)->kind, SMTP_K_DATA);
	ck_assert_ptr_nonnull(smtp_queue_at(&q, 0));
	ck_assert_ptr_null(smtp_queue_at(&q, 1));
	smtp_queue_pop(&q);
	ck_assert_ptr_null(smtp_queue_head(&q));
	ck_assert_uint_eq(smtp_queue_len(&q), 0);
	smtp_queue_pop(&q); /* harmless when empty */
	ck_assert_uint_eq(smtp_queue_len(&q), 0);

	/* a gap in the numbering starts a new run */
	p = pend(SMTP_K_RCPT, 0, true);
	smtp_queue_push(&q, &p);
	p = pend(SMTP_K_RCPT, 2, true);
	smtp_queue_push(&q, &p);
	ck_assert_uint_eq(q.count, 2);
}
END_TEST

START_TEST(test_queue_overflow)
{
	struct smtp_queue q;
	memset(&q, 0, sizeof q);
	for (unsigned i = 0; i < SMTP_QUEUE_MAX; i++) {
		struct smtp_pending p = pend(i % 2 ? SMTP_K_RSET : SMTP_K_OTHER, 0, false);
		ck_assert(smtp_queue_push(&q, &p));
	}
	struct smtp_pending p = pend(SMTP_K_QUIT, 0, false);
	ck_assert(!smtp_queue_push(&q, &p));
	ck_assert(!smtp_queue_push(&q, &p));
	ck_assert_uint_eq(smtp_queue_len(&q), SMTP_QUEUE_MAX + 2);
	for (unsigned i = 0; i < SMTP_QUEUE_MAX; i++) {
		ck_assert_uint_eq(smtp_queue_head(&q)->kind, i % 2 ? SMTP_K_RSET : SMTP_K_OTHER);
		smtp_queue_pop(&q);
	}
	/* once space frees up, order still holds: new commands wait behind
	 * the untracked ones */
	p = pend(SMTP_K_MAIL, 0, false);
	ck_assert(!smtp_queue_push(&q, &p));
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_ptr_nonnull(smtp_queue_head(&q));
		smtp_queue_pop(&q);
	}
	ck_assert_ptr_null(smtp_queue_head(&q));
	p = pend(SMTP_K_MAIL, 0, false);
	ck_assert(smtp_queue_push(&q, &p));
	ck_assert_uint_eq(smtp_queue_head(&q)->kind, SMTP_K_MAIL);
}
END_TEST

#define PC(dir, lit, want) { dir, lit, sizeof(lit) - 1, want }
static const struct {
	int dir; /* 0 to server, 1 to client */
	const char *data;
	size_t len;
	enum pd_probe want;
} probe_cases[] = {
	PC(1, "220 mx.corp.test ESMTP Postfix (Debian/GNU)\r\n", PD_PROBE_MATCH),
	PC(1, "220-mx.corp.test ESMTP\r\n220 more\r\n", PD_PROBE_MATCH),
	PC(1, "220 sink.corp.test ESMTP\r\n", PD_PROBE_MATCH),
	PC(1, "220 [10.0.0.1] ready\r\n", PD_PROBE_MATCH),
	PC(1, "554 mx.example.net no service\r\n", PD_PROBE_MATCH),
	PC(1, "220 mx.corp.test ESMTP", PD_PROBE_NEED_MORE),
	PC(1, "22", PD_PROBE_NEED_MORE),
	PC(1, "220 (vsFTPd 3.0.3)\r\n", PD_PROBE_NEED_MORE), /* the next line decides */
	PC(1, "220 (vsFTPd 3.0.3)\r\n331 Please specify the password.\r\n", PD_PROBE_REJECT),
	PC(1, "220 ProFTPD Server (Debian) [::ffff:10.0.0.1]\r\n530 Login\r\n", PD_PROBE_REJECT),
	PC(1, "220-FileZilla Server 1.8\r\n220 Please visit\r\n", PD_PROBE_REJECT),
	PC(1, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\x00\x00\x04", PD_PROBE_REJECT),
	PC(1, "HTTP/1.1 200 OK\r\nServer: nginx\r\n", PD_PROBE_REJECT),
	PC(1, "220 \x01\x02\r\n250 x\r\n", PD_PROBE_REJECT),
	/* mid-stream replies */
	PC(1, "250 2.1.5 Ok\r\n", PD_PROBE_MATCH),
	PC(1, "ok\r\n250 2.1.0 Ok\r\n", PD_PROBE_MATCH),
	PC(1, "250-PIPELINING\r\n", PD_PROBE_MATCH),
	PC(1, "354 End data with <CR><LF>.<CR><LF>\r\n", PD_PROBE_MATCH),
	PC(1, "250 Directory successfully changed.\r\n226 ok\r\n", PD_PROBE_REJECT),
	/* client */
	PC(0, "EHLO laptop.corp.test\r\n", PD_PROBE_MATCH),
	PC(0, "ehlo x\r\n", PD_PROBE_MATCH),
	PC(0, "HELO legacy\r\n", PD_PROBE_MATCH),
	PC(0, "EHL", PD_PROBE_NEED_MORE),
	PC(0, "MAIL FROM:<a@b>\r\n", PD_PROBE_MATCH),
	PC(0, "STARTTLS\r\n", PD_PROBE_MATCH),
	PC(0, "\x16\x03\x01\x02\x00\x01", PD_PROBE_MATCH),
	PC(0, "\x16", PD_PROBE_NEED_MORE),
	PC(0, "\x16\x03", PD_PROBE_NEED_MORE),
	PC(0, "\x16\x02\x01", PD_PROBE_REJECT),
	PC(0, "GET / HTTP/1.1\r\nHost: x\r\n", PD_PROBE_REJECT),
	PC(0, "GET / HTTP/1.1", PD_PROBE_NEED_MORE),
	PC(0, "USER anonymous\r\nPASS x\r\n", PD_PROBE_REJECT),
	PC(0, "QUIT\r\n", PD_PROBE_MATCH),
	PC(0, "EHLO\n", PD_PROBE_MATCH),
	PC(0, "HELP\r\n", PD_PROBE_NEED_MORE), /* FTP opens with HELP too: the next line decides */
	PC(0, "AUTH TLS\r\nUSER x\r\n", PD_PROBE_REJECT), /* FTP over TLS */
	PC(0, "SSH-2.0-OpenSSH_9.2\r\n\x00\x00\x01", PD_PROBE_REJECT),
	/* mid-stream client: a partial line, then a command */
	PC(0, "lo world\r\nRCPT TO:<b@c>\r\n", PD_PROBE_MATCH),
	PC(0, "", PD_PROBE_NEED_MORE),
};

START_TEST(test_probe)
{
	const char *d = probe_cases[_i].data;
	size_t len = probe_cases[_i].len;
	enum pd_probe got = smtp_probe(probe_cases[_i].dir ? PD_TO_CLIENT : PD_TO_SERVER,
	                               (const uint8_t *)d, len);
	ck_assert_msg(got == probe_cases[_i].want, "case %d: got %d want %d", _i, got,
	              probe_cases[_i].want);
}
END_TEST

/* Every prefix of a matching input: never REJECT, and within bounds. */
START_TEST(test_probe_prefixes)
{
	for (size_t i = 0; i < N(probe_cases); i++) {
		if (probe_cases[i].want != PD_PROBE_MATCH)
			continue;
		const char *d = probe_cases[i].data;
		size_t len = probe_cases[i].len;
		for (size_t n = 0; n <= len; n++) {
			uint8_t *copy = malloc(n ? n : 1);
			memcpy(copy, d, n);
			enum pd_probe v = smtp_probe(probe_cases[i].dir ? PD_TO_CLIENT : PD_TO_SERVER, copy, n);
			ck_assert_msg(v != PD_PROBE_REJECT, "case %zu prefix %zu rejected", i, n);
			free(copy);
		}
	}
}
END_TEST

START_TEST(test_anomaly_names)
{
	for (unsigned a = 0; a < SMTP_A_COUNT; a++) {
		const char *n = smtp_anomaly_name((enum smtp_anomaly)a);
		ck_assert_ptr_nonnull(n);
		for (const char *p = n; *p; p++)
			ck_assert((*p >= 'a' && *p <= 'z') || *p == '_');
	}
	ck_assert_str_eq(smtp_anomaly_name(SMTP_A_SMUGGLING_EOD), "smtp_smuggling_eod");
	ck_assert_str_eq(smtp_anomaly_name(SMTP_A_STARTTLS_INJECTION), "starttls_injection");
}
END_TEST

static Suite *smtp_unit_suite(void)
{
	Suite *s = suite_create("smtp_unit");
	TCase *tc = tcase_create("pure");
	tcase_add_loop_test(tc, test_reply_parse, 0, (int)N(reply_cases));
	tcase_add_test(tc, test_reply_truncation);
	tcase_add_loop_test(tc, test_path_parse, 0, (int)N(path_cases));
	tcase_add_test(tc, test_params_iter);
	tcase_add_test(tc, test_numbers_and_case);
	tcase_add_test(tc, test_exts);
	tcase_add_test(tc, test_queue_order_and_runs);
	tcase_add_test(tc, test_queue_overflow);
	tcase_add_loop_test(tc, test_probe, 0, (int)N(probe_cases));
	tcase_add_test(tc, test_probe_prefixes);
	tcase_add_test(tc, test_anomaly_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(smtp_unit_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
