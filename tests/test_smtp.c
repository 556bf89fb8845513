/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for the SMTP handler through the real session core: one table of
 * transcripts (RFC 5321 transactions, RFC 2920 pipelining, RFC 3207
 * STARTTLS, RFC 4954 AUTH, RFC 3030 BDAT, RFC 6409 submission, RFC 8314
 * implicit TLS, anomalies, gaps, mid-stream pickup) with the event fields
 * each must produce; every transcript is also replayed cut at every offset
 * and byte by byte and must give identical output; no output ever holds the
 * AUTH credentials used below. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/json_check.h"
#include "tests/test_smtp_run.h"

/* Credentials of the AUTH transcripts: annabelle.smith / correct-horse-battery. */
#define B64_PLAIN "AGFubmFiZWxsZS5zbWl0aABjb3JyZWN0LWhvcnNlLWJhdHRlcnk="
#define B64_USER "YW5uYWJlbGxlLnNtaXRo"
#define B64_PASS "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5"
static const char *const secrets[] = {
	B64_PLAIN, B64_USER, B64_PASS, "annabelle", "correct-horse", "AGFubmFi", "Y29ycmVjdC1o",
};

#define GREET { 'S', "220 mx.corp.test ESMTP Postfix\r\n", 0 }
#define EHLO_C { 'C', "EHLO laptop.corp.test\r\n", 0 }
#define EHLO_S                                                                                   \
	{ 'S',                                                                                   \
	  "250-mx.corp.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n"          \
	  "250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"        \
	  "250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",                                         \
	  0 }
#define QUIT_C { 'C', "QUIT\r\n", 0 }
#define QUIT_S { 'S', "221 2.0.0 Bye\r\n", 0 }
#define OPEN GREET, EHLO_C, EHLO_S
#define MAIL_OK { 'C', "MAIL FROM:<a@x.test>\r\n", 0 }, { 'S', "250 2.1.0 Ok\r\n", 0 }
#define RCPT_OK { 'C', "RCPT TO:<b@x.test>\r\n", 0 }, { 'S', "250 2.1.5 Ok\r\n", 0 }
#define DATA_OK { 'C', "DATA\r\n", 0 }, { 'S', "354 End data with <CR><LF>.<CR><LF>\r\n", 0 }
#define TLS_CH { 'C', "\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10 }
#define TLS_SH { 'S', "\x16\x03\x03\x00\x02\x02\x28", 7 }

#define U(sel, path, v) { sel, path, 'u', NULL, v }
#define STR(sel, path, v) { sel, path, 's', v, 0 }
#define B(sel, path, v) { sel, path, 'b', NULL, v }
#define NUL(sel, path) { sel, path, 'n', NULL, 0 }
#define CNT(sel, path, v) { sel, path, 'c', NULL, v }
#define ABSENT(sel, path) { sel, path, 'x', NULL, 0 }
#define ANOM(name) { "A", name, 'a', NULL, 0 }
#define NOANOM(name) { "!A", name, 'a', NULL, 0 }
#define FORBID(text) { "*", NULL, 'F', text, 0 }

struct scase {
	const char *name;
	bool nosplit;   /* the outcome depends on the cuts by nature */
	uint16_t dport;
	bool midstream;
	int why;
	const struct sr_step *steps;
	size_t nsteps;
	const struct sr_chk *chks;
	size_t nchks;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define CASE(nm, port, mid, why, st, ck) { nm, false, port, mid, why, st, N(st), ck, N(ck) }
/* Plaintext the server sends after its 220 in a later segment goes to TLS. */
#define CASE_NOSPLIT(nm, port, mid, why, st, ck) { nm, true, port, mid, why, st, N(st), ck, N(ck) }

/* ---- RFC 5321: a whole plain session ---- */
static const struct sr_step plain_s[] = {
	OPEN,
	{ 'C', "MAIL FROM:<ann@corp.test> SIZE=120 BODY=8BITMIME\r\n", 0 },
	{ 'S', "250 2.1.0 Ok\r\n", 0 },
	{ 'C', "RCPT TO:<bob@corp.test> NOTIFY=SUCCESS,FAILURE\r\n", 0 },
	{ 'S', "250 2.1.5 Ok\r\n", 0 },
	{ 'C', "RCPT TO:<eve@corp.test>\r\n", 0 },
	{ 'S', "550 5.1.1 <eve@corp.test>: Recipient address rejected\r\n", 0 },
	DATA_OK,
	{ 'C', "Subject: hi\r\n\r\n..dotted\r\nbody\r\n.\r\n", 0 },
	{ 'S', "250 2.0.0 Ok: queued as ABC\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk plain_k[] = {
	STR("S", "app_proto", "smtp"),
	STR("S", "smtp.type", "session"),
	U("S", "smtp.greeting.code", 220),
	STR("S", "smtp.greeting.text", "mx.corp.test ESMTP Postfix"),
	STR("S", "smtp.greeting.server_name", "mx.corp.test"),
	B("S", "smtp.greeting.no_service", 0),
	B("S", "smtp.client_spoke_first", 0),
	STR("S", "smtp.helo.0.command", "EHLO"),
	STR("S", "smtp.helo.0.name", "laptop.corp.test"),
	U("S", "smtp.helo.0.reply", 250),
	CNT("S", "smtp.extensions", 9),
	STR("S", "smtp.extensions.0.name", "PIPELINING"),
	STR("S", "smtp.extensions.1.name", "SIZE"),
	STR("S", "smtp.extensions.1.params", "10240000"),
	U("S", "smtp.extensions.1.size", 10240000),
	STR("S", "smtp.extensions.3.name", "AUTH"),
	CNT("S", "smtp.extensions.3.mechanisms", 3),
	STR("S", "smtp.extensions.3.mechanisms.2", "CRAM-MD5"),
	B("S", "smtp.starttls.offered", 1),
	B("S", "smtp.starttls.attempted", 0),
	STR("S", "smtp.starttls.result", "not_attempted"),
	NUL("S", "smtp.starttls.reply"),
	B("S", "smtp.implicit_tls", 0),
	CNT("S", "smtp.auth", 0),
	U("S", "smtp.transactions", 1),
	U("S", "smtp.commands", 6),
	B("S", "smtp.pipelining.advertised", 1),
	B("S", "smtp.pipelining.used", 0),
	U("S", "smtp.anomalies", 0),
	U("S", "smtp.unexpected_replies", 0),
	B("S", "smtp.partial", 0),
	B("S", "smtp.incomplete", 0),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.end.quit_reply", 221),
	STR("T1", "smtp.type", "transaction"),
	U("T1", "smtp.tx_id", 1),
	STR("T1", "smtp.helo", "laptop.corp.test"),
	STR("T1", "smtp.mail_from", "ann@corp.test"),
	STR("T1", "smtp.mail_params.SIZE", "120"),
	STR("T1", "smtp.mail_params.BODY", "8BITMIME"),
	U("T1", "smtp.mail_reply", 250),
	STR("T1", "smtp.mail_enhanced", "2.1.0"),
	STR("T1", "smtp.rcpt_to.0", "bob@corp.test"),
	STR("T1", "smtp.rcpt_to.1", "eve@corp.test"),
	U("T1", "smtp.rcpt_replies.0", 250),
	U("T1", "smtp.rcpt_replies.1", 550),
	STR("T1", "smtp.rcpt_params.0.NOTIFY", "SUCCESS,FAILURE"),
	CNT("T1", "smtp.rcpt_params.1", 0),
	U("T1", "smtp.rcpt_count", 2),
	U("T1", "smtp.rcpt_accepted", 1),
	STR("T1", "smtp.data.command", "DATA"),
	U("T1", "smtp.data.reply", 354),
	U("T1", "smtp.data.message_size", 30),
	U("T1", "smtp.data.bytes_on_wire", 34),
	U("T1", "smtp.data.dot_stuffed_lines", 1),
	U("T1", "smtp.data.final_reply", 250),
	STR("T1", "smtp.data.final_enhanced", "2.0.0"),
	B("T1", "smtp.data.incomplete", 0),
	B("T1", "smtp.pipelined", 0),
	B("T1", "smtp.tls", 0),
	B("T1", "smtp.submission_without_auth", 0),
	B("T1", "smtp.incomplete", 0),
	ABSENT("T1", "smtp.auth"),
	ABSENT("T1", "smtp.incomplete_reason"),
};

/* ---- RFC 2920: one group of commands, one group of replies ---- */
static const struct sr_step pipe_s[] = {
	OPEN,
	{ 'C', "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nRCPT TO:<c@x.test>\r\nDATA\r\n", 0 },
	{ 'S', "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 No such user\r\n354 go ahead\r\n", 0 },
	{ 'C', "hello\r\n.\r\nQUIT\r\n", 0 },
	{ 'S', "250 2.0.0 queued\r\n221 2.0.0 bye\r\n", 0 },
};
static const struct sr_chk pipe_k[] = {
	B("T1", "smtp.pipelined", 1),
	U("T1", "smtp.rcpt_replies.0", 250),
	U("T1", "smtp.rcpt_replies.1", 550),
	U("T1", "smtp.data.message_size", 7),
	U("T1", "smtp.data.final_reply", 250),
	B("S", "smtp.pipelining.used", 1),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.end.quit_reply", 221),
	U("S", "smtp.anomalies", 0),
};

/* ---- HELO, multi-line greeting, null sender, RSET ---- */
static const struct sr_step helo_s[] = {
	{ 'S', "220-mx.example.org ESMTP\r\n220-second line\r\n220 third\r\n", 0 },
	{ 'C', "HELO old.example\r\n", 0 },
	{ 'S', "250 mx.example.org\r\n", 0 },
	{ 'C', "MAIL FROM:<>\r\n", 0 },
	{ 'S', "250 ok\r\n", 0 },
	{ 'C', "RCPT TO:<postmaster>\r\n", 0 },
	{ 'S', "250 ok\r\n", 0 },
	{ 'C', "RSET\r\n", 0 },
	{ 'S', "250 ok\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk helo_k[] = {
	U("S", "smtp.greeting.lines", 3),
	STR("S", "smtp.greeting.text", "mx.example.org ESMTP"),
	STR("S", "smtp.helo.0.command", "HELO"),
	STR("S", "smtp.helo.0.name", "old.example"),
	NUL("S", "smtp.extensions"),
	B("S", "smtp.pipelining.advertised", 0),
	STR("T1", "smtp.mail_from", ""),
	STR("T1", "smtp.rcpt_to.0", "postmaster"),
	ABSENT("T1", "smtp.mail_enhanced"),
	NUL("T1", "smtp.data"),
	B("T1", "smtp.incomplete", 0),
	STR("S", "smtp.end.how", "QUIT"),
};

/* ---- RFC 3207 STARTTLS ---- */
static const struct sr_step tls_ok_s[] = {
	OPEN,
	{ 'C', "STARTTLS\r\n", 0 },
	{ 'S', "220 2.0.0 Ready to start TLS\r\n", 0 },
	TLS_CH, TLS_SH,
};
static const struct sr_chk tls_ok_k[] = {
	STR("S", "app_proto", "submission"),
	B("S", "smtp.starttls.offered", 1),
	B("S", "smtp.starttls.attempted", 1),
	STR("S", "smtp.starttls.result", "accepted"),
	U("S", "smtp.starttls.reply", 220),
	ABSENT("S", "smtp.starttls.injected_bytes"),
	B("S", "smtp.implicit_tls", 0),
	STR("S", "smtp.end.how", "TLS"),
	U("S", "smtp.transactions", 0),
	U("S", "smtp.anomalies", 0),
	NOANOM("starttls_injection"),
};

static const struct sr_step tls_454_s[] = {
	OPEN,
	{ 'C', "STARTTLS\r\n", 0 },
	{ 'S', "454 4.7.0 TLS not available due to local problem\r\n", 0 },
	MAIL_OK, QUIT_C, QUIT_S,
};
static const struct sr_chk tls_454_k[] = {
	STR("S", "smtp.starttls.result", "refused"),
	U("S", "smtp.starttls.reply", 454),
	STR("T1", "smtp.mail_from", "a@x.test"),
	U("T1", "smtp.mail_reply", 250),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.anomalies", 0),
};

static const struct sr_step tls_501_s[] = {
	OPEN,
	{ 'C', "STARTTLS now\r\n", 0 },
	{ 'S', "501 5.5.4 Syntax: STARTTLS\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk tls_501_k[] = {
	STR("S", "smtp.starttls.result", "refused"),
	U("S", "smtp.starttls.reply", 501),
	STR("S", "smtp.end.how", "QUIT"),
};

/* CVE-2011-0411: commands pipelined after STARTTLS, before its 220. */
static const struct sr_step tls_inj_s[] = {
	OPEN,
	{ 'C', "STARTTLS\r\nMAIL FROM:<x@y.test>\r\n", 0 },
	{ 'S', "220 2.0.0 Ready to start TLS\r\n", 0 },
	TLS_CH,
};
static const struct sr_chk tls_inj_k[] = {
	ANOM("starttls_injection"),
	U("S", "smtp.starttls.injected_bytes", 22),
	STR("S", "smtp.starttls.result", "accepted"),
	STR("S", "smtp.end.how", "TLS"),
	U("S", "smtp.transactions", 0),
};

static const struct sr_step tls_sinj_s[] = {
	OPEN,
	{ 'C', "STARTTLS\r\n", 0 },
	{ 'S', "220 2.0.0 Ready to start TLS\r\n250 2.0.0 injected\r\n", 0 },
};
static const struct sr_chk tls_sinj_k[] = {
	ANOM("starttls_injection"),
	STR("S", "smtp.end.how", "TLS"),
};

/* ---- RFC 4954 AUTH ---- */
static const struct sr_step auth_plain_s[] = {
	OPEN,
	{ 'C', "AUTH PLAIN " B64_PLAIN "\r\n", 0 },
	{ 'S', "235 2.7.0 Authentication successful\r\n", 0 },
	{ 'C', "MAIL FROM:<ann@corp.test>\r\n", 0 },
	{ 'S', "250 2.1.0 Ok\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk auth_plain_k[] = {
	STR("S", "smtp.auth.0.mechanism", "PLAIN"),
	B("S", "smtp.auth.0.initial_response", 1),
	U("S", "smtp.auth.0.rounds", 0),
	STR("S", "smtp.auth.0.result", "success"),
	U("S", "smtp.auth.0.reply", 235),
	STR("S", "smtp.auth.0.enhanced", "2.7.0"),
	U("S", "smtp.auth_count", 1),
	STR("T1", "smtp.auth.mechanism", "PLAIN"),
	STR("T1", "smtp.auth.result", "success"),
	U("T1", "smtp.auth.reply", 235),
	B("T1", "smtp.submission_without_auth", 0),
	NOANOM("submission_without_auth"),
	U("S", "smtp.anomalies", 0),
};

static const struct sr_step auth_plain2_s[] = {
	OPEN,
	{ 'C', "AUTH PLAIN\r\n", 0 },
	{ 'S', "334 \r\n", 0 },
	{ 'C', B64_PLAIN "\r\n", 0 },
	{ 'S', "235 2.7.0 Authentication successful\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk auth_plain2_k[] = {
	STR("S", "smtp.auth.0.mechanism", "PLAIN"),
	B("S", "smtp.auth.0.initial_response", 0),
	U("S", "smtp.auth.0.rounds", 1),
	STR("S", "smtp.auth.0.result", "success"),
	U("S", "smtp.anomalies", 0),
};

static const struct sr_step auth_login_s[] = {
	OPEN,
	{ 'C', "AUTH LOGIN\r\n", 0 },
	{ 'S', "334 VXNlcm5hbWU6\r\n", 0 },
	{ 'C', B64_USER "\r\n", 0 },
	{ 'S', "334 UGFzc3dvcmQ6\r\n", 0 },
	{ 'C', B64_PASS "\r\n", 0 },
	{ 'S', "535 5.7.8 Error: authentication failed\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk auth_login_k[] = {
	STR("S", "app_proto", "smtp"),
	STR("S", "smtp.auth.0.mechanism", "LOGIN"),
	B("S", "smtp.auth.0.initial_response", 0),
	U("S", "smtp.auth.0.rounds", 2),
	STR("S", "smtp.auth.0.result", "failure"),
	U("S", "smtp.auth.0.reply", 535),
	STR("S", "smtp.auth.0.enhanced", "5.7.8"),
	U("S", "smtp.anomalies", 0),
	STR("S", "smtp.end.how", "QUIT"),
};

static const struct sr_step auth_cancel_s[] = {
	OPEN,
	{ 'C', "AUTH LOGIN\r\n", 0 },
	{ 'S', "334 VXNlcm5hbWU6\r\n", 0 },
	{ 'C', "*\r\n", 0 },
	{ 'S', "501 5.7.0 Authentication aborted\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk auth_cancel_k[] = {
	STR("S", "smtp.auth.0.result", "cancelled"),
	U("S", "smtp.auth.0.reply", 501),
	U("S", "smtp.auth.0.rounds", 1),
	U("S", "smtp.anomalies", 0),
};

/* A blob where the mechanism belongs is never named. */
static const struct sr_step auth_blob_s[] = {
	OPEN,
	{ 'C', "AUTH " B64_USER "\r\n", 0 },
	{ 'S', "504 5.5.4 Unrecognized authentication type\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk auth_blob_k[] = {
	STR("S", "smtp.auth.0.mechanism", "other"),
	STR("S", "smtp.auth.0.result", "failure"),
	U("S", "smtp.auth.0.reply", 504),
};

/* The reply ending an AUTH exchange is lost; a command line ends it. */
static const struct sr_step auth_resync_s[] = {
	OPEN,
	{ 'C', "AUTH PLAIN\r\n", 0 },
	{ 'S', "334 \r\n", 0 },
	{ 'C', B64_PLAIN "\r\n", 0 },
	{ 's', NULL, 36 },
	{ 'C', "MAIL FROM:<a@x.test>\r\n", 0 },
	QUIT_C,
};
static const struct sr_chk auth_resync_k[] = {
	STR("T1", "smtp.mail_from", "a@x.test"),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.gaps", 1),
};

/* ---- RFC 6409 4.3 submission without AUTH ---- */
static const struct sr_step subm_s[] = { OPEN, MAIL_OK, QUIT_C, QUIT_S };
static const struct sr_chk subm_k[] = {
	ANOM("submission_without_auth"),
	B("T1", "smtp.submission_without_auth", 1),
	STR("T1", "app_proto", "submission"),
};
static const struct sr_step subm_530_s[] = {
	OPEN,
	{ 'C', "MAIL FROM:<a@x.test>\r\n", 0 },
	{ 'S', "530 5.7.0 Authentication required\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk subm_530_k[] = {
	NOANOM("submission_without_auth"),
	B("T1", "smtp.submission_without_auth", 0),
	U("T1", "smtp.mail_reply", 530),
	STR("T1", "smtp.mail_enhanced", "5.7.0"),
};

/* ---- RFC 8314 implicit TLS ---- */
static const struct sr_step implicit_s[] = { TLS_CH, TLS_SH };
static const struct sr_chk implicit_k[] = {
	STR("S", "app_proto", "submissions"),
	B("S", "smtp.implicit_tls", 1),
	NUL("S", "smtp.greeting"),
	STR("S", "smtp.end.how", "TLS"),
	U("S", "smtp.transactions", 0),
	U("S", "smtp.anomalies", 0),
};

/* ---- RFC 3030 BDAT: chunk octets are never commands ---- */
static const struct sr_step bdat_s[] = {
	OPEN,
	{ 'C', "MAIL FROM:<a@x.test> BODY=BINARYMIME\r\nRCPT TO:<b@x.test>\r\n"
	       "BDAT 11\r\nQUIT\r\n.\r\nXYBDAT 0 LAST\r\n", 0 },
	{ 'S', "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 11 octets received\r\n"
	       "250 2.0.0 Ok: 11 bytes queued\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk bdat_k[] = {
	STR("T1", "smtp.data.command", "BDAT"),
	CNT("T1", "smtp.data.chunks", 2),
	U("T1", "smtp.data.chunks.0", 11),
	U("T1", "smtp.data.chunks.1", 0),
	U("T1", "smtp.data.chunk_replies.0", 250),
	U("T1", "smtp.data.chunk_replies.1", 250),
	U("T1", "smtp.data.chunk_count", 2),
	B("T1", "smtp.data.last", 1),
	U("T1", "smtp.data.message_size", 11),
	U("T1", "smtp.data.bytes_on_wire", 11),
	U("T1", "smtp.data.final_reply", 250),
	STR("T1", "smtp.data.final_enhanced", "2.0.0"),
	STR("T1", "smtp.mail_params.BODY", "BINARYMIME"),
	ABSENT("T1", "smtp.data.dot_stuffed_lines"),
	B("T1", "smtp.pipelined", 1),
	U("S", "smtp.commands", 6),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.end.quit_reply", 221),
	U("S", "smtp.anomalies", 0),
};

static const struct sr_step bdat_rej_s[] = {
	OPEN, MAIL_OK, RCPT_OK,
	{ 'C', "BDAT 9\r\nRSET\r\nxyz", 0 },
	{ 'S', "552 5.3.4 Message too big\r\n", 0 },
	{ 'C', "BDAT 3 LAST\r\nabc", 0 },
	{ 'S', "503 5.5.1 Error: no transaction\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk bdat_rej_k[] = {
	U("T1", "smtp.data.chunk_replies.0", 552),
	U("T1", "smtp.data.chunk_replies.1", 503),
	U("T1", "smtp.data.final_reply", 552),
	STR("T1", "smtp.data.final_enhanced", "5.3.4"),
	U("T1", "smtp.data.message_size", 12),
	U("S", "smtp.commands", 6),
	U("S", "smtp.anomalies", 0),
	STR("S", "smtp.end.how", "QUIT"),
};

/* BDAT 0 LAST alone, then another transaction pipelined behind it. */
static const struct sr_step bdat0_s[] = {
	OPEN, MAIL_OK, RCPT_OK,
	{ 'C', "BDAT 0 LAST\r\nMAIL FROM:<c@x.test>\r\nRCPT TO:<d@x.test>\r\nBDAT 2 LAST\r\nhi", 0 },
	{ 'S', "250 2.0.0 Ok: 0 bytes\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: 2 bytes\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk bdat0_k[] = {
	U("T1", "smtp.data.message_size", 0),
	U("T1", "smtp.data.final_reply", 250),
	STR("T2", "smtp.mail_from", "c@x.test"),
	U("T2", "smtp.data.message_size", 2),
	U("T2", "smtp.data.final_reply", 250),
	U("S", "smtp.transactions", 2),
	U("S", "smtp.anomalies", 0),
};

/* ---- several transactions, RSET, refused DATA, nested MAIL ---- */
static const struct sr_step two_s[] = {
	OPEN, MAIL_OK, RCPT_OK, DATA_OK,
	{ 'C', "one\r\n.\r\n", 0 },
	{ 'S', "250 2.0.0 queued\r\n", 0 },
	{ 'C', "MAIL FROM:<c@x.test> SIZE=99\r\n", 0 },
	{ 'S', "250 2.1.0 Ok\r\n", 0 },
	{ 'C', "RCPT TO:<d@x.test>\r\n", 0 },
	{ 'S', "250 2.1.5 Ok\r\n", 0 },
	{ 'C', "RSET\r\n", 0 },
	{ 'S', "250 2.0.0 Ok\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk two_k[] = {
	U("T1", "smtp.tx_id", 1),
	U("T1", "smtp.data.message_size", 5),
	U("T2", "smtp.tx_id", 2),
	STR("T2", "smtp.mail_from", "c@x.test"),
	STR("T2", "smtp.mail_params.SIZE", "99"),
	NUL("T2", "smtp.data"),
	U("S", "smtp.transactions", 2),
	U("S", "smtp.anomalies", 0),
};

static const struct sr_step data554_s[] = {
	OPEN, MAIL_OK,
	{ 'C', "RCPT TO:<nobody@x.test>\r\n", 0 },
	{ 'S', "550 5.1.1 User unknown\r\n", 0 },
	{ 'C', "DATA\r\n", 0 },
	{ 'S', "554 5.5.1 Error: no valid recipients\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk data554_k[] = {
	U("T1", "smtp.data.reply", 554),
	U("T1", "smtp.data.final_reply", 554),
	ABSENT("T1", "smtp.data.message_size"),
	B("T1", "smtp.data.incomplete", 0),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.anomalies", 0),
};

static const struct sr_step nested_s[] = {
	OPEN, MAIL_OK,
	{ 'C', "MAIL FROM:<b@x.test>\r\n", 0 },
	{ 'S', "503 5.5.1 Error: nested MAIL command\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk nested_k[] = {
	ANOM("smtp_nested_mail"),
	STR("T1", "smtp.mail_from", "a@x.test"),
	STR("T2", "smtp.mail_from", "b@x.test"),
	U("T2", "smtp.mail_reply", 503),
};

static const struct sr_step early_data_s[] = {
	OPEN, MAIL_OK, RCPT_OK,
	{ 'C', "DATA\r\nhi\r\n.\r\n", 0 },
	{ 'S', "354 go\r\n250 2.0.0 ok\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk early_data_k[] = {
	ANOM("smtp_data_before_reply"),
	U("T1", "smtp.data.message_size", 4),
	U("T1", "smtp.data.final_reply", 250),
	STR("S", "smtp.end.how", "QUIT"),
};

/* ---- SMTP smuggling: <LF>.<CR><LF> inside the message ---- */
static const struct sr_step smuggle_s[] = {
	OPEN, MAIL_OK, RCPT_OK, DATA_OK,
	{ 'C', "a\r\n\n.\r\nMAIL FROM:<evil@x.test>\r\n.\r\n", 0 },
	{ 'S', "250 2.0.0 queued\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk smuggle_k[] = {
	ANOM("smtp_smuggling_eod"),
	ANOM("smtp_bare_lf"),
	U("T1", "smtp.data.message_size", 32),
	U("T1", "smtp.data.final_reply", 250),
	U("S", "smtp.transactions", 1),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.anomaly_counts.smtp_smuggling_eod", 1),
};

/* ---- line anomalies ---- */
static const struct sr_step barelf_s[] = {
	GREET,
	{ 'C', "EHLO x.test\n", 0 },
	{ 'S', "250 mx\r\n", 0 },
	{ 'C', "NOOP\rX\r\n", 0 },
	{ 'S', "250 2.0.0 Ok\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk barelf_k[] = {
	ANOM("smtp_bare_lf"),
	ANOM("smtp_bare_cr"),
	STR("S", "smtp.helo.0.name", "x.test"),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.anomaly_counts.smtp_bare_lf", 1),
	U("S", "smtp.anomaly_counts.smtp_bare_cr", 1),
};

static const struct sr_step unknown_s[] = {
	OPEN,
	{ 'C', "XYZZY plugh\r\n", 0 },
	{ 'S', "502 5.5.2 Error: command not recognized\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk unknown_k[] = {
	ANOM("smtp_unknown_command"),
	NOANOM("smtp_unexpected_reply"),
	FORBID("XYZZY"),
	FORBID("plugh"),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.end.quit_reply", 221),
};

static const struct sr_step unexp_s[] = {
	GREET, EHLO_C,
	{ 'S', "250 mx\r\n250 2.0.0 extra\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk unexp_k[] = {
	ANOM("smtp_unexpected_reply"),
	U("S", "smtp.unexpected_replies", 1),
	U("S", "smtp.end.quit_reply", 221),
};

static const struct sr_step badreply_s[] = {
	GREET, EHLO_C,
	{ 'S', "250-mx\r\nhello\r\n250 OK\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk badreply_k[] = {
	ANOM("smtp_reply_malformed"),
	U("S", "smtp.helo.0.reply", 250),
	U("S", "smtp.end.quit_reply", 221),
};

/* ---- greetings, talking first, 421 ---- */
static const struct sr_step g554_s[] = {
	{ 'S', "554 5.3.2 mx.example.net No SMTP service here\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk g554_k[] = {
	U("S", "smtp.greeting.code", 554),
	B("S", "smtp.greeting.no_service", 1),
	STR("S", "smtp.greeting.server_name", "mx.example.net"),
	STR("S", "smtp.end.how", "QUIT"),
};

static const struct sr_step early_s[] = {
	{ 'C', "EHLO early.test\r\n", 0 },
	GREET,
	{ 'S', "250 mx\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk early_k[] = {
	B("S", "smtp.client_spoke_first", 1),
	B("S", "smtp.pipelining.used", 1),
	U("S", "smtp.greeting.code", 220),
	U("S", "smtp.helo.0.reply", 250),
	U("S", "smtp.anomalies", 0),
};

static const struct sr_step s421_s[] = {
	OPEN,
	{ 'S', "421 4.4.2 mx.corp.test Error: timeout exceeded\r\n", 0 },
};
static const struct sr_chk s421_k[] = {
	STR("S", "smtp.end.how", "server_421"),
	U("S", "smtp.end.server_reply", 421),
	NUL("S", "smtp.end.quit_reply"),
	NOANOM("smtp_unexpected_reply"),
};

static const struct sr_step rst_s[] = {
	OPEN, MAIL_OK, RCPT_OK, DATA_OK,
	{ 'C', "partial message\r\nand a half", 0 },
};
static const struct sr_chk rst_k[] = {
	STR("S", "smtp.end.how", "RST"),
	B("T1", "smtp.incomplete", 1),
	STR("T1", "smtp.incomplete_reason", "closed"),
	B("T1", "smtp.data.incomplete", 1),
	NUL("T1", "smtp.data.final_reply"),
	U("T1", "smtp.data.message_size", 17),
};

static const struct sr_step fin_s[] = { OPEN, MAIL_OK, RCPT_OK, DATA_OK };
static const struct sr_chk fin_k[] = {
	STR("S", "smtp.end.how", "FIN"),
	B("T1", "smtp.data.incomplete", 1),
	U("T1", "smtp.data.message_size", 0),
};

/* ---- EHLO keyword variants ---- */
static const struct sr_step ext_s[] = {
	GREET, EHLO_C,
	{ 'S', "250-mx\r\n250-AUTH=LOGIN PLAIN\r\n250-SIZE\r\n250-XFOO bar  baz\r\n250 STARTTLS\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk ext_k[] = {
	CNT("S", "smtp.extensions", 4),
	STR("S", "smtp.extensions.0.name", "AUTH"),
	STR("S", "smtp.extensions.0.mechanisms.0", "LOGIN"),
	STR("S", "smtp.extensions.0.mechanisms.1", "PLAIN"),
	STR("S", "smtp.extensions.1.name", "SIZE"),
	ABSENT("S", "smtp.extensions.1.size"),
	ABSENT("S", "smtp.extensions.1.params"),
	STR("S", "smtp.extensions.2.name", "XFOO"),
	STR("S", "smtp.extensions.2.params", "bar  baz"),
	B("S", "smtp.starttls.offered", 1),
	B("S", "smtp.pipelining.advertised", 0),
};

/* ---- mid-stream pickup ---- */
static const struct sr_step mid_s[] = {
	{ 'C', "llo world\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n", 0 },
	{ 'S', "ay\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n", 0 },
	{ 'C', "x\r\n.\r\n", 0 },
	{ 'S', "250 2.0.0 ok\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk mid_k[] = {
	B("S", "smtp.partial", 1),
	B("S", "smtp.incomplete", 1),
	NUL("S", "smtp.greeting"),
	STR("T1", "smtp.mail_from", "a@x.test"),
	U("T1", "smtp.rcpt_replies.0", 250),
	U("T1", "smtp.data.message_size", 3),
	U("T1", "smtp.data.final_reply", 250),
	U("S", "smtp.anomalies", 0),
	STR("S", "smtp.end.how", "QUIT"),
};

/* Picked up inside a message: body lines (one looks like a command) are
 * skipped until the final dot. */
static const struct sr_step mid_data_s[] = {
	{ 'C', "ody text\r\nData follows below\r\n.\r\nQUIT\r\n", 0 },
	{ 'S', "250 2.0.0 Ok: queued as X\r\n221 2.0.0 Bye\r\n", 0 },
};
static const struct sr_chk mid_data_k[] = {
	B("S", "smtp.partial", 1),
	U("S", "smtp.transactions", 0),
	U("S", "smtp.anomalies", 0),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.end.quit_reply", 221),
};

/* Picked up inside an AUTH exchange: the blobs are skipped, never shown. */
static const struct sr_step mid_auth_s[] = {
	{ 'C', B64_USER "\r\n" B64_PASS "\r\n", 0 },
	{ 'S', "235 2.7.0 Authentication successful\r\n", 0 },
	MAIL_OK, QUIT_C, QUIT_S,
};
static const struct sr_chk mid_auth_k[] = {
	B("S", "smtp.partial", 1),
	STR("T1", "smtp.mail_from", "a@x.test"),
	U("S", "smtp.anomalies", 0),
};

/* ---- gaps ---- */
static const struct sr_step gap_data_s[] = {
	OPEN, MAIL_OK, RCPT_OK, DATA_OK,
	{ 'C', "line one\r\nline t", 0 },
	{ 'c', NULL, 100 },
	{ 'C', "wo\r\nlast\r\n.\r\n", 0 },
	{ 'S', "250 2.0.0 queued\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk gap_data_k[] = {
	B("T1", "smtp.incomplete", 1),
	STR("T1", "smtp.incomplete_reason", "gap"),
	U("T1", "smtp.data.lost_bytes", 106),
	U("T1", "smtp.data.message_size", 20),
	U("T1", "smtp.data.final_reply", 250),
	U("S", "smtp.gaps", 1),
	B("S", "smtp.incomplete", 1),
	STR("S", "smtp.end.how", "QUIT"),
};

static const struct sr_step gap_end_s[] = {
	OPEN, MAIL_OK, RCPT_OK, DATA_OK,
	{ 'C', "body\r\n", 0 },
	{ 'c', NULL, 3 },
	{ 'S', "250 2.0.0 queued\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk gap_end_k[] = {
	U("T1", "smtp.data.final_reply", 250),
	B("T1", "smtp.incomplete", 1),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.end.quit_reply", 221),
	NOANOM("smtp_unexpected_reply"),
};

static const struct sr_step gap_cmd_s[] = {
	OPEN,
	{ 'C', "MAIL FROM:<a@x.test>\r\nRCPT TO:<b", 0 },
	{ 'c', NULL, 5 },
	{ 'C', "test>\r\nRCPT TO:<c@x.test>\r\n", 0 },
	{ 'S', "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk gap_cmd_k[] = {
	STR("T1", "smtp.mail_from", "a@x.test"),
	CNT("T1", "smtp.rcpt_to", 1),
	STR("T1", "smtp.rcpt_to.0", "c@x.test"),
	B("T1", "smtp.incomplete", 1),
	STR("T1", "smtp.incomplete_reason", "gap"),
	NOANOM("smtp_unexpected_reply"),
	STR("S", "smtp.end.how", "QUIT"),
	U("S", "smtp.end.quit_reply", 221),
};

/* A lost reply: the 354 finds its DATA by code. */
static const struct sr_step gap_reply_s[] = {
	OPEN,
	{ 'C', "MAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n", 0 },
	{ 'S', "250 2.1.0 Ok\r\n", 0 },
	{ 's', NULL, 14 },
	{ 'S', "354 go\r\n", 0 },
	{ 'C', "hi\r\n.\r\n", 0 },
	{ 'S', "250 2.0.0 ok\r\n", 0 },
	QUIT_C, QUIT_S,
};
static const struct sr_chk gap_reply_k[] = {
	NUL("T1", "smtp.rcpt_replies.0"),
	U("T1", "smtp.data.reply", 354),
	U("T1", "smtp.data.message_size", 4),
	U("T1", "smtp.data.final_reply", 250),
	B("T1", "smtp.incomplete", 1),
	U("S", "smtp.end.quit_reply", 221),
};

#define PD_FIN 0
#define PD_RST 1
static const struct scase cases[] = {
	CASE("plain", 25, false, PD_FIN, plain_s, plain_k),
	CASE("pipelining", 25, false, PD_FIN, pipe_s, pipe_k),
	CASE("helo", 2525, false, PD_FIN, helo_s, helo_k),
	CASE("starttls", 587, false, PD_FIN, tls_ok_s, tls_ok_k),
	CASE("starttls-454", 25, false, PD_FIN, tls_454_s, tls_454_k),
	CASE("starttls-501", 25, false, PD_FIN, tls_501_s, tls_501_k),
	CASE("starttls-injection", 25, false, PD_FIN, tls_inj_s, tls_inj_k),
	CASE_NOSPLIT("starttls-server-injection", 25, false, PD_FIN, tls_sinj_s, tls_sinj_k),
	CASE("auth-plain-ir", 587, false, PD_FIN, auth_plain_s, auth_plain_k),
	CASE("auth-plain-334", 587, false, PD_FIN, auth_plain2_s, auth_plain2_k),
	CASE("auth-login-535", 2526, false, PD_FIN, auth_login_s, auth_login_k),
	CASE("auth-cancel", 587, false, PD_FIN, auth_cancel_s, auth_cancel_k),
	CASE("auth-blob-mechanism", 587, false, PD_FIN, auth_blob_s, auth_blob_k),
	CASE("auth-reply-lost", 587, false, PD_FIN, auth_resync_s, auth_resync_k),
	CASE("submission-without-auth", 587, false, PD_FIN, subm_s, subm_k),
	CASE("submission-530", 587, false, PD_FIN, subm_530_s, subm_530_k),
	CASE("implicit-tls", 465, false, PD_FIN, implicit_s, implicit_k),
	CASE("bdat", 25, false, PD_FIN, bdat_s, bdat_k),
	CASE("bdat-rejected", 25, false, PD_FIN, bdat_rej_s, bdat_rej_k),
	CASE("bdat-0-last", 25, false, PD_FIN, bdat0_s, bdat0_k),
	CASE("two-transactions", 25, false, PD_FIN, two_s, two_k),
	CASE("data-554", 25, false, PD_FIN, data554_s, data554_k),
	CASE("nested-mail", 25, false, PD_FIN, nested_s, nested_k),
	CASE("data-before-354", 25, false, PD_FIN, early_data_s, early_data_k),
	CASE("smuggling", 25, false, PD_FIN, smuggle_s, smuggle_k),
	CASE("bare-lf-cr", 25, false, PD_FIN, barelf_s, barelf_k),
	CASE("unknown-command", 25, false, PD_FIN, unknown_s, unknown_k),
	CASE("unexpected-reply", 25, false, PD_FIN, unexp_s, unexp_k),
	CASE("malformed-reply", 25, false, PD_FIN, badreply_s, badreply_k),
	CASE("greeting-554", 25, false, PD_FIN, g554_s, g554_k),
	CASE("client-first", 25, false, PD_FIN, early_s, early_k),
	CASE("server-421", 25, false, PD_FIN, s421_s, s421_k),
	CASE("rst-mid-data", 25, false, PD_RST, rst_s, rst_k),
	CASE("fin-after-354", 25, false, PD_FIN, fin_s, fin_k),
	CASE("ehlo-keywords", 25, false, PD_FIN, ext_s, ext_k),
	CASE("midstream", 25, true, PD_FIN, mid_s, mid_k),
	CASE("midstream-in-data", 25, true, PD_FIN, mid_data_s, mid_data_k),
	CASE("midstream-in-auth", 25, true, PD_FIN, mid_auth_s, mid_auth_k),
	CASE("gap-in-data", 25, false, PD_FIN, gap_data_s, gap_data_k),
	CASE("gap-hides-end", 25, false, PD_FIN, gap_end_s, gap_end_k),
	CASE("gap-in-command", 25, false, PD_FIN, gap_cmd_s, gap_cmd_k),
	CASE("gap-in-replies", 25, false, PD_FIN, gap_reply_s, gap_reply_k),
};

static void run_case(struct hd_harness *h, const struct scase *c, size_t chunk, size_t cut)
{
	struct sr_opts o;
	memset(&o, 0, sizeof o);
	o.dport = c->dport;
	o.midstream = c->midstream;
	o.why = c->why;
	o.chunk = chunk;
	o.cut = cut;
	sr_run(h, c->steps, c->nsteps, &o);
}

static void no_secrets(const struct hd_harness *h, const char *name)
{
	for (size_t i = 0; i < N(secrets); i++)
		ck_assert_msg(strstr(sr_text(h), secrets[i]) == NULL, "%s: output holds %s", name,
		              secrets[i]);
}

START_TEST(test_case_fields)
{
	const struct scase *c = &cases[_i];
	struct hd_harness h;
	run_case(&h, c, 0, 0);
	sr_check(&h, c->name, c->chks, c->nchks);
	no_secrets(&h, c->name);
	/* Every line is valid JSON (hh_line validates). */
	for (size_t i = 0; i < hh_count(&h); i++)
		hh_line(&h, i);
	hh_teardown(&h);
}
END_TEST

/* Cut at every offset (each step cut at the same place) and byte by byte:
 * the output must not change. */
START_TEST(test_case_splits)
{
	const struct scase *c = &cases[_i];
	struct hd_harness h;
	if (c->nosplit)
		return;
	run_case(&h, c, 0, 0);
	char *want = strdup(sr_text(&h));
	hh_teardown(&h);
	ck_assert_ptr_nonnull(want);

	size_t maxlen = 0;
	for (size_t i = 0; i < c->nsteps; i++) {
		size_t l = c->steps[i].len ? c->steps[i].len : (c->steps[i].data ? strlen(c->steps[i].data) : 0);
		maxlen = l > maxlen ? l : maxlen;
	}
	for (size_t cut = 1; cut < maxlen; cut++) {
		run_case(&h, c, 0, cut);
		ck_assert_msg(strcmp(want, sr_text(&h)) == 0, "%s: cut at %zu differs:\n%s\nvs\n%s", c->name,
		              cut, want, sr_text(&h));
		hh_teardown(&h);
	}
	for (size_t chunk = 1; chunk <= 3; chunk++) {
		run_case(&h, c, chunk, 0);
		ck_assert_msg(strcmp(want, sr_text(&h)) == 0, "%s: chunks of %zu differ:\n%s\nvs\n%s",
		              c->name, chunk, want, sr_text(&h));
		hh_teardown(&h);
	}
	free(want);
}
END_TEST

/* Every prefix of a long transcript, then close: valid JSON, no crash
 * (run under ASan), no credentials. */
START_TEST(test_truncation_sweep)
{
	static const struct sr_step full[] = {
		OPEN,
		{ 'C', "AUTH LOGIN\r\n", 0 },
		{ 'S', "334 VXNlcm5hbWU6\r\n", 0 },
		{ 'C', B64_USER "\r\n", 0 },
		{ 'S', "334 UGFzc3dvcmQ6\r\n", 0 },
		{ 'C', B64_PASS "\r\n", 0 },
		{ 'S', "235 2.7.0 ok\r\n", 0 },
		{ 'C', "MAIL FROM:<a@x.test> SIZE=10\r\nRCPT TO:<b@x.test>\r\nDATA\r\n", 0 },
		{ 'S', "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n", 0 },
		{ 'C', "x\r\n..y\r\n\n.\r\n.\r\n", 0 },
		{ 'S', "250 2.0.0 ok\r\n", 0 },
		{ 'C', "MAIL FROM:<c@x.test>\r\nRCPT TO:<d@x.test>\r\nBDAT 5 LAST\r\nabcde", 0 },
		{ 'S', "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 ok\r\n", 0 },
		{ 'C', "STARTTLS\r\n", 0 },
		{ 'S', "220 2.0.0 go\r\n", 0 },
		TLS_CH,
	};
	size_t total = 0;
	for (size_t i = 0; i < N(full); i++)
		total += full[i].len ? full[i].len : strlen(full[i].data);
	for (size_t keep = 0; keep <= total; keep++) {
		struct sr_step cut[N(full)];
		size_t n = 0, left = keep;
		for (size_t i = 0; i < N(full) && left > 0; i++) {
			size_t l = full[i].len ? full[i].len : strlen(full[i].data);
			cut[n] = full[i];
			cut[n].len = l < left ? l : left;
			left -= cut[n].len;
			n++;
		}
		struct hd_harness h;
		struct sr_opts o;
		memset(&o, 0, sizeof o);
		o.dport = 587;
		o.why = (int)(keep % 5);
		sr_run(&h, cut, n, &o);
		for (size_t i = 0; i < hh_count(&h); i++)
			hh_line(&h, i);
		if (keep >= 32) { /* the greeting is complete: the flow is SMTP */
			ck_assert_msg(sr_smtp(&h, "session", 0) >= 0, "no session record at %zu", keep);
		}
		no_secrets(&h, "truncation");
		hh_teardown(&h);
	}
}
END_TEST

/* ---- end-of-data look-alikes (SMTP smuggling) ---- */
static const struct {
	const char *body;
	bool lookalike;
} eod_cases[] = {
	{ "x\r\n.\nMAIL FROM:<e@x.test>\r\n", true },  /* <CR><LF>.<LF> */
	{ "x\n.\nmore\r\n", true },                     /* <LF>.<LF> */
	{ "x\n.\r\nmore\r\n", true },                   /* <LF>.<CR><LF> */
	{ "x\r.\r\nmore\r\n", true },                   /* <CR>.<CR><LF> */
	{ "x\r\n.\rmore\r\n", true },                   /* <CR><LF>.<CR> */
	{ "x\r.\rmore\r\n", true },                     /* <CR>.<CR> */
	{ "x\r\n..\r\nmore\r\n", false },               /* stuffed dot */
	{ "x\r\n. \r\nmore\r\n", false },
	{ "x.\r\n.x\r\n", false },
	{ "", false },
};

START_TEST(test_eod_lookalikes)
{
	const char *body = eod_cases[_i].body;
	struct sr_step st[] = {
		OPEN, MAIL_OK, RCPT_OK, DATA_OK,
		{ 'C', body, 0 },
		{ 'C', ".\r\n", 0 },
		{ 'S', "250 2.0.0 queued\r\n", 0 },
		QUIT_C, QUIT_S,
	};
	struct hd_harness h;
	struct sr_opts o;
	memset(&o, 0, sizeof o);
	/* With an empty body the step is skipped. */
	sr_run(&h, st, N(st), &o);
	size_t got = sr_anomalies(&h, "smtp_smuggling_eod");
	ck_assert_msg((got > 0) == eod_cases[_i].lookalike, "body %zu: %zu look-alike anomalies", (size_t)_i,
	              got);
	struct sr_chk k[] = {
		U("S", "smtp.transactions", 1),
		U("T1", "smtp.data.final_reply", 250),
		U("T1", "smtp.data.bytes_on_wire", strlen(body) + 3),
		STR("S", "smtp.end.how", "QUIT"),
	};
	sr_check(&h, "eod", k, N(k));
	hh_teardown(&h);
}
END_TEST

/* RFC 4954 failures: each code gives result "failure" with that reply. */
START_TEST(test_auth_failure_codes)
{
	static const char *const replies[] = {
		"535 5.7.8 Authentication credentials invalid\r\n",
		"534 5.7.9 Authentication mechanism is too weak\r\n",
		"538 5.7.11 Encryption required for requested authentication mechanism\r\n",
		"454 4.7.0 Temporary authentication failure\r\n",
		"530 5.7.0 Authentication required\r\n",
	};
	const char *r = replies[_i];
	struct sr_step st[] = {
		OPEN,
		{ 'C', "AUTH PLAIN " B64_PLAIN "\r\n", 0 },
		{ 'S', r, 0 },
		QUIT_C, QUIT_S,
	};
	struct hd_harness h;
	struct sr_opts o;
	memset(&o, 0, sizeof o);
	o.dport = 587;
	sr_run(&h, st, N(st), &o);
	uint64_t code = (uint64_t)strtoul(r, NULL, 10);
	char enh[16];
	snprintf(enh, sizeof enh, "%.*s", (int)(strchr(r + 4, ' ') - (r + 4)), r + 4);
	struct sr_chk k[] = {
		STR("S", "smtp.auth.0.result", "failure"),
		U("S", "smtp.auth.0.reply", code),
		STR("S", "smtp.auth.0.enhanced", enh),
		STR("S", "smtp.end.how", "QUIT"),
	};
	sr_check(&h, r, k, N(k));
	no_secrets(&h, r);
	hh_teardown(&h);
}
END_TEST

/* ---- lines over the RFC 5321 4.5.3.1 limits ---- */
START_TEST(test_long_lines)
{
	static char cmd[700], data[1600], reply[800], auth[2100];
	snprintf(cmd, sizeof cmd, "NOOP %0600d\r\n", 0);
	memset(data, 'd', sizeof data);
	memcpy(data + 1500, "\r\n.\r\n", 6);
	snprintf(reply, sizeof reply, "250-mx\r\n250-X%0700d\r\n250 PIPELINING\r\n", 0);
	memset(auth, 'Q', 2000);
	memcpy(auth + 2000, "\r\n", 3);

	struct sr_step st[] = {
		GREET, EHLO_C,
		{ 'S', reply, 0 },
		{ 'C', cmd, 0 },
		{ 'S', "500 5.5.2 Error: line too long\r\n", 0 },
		{ 'C', "AUTH LOGIN\r\n", 0 },
		{ 'S', "334 VXNlcm5hbWU6\r\n", 0 },
		{ 'C', auth, 0 },
		{ 'S', "535 5.7.8 no\r\n", 0 },
		MAIL_OK, RCPT_OK, DATA_OK,
		{ 'C', data, 0 },
		{ 'S', "250 2.0.0 queued\r\n", 0 },
		QUIT_C, QUIT_S,
	};
	struct hd_harness h;
	struct sr_opts o;
	memset(&o, 0, sizeof o);
	sr_run(&h, st, N(st), &o);
	struct sr_chk k[] = {
		ANOM("smtp_line_too_long"),
		/* reply line, command line, message line; not the AUTH line */
		U("S", "smtp.anomaly_counts.smtp_line_too_long", 3),
		U("S", "smtp.helo.0.reply", 250),
		STR("S", "smtp.extensions.0.name", "PIPELINING"),
		U("S", "smtp.extensions_dropped", 1),
		U("S", "smtp.auth.0.rounds", 1),
		STR("S", "smtp.auth.0.result", "failure"),
		U("T1", "smtp.data.message_size", 1502),
		U("T1", "smtp.data.final_reply", 250),
		U("S", "smtp.unexpected_replies", 0),
		STR("S", "smtp.end.how", "QUIT"),
		U("S", "smtp.end.quit_reply", 221),
	};
	sr_check(&h, "long lines", k, N(k));
	hh_teardown(&h);
}
END_TEST

/* A hundred pipelined recipients share queue entries; every reply lands. */
START_TEST(test_many_recipients)
{
	static char cmds[8192], replies[8192];
	size_t cl = 0, rl = 0;
	cl += (size_t)snprintf(cmds + cl, sizeof cmds - cl, "MAIL FROM:<a@x.test>\r\n");
	rl += (size_t)snprintf(replies + rl, sizeof replies - rl, "250 2.1.0 Ok\r\n");
	for (int i = 0; i < 100; i++) {
		cl += (size_t)snprintf(cmds + cl, sizeof cmds - cl, "RCPT TO:<r%d@x.test>\r\n", i);
		rl += (size_t)snprintf(replies + rl, sizeof replies - rl, "%s\r\n",
		                       i == 30 ? "550 5.1.1 no" : "250 2.1.5 Ok");
	}
	cl += (size_t)snprintf(cmds + cl, sizeof cmds - cl, "QUIT\r\n");
	rl += (size_t)snprintf(replies + rl, sizeof replies - rl, "221 2.0.0 Bye\r\n");
	struct sr_step st[] = { OPEN, { 'C', cmds, 0 }, { 'S', replies, 0 } };
	struct hd_harness h;
	struct sr_opts o;
	memset(&o, 0, sizeof o);
	sr_run(&h, st, N(st), &o);
	struct sr_chk k[] = {
		NOANOM("smtp_pipeline_overflow"),
		NOANOM("smtp_unexpected_reply"),
		U("T1", "smtp.rcpt_count", 100),
		U("T1", "smtp.rcpt_accepted", 99),
		CNT("T1", "smtp.rcpt_to", 32),
		B("T1", "smtp.rcpt_truncated", 1),
		STR("T1", "smtp.rcpt_to.31", "r31@x.test"),
		U("T1", "smtp.rcpt_replies.29", 250),
		U("T1", "smtp.rcpt_replies.30", 550),
		U("T1", "smtp.rcpt_replies.31", 250),
		STR("S", "smtp.end.how", "QUIT"),
		U("S", "smtp.end.quit_reply", 221),
	};
	sr_check(&h, "recipients", k, N(k));
	hh_teardown(&h);
}
END_TEST

/* More distinct pending commands than the queue tracks: the rest are only
 * counted, their replies still consumed in order. */
START_TEST(test_pipeline_overflow)
{
	static char cmds[8192], replies[8192];
	size_t cl = 0, rl = 0;
	for (int i = 0; i < 50; i++) {
		cl += (size_t)snprintf(cmds + cl, sizeof cmds - cl, "NOOP\r\nRSET\r\n");
		rl += (size_t)snprintf(replies + rl, sizeof replies - rl, "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n");
	}
	cl += (size_t)snprintf(cmds + cl, sizeof cmds - cl, "QUIT\r\n");
	rl += (size_t)snprintf(replies + rl, sizeof replies - rl, "221 2.0.0 Bye\r\n");
	struct sr_step st[] = { OPEN, { 'C', cmds, 0 }, { 'S', replies, 0 }, MAIL_OK };
	struct hd_harness h;
	struct sr_opts o;
	memset(&o, 0, sizeof o);
	sr_run(&h, st, N(st), &o);
	struct sr_chk k[] = {
		ANOM("smtp_pipeline_overflow"),
		U("S", "smtp.anomaly_counts.smtp_pipeline_overflow", 1),
		NOANOM("smtp_unexpected_reply"),
		U("S", "smtp.commands", 103),
		/* in order again once drained: the MAIL after it is answered */
		U("T1", "smtp.mail_reply", 250),
		STR("S", "smtp.end.how", "QUIT"),
	};
	sr_check(&h, "overflow", k, N(k));
	hh_teardown(&h);
}
END_TEST

/* A 1 MB message in 1460-byte segments: counted exactly, never buffered. */
START_TEST(test_large_message)
{
	size_t lines = 14000;
	size_t len = lines * 76 + 3;
	char *body = malloc(len + 1);
	ck_assert_ptr_nonnull(body);
	for (size_t i = 0; i < lines; i++) {
		memset(body + i * 76, (i % 3 == 0) ? '.' : 'b', 74);
		memcpy(body + i * 76 + 74, "\r\n", 2);
	}
	memcpy(body + lines * 76, ".\r\n", 4);
	struct sr_step st[] = {
		OPEN, MAIL_OK, RCPT_OK, DATA_OK,
		{ 'C', body, len },
		{ 'S', "250 2.0.0 queued\r\n", 0 },
		QUIT_C, QUIT_S,
	};
	struct hd_harness h;
	struct sr_opts o;
	memset(&o, 0, sizeof o);
	o.chunk = 1460;
	/* state + one kept line per direction + slack: no growth with size */
	o.mem_limit = 64 * 1024;
	sr_run(&h, st, N(st), &o);
	size_t stuffed = (lines + 2) / 3;
	struct sr_chk k[] = {
		U("T1", "smtp.data.message_size", lines * 76 - stuffed),
		U("T1", "smtp.data.bytes_on_wire", len),
		U("T1", "smtp.data.dot_stuffed_lines", stuffed),
		U("T1", "smtp.data.final_reply", 250),
		U("S", "smtp.anomalies", 0),
	};
	sr_check(&h, "large", k, N(k));
	hh_teardown(&h);
	free(body);
}
END_TEST

/* Plain text on 587 is not SMTP: the core reports the mismatch. */
START_TEST(test_not_smtp_on_587)
{
	struct sr_step st[] = {
		{ 'C', "GET / HTTP/1.1\r\nHost: mx\r\n\r\n", 0 },
		{ 'S', "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", 0 },
	};
	struct hd_harness h;
	struct sr_opts o;
	memset(&o, 0, sizeof o);
	o.dport = 587;
	sr_run(&h, st, N(st), &o);
	ck_assert_uint_gt(sr_anomalies(&h, "app_proto_mismatch"), 0);
	ck_assert_int_lt(sr_smtp(&h, "session", 0), 0);
	hh_teardown(&h);
}
END_TEST

/* SMTP on a port nobody owns is found by content. */
START_TEST(test_smtp_by_content)
{
	struct sr_step st[] = { GREET, EHLO_C, { 'S', "250 mx\r\n", 0 }, QUIT_C, QUIT_S };
	struct hd_harness h;
	struct sr_opts o;
	memset(&o, 0, sizeof o);
	o.dport = 2525;
	sr_run(&h, st, N(st), &o);
	struct sr_chk k[] = {
		STR("S", "app_proto", "smtp"),
		STR("S", "smtp.end.how", "QUIT"),
		NOANOM("app_proto_mismatch"),
	};
	sr_check(&h, "2525", k, N(k));
	hh_teardown(&h);
}
END_TEST

/* TLS on a port that is not SMTP's is plain TLS, without an smtp record. */
START_TEST(test_tls_elsewhere)
{
	struct sr_step st[] = { TLS_CH, TLS_SH };
	struct hd_harness h;
	struct sr_opts o;
	memset(&o, 0, sizeof o);
	o.dport = 8443;
	sr_run(&h, st, N(st), &o);
	ck_assert_int_lt(sr_smtp(&h, "session", 0), 0);
	ck_assert_str_eq(hd_session_flow_app_proto(&h.s), "tls");
	hh_teardown(&h);
}
END_TEST

/* Random mixes of SMTP pieces and junk in both directions, cut randomly:
 * valid JSON, bounded memory, no credentials, no crash (run under ASan). */
static uint32_t rng_next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

START_TEST(test_random_streams)
{
	static const char *const client_bits[] = {
		"EHLO a.test\r\n", "MAIL FROM:<a@x.test> SIZE=5\r\n", "RCPT TO:<b@x.test>\r\n",
		"DATA\r\n", "BDAT 7\r\n", "BDAT 0 LAST\r\n", "BDAT 99999999999\r\n", ".\r\n", "..x\r\n",
		"\n.\r\n", "\r", "\n", "AUTH LOGIN\r\n", "AUTH PLAIN " B64_PLAIN "\r\n", B64_USER "\r\n",
		"*\r\n", "STARTTLS\r\n", "RSET\r\n", "QUIT\r\n", "NOOP\r\n", "XYZ\r\n", "\x16\x03\x01",
		"text line\r\n", "\x00\xff\x80", "HELO h\r\n",
	};
	static const char *const server_bits[] = {
		"220 mx.test ESMTP\r\n", "250 2.1.0 Ok\r\n", "250-PIPELINING\r\n", "250 CHUNKING\r\n",
		"354 go\r\n", "334 VXNlcm5hbWU6\r\n", "235 2.7.0 ok\r\n", "535 5.7.8 no\r\n", "221 bye\r\n",
		"220 2.0.0 tls\r\n", "454 4.7.0 no tls\r\n", "421 4.4.2 bye\r\n", "550 5.1.1 no\r\n",
		"501 5.5.4 x\r\n", "garbage\r\n", "\r\n", "25", "0 ok\r\n",
	};
	uint32_t x = 0x9e3779b9u + (uint32_t)_i;
	for (int round = 0; round < 40; round++) {
		static char buf[64][256];
		struct sr_step st[64];
		size_t n = 0;
		st[n++] = (struct sr_step){ 'S', "220 mx.test ESMTP\r\n", 0 };
		while (n < 64) {
			bool client = rng_next(&x) & 1;
			char *b = buf[n];
			size_t bl = 0;
			unsigned parts = 1 + rng_next(&x) % 4;
			for (unsigned k = 0; k < parts; k++) {
				const char *piece = client ? client_bits[rng_next(&x) % N(client_bits)]
				                           : server_bits[rng_next(&x) % N(server_bits)];
				size_t pl = strlen(piece);
				if (pl == 0)
					pl = 1; /* the NUL of "\x00\xff\x80" counts */
				if (bl + pl >= sizeof buf[0])
					break;
				memcpy(b + bl, piece, pl);
				bl += pl;
			}
			if (bl == 0)
				continue;
			if (rng_next(&x) % 23 == 0) {
				st[n++] = (struct sr_step){ client ? 'c' : 's', NULL, 1 + rng_next(&x) % 40 };
				continue;
			}
			st[n++] = (struct sr_step){ client ? 'C' : 'S', b, bl };
		}
		struct hd_harness h;
		struct sr_opts o;
		memset(&o, 0, sizeof o);
		o.dport = (rng_next(&x) & 1) ? 25 : 587;
		o.chunk = rng_next(&x) % 4;
		o.why = (int)(rng_next(&x) % 5);
		o.mem_limit = 64 * 1024;
		sr_run(&h, st, n, &o);
		for (size_t i = 0; i < hh_count(&h); i++)
			hh_line(&h, i);
		no_secrets(&h, "random");
		hh_teardown(&h);
	}
}
END_TEST

static Suite *smtp_suite(void)
{
	Suite *s = suite_create("smtp");
	TCase *tc = tcase_create("transcripts");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_case_fields, 0, (int)N(cases));
	tcase_add_loop_test(tc, test_eod_lookalikes, 0, (int)N(eod_cases));
	tcase_add_loop_test(tc, test_auth_failure_codes, 0, 5);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_many_recipients);
	tcase_add_test(tc, test_pipeline_overflow);
	tcase_add_test(tc, test_large_message);
	tcase_add_test(tc, test_not_smtp_on_587);
	tcase_add_test(tc, test_smtp_by_content);
	tcase_add_test(tc, test_tls_elsewhere);
	suite_add_tcase(s, tc);

	TCase *tr = tcase_create("robustness");
	tcase_set_timeout(tr, 600);
	tcase_add_loop_test(tr, test_case_splits, 0, (int)N(cases));
	tcase_add_test(tr, test_truncation_sweep);
	tcase_add_loop_test(tr, test_random_streams, 0, 25);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(smtp_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
