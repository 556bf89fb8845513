/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite: TCP reassembly (RFC 9293 section 3.4, RFC 1982 serial arithmetic).
 * Each case is a list of segments; the transcript of each direction is the
 * delivered bytes with every lost byte shown as '#', before and after the
 * flow ends, plus the counters the case must move. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "flows/flowtable.h"
#include "flows/reasm.h"

#define TMAX 16384

struct transcript {
	char out[2][TMAX];
	size_t len[2];
	unsigned delivers, gaps;
	char log[64];      /* order of callbacks: d, g, e (end) */
	size_t nlog;
};

static void tappend(struct transcript *t, int dir, const void *data, size_t n, char fill)
{
	ck_assert_uint_le(t->len[dir] + n, TMAX - 1);
	if (data)
		memcpy(t->out[dir] + t->len[dir], data, n);
	else
		memset(t->out[dir] + t->len[dir], fill, n);
	t->len[dir] += n;
	t->out[dir][t->len[dir]] = '\0';
}

static void tlog(struct transcript *t, char c)
{
	if (t->nlog + 1 < sizeof(t->log)) {
		t->log[t->nlog++] = c;
		t->log[t->nlog] = '\0';
	}
}

static void on_deliver(void *arg, struct flow *f, int dir, const uint8_t *data, size_t len)
{
	struct transcript *t = arg;
	ck_assert(dir == 0 || dir == 1);
	ck_assert_uint_gt(len, 0);
	t->delivers++;
	tlog(t, 'd');
	tappend(t, dir, data, len, 0);
}

static void on_gap(void *arg, struct flow *f, int dir, size_t lost)
{
	struct transcript *t = arg;
	ck_assert_uint_gt(lost, 0);
	t->gaps++;
	tlog(t, 'g');
	tappend(t, dir, NULL, lost, '#');
}

static struct pd_packet seg(uint32_t seq, uint32_t ack, uint8_t flags, const char *data)
{
	struct pd_packet p;
	memset(&p, 0, sizeof(p));
	p.ip_version = 4;
	p.ip_proto = 6;
	p.has_l4 = true;
	p.sport = 40000;
	p.dport = 25;
	p.seq = seq;
	p.ack = ack;
	p.tcp_flags = flags;
	p.payload = (const uint8_t *)data;
	p.payload_len = data ? strlen(data) : 0;
	return p;
}

#define S PD_TCP_SYN
#define A PD_TCP_ACK
#define F PD_TCP_FIN
#define R PD_TCP_RST
#define P (PD_TCP_PSH | PD_TCP_ACK)

struct rseg {
	int dir;
	uint32_t seq, ack;
	uint8_t flags;
	const char *data;
};

struct counters {
	uint64_t ooo, retrans, conflicts, gaps, gap_bytes, ack_gaps, flow_cap_hits;
};

static const struct reasm_case {
	const char *name;
	uint64_t flow_cap;
	struct rseg s[10];
	unsigned ns;
	const char *out0, *out1;         /* before the flow ends */
	const char *end0, *end1;         /* after reasm_flow_end */
	struct counters want;
	uint32_t next0;                  /* expected next_seq of dir 0 at the end, if nonzero */
} cases[] = {
	{ "in order with handshake", 0,
	  { { 0, 1000, 0, S, NULL }, { 1, 5000, 1001, S | A, NULL }, { 0, 1001, 5001, A, NULL },
	    { 0, 1001, 5001, P, "hello" }, { 0, 1006, 5001, P, " world" },
	    { 1, 5001, 1012, P, "250 ok" } }, 6,
	  "hello world", "250 ok", "hello world", "250 ok", { 0 }, 0 },
	{ "out of order", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1006, 0, P, " world" }, { 0, 1012, 0, P, "!" },
	    { 0, 1001, 0, P, "hello" } }, 4,
	  "hello world!", "", "hello world!", "", { .ooo = 2 }, 0 },
	{ "retransmissions delivered once", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1001, 0, P, "hello" }, { 0, 1001, 0, P, "hello" },
	    { 0, 1003, 0, P, "llo w" }, { 0, 1000, 0, S, NULL }, { 0, 1008, 0, A, "o" } }, 6,
	  "hello wo", "", "hello wo", "", { .retrans = 2 }, 0 },
	{ "keep-alive is not data", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1001, 0, P, "abc" }, { 0, 1003, 0, A, "c" },
	    { 0, 1004, 0, P, "d" } }, 4,
	  "abcd", "", "abcd", "", { .retrans = 1 }, 0 },
	{ "in-order data over buffered bytes, same", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1006, 0, P, "world" }, { 0, 1001, 0, P, "helloworld!" } },
	  3, "helloworld!", "", "helloworld!", "", { .ooo = 1 }, 0 },
	{ "in-order data over buffered bytes, conflicting", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1006, 0, P, "world" }, { 0, 1001, 0, P, "helloWORLD!" } },
	  3, "helloworld!", "", "helloworld!", "", { .ooo = 1, .conflicts = 1 }, 0 },
	{ "buffered overlaps, first wins", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1011, 0, P, "abc" }, { 0, 1009, 0, P, "XYZW" },
	    { 0, 1009, 0, P, "XYab" }, { 0, 1001, 0, P, "12345678" } }, 5,
	  "12345678XYabc", "", "12345678XYabc", "", { .ooo = 3, .conflicts = 1, .retrans = 1 }, 0 },
	{ "sequence wrap-around", 0,
	  { { 0, 0xfffffff0u, 0, S, NULL }, { 0, 0, 0, P, "pqr" },
	    { 0, 0xfffffff1u, 0, P, "abcdefghijklmno" }, { 0, 3, 0, P, "st" } }, 4,
	  "abcdefghijklmnopqrst", "", "abcdefghijklmnopqrst", "", { .ooo = 1 }, 0 },
	{ "FIN takes one sequence number; data after FIN ignored", 0,
	  { { 0, 1000, 0, S, NULL }, { 1, 5000, 1001, S | A, NULL }, { 0, 1001, 5001, P, "abc" },
	    { 0, 1004, 5001, F | A, NULL }, { 0, 1005, 5001, P, "zzz" },
	    { 1, 5001, 1005, P | F, "bye" }, { 0, 1005, 5005, A, NULL } }, 7,
	  "abc", "bye", "abc", "bye", { 0 }, 1005 },
	{ "FIN arrives before the data", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1004, 0, F | A, NULL }, { 0, 1001, 0, P, "abcdef" } }, 3,
	  "abc", "", "abc", "", { 0 }, 0 },
	{ "buffered data past a later FIN dropped", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1007, 0, P, "ghij" }, { 0, 1012, 0, P, "xyz" },
	    { 0, 1008, 0, F | A, NULL }, { 0, 1001, 0, P, "abcdef" } }, 5,
	  "abcdefg", "", "abcdefg", "", { .ooo = 2 }, 1009 },
	{ "mid-stream pickup", 0,
	  { { 0, 77777, 9, P, "hello" }, { 1, 9, 77782, P, "hi" }, { 0, 77782, 11, P, "!" } }, 3,
	  "hello!", "hi", "hello!", "hi", { 0 }, 0 },
	{ "SYN-ACK names the client's first byte", 0,
	  { { 1, 5000, 1001, S | A, NULL }, { 0, 1004, 5001, P, "def" }, { 0, 1001, 5001, P, "abc" } },
	  3, "abcdef", "", "abcdef", "", { .ooo = 1 }, 0 },
	{ "RST payload ignored", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1001, 0, P, "ab" }, { 1, 5000, 1003, R | A, "diag" } }, 3,
	  "ab", "", "ab", "", { 0 }, 0 },
	{ "gap at flow end", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1006, 0, P, "world" }, { 0, 1014, 0, P, "!" } }, 3,
	  "", "", "#####world###!", "", { .ooo = 2, .gaps = 2, .gap_bytes = 8 }, 0 },
	{ "missing bytes before a FIN at flow end", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1001, 0, P, "ab" }, { 0, 1010, 0, F | A, NULL } }, 3,
	  "ab", "", "ab#######", "", { .gaps = 1, .gap_bytes = 7 }, 0 },
	{ "gap on the per-flow cap", 8,
	  { { 0, 1000, 0, S, NULL }, { 0, 1006, 0, P, "world" }, { 0, 1011, 0, P, "!!!!!" },
	    { 0, 1016, 0, P, "x" } }, 4,
	  "#####world!!!!!x", "", "#####world!!!!!x", "",
	  { .ooo = 2, .gaps = 1, .gap_bytes = 5, .flow_cap_hits = 1 }, 0 },
	{ "per-flow cap counts both directions", 8,
	  { { 0, 1000, 0, S, NULL }, { 1, 5000, 1001, S | A, NULL }, { 0, 1006, 5001, P, "abcde" },
	    { 1, 5006, 1001, P, "vwxyz" } }, 4,
	  "", "#####vwxyz", "#####abcde", "#####vwxyz",
	  { .ooo = 2, .gaps = 2, .gap_bytes = 10, .flow_cap_hits = 1 }, 0 },
	{ "cap with the segment inside the hole", 8,
	  { { 0, 1000, 0, S, NULL }, { 0, 1020, 0, P, "later" }, { 0, 1011, 0, P, "mid!!" } }, 3,
	  "##########mid!!", "", "##########mid!!####later", "",
	  { .ooo = 2, .gaps = 2, .gap_bytes = 14, .flow_cap_hits = 1 }, 0 },
	{ "ACK of unseen data is a gap", 0,
	  { { 0, 1000, 0, S, NULL }, { 1, 5000, 1001, S | A, NULL }, { 0, 1001, 5001, P, "hello" },
	    { 1, 5001, 1011, A, NULL }, { 0, 1011, 5001, P, "again" } }, 5,
	  "hello#####again", "", "hello#####again", "",
	  { .gaps = 1, .gap_bytes = 5, .ack_gaps = 1 }, 0 },
	{ "ACK past buffered data", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1011, 0, P, "xyz" }, { 0, 1020, 0, P, "q" },
	    { 1, 5000, 1016, A, NULL } }, 4,
	  "##########xyz##", "", "##########xyz######q", "",
	  { .ooo = 2, .gaps = 3, .gap_bytes = 16, .ack_gaps = 2 }, 0 },
	{ "ACK of the FIN is not a gap", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1001, 0, P | F, "abc" }, { 1, 5000, 1005, A, NULL } }, 3,
	  "abc", "", "abc", "", { 0 }, 0 },
	{ "absurd ACK ignored", 0,
	  { { 0, 1000, 0, S, NULL }, { 0, 1001, 0, P, "abc" }, { 1, 5000, 1004 + 0x50000000u, A, NULL },
	    { 0, 1004, 0, P, "d" } }, 4,
	  "abcd", "", "abcd", "", { 0 }, 0 },
};

static void check_counters(const struct reasm_case *c, const struct reasm_stats *st)
{
	ck_assert_msg(st->ooo_segments == c->want.ooo, "%s: ooo %lu", c->name,
	              (unsigned long)st->ooo_segments);
	ck_assert_msg(st->retransmissions == c->want.retrans, "%s: retrans %lu", c->name,
	              (unsigned long)st->retransmissions);
	ck_assert_msg(st->overlaps_conflicting == c->want.conflicts, "%s: conflicts %lu", c->name,
	              (unsigned long)st->overlaps_conflicting);
	ck_assert_msg(st->gaps == c->want.gaps, "%s: gaps %lu", c->name, (unsigned long)st->gaps);
	ck_assert_msg(st->gap_bytes == c->want.gap_bytes, "%s: gap bytes %lu", c->name,
	              (unsigned long)st->gap_bytes);
	ck_assert_msg(st->ack_gaps == c->want.ack_gaps, "%s: ack gaps %lu", c->name,
	              (unsigned long)st->ack_gaps);
	ck_assert_msg(st->flow_cap_hits == c->want.flow_cap_hits, "%s: cap hits %lu", c->name,
	              (unsigned long)st->flow_cap_hits);
}

static struct reasm *mk(struct transcript *t, uint64_t flow_cap, uint64_t memcap)
{
	memset(t, 0, sizeof(*t));
	struct reasm_config c = { .flow_cap = flow_cap, .memcap = memcap, .deliver = on_deliver,
	                          .gap = on_gap, .arg = t };
	struct reasm *r = reasm_new(&c);
	ck_assert_ptr_nonnull(r);
	return r;
}

START_TEST(test_cases)
{
	const struct reasm_case *c = &cases[_i];
	struct transcript t;
	struct reasm *r = mk(&t, c->flow_cap, 0);
	struct flow *f = calloc(1, sizeof(*f));
	unsigned notes = 0;
	for (unsigned i = 0; i < c->ns; i++) {
		struct pd_packet p = seg(c->s[i].seq, c->s[i].ack, c->s[i].flags, c->s[i].data);
		notes |= reasm_packet(r, f, c->s[i].dir, &p);
	}
	ck_assert_msg(strcmp(t.out[0], c->out0) == 0, "%s: dir 0 '%s'", c->name, t.out[0]);
	ck_assert_msg(strcmp(t.out[1], c->out1) == 0, "%s: dir 1 '%s'", c->name, t.out[1]);
	ck_assert_uint_eq(!!(notes & REASM_F_OVERLAP_CONFLICT), c->want.conflicts > 0);
	ck_assert_uint_eq(!!(notes & REASM_F_OOO), c->want.ooo > 0);
	reasm_flow_end(r, f);
	reasm_flow_end(r, f); /* idempotent */
	ck_assert_msg(strcmp(t.out[0], c->end0) == 0, "%s: end dir 0 '%s'", c->name, t.out[0]);
	ck_assert_msg(strcmp(t.out[1], c->end1) == 0, "%s: end dir 1 '%s'", c->name, t.out[1]);
	const struct reasm_stats *st = reasm_get_stats(r);
	check_counters(c, st);
	ck_assert_uint_eq(st->mem_in_use, 0);
	for (int d = 0; d < 2; d++) {
		ck_assert_ptr_null(f->reasm.d[d].ooo);
		ck_assert_uint_eq(f->reasm.d[d].ooo_bytes, 0);
		ck_assert_uint_eq(f->reasm.d[d].delivered + f->reasm.d[d].gap_bytes, t.len[d]);
	}
	ck_assert_uint_eq(f->reasm.d[0].gap_bytes + f->reasm.d[1].gap_bytes, st->gap_bytes);
	if (c->next0)
		ck_assert_uint_eq(f->reasm.d[0].next_seq, c->next0);
	free(f);
	reasm_free(r);
}
END_TEST

/* The global cap: one flow's buffer leaves no room for another's. */
START_TEST(test_global_cap)
{
	struct transcript t;
	struct reasm *r = mk(&t, 0, 100);
	struct flow *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	const char *forty = "0123456789012345678901234567890123456789";
	struct pd_packet p = seg(1000, 0, S, NULL);
	reasm_packet(r, a, 0, &p);
	reasm_packet(r, b, 0, &p);
	p = seg(1011, 0, P, forty);
	ck_assert_uint_eq(reasm_packet(r, a, 0, &p), REASM_F_OOO);
	ck_assert_uint_le(reasm_get_stats(r)->mem_in_use, 100);
	unsigned notes = reasm_packet(r, b, 0, &p);
	ck_assert_uint_eq(notes, REASM_F_OOO | REASM_F_MEMCAP | REASM_F_GAP);
	ck_assert_uint_eq(reasm_get_stats(r)->memcap_hits, 1);
	ck_assert_uint_eq(b->reasm.d[0].gap_bytes, 10);
	ck_assert_uint_eq(b->reasm.d[0].delivered, 40);
	ck_assert_uint_eq(a->reasm.d[0].delivered, 0);
	ck_assert_uint_le(reasm_get_stats(r)->peak_mem, 100);
	reasm_flow_end(r, a);
	reasm_flow_end(r, b);
	ck_assert_uint_eq(a->reasm.d[0].delivered, 40);
	ck_assert_uint_eq(reasm_get_stats(r)->mem_in_use, 0);
	ck_assert_uint_eq(reasm_get_stats(r)->gaps, 2);
	free(a);
	free(b);
	reasm_free(r);
}
END_TEST

/* Many small out-of-order segments stay within the per-flow cap. */
START_TEST(test_flow_cap_bound)
{
	struct transcript t;
	struct reasm *r = mk(&t, 1000, 0);
	struct flow *f = calloc(1, sizeof(*f));
	struct pd_packet p = seg(1, 0, S, NULL);
	reasm_packet(r, f, 0, &p);
	/* every other 10-byte block, never the first: 5 KiB offered */
	for (uint32_t i = 1; i < 1000; i += 2) {
		p = seg(2 + i * 10, 0, P, "abcdefghij");
		reasm_packet(r, f, 0, &p);
		ck_assert_uint_le(f->reasm.d[0].ooo_bytes, 1000);
	}
	reasm_flow_end(r, f);
	ck_assert_uint_eq(f->reasm.d[0].delivered, 500 * 10);
	ck_assert_uint_eq(f->reasm.d[0].gap_bytes, 500 * 10);
	ck_assert_uint_eq(t.len[0], 10000);
	ck_assert_uint_gt(reasm_get_stats(r)->flow_cap_hits, 0);
	ck_assert_uint_eq(reasm_get_stats(r)->mem_in_use, 0);
	free(f);
	reasm_free(r);
}
END_TEST

/* With the flow table: the end flushes buffered data (gap first) before on_end. */
static struct transcript *end_t;

static void ft_end(void *arg, struct flow *f, enum flow_end why)
{
	tlog(end_t, 'e');
}

START_TEST(test_flush_before_on_end)
{
	struct transcript t;
	struct reasm *r = mk(&t, 0, 0);
	end_t = &t;
	struct flow_config fc = { .on_end = ft_end, .reasm = r };
	char err[64];
	struct flowtable *ft = flow_new(&fc, err, sizeof(err));
	ck_assert_ptr_nonnull(ft);
	struct pd_packet p = seg(1000, 0, S, NULL);
	p.src.b[3] = 1;
	p.dst.b[3] = 2;
	int dir;
	struct flow *f = flow_lookup(ft, &p, 60, 1, &dir, NULL);
	reasm_packet(r, f, dir, &p);
	struct pd_packet q = p;
	q.tcp_flags = P;
	q.seq = 1004;
	q.payload = (const uint8_t *)"tail";
	q.payload_len = 4;
	ck_assert_ptr_eq(flow_lookup(ft, &q, 60, 2, &dir, NULL), f);
	reasm_packet(r, f, dir, &q);
	ck_assert_uint_gt(reasm_get_stats(r)->mem_in_use, 0);
	flow_end_all(ft, FLOW_END_SHUTDOWN);
	ck_assert_str_eq(t.log, "gde");
	ck_assert_str_eq(t.out[0], "###tail");
	ck_assert_uint_eq(reasm_get_stats(r)->mem_in_use, 0);

	/* a table freed with flows still open releases their buffers silently */
	f = flow_lookup(ft, &p, 60, 3, &dir, NULL);
	reasm_packet(r, f, dir, &p);
	ck_assert_ptr_eq(flow_lookup(ft, &q, 60, 4, &dir, NULL), f);
	reasm_packet(r, f, dir, &q);
	ck_assert_uint_gt(reasm_get_stats(r)->mem_in_use, 0);
	t.nlog = 0;
	t.log[0] = '\0';
	flow_free(ft);
	ck_assert_uint_eq(reasm_get_stats(r)->mem_in_use, 0);
	ck_assert_str_eq(t.log, "");
	reasm_free(r);
}
END_TEST

START_TEST(test_non_tcp_ignored)
{
	struct transcript t;
	struct reasm *r = mk(&t, 0, 0);
	struct flow *f = calloc(1, sizeof(*f));
	struct pd_packet p = seg(1, 0, 0, "udp data");
	p.ip_proto = 17;
	ck_assert_uint_eq(reasm_packet(r, f, 0, &p), 0);
	ck_assert_uint_eq(t.delivers, 0);
	ck_assert_uint_eq(f->reasm.d[0].init, 0);
	free(f);
	reasm_free(r);
	struct reasm_config bad = { 0 };
	ck_assert_ptr_null(reasm_new(&bad));
}
END_TEST

static Suite *reasm_suite(void)
{
	Suite *s = suite_create("reasm");
	TCase *tc = tcase_create("streams");
	tcase_add_loop_test(tc, test_cases, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_global_cap);
	tcase_add_test(tc, test_flow_cap_bound);
	tcase_add_test(tc, test_flush_before_on_end);
	tcase_add_test(tc, test_non_tcp_ignored);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reasm_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
