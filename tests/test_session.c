/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for handlers/session*.c: detection (port hint, probes, rejection,
 * server-first, budgets, gaps), replay, the unconsumed tail and its cap,
 * upgrades, closing, UDP datagrams, memory cap, events and anomalies. The
 * handlers are fakes defined here that log every call. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portdemux/event.h"
#include "handlers/session.h"
#include "tests/json_check.h"
#include "tests/test_hd_harness.h"

/* ---- call log ---- */

static char call_log[16384];

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	size_t n = strlen(call_log);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(call_log + n, sizeof call_log - n, fmt, ap);
	va_end(ap);
}

static char dchar(enum pd_dir dir)
{
	return dir == PD_TO_SERVER ? 'S' : 'C';
}

struct fake_state {
	unsigned calls;
};

/* Line-oriented fake: consumes whole lines only and obeys a few commands. */
static size_t lines(const char *name, struct pd_session *s, void *state, enum pd_dir dir,
                    const uint8_t *d, size_t n)
{
	struct fake_state *st = state;
	st->calls++;
	logf_("%s:%c:%.*s|", name, dchar(dir), (int)n, (const char *)d);
	size_t used = 0;
	for (;;) {
		const uint8_t *nl = memchr(d + used, '\n', n - used);
		if (nl == NULL) {
			return used;
		}
		size_t llen = (size_t)(nl - (d + used));
		char line[64];
		snprintf(line, sizeof line, "%.*s", (int)llen, (const char *)d + used);
		used += llen + 1;
		if (strncmp(line, "UPGRADE ", 8) == 0) {
			int rc = pd_session_upgrade(s, line + 8);
			logf_("%s:upgrade=%d|", name, rc);
			if (rc == 0) {
				return used;
			}
		} else if (strcmp(line, "EVENT") == 0) {
			struct pd_event *e = pd_event_begin(s, name);
			pd_event_str(e, "line", line);
			pd_event_emit(e);
		} else if (strcmp(line, "ANOMALY") == 0) {
			pd_session_anomaly(s, "fake_anomaly", "a detail");
		} else if (strcmp(line, "LABEL") == 0) {
			pd_session_set_app_proto(s, "custom");
		}
	}
}

static void fake_gap(const char *name, enum pd_dir dir, size_t lost)
{
	logf_("%s:gap%c%zu|", name, dchar(dir), lost);
}

static void fake_close(const char *name, void *state)
{
	struct fake_state *st = state;
	logf_("%s:close(%u)|", name, st->calls);
}

/* A probe matching data that starts with `word`; a proper prefix of it needs more. */
static enum pd_probe starts(const char *word, const uint8_t *d, size_t n)
{
	size_t w = strlen(word);
	if (n < w) {
		return memcmp(d, word, n) == 0 ? PD_PROBE_NEED_MORE : PD_PROBE_REJECT;
	}
	return memcmp(d, word, w) == 0 ? PD_PROBE_MATCH : PD_PROBE_REJECT;
}

#define FAKE_CALLBACKS(nm)                                                                 \
	static size_t nm##_data(struct pd_session *s, void *st, enum pd_dir dir,             \
	                        const uint8_t *d, size_t n)                                  \
	{                                                                                    \
		return lines(#nm, s, st, dir, d, n);                                             \
	}                                                                                    \
	static void nm##_gap(struct pd_session *s, void *st, enum pd_dir dir, size_t lost)   \
	{                                                                                    \
		(void)s, (void)st;                                                               \
		fake_gap(#nm, dir, lost);                                                        \
	}                                                                                    \
	static void nm##_close(struct pd_session *s, void *st, enum pd_close why)            \
	{                                                                                    \
		(void)s, (void)why;                                                              \
		fake_close(#nm, st);                                                             \
	}

FAKE_CALLBACKS(alpha)
FAKE_CALLBACKS(beta)
FAKE_CALLBACKS(greeter)
FAKE_CALLBACKS(noprobe)
FAKE_CALLBACKS(udpish)
FAKE_CALLBACKS(big)

static enum pd_probe alpha_probe(enum pd_dir dir, const uint8_t *d, size_t n)
{
	(void)dir;
	return starts("ALPHA", d, n);
}

static enum pd_probe beta_probe(enum pd_dir dir, const uint8_t *d, size_t n)
{
	(void)dir;
	return starts("BETA", d, n);
}

/* Server-first: only the server's greeting identifies it. */
static enum pd_probe greeter_probe(enum pd_dir dir, const uint8_t *d, size_t n)
{
	return dir == PD_TO_CLIENT ? starts("HELLO", d, n) : PD_PROBE_REJECT;
}

static enum pd_probe udpish_probe(enum pd_dir dir, const uint8_t *d, size_t n)
{
	(void)dir;
	if (n > 0 && d[0] == '?') {
		return PD_PROBE_NEED_MORE;
	}
	return n > 0 && d[0] == 'U' ? PD_PROBE_MATCH : PD_PROBE_REJECT;
}

static const uint16_t alpha_ports[] = { 7000, 0 };
static const uint16_t noprobe_ports[] = { 7100, 0 };
static const uint16_t udpish_ports[] = { 7200, 0 };
static const uint16_t big_ports[] = { 7300, 0 };

#define FAKE_DESC(nm, tr, ports, pr, size)                                            \
	{ .api_version = PD_API_VERSION, .name = #nm, .transports = (tr),               \
	  .default_ports = (ports), .state_size = (size), .probe = (pr),                \
	  .on_data = nm##_data, .on_gap = nm##_gap, .on_close = nm##_close }

static const struct pd_handler h_alpha =
	FAKE_DESC(alpha, PD_TCP, alpha_ports, alpha_probe, sizeof(struct fake_state));
static const struct pd_handler h_beta =
	FAKE_DESC(beta, PD_TCP, NULL, beta_probe, sizeof(struct fake_state));
static const struct pd_handler h_greeter =
	FAKE_DESC(greeter, PD_TCP, NULL, greeter_probe, sizeof(struct fake_state));
static const struct pd_handler h_noprobe =
	FAKE_DESC(noprobe, PD_TCP, noprobe_ports, NULL, sizeof(struct fake_state));
static const struct pd_handler h_udpish =
	FAKE_DESC(udpish, PD_UDP, udpish_ports, udpish_probe, sizeof(struct fake_state));
static const struct pd_handler h_big =
	FAKE_DESC(big, PD_TCP, big_ports, NULL, 4096);

static const struct pd_handler *const fakes[] = {
	&h_alpha, &h_beta, &h_greeter, &h_noprobe, &h_udpish, &h_big,
};
enum { I_ALPHA, I_BETA, I_GREETER, I_NOPROBE, I_UDPISH, I_BIG };

static struct hd_harness *H;
static struct pd_session *S;

static void setup(void)
{
	H = calloc(1, sizeof *H);
	ck_assert_ptr_nonnull(H);
	hh_setup(H, fakes, sizeof fakes / sizeof fakes[0]);
	S = &H->s;
	call_log[0] = '\0';
}

static void teardown(void)
{
	hh_teardown(H);
	/* Everything charged to the context came back. */
	ck_assert_uint_eq(H->ctx.mem_in_use, 0);
	free(H);
}

#define TS 1795729881000000ULL

static void put(enum pd_dir dir, const char *text)
{
	hd_session_data(S, dir, (const uint8_t *)text, strlen(text), TS);
}

static void assert_log(const char *want)
{
	ck_assert_msg(strcmp(call_log, want) == 0, "log\n  got  %s\n  want %s", call_log, want);
}

/* ---- detection ---- */

START_TEST(test_probe_match_on_port)
{
	hh_session(H, PD_TCP, 40000, 7000);
	ck_assert_ptr_eq(S->port_handler, &h_alpha);
	put(PD_TO_SERVER, "ALPHA 1\nALPHA 2\n");
	ck_assert_int_eq(S->phase, HD_ACTIVE);
	ck_assert_str_eq(hd_session_flow_app_proto(S), "alpha");
	ck_assert(!S->claimed_by_content);
	ck_assert_uint_eq(H->ctx.stats[I_ALPHA].flows_by_port, 1);
	ck_assert_uint_eq(H->ctx.stats[I_ALPHA].bytes, 16);
	hd_session_close(S, PD_CLOSE_FIN, TS);
	assert_log("alpha:S:ALPHA 1\nALPHA 2\n|alpha:close(1)|");
	ck_assert_uint_eq(hh_count(H), 0);
}
END_TEST

START_TEST(test_need_more_then_replay)
{
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "AL");
	ck_assert_int_eq(S->phase, HD_DETECTING);
	assert_log("");
	put(PD_TO_SERVER, "PHA x\n");
	ck_assert_int_eq(S->phase, HD_ACTIVE);
	/* The held "AL" is replayed, kept as a tail and prepended to the rest. */
	assert_log("alpha:S:AL|alpha:S:ALPHA x\n|");
}
END_TEST

START_TEST(test_reject_other_claims_mismatch)
{
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "BETA hi\n");
	ck_assert_int_eq(S->phase, HD_ACTIVE);
	ck_assert_ptr_eq(S->h, &h_beta);
	ck_assert(S->claimed_by_content);
	ck_assert_str_eq(hd_session_flow_app_proto(S), "beta");
	assert_log("beta:S:BETA hi\n|");
	ck_assert_uint_eq(H->ctx.stats[I_ALPHA].mismatches, 1);
	ck_assert_uint_eq(H->ctx.stats[I_BETA].flows_by_content, 1);
	ck_assert_uint_eq(H->ctx.mismatches, 1);
	ck_assert_uint_eq(hh_count(H), 1);
	const char *l = hh_line(H, 0);
	char v[64];
	uint64_t port;
	ck_assert_int_eq(jc_get_string(l, "event_type", v, sizeof v), 0);
	ck_assert_str_eq(v, "anomaly");
	ck_assert_int_eq(jc_get_string(l, "app_proto", v, sizeof v), 0);
	ck_assert_str_eq(v, "beta");
	ck_assert_int_eq(jc_get_string(l, "anomaly.type", v, sizeof v), 0);
	ck_assert_str_eq(v, "applayer");
	ck_assert_int_eq(jc_get_string(l, "anomaly.event", v, sizeof v), 0);
	ck_assert_str_eq(v, "app_proto_mismatch");
	ck_assert_int_eq(jc_get_string(l, "anomaly.layer", v, sizeof v), 0);
	ck_assert_str_eq(v, "dispatch");
	ck_assert_int_eq(jc_get_uint(l, "anomaly.port", &port), 0);
	ck_assert_uint_eq(port, 7000);
	ck_assert_int_eq(jc_get_string(l, "anomaly.expected", v, sizeof v), 0);
	ck_assert_str_eq(v, "alpha");
	ck_assert_int_eq(jc_get_string(l, "anomaly.detected", v, sizeof v), 0);
	ck_assert_str_eq(v, "beta");
	ck_assert_int_eq(jc_get_uint(l, "dest_port", &port), 0);
	ck_assert_uint_eq(port, 7000);
}
END_TEST

START_TEST(test_reject_nothing_claims_failed)
{
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "zzz");
	ck_assert_int_eq(S->phase, HD_DETECTING);
	ck_assert(S->dir[PD_TO_SERVER].probe_done);
	put(PD_TO_CLIENT, "qqq");
	ck_assert_int_eq(S->phase, HD_FAILED);
	ck_assert_str_eq(hd_session_flow_app_proto(S), "failed");
	ck_assert_ptr_null(S->dir[0].buf);
	ck_assert_ptr_null(S->dir[1].buf);
	/* Nothing more is delivered or written. */
	put(PD_TO_SERVER, "ALPHA\n");
	assert_log("");
	ck_assert_uint_eq(hh_count(H), 1);
	const char *l = hh_line(H, 0);
	char v[64];
	ck_assert_int_eq(jc_get_string(l, "anomaly.event", v, sizeof v), 0);
	ck_assert_str_eq(v, "app_proto_mismatch");
	ck_assert_int_eq(jc_is_null(l, "anomaly.detected"), 0);
	ck_assert_int_eq(jc_get_string(l, "app_proto", v, sizeof v), 0);
	ck_assert_str_eq(v, "failed");
	ck_assert_uint_eq(H->ctx.stats[I_ALPHA].mismatches, 1);
}
END_TEST

START_TEST(test_failed_resolved_at_close)
{
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "zzz");
	ck_assert_int_eq(S->phase, HD_DETECTING);
	hd_session_close(S, PD_CLOSE_RST, TS);
	ck_assert_int_eq(S->phase, HD_FAILED);
	ck_assert_int_eq(hh_find(H, 0, "anomaly", "app_proto_mismatch"), 0);
	assert_log("");
}
END_TEST

START_TEST(test_port_handler_matches_other_direction)
{
	/* Rejected on one side, confirmed on the other: claimed by port, no mismatch. */
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "zzz");
	put(PD_TO_CLIENT, "ALPHA\n");
	ck_assert_ptr_eq(S->h, &h_alpha);
	ck_assert(!S->claimed_by_content);
	ck_assert_uint_eq(hh_count(H), 0);
	assert_log("alpha:S:zzz|alpha:C:ALPHA\n|");
}
END_TEST

START_TEST(test_server_first_from_client_direction)
{
	hh_session(H, PD_TCP, 40000, 9999);
	ck_assert_ptr_null(S->port_handler);
	put(PD_TO_CLIENT, "HELLO there\n");
	ck_assert_ptr_eq(S->h, &h_greeter);
	ck_assert(S->claimed_by_content);
	put(PD_TO_SERVER, "hi\n");
	assert_log("greeter:C:HELLO there\n|greeter:S:hi\n|");
	/* No port handler: no mismatch. */
	ck_assert_uint_eq(hh_count(H), 0);
}
END_TEST

START_TEST(test_replay_order_client_first)
{
	hh_session(H, PD_TCP, 40000, 9999);
	put(PD_TO_SERVER, "junk");
	ck_assert(S->dir[PD_TO_SERVER].probe_done);
	put(PD_TO_CLIENT, "HELLO\n");
	assert_log("greeter:S:junk|greeter:C:HELLO\n|");
}
END_TEST

START_TEST(test_replay_order_server_first)
{
	hh_session(H, PD_TCP, 40000, 9999);
	put(PD_TO_CLIENT, "HEL");
	put(PD_TO_SERVER, "EHLO x\n");
	put(PD_TO_CLIENT, "LO\n");
	/* The server spoke first: its bytes are replayed first. */
	assert_log("greeter:C:HEL|greeter:S:EHLO x\n|greeter:C:HELLO\n|");
}
END_TEST

START_TEST(test_budget_pkts_unknown)
{
	H->ctx.probe_budget_pkts = 3;
	hh_session(H, PD_TCP, 40000, 9999);
	put(PD_TO_SERVER, "A");
	put(PD_TO_SERVER, "L");
	ck_assert(!S->dir[PD_TO_SERVER].probe_done);
	put(PD_TO_SERVER, "P");
	ck_assert(S->dir[PD_TO_SERVER].probe_done);
	/* One side exhausted: the other may still match. */
	ck_assert_int_eq(S->phase, HD_DETECTING);
	put(PD_TO_CLIENT, "x");
	ck_assert_int_eq(S->phase, HD_UNKNOWN);
	ck_assert_str_eq(hd_session_flow_app_proto(S), "unknown");
	ck_assert_uint_eq(hh_count(H), 0);
	assert_log("");
}
END_TEST

START_TEST(test_budget_bytes_unknown_at_close)
{
	H->ctx.probe_budget_bytes = 4;
	hh_session(H, PD_TCP, 40000, 9999);
	put(PD_TO_SERVER, "ALP");
	ck_assert(!S->dir[PD_TO_SERVER].probe_done);
	put(PD_TO_SERVER, "HA x");
	ck_assert(S->dir[PD_TO_SERVER].probe_done);
	ck_assert_uint_eq(S->dir[PD_TO_SERVER].len, 4);
	ck_assert_uint_eq(S->dir[PD_TO_SERVER].lost, 3);
	ck_assert_int_eq(S->phase, HD_DETECTING);
	hd_session_close(S, PD_CLOSE_FIN, TS);
	ck_assert_int_eq(S->phase, HD_UNKNOWN);
	ck_assert_uint_eq(hh_count(H), 0);
}
END_TEST

START_TEST(test_match_on_delivery_larger_than_budget)
{
	/* The probe sees the budget; the handler gets the whole delivery. */
	H->ctx.probe_budget_bytes = 5;
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "ALPHA long line\n");
	assert_log("alpha:S:ALPHA long line\n|");
}
END_TEST

START_TEST(test_gap_while_detecting)
{
	hh_session(H, PD_TCP, 40000, 9999);
	put(PD_TO_SERVER, "AL");
	hd_session_gap(S, PD_TO_SERVER, 5, TS);
	ck_assert(S->dir[PD_TO_SERVER].probe_done);
	put(PD_TO_SERVER, "after");
	put(PD_TO_CLIENT, "HELLO\n");
	/* Kept bytes, then the hole (gap plus what came after it), then the match. */
	assert_log("greeter:S:AL|greeter:gapS10|greeter:C:HELLO\n|");
}
END_TEST

START_TEST(test_no_probe_claimed_by_port)
{
	hh_session(H, PD_TCP, 40000, 7100);
	put(PD_TO_CLIENT, "anything\n");
	ck_assert_ptr_eq(S->h, &h_noprobe);
	ck_assert_uint_eq(H->ctx.stats[I_NOPROBE].flows_by_port, 1);
	assert_log("noprobe:C:anything\n|");
}
END_TEST

/* ---- tail ---- */

START_TEST(test_tail_kept_and_prepended)
{
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "ALPHA\n");
	put(PD_TO_SERVER, "ONE\nTW");
	ck_assert_uint_eq(S->dir[PD_TO_SERVER].len, 2);
	put(PD_TO_CLIENT, "C1");
	put(PD_TO_SERVER, "O\nTH");
	put(PD_TO_CLIENT, "\n");
	assert_log("alpha:S:ALPHA\n|alpha:S:ONE\nTW|alpha:C:C1|alpha:S:TWO\nTH|alpha:C:C1\n|");
	ck_assert_uint_eq(S->dir[PD_TO_SERVER].len, 2);
	ck_assert_uint_eq(S->dir[PD_TO_CLIENT].len, 0);
	ck_assert_uint_eq(H->ctx.tail_drops, 0);
}
END_TEST

START_TEST(test_tail_cap_gap)
{
	H->ctx.tail_cap = 8;
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "ALPHA\n0123456789");
	ck_assert_uint_eq(S->dir[PD_TO_SERVER].len, 0);
	put(PD_TO_SERVER, "abc");
	put(PD_TO_SERVER, "defghi");
	/* The tail fills up to the cap ("abcdefgh"), is offered, not consumed,
	 * dropped; the last byte starts afresh. */
	ck_assert_uint_eq(S->dir[PD_TO_SERVER].len, 1);
	assert_log("alpha:S:ALPHA\n0123456789|alpha:gapS10|alpha:S:abc|alpha:S:abcdefgh|"
	           "alpha:gapS8|alpha:S:i|");
	ck_assert_uint_eq(H->ctx.tail_drops, 2);
	ck_assert_uint_eq(H->ctx.tail_drop_bytes, 18);
	ck_assert_int_eq(hh_find(H, 0, "anomaly", "tail_cap_exceeded"), 0);
	ck_assert_int_eq(hh_find(H, 1, "anomaly", "tail_cap_exceeded"), 1);
}
END_TEST

START_TEST(test_tail_cap_bounds_holding_not_consuming)
{
	/* Tail + new bytes beyond the cap are offered in pieces; nothing is lost
	 * while the handler keeps consuming. */
	H->ctx.tail_cap = 8;
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "ALPHA\nxy");
	put(PD_TO_SERVER, "z\n123\n456\n789\n");
	assert_log("alpha:S:ALPHA\nxy|alpha:S:xyz\n123\n|alpha:S:456\n789\n|");
	ck_assert_uint_eq(H->ctx.tail_drops, 0);
	ck_assert_uint_eq(S->dir[PD_TO_SERVER].len, 0);
	ck_assert_ptr_null(S->dir[PD_TO_SERVER].buf);
}
END_TEST

START_TEST(test_gap_when_active_drops_tail)
{
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "ALPHA\npart");
	hd_session_gap(S, PD_TO_SERVER, 100, TS);
	ck_assert_uint_eq(S->dir[PD_TO_SERVER].len, 0);
	put(PD_TO_SERVER, "next\n");
	assert_log("alpha:S:ALPHA\npart|alpha:gapS100|alpha:S:next\n|");
}
END_TEST

/* ---- upgrade and close ---- */

START_TEST(test_upgrade_mid_delivery)
{
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "ALPHA\nUPGRADE beta\nrest\n");
	ck_assert_ptr_eq(S->h, &h_beta);
	ck_assert_ptr_eq(S->outer, &h_alpha);
	put(PD_TO_CLIENT, "more\n");
	/* The label stays the one the flow was claimed with. */
	ck_assert_str_eq(hd_session_flow_app_proto(S), "alpha");
	hd_session_close(S, PD_CLOSE_FIN, TS);
	hd_session_close(S, PD_CLOSE_FIN, TS);
	assert_log("alpha:S:ALPHA\nUPGRADE beta\nrest\n|alpha:upgrade=0|beta:S:rest\n|"
	           "beta:C:more\n|beta:close(2)|alpha:close(1)|");
}
END_TEST

START_TEST(test_upgrade_from_tail)
{
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "ALPHA\nUPG");
	put(PD_TO_SERVER, "RADE beta\nxyz");
	ck_assert_ptr_eq(S->h, &h_beta);
	ck_assert_uint_eq(S->dir[PD_TO_SERVER].len, 3); /* beta's own tail "xyz" */
	put(PD_TO_SERVER, "\n");
	assert_log("alpha:S:ALPHA\nUPG|alpha:S:UPGRADE beta\nxyz|alpha:upgrade=0|beta:S:xyz|"
	           "beta:S:xyz\n|");
}
END_TEST

START_TEST(test_upgrade_refusals)
{
	hh_session(H, PD_TCP, 40000, 7000);
	/* Outside a callback. */
	ck_assert_int_eq(pd_session_upgrade(S, "beta"), -1);
	put(PD_TO_SERVER, "ALPHA\nUPGRADE nosuch\nUPGRADE udpish\nUPGRADE alpha\n"
	                   "UPGRADE beta\nUPGRADE alpha\n");
	/* Unknown, wrong transport, itself; then beta; beta may not upgrade again. */
	assert_log("alpha:S:ALPHA\nUPGRADE nosuch\nUPGRADE udpish\nUPGRADE alpha\n"
	           "UPGRADE beta\nUPGRADE alpha\n|alpha:upgrade=-1|alpha:upgrade=-1|"
	           "alpha:upgrade=-1|alpha:upgrade=0|beta:S:UPGRADE alpha\n|beta:upgrade=-1|");
}
END_TEST

START_TEST(test_close_once_detecting_and_unclaimed)
{
	hh_session(H, PD_TCP, 40000, 9999);
	hd_session_close(S, PD_CLOSE_TIMEOUT, TS);
	hd_session_close(S, PD_CLOSE_TIMEOUT, TS);
	ck_assert_int_eq(S->phase, HD_UNKNOWN);
	put(PD_TO_SERVER, "ALPHA\n");
	assert_log("");
	ck_assert_uint_eq(hh_count(H), 0);
}
END_TEST

/* ---- UDP ---- */

static void dgram(enum pd_dir dir, const char *text)
{
	hd_session_data(S, dir, (const uint8_t *)text, strlen(text), TS);
}

START_TEST(test_udp_datagrams_whole)
{
	hh_session(H, PD_UDP, 40000, 7200);
	dgram(PD_TO_SERVER, "U1 no newline");
	dgram(PD_TO_CLIENT, "U2");
	dgram(PD_TO_SERVER, "");
	/* No tail across datagrams even though nothing was consumed. */
	ck_assert_uint_eq(S->dir[PD_TO_SERVER].len, 0);
	hd_session_gap(S, PD_TO_SERVER, 10, TS); /* ignored for UDP */
	hd_session_close(S, PD_CLOSE_TIMEOUT, TS);
	assert_log("udpish:S:U1 no newline|udpish:C:U2|udpish:S:|udpish:close(3)|");
}
END_TEST

START_TEST(test_udp_replay_datagrams)
{
	hh_session(H, PD_UDP, 40000, 9999);
	dgram(PD_TO_SERVER, "?a");
	dgram(PD_TO_SERVER, "?bb");
	ck_assert_int_eq(S->phase, HD_DETECTING);
	dgram(PD_TO_SERVER, "Uc");
	assert_log("udpish:S:?a|udpish:S:?bb|udpish:S:Uc|");
}
END_TEST

START_TEST(test_udp_tcp_only_probes_skipped)
{
	/* alpha is TCP only: "ALPHA" on UDP is not claimed. */
	hh_session(H, PD_UDP, 40000, 9999);
	dgram(PD_TO_SERVER, "ALPHA\n");
	dgram(PD_TO_CLIENT, "HELLO\n");
	ck_assert_int_eq(S->phase, HD_UNKNOWN);
	assert_log("");
}
END_TEST

/* ---- memory cap ---- */

START_TEST(test_memcap_refuses_state)
{
	H->ctx.mem_cap = 1000;
	hh_session(H, PD_TCP, 40000, 7300);
	put(PD_TO_SERVER, "data\n");
	ck_assert_int_eq(S->phase, HD_UNKNOWN);
	ck_assert_uint_eq(H->ctx.memcap_hits, 1);
	ck_assert_uint_eq(H->ctx.mem_in_use, 0);
	ck_assert_int_eq(hh_find(H, 0, "anomaly", "handler_memcap"), 0);
	assert_log("");
}
END_TEST

START_TEST(test_memory_accounted)
{
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "AL");
	ck_assert_uint_gt(H->ctx.mem_in_use, 0);
	put(PD_TO_SERVER, "PHA\npartial");
	ck_assert_uint_ge(H->ctx.mem_in_use, sizeof(struct fake_state) + 7);
	/* teardown checks everything is given back */
}
END_TEST

/* ---- events ---- */

START_TEST(test_events_and_anomalies)
{
	hh_session(H, PD_TCP, 40000, 7000);
	put(PD_TO_SERVER, "ALPHA\nEVENT\nLABEL\nANOMALY\n");
	ck_assert_uint_eq(hh_count(H), 2);
	const char *l = hh_line(H, 0);
	char v[64];
	ck_assert_int_eq(jc_get_string(l, "event_type", v, sizeof v), 0);
	ck_assert_str_eq(v, "alpha");
	ck_assert_int_eq(jc_get_string(l, "app_proto", v, sizeof v), 0);
	ck_assert_str_eq(v, "alpha");
	ck_assert_int_eq(jc_get_string(l, "alpha.line", v, sizeof v), 0);
	ck_assert_str_eq(v, "EVENT");
	ck_assert_int_eq(jc_get_string(l, "timestamp", v, sizeof v), 0);
	ck_assert_str_eq(v, "2026-11-26T21:51:21.000000+0000");
	l = hh_line(H, 1);
	ck_assert_int_eq(jc_get_string(l, "app_proto", v, sizeof v), 0);
	ck_assert_str_eq(v, "custom");
	ck_assert_int_eq(jc_get_string(l, "anomaly.type", v, sizeof v), 0);
	ck_assert_str_eq(v, "applayer");
	ck_assert_int_eq(jc_get_string(l, "anomaly.event", v, sizeof v), 0);
	ck_assert_str_eq(v, "fake_anomaly");
	ck_assert_int_eq(jc_get_string(l, "anomaly.detail", v, sizeof v), 0);
	ck_assert_str_eq(v, "a detail");
	ck_assert_int_eq(jc_get_string(l, "anomaly.layer", v, sizeof v), 0);
	ck_assert_str_eq(v, "alpha");
	ck_assert_uint_eq(H->ctx.stats[I_ALPHA].events, 2);
	ck_assert_uint_eq(H->ctx.stats[I_ALPHA].anomalies, 1);
	ck_assert_uint_eq(H->ctx.events, 2);
	ck_assert_uint_eq(H->ctx.anomalies, 1);
	ck_assert_str_eq(hd_session_flow_app_proto(S), "custom");
	ck_assert_str_eq(pd_session_app_proto(S), "custom");
}
END_TEST

START_TEST(test_session_facts)
{
	hh_session(H, PD_UDP, 40000, 7200);
	ck_assert_int_eq(pd_session_transport(S), PD_UDP);
	ck_assert_uint_eq(pd_session_server_port(S), 7200);
	ck_assert_uint_eq(pd_session_client_port(S), 40000);
	ck_assert(!pd_session_midstream(S));
	ck_assert_ptr_null(pd_session_app_proto(S));
	dgram(PD_TO_SERVER, "U");
	ck_assert_uint_eq(pd_session_time_us(S), TS);
	ck_assert_str_eq(pd_session_app_proto(S), "udpish");
}
END_TEST

static Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("detect");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_probe_match_on_port);
	tcase_add_test(tc, test_need_more_then_replay);
	tcase_add_test(tc, test_reject_other_claims_mismatch);
	tcase_add_test(tc, test_reject_nothing_claims_failed);
	tcase_add_test(tc, test_failed_resolved_at_close);
	tcase_add_test(tc, test_port_handler_matches_other_direction);
	tcase_add_test(tc, test_server_first_from_client_direction);
	tcase_add_test(tc, test_replay_order_client_first);
	tcase_add_test(tc, test_replay_order_server_first);
	tcase_add_test(tc, test_budget_pkts_unknown);
	tcase_add_test(tc, test_budget_bytes_unknown_at_close);
	tcase_add_test(tc, test_match_on_delivery_larger_than_budget);
	tcase_add_test(tc, test_gap_while_detecting);
	tcase_add_test(tc, test_no_probe_claimed_by_port);
	suite_add_tcase(s, tc);

	tc = tcase_create("deliver");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tail_kept_and_prepended);
	tcase_add_test(tc, test_tail_cap_gap);
	tcase_add_test(tc, test_tail_cap_bounds_holding_not_consuming);
	tcase_add_test(tc, test_gap_when_active_drops_tail);
	tcase_add_test(tc, test_upgrade_mid_delivery);
	tcase_add_test(tc, test_upgrade_from_tail);
	tcase_add_test(tc, test_upgrade_refusals);
	tcase_add_test(tc, test_close_once_detecting_and_unclaimed);
	tcase_add_test(tc, test_udp_datagrams_whole);
	tcase_add_test(tc, test_udp_replay_datagrams);
	tcase_add_test(tc, test_udp_tcp_only_probes_skipped);
	tcase_add_test(tc, test_memcap_refuses_state);
	tcase_add_test(tc, test_memory_accounted);
	tcase_add_test(tc, test_events_and_anomalies);
	tcase_add_test(tc, test_session_facts);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(session_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
