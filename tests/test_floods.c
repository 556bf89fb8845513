/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite: the engine under floods (issue 7 item 3). Each test drives the
 * whole engine (decode, defrag, flow table, reassembly, sessions, handlers,
 * events) with frames built in memory and asserts memory, never time: the
 * modules' own accounting stays under the configured caps at every frame,
 * the process's peak RSS grows by less than the caps plus a fixed slack, and
 * counters and events say what was shed. Sizes are chosen so that the
 * ASan+UBSan build runs each test in well under two minutes. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/engine_int.h"   /* the shed bookkeeping (engine_shed.h) */
#include "handlers/builtin.h"
#include "parsers/decode.h"
#include "tests/test_flood_rig.h"

#define MIB (1024ull * 1024ull)

static struct fl_rig *rig_new(const struct engine_config *cfg)
{
	struct fl_rig *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	fl_open(r, cfg);
	return r;
}

static void rig_free(struct fl_rig *r)
{
	fl_close(r);
	free(r);
}

static void check_rss(const struct fl_rig *r, uint64_t caps, bool one_flow, const char *what)
{
	uint64_t grown = fl_rss_growth(r);
	/* the measurements, for the test log */
	printf("%s: peak RSS +%llu KiB (caps %llu KiB), flows %llu B, reasm %llu B, defrag %llu B, "
	       "handlers %llu B peak; %llu frames, %llu events\n",
	       what, (unsigned long long)(grown >> 10), (unsigned long long)(caps >> 10),
	       (unsigned long long)r->fs->peak_mem, (unsigned long long)r->rs->peak_mem,
	       (unsigned long long)r->ds->peak_mem, (unsigned long long)r->hd_peak,
	       (unsigned long long)r->frames, (unsigned long long)r->t.lines);
	for (unsigned i = 0; i < r->t.used; i++)
		printf("  %s %llu\n", r->t.key[i], (unsigned long long)r->t.n[i]);
	uint64_t slack = fl_rss_slack(one_flow);
	ck_assert_msg(grown <= caps + slack,
	              "%s: peak RSS grew %llu KiB, caps %llu KiB + slack %llu KiB (reset %d)", what,
	              (unsigned long long)(grown >> 10), (unsigned long long)(caps >> 10),
	              (unsigned long long)(slack >> 10), r->rss_reset);
}

/* Sum of `count` and the last `total` over the kept anomaly lines of one
 * shed event name. */
static uint64_t kept_shed_counts(const struct fl_rig *r, const char *name, uint64_t *last_total)
{
	char needle[64];
	uint64_t sum = 0;
	snprintf(needle, sizeof needle, "\"event\":\"%s\",\"count\":", name);
	*last_total = 0;
	if (r->t.kept == NULL)
		return 0;
	const char *p = r->t.kept;
	while ((p = strstr(p, needle)) != NULL) {
		char *end;
		sum += strtoull(p + strlen(needle), &end, 10);
		const char *t = strstr(end, "\"total\":");
		ck_assert_ptr_nonnull(t);
		*last_total = strtoull(t + 8, NULL, 10);
		p = end;
	}
	return sum;
}

/* What a cap shed is in the event stream (daemon/engine_shed.h): `total`
 * occurrences (the counter of flows/), at least one anomaly event when any,
 * at most max_events (rate limit), nothing left unreported; and, when every
 * line was kept, the events' counts add up to the counter. */
static void check_shed(const struct fl_rig *r, enum engine_shed_kind k, uint64_t total,
                       uint64_t max_events)
{
	char key[64];
	const struct engine_shed_slot *sl = &r->e->shed.s[k];
	snprintf(key, sizeof key, "anomaly/%s", engine_shed_name(k));
	uint64_t n = fl_count(r, key);
	ck_assert_msg(sl->seen == total, "%s: engine saw %llu, counter %llu", key,
	              (unsigned long long)sl->seen, (unsigned long long)total);
	ck_assert_uint_eq(sl->pending, 0);
	ck_assert_uint_eq(n, sl->events);
	if (total == 0) {
		ck_assert_msg(n == 0, "%s: %llu events, nothing shed", key, (unsigned long long)n);
		return;
	}
	ck_assert_msg(n >= 1 && n <= max_events, "%s: %llu events (1..%llu)", key,
	              (unsigned long long)n, (unsigned long long)max_events);
	if (r->t.kept_dropped == 0) {
		uint64_t last_total;
		ck_assert_uint_eq(kept_shed_counts(r, engine_shed_name(k), &last_total), total);
		ck_assert_uint_eq(last_total, total);
	}
}

/* Events at most for a cap shedding all along dur_us of packet time: the
 * first, one per interval, and the end-of-run one. */
static uint64_t shed_events_max(uint64_t dur_us)
{
	return 2 + dur_us / ((uint64_t)ENGINE_SHED_INTERVAL_S * 1000000u);
}

/* No cap of the engine shed anything (the handlers' own limits are under
 * test): no shed event at all. */
static void check_nothing_shed(const struct fl_rig *r)
{
	for (int k = 0; k < SHED_COUNT; k++)
		check_shed(r, (enum engine_shed_kind)k, 0, 0);
}

/* The state of one session plus one detection/tail buffer per direction:
 * buffers double from 256 bytes and hold at most the probe budget (4096) or
 * an unfinished line (<= 1000) plus one segment, so 8 KiB each. */
static uint64_t one_session_bound(const struct pd_handler *h)
{
	return h->state_size + 2 * 8192;
}

/* ---- (a) SYN flood: millions of distinct flows into a small table ---- */

#define SYN_FLOWS 2000000u
#define SYN_MAX_FLOWS 65536u
#define SYN_FLOW_MEMCAP (8 * MIB)       /* binds before max_flows */
#define SYN_HANDLER_MEMCAP (2 * MIB)
#define SYN_SMTP_EVERY 64u              /* every 64th flow is a real SMTP session */

static const char greeting[] = "220 mx.test ESMTP\r\n";
static const char ehlo[] = "EHLO c.test\r\n";

START_TEST(test_syn_flood)
{
	struct engine_config cfg = { .max_flows = SYN_MAX_FLOWS, .flow_memcap = SYN_FLOW_MEMCAP,
	                             .handler_memcap = SYN_HANDLER_MEMCAP };
	struct fl_rig *r = rig_new(&cfg);
	static const uint8_t srv[4] = { 192, 0, 2, 25 };
	uint8_t f[FL_FRAME_MAX];
	uint64_t smtp_flows = 0;

	for (uint32_t i = 0; i < SYN_FLOWS; i++) {
		uint8_t cli[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		uint16_t cport = (uint16_t)(1024 + (i >> 24));
		if (i % SYN_SMTP_EVERY == 0) {
			struct fl_conn c = { .cport = cport, .sport = 25, .seq = { i * 7919u, 1000 } };
			memcpy(c.cli, cli, 4);
			memcpy(c.srv, srv, 4);
			fl_conn_open(r, &c);
			fl_conn_send(r, &c, 1, greeting, sizeof greeting - 1);
			fl_conn_send(r, &c, 0, ehlo, sizeof ehlo - 1);
			smtp_flows++;
		} else {
			size_t n = fl_tcp4(f, cli, cport, srv, 25, i * 7919u, 0, PD_TCP_SYN, NULL, 0);
			fl_frame(r, f, n, 1);
		}
		/* plain checks: Check records every passing ck_assert (slow in a loop) */
		if (r->fs->mem_in_use > SYN_FLOW_MEMCAP || r->hc->mem_in_use > SYN_HANDLER_MEMCAP)
			ck_abort_msg("flow %u: flows %llu bytes, handlers %llu bytes", i,
			             (unsigned long long)r->fs->mem_in_use,
			             (unsigned long long)r->hc->mem_in_use);
	}
	fl_finish(r);

	const struct flow_stats *fs = r->fs;
	const struct engine_stats *st = engine_stats(r->e);
	uint64_t room = SYN_FLOW_MEMCAP / r->flow_record;
	ck_assert_uint_le(fs->peak_mem, SYN_FLOW_MEMCAP);
	ck_assert_uint_le(fs->peak_active, room);
	ck_assert_uint_eq(fs->created, SYN_FLOWS);
	/* Every flow beyond what fits was evicted, and the memcap (not the flow
	 * count) was what forced it; what was left ended at shutdown. */
	ck_assert_uint_ge(fs->evictions, SYN_FLOWS - room);
	ck_assert_uint_eq(fs->evictions + fs->ended_by_reason[FLOW_END_SHUTDOWN], SYN_FLOWS);
	ck_assert_uint_gt(fs->memcap_hits, 0);
	ck_assert_uint_eq(st->flow_evictions, fs->evictions);
	ck_assert_uint_eq(st->flow_memcap_hits, fs->memcap_hits);
	/* One flow event per flow, its reason naming the eviction. */
	ck_assert_uint_eq(fl_count(r, "flow"), SYN_FLOWS);
	ck_assert_uint_eq(fl_count(r, "flow/eviction"), fs->evictions);
	/* ... and the shedding itself as anomaly events, rate-limited: the
	 * first eviction, then what followed summed up at the end. */
	uint64_t dur = r->ts - 1700000000ull * 1000000u;
	check_shed(r, SHED_FLOW_MEMCAP, fs->memcap_hits, shed_events_max(dur));
	check_shed(r, SHED_FLOW_TABLE_FULL, fs->evictions - fs->memcap_hits, shed_events_max(dur));
	check_shed(r, SHED_FLOW_NO_ROOM, 0, 0);
	ck_assert_uint_eq(fl_count(r, "anomaly/flow_memcap"), 2);
	/* Handler memory: every SMTP session either got its state (and wrote its
	 * record when evicted) or was refused at the handler memcap, with an
	 * anomaly; the cap held. */
	ck_assert_uint_le(r->hd_peak, SYN_HANDLER_MEMCAP);
	ck_assert_uint_gt(r->hc->memcap_hits, 0);
	ck_assert_uint_eq(fl_count(r, "anomaly/handler_memcap"), r->hc->memcap_hits);
	ck_assert_uint_gt(fl_count(r, "smtp"), 0);
	ck_assert_uint_eq(fl_count(r, "smtp") + fl_count(r, "anomaly/handler_memcap"), smtp_flows);
	ck_assert_uint_eq(r->hc->mem_in_use, 0);
	check_rss(r, SYN_FLOW_MEMCAP + SYN_HANDLER_MEMCAP, false, "SYN flood");
	rig_free(r);
}
END_TEST

/* ---- (b) fragments that never complete ---- */

#define FRAG_COUNT 300000u      /* first fragments, every third one IPv6 */
#define FRAG_DATA 1392u         /* UDP data per fragment: 1400-byte IP payload */
#define FRAG_MEMCAP (4 * MIB)

START_TEST(test_fragment_flood)
{
	struct engine_config cfg = { .defrag_memcap = FRAG_MEMCAP };
	struct fl_rig *r = rig_new(&cfg);
	static const uint8_t dst4[4] = { 192, 0, 2, 53 };
	static const uint8_t dst6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };
	uint8_t f[FL_FRAME_MAX];

	for (uint32_t i = 0; i < FRAG_COUNT; i++) {
		size_t n;
		if (i % 3 == 2) {
			uint8_t src6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1 };
			n = fl_frag6(f, src6, dst6, i, FRAG_DATA);
		} else {
			/* 16-bit ids: the source changes every 65536 datagrams */
			uint8_t src4[4] = { 10, 9, (uint8_t)(i >> 16), 1 };
			n = fl_frag4(f, src4, dst4, (uint16_t)i, FRAG_DATA);
		}
		fl_frame(r, f, n, 1);
		if (r->ds->mem_in_use > FRAG_MEMCAP)
			ck_abort_msg("fragment %u: %llu bytes held", i,
			             (unsigned long long)r->ds->mem_in_use);
	}
	const struct defrag_stats *ds = r->ds;
	uint64_t held = ds->active;
	ck_assert_uint_le(held * (8 + FRAG_DATA), FRAG_MEMCAP);
	fl_finish(r);

	const struct engine_stats *st = engine_stats(r->e);
	ck_assert_uint_le(ds->peak_mem, FRAG_MEMCAP);
	ck_assert_uint_gt(ds->peak_mem, FRAG_MEMCAP / 2);  /* it did fill up */
	ck_assert_uint_eq(ds->fragments, FRAG_COUNT);
	ck_assert_uint_eq(ds->reassembled, 0);
	/* Each datagram was shed once: evicted for memory while the flood ran,
	 * or timed out at the end (the datagrams still held). */
	ck_assert_uint_ge(ds->evicted, FRAG_COUNT - FRAG_MEMCAP / (8 + FRAG_DATA));
	ck_assert_uint_eq(ds->evicted + ds->timed_out, FRAG_COUNT);
	ck_assert_uint_eq(ds->timed_out, held);
	ck_assert_uint_gt(ds->memcap_hits, 0);
	ck_assert_uint_eq(ds->active, 0);
	ck_assert_uint_eq(ds->mem_in_use, 0);
	ck_assert_uint_eq(st->fragments, FRAG_COUNT);
	ck_assert_uint_eq(st->frags_evicted, ds->evicted);
	ck_assert_uint_eq(st->frags_timed_out, ds->timed_out);
	ck_assert_uint_eq(st->flows_created, 0);
	ck_assert_uint_eq(fl_count(r, "flow"), 0);
	/* The evictions as anomaly events: a handful, adding up to the hits. */
	check_shed(r, SHED_FRAG_MEMCAP, ds->memcap_hits, shed_events_max(r->ts - 1700000000ull * 1000000u));
	ck_assert_uint_eq(r->t.kept_dropped, 0);
	ck_assert_uint_eq(fl_count(r, "anomaly/frag_memcap"), 2);
	check_shed(r, SHED_FRAG_TOO_MANY, 0, 0);
	ck_assert_uint_eq(fl_count(r, "anomaly"), 2);
	check_rss(r, FRAG_MEMCAP, false, "fragment flood");
	rig_free(r);
}
END_TEST

/* ---- (c) out-of-order segments whose hole never fills ---- */

#define OOO_SEG 1400u
#define OOO_BLOCK 1024u         /* segments per block; the first of each is missing */
#define OOO_BLOCKS 73u          /* 73 * 1024 * 1400 bytes: over 100 MB */
#define OOO_FLOW_CAP (1 * MIB)
#define OOO_PORT 5001           /* no handler: reassembly alone is under test */

START_TEST(test_ooo_flood)
{
	struct engine_config cfg = { .reasm_flow_cap = OOO_FLOW_CAP };
	struct fl_rig *r = rig_new(&cfg);
	struct fl_conn c = { { 10, 0, 0, 1 }, { 192, 0, 2, 1 }, 40001, OOO_PORT, { 5000, 9000 } };
	uint8_t f[FL_FRAME_MAX], data[OOO_SEG];
	memset(data, 'o', sizeof data);

	fl_conn_open(r, &c);
	uint32_t base = c.seq[0];
	for (uint32_t k = 0; k < OOO_BLOCKS * OOO_BLOCK; k++) {
		if (k % OOO_BLOCK == 0)
			continue; /* the hole: this segment never comes */
		size_t n = fl_tcp4(f, c.cli, c.cport, c.srv, c.sport, base + k * OOO_SEG, c.seq[1],
		                   PD_TCP_ACK, data, OOO_SEG);
		fl_frame(r, f, n, 10);
		if (r->rs->mem_in_use > OOO_FLOW_CAP + OOO_FLOW_CAP / 8)
			ck_abort_msg("segment %u: %llu bytes buffered", k,
			             (unsigned long long)r->rs->mem_in_use);
	}
	fl_finish(r);

	const struct reasm_stats *rs = r->rs;
	const struct engine_stats *st = engine_stats(r->e);
	/* The per-flow cap counts payload; mem_in_use adds a small header per
	 * segment (well under 1/8 of a 1400-byte segment). */
	ck_assert_uint_le(rs->peak_mem, OOO_FLOW_CAP + OOO_FLOW_CAP / 8);
	ck_assert_uint_ge(rs->peak_mem, OOO_FLOW_CAP - OOO_SEG); /* it did fill up */
	/* Each block's hole was given up once, when the cap was reached; every
	 * other byte was delivered. */
	ck_assert_uint_eq(rs->flow_cap_hits, OOO_BLOCKS);
	ck_assert_uint_eq(rs->memcap_hits, 0);
	ck_assert_uint_eq(rs->gaps, OOO_BLOCKS);
	ck_assert_uint_eq(rs->gap_bytes, (uint64_t)OOO_BLOCKS * OOO_SEG);
	ck_assert_uint_eq(rs->mem_in_use, 0);
	ck_assert_uint_eq(st->tcp_gaps, OOO_BLOCKS);
	ck_assert_uint_eq(st->reasm_memcap_hits, OOO_BLOCKS);
	/* The flow event tells what was missed. */
	char line[4096], missed[64], gaps[32];
	snprintf(missed, sizeof missed, "\"bytes_missed_toserver\":%u", OOO_BLOCKS * OOO_SEG);
	snprintf(gaps, sizeof gaps, "\"gaps\":%u", OOO_BLOCKS);
	const char *want[] = { "\"event_type\":\"flow\"", missed, gaps, NULL };
	ck_assert_msg(fl_find(r, line, sizeof line, want), "no flow event with %s", missed);
	/* Each hole given up at the cap is shed data: the first with its packet's
	 * addresses and the configured cap, the other 72 in the end-of-run one. */
	check_shed(r, SHED_REASM_FLOW_CAP, OOO_BLOCKS, shed_events_max(r->ts - 1700000000ull * 1000000u));
	check_shed(r, SHED_REASM_MEMCAP, 0, 0);
	ck_assert_uint_eq(r->t.kept_dropped, 0);
	char limit[48];
	snprintf(limit, sizeof limit, "\"count\":1,\"total\":1,\"limit\":%llu",
	         (unsigned long long)OOO_FLOW_CAP);
	const char *first[] = { "\"event\":\"reasm_flow_cap\"", "\"src_ip\":\"10.0.0.1\"", limit,
	                        "\"pcap_cnt\":", NULL };
	ck_assert_msg(fl_find(r, line, sizeof line, first), "no first reasm_flow_cap event");
	check_rss(r, OOO_FLOW_CAP, true, "out-of-order flood");
	rig_free(r);
}
END_TEST

/* ---- (d) SMTP: a line that never ends ---- */

#define ENDLESS_BYTES (10 * MIB)

struct step {
	int side;              /* 0 client, 1 server */
	const char *text;
};

struct endless_case {
	const char *name;
	struct step before[10];   /* up to the endless line; NULL text ends */
	int side;                 /* who sends the endless line */
	const char *prefix;
	struct step after[4];
	const char *expect;       /* a needle in some smtp event afterwards */
};

static const struct endless_case endless_cases[] = {
	{ "command line", { { 1, greeting } }, 0, "", { { 0, "\r\nQUIT\r\n" }, { 1, "221 bye\r\n" } },
	  "\"greeting\":{\"code\":220" },
	{ "message line",
	  { { 1, greeting }, { 0, ehlo }, { 1, "250 mx.test\r\n" }, { 0, "MAIL FROM:<a@b.test>\r\n" },
	    { 1, "250 ok\r\n" }, { 0, "RCPT TO:<c@d.test>\r\n" }, { 1, "250 ok\r\n" },
	    { 0, "DATA\r\n" }, { 1, "354 go\r\n" } },
	  0, "Subject: ", { { 0, "\r\n.\r\n" }, { 1, "250 queued\r\n" } },
	  "\"final_reply\":250" },
	{ "reply line", { { 0, NULL } }, 1, "220 ", { { 1, "\r\n" }, { 0, ehlo }, { 1, "250 mx\r\n" } },
	  "\"name\":\"c.test\",\"reply\":250" },
};

static void run_steps(struct fl_rig *r, struct fl_conn *c, const struct step *s, size_t n)
{
	for (size_t i = 0; i < n && s[i].text != NULL; i++)
		fl_conn_send(r, c, s[i].side, s[i].text, strlen(s[i].text));
}

START_TEST(test_smtp_endless_line)
{
	const struct endless_case *tc = &endless_cases[_i];
	struct fl_rig *r = rig_new(NULL);
	struct fl_conn c = { { 10, 0, 0, 2 }, { 192, 0, 2, 25 }, 40002, 25, { 100, 200 } };

	fl_conn_open(r, &c);
	run_steps(r, &c, tc->before, sizeof tc->before / sizeof tc->before[0]);
	fl_conn_send(r, &c, tc->side, tc->prefix, strlen(tc->prefix));
	fl_conn_fill(r, &c, tc->side, 'x', ENDLESS_BYTES);
	run_steps(r, &c, tc->after, sizeof tc->after / sizeof tc->after[0]);
	fl_conn_fin(r, &c, 0);
	fl_conn_fin(r, &c, 1);
	fl_finish(r);

	uint64_t bound = one_session_bound(&pd_handler_smtp);
	ck_assert_msg(r->hd_peak <= bound, "%s: handlers held %llu bytes (bound %llu)", tc->name,
	              (unsigned long long)r->hd_peak, (unsigned long long)bound);
	ck_assert_uint_eq(r->hc->tail_drops, 0);
	ck_assert_uint_eq(r->rs->peak_mem, 0); /* in order: nothing buffered */
	ck_assert_msg(fl_count(r, "anomaly/smtp_line_too_long") == 1, "%s: %llu line_too_long",
	              tc->name, (unsigned long long)fl_count(r, "anomaly/smtp_line_too_long"));
	/* The session went on after the line: later lines were understood. */
	char line[8192];
	const char *want[] = { "\"event_type\":\"smtp\"", tc->expect, NULL };
	ck_assert_msg(fl_find(r, line, sizeof line, want), "%s: no smtp event with %s", tc->name,
	              tc->expect);
	int h = hd_registry_index(&r->reg, &pd_handler_smtp);
	ck_assert_int_ge(h, 0);
	ck_assert_uint_ge(r->hc->stats[h].bytes, ENDLESS_BYTES);
	check_nothing_shed(r); /* the line splitter's cap: its own anomaly above */
	check_rss(r, 0, true, tc->name);
	rig_free(r);
}
END_TEST

/* ---- (e) DNS compression pointers that loop ---- */

#define DNS_REPS 2000u          /* flows per shape, each a query and a response */

struct dns_loop_case {
	const char *name;
	uint8_t tail[160];        /* response bytes after header and question (offset 29) */
	size_t tail_len;
	uint16_t ancount;
	const char *expect;       /* anomaly event name */
};

/* The question "example.com A IN" takes offsets 12..28, so the answer
 * section starts at offset 29 (0x1d). */
static const struct dns_loop_case dns_loop_cases[] = {
	{ "pointer to itself", { 0xc0, 0x1d, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1 }, 16, 1,
	  "dns_name_loop" },
	{ "label then back to it",
	  { 1, 'a', 0xc0, 0x1d, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1 }, 18, 1,
	  "dns_name_loop" },
	{ "two names pointing at each other",
	  /* name at 29 points back to 35; at 35, "b" then a pointer back to 29 */
	  { 0xc0, 0x23, 0, 5, 0, 1, 1, 'b', 0xc0, 0x1d }, 10, 1, NULL },
	{ "CNAME target pointing at itself",
	  { 0xc0, 0x0c, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 0x29 }, 14, 1, "dns_name_loop" },
};

static size_t dns_message(uint8_t *out, bool response, const struct dns_loop_case *tc)
{
	static const uint8_t question[17] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o',
	                                      'm', 0, 0, 1, 0, 1 };
	uint8_t h[12] = { 0x12, 0x34, response ? 0x81 : 0x01, response ? 0x80 : 0x00, 0, 1 };
	if (response)
		h[7] = (uint8_t)tc->ancount;
	memcpy(out, h, sizeof h);
	memcpy(out + 12, question, sizeof question);
	size_t n = 12 + sizeof question;
	if (response) {
		memcpy(out + n, tc->tail, tc->tail_len);
		n += tc->tail_len;
	}
	return n;
}

START_TEST(test_dns_pointer_loop)
{
	const struct dns_loop_case *tc = &dns_loop_cases[_i];
	struct fl_rig *r = rig_new(NULL);
	static const uint8_t cli[4] = { 10, 0, 0, 53 }, srv[4] = { 192, 0, 2, 53 };
	uint8_t f[FL_FRAME_MAX], msg[256];

	for (uint32_t i = 0; i < DNS_REPS; i++) {
		uint16_t cport = (uint16_t)(20000 + i);
		size_t m = dns_message(msg, false, tc);
		size_t n = fl_udp4(f, cli, cport, srv, 53, msg, m);
		fl_frame(r, f, n, 100);
		m = dns_message(msg, true, tc);
		n = fl_udp4(f, srv, 53, cli, cport, msg, m);
		fl_frame(r, f, n, 100);
	}
	fl_finish(r);

	/* Every looping response was answered with an anomaly, not a hang or a
	 * crash, and nothing piled up. */
	if (tc->expect != NULL) {
		char key[64];
		snprintf(key, sizeof key, "anomaly/%s", tc->expect);
		ck_assert_msg(fl_count(r, key) == DNS_REPS, "%s: %llu %s", tc->name,
		              (unsigned long long)fl_count(r, key), key);
	}
	int h = hd_registry_index(&r->reg, &pd_handler_dns);
	ck_assert_int_ge(h, 0);
	ck_assert_uint_eq(r->hc->stats[h].anomalies, DNS_REPS);
	ck_assert_uint_eq(r->hc->stats[h].flows_by_port, DNS_REPS);
	ck_assert_uint_le(r->hd_peak, DNS_REPS * one_session_bound(&pd_handler_dns));
	ck_assert_uint_eq(r->hc->mem_in_use, 0);
	check_nothing_shed(r);
	check_rss(r, r->fs->peak_mem, false, tc->name);
	rig_free(r);
}
END_TEST

/* ---- (f) SMTP: a billion-byte BDAT chunk that never arrives ---- */

#define BDAT_SIZE 1000000000u
#define BDAT_SENT (4 * MIB)

START_TEST(test_smtp_bdat_billion)
{
	struct fl_rig *r = rig_new(NULL);
	struct fl_conn c = { { 10, 0, 0, 3 }, { 192, 0, 2, 25 }, 40003, 25, { 300, 400 } };
	static const struct step script[] = {
		{ 1, greeting }, { 0, ehlo }, { 1, "250-mx.test\r\n250 CHUNKING\r\n" },
		{ 0, "MAIL FROM:<a@b.test>\r\n" }, { 1, "250 ok\r\n" },
		{ 0, "RCPT TO:<c@d.test>\r\n" }, { 1, "250 ok\r\n" },
		{ 0, "BDAT 1000000000 LAST\r\n" },
	};

	fl_conn_open(r, &c);
	run_steps(r, &c, script, sizeof script / sizeof script[0]);
	/* Lines inside the chunk are data, never commands. */
	fl_conn_fill(r, &c, 0, '\n', BDAT_SENT / 2);
	fl_conn_fill(r, &c, 0, 'b', BDAT_SENT / 2);
	fl_conn_fin(r, &c, 0);
	fl_conn_fin(r, &c, 1);
	fl_finish(r);

	uint64_t bound = one_session_bound(&pd_handler_smtp);
	ck_assert_msg(r->hd_peak <= bound, "handlers held %llu bytes (bound %llu)",
	              (unsigned long long)r->hd_peak, (unsigned long long)bound);
	ck_assert_uint_eq(r->hc->tail_drops, 0);
	ck_assert_uint_eq(r->rs->peak_mem, 0);
	int h = hd_registry_index(&r->reg, &pd_handler_smtp);
	ck_assert_int_ge(h, 0);
	ck_assert_uint_ge(r->hc->stats[h].bytes, BDAT_SENT);
	ck_assert_uint_eq(fl_count(r, "anomaly/smtp_line_too_long"), 0);
	ck_assert_uint_eq(fl_count(r, "anomaly/smtp_unknown_command"), 0);
	/* The transaction is recorded with the chunk size announced, as the
	 * last chunk, and incomplete: the connection closed long before. */
	char line[8192];
	const char *want[] = { "\"type\":\"transaction\"", "\"command\":\"BDAT\"",
	                       "\"chunks\":[1000000000]", "\"last\":true", NULL };
	ck_assert_msg(fl_find(r, line, sizeof line, want), "no BDAT transaction event");
	ck_assert_msg(strstr(line, "\"incomplete\":true") != NULL, "%s", line);
	/* The chunk is counted as it streams, never held: nothing to shed. */
	check_nothing_shed(r);
	ck_assert_uint_eq(fl_count(r, "anomaly"), 0);
	check_rss(r, 0, true, "BDAT");
	rig_free(r);
}
END_TEST

/* ---- (g) a slow flood: shed events once per interval, counts adding up ---- */

#define SLOW_FRAGS 3000u          /* one first fragment every 100 ms: 5 minutes */
#define SLOW_STEP_US 100000u
#define SLOW_MEMCAP (64 * 1024)   /* about 45 datagrams fit */

START_TEST(test_shed_rate_limit)
{
	struct engine_config cfg = { .defrag_memcap = SLOW_MEMCAP, .defrag_timeout = 3600 };
	struct fl_rig *r = rig_new(&cfg);
	static const uint8_t src[4] = { 10, 9, 9, 1 }, dst[4] = { 192, 0, 2, 9 };
	uint8_t f[FL_FRAME_MAX];

	for (uint32_t i = 0; i < SLOW_FRAGS; i++) {
		size_t n = fl_frag4(f, src, dst, (uint16_t)i, FRAG_DATA);
		fl_frame(r, f, n, SLOW_STEP_US);
	}
	uint64_t hits = r->ds->memcap_hits;
	ck_assert_uint_gt(hits, SLOW_FRAGS - 100);
	/* While it lasts: the first hit, then one event per started minute
	 * (written, maybe not drained from the rig's sink yet). */
	uint64_t during = engine_shed_events(r->e, SHED_FRAG_MEMCAP);
	uint64_t dur_s = (uint64_t)SLOW_FRAGS * SLOW_STEP_US / 1000000u;
	ck_assert_uint_ge(during, dur_s / ENGINE_SHED_INTERVAL_S);
	ck_assert_uint_le(during, 1 + dur_s / ENGINE_SHED_INTERVAL_S);
	fl_finish(r);
	/* At the end, one more for the hits since the last event; the counts
	 * of all of them add up to the counter. */
	ck_assert_uint_eq(fl_count(r, "anomaly/frag_memcap"), during + 1);
	ck_assert_uint_eq(r->t.kept_dropped, 0);
	check_shed(r, SHED_FRAG_MEMCAP, hits, during + 1);
	/* Consecutive events are at least an interval apart in packet time. */
	uint64_t last = 0;
	for (const char *p = strstr(r->t.kept, "\"event\":\"frag_memcap\""); p != NULL;
	     p = strstr(p + 1, "\"event\":\"frag_memcap\"")) {
		const char *c = strstr(p, "\"pcap_cnt\":");
		if (c == NULL)
			break; /* the end-of-run event has no packet */
		uint64_t idx = strtoull(c + 11, NULL, 10);
		ck_assert_msg(last == 0 || (idx - last) * SLOW_STEP_US >=
		                               (uint64_t)ENGINE_SHED_INTERVAL_S * 1000000u,
		              "events at packets %llu and %llu", (unsigned long long)last,
		              (unsigned long long)idx);
		last = idx;
	}
	ck_assert_uint_gt(last, 0);
	rig_free(r);
}
END_TEST

static Suite *floods_suite(void)
{
	Suite *s = suite_create("floods");
	TCase *tc = tcase_create("floods");
	/* A hang guard only (the DNS loops must not hang), generous enough for
	 * ASan on a loaded machine: the assertions are on memory, never time. */
	tcase_set_timeout(tc, 1800);
	tcase_add_test(tc, test_syn_flood);
	tcase_add_test(tc, test_fragment_flood);
	tcase_add_test(tc, test_ooo_flood);
	tcase_add_loop_test(tc, test_smtp_endless_line, 0,
	                    (int)(sizeof endless_cases / sizeof endless_cases[0]));
	tcase_add_loop_test(tc, test_dns_pointer_loop, 0,
	                    (int)(sizeof dns_loop_cases / sizeof dns_loop_cases[0]));
	tcase_add_test(tc, test_smtp_bdat_billion);
	tcase_add_test(tc, test_shed_rate_limit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(floods_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
