/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for the shared line splitter (handlers/linesplit.c): CRLF, bare LF
 * and bare CR flags, over-long lines dropped and resynchronised, ls_resync,
 * and identical results for every way of cutting the input into calls. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/linesplit.h"

/* One result as the tests see it: the text (or "<tail>") and the flags. */
struct got {
	char text[64];
	unsigned flags;
	uint64_t skipped;
};

struct run {
	struct got line[32];
	size_t n;
	size_t consumed;   /* bytes the caller could hand back as consumed */
	size_t kept;       /* bytes still waiting at the end */
};

/* Feeds input like the core does: each chunk is appended to what was left
 * unconsumed; the splitter is called until it needs more. cuts[] are chunk
 * ends (ascending, the last one = len). */
static void feed(struct run *r, size_t max, const char *in, size_t len, const size_t *cuts,
                 size_t ncuts, bool resync_first)
{
	struct ls_state st;
	uint8_t pend[256];
	size_t plen = 0, from = 0;

	memset(&st, 0, sizeof st);
	memset(r, 0, sizeof *r);
	if (resync_first)
		ls_resync(&st);
	for (size_t k = 0; k < ncuts; k++) {
		size_t to = cuts[k];
		ck_assert_uint_le(plen + (to - from), sizeof pend);
		memcpy(pend + plen, in + from, to - from);
		plen += to - from;
		from = to;
		struct pcur c = pcur_make(pend, plen);
		for (;;) {
			struct ls_line l;
			enum ls_result res = ls_next(&st, max, &c, &l);
			r->consumed += l.consumed;
			if (res == LS_NEED_MORE)
				break;
			ck_assert_uint_lt(r->n, 32);
			struct got *g = &r->line[r->n++];
			if (l.flags & LS_TAIL) {
				ck_assert_ptr_null(l.text);
				snprintf(g->text, sizeof g->text, "<tail>");
			} else {
				ck_assert_uint_lt(l.len, sizeof g->text);
				memcpy(g->text, l.text, l.len);
				g->text[l.len] = '\0';
			}
			g->flags = l.flags;
			g->skipped = l.skipped;
		}
		size_t used = plen - pcur_left(&c);
		memmove(pend, pend + used, plen - used);
		plen -= used;
		/* The core keeps at most one line's worth waiting. */
		ck_assert_uint_le(plen, max);
	}
	r->kept = plen;
}

static void feed_whole(struct run *r, size_t max, const char *in, size_t len, bool resync)
{
	size_t cut = len;
	feed(r, max, in, len, &cut, 1, resync);
}

struct want {
	const char *text;
	unsigned flags;
};

static const struct lcase {
	const char *name;
	size_t max;
	bool resync;
	const char *in;
	struct want out[8];
	size_t kept;
} cases[] = {
	{ "crlf", 64, false, "EHLO a\r\nQUIT\r\n",
	  { { "EHLO a", LS_CRLF }, { "QUIT", LS_CRLF } }, 0 },
	{ "bare lf", 64, false, "one\ntwo\r\n",
	  { { "one", LS_BARE_LF }, { "two", LS_CRLF } }, 0 },
	{ "bare cr inside", 64, false, "a\rb\r\n",
	  { { "a\rb", LS_CRLF | LS_BARE_CR } }, 0 },
	{ "bare cr then bare lf", 64, false, "a\r\rb\n",
	  { { "a\r\rb", LS_BARE_LF | LS_BARE_CR } }, 0 },
	{ "empty lines", 64, false, "\r\n\n",
	  { { "", LS_CRLF }, { "", LS_BARE_LF } }, 0 },
	{ "incomplete kept", 64, false, "abc\r\ndef\r",
	  { { "abc", LS_CRLF } }, 4 },
	{ "exactly max with crlf", 6, false, "abcd\r\nx\n",
	  { { "abcd", LS_CRLF }, { "x", LS_BARE_LF } }, 0 },
	{ "one over max", 6, false, "abcde\r\nx\n",
	  { { "abcde\r", LS_TOO_LONG }, { "<tail>", LS_TAIL | LS_CRLF }, { "x", LS_BARE_LF } }, 0 },
	{ "long, resync at next lf", 4, false, "abcdefghij\r\nok\r\n",
	  { { "abcd", LS_TOO_LONG }, { "<tail>", LS_TAIL | LS_CRLF }, { "ok", LS_CRLF } }, 0 },
	{ "long with bare lf end", 4, false, "abcdefgh\nok\r\n",
	  { { "abcd", LS_TOO_LONG }, { "<tail>", LS_TAIL | LS_BARE_LF }, { "ok", LS_CRLF } }, 0 },
	{ "long with bare cr at cut", 4, false, "abc\rdefg\r\nok\r\n",
	  { { "abc\r", LS_TOO_LONG }, { "<tail>", LS_TAIL | LS_CRLF | LS_BARE_CR }, { "ok", LS_CRLF } }, 0 },
	{ "long with bare cr in tail", 4, false, "abcde\rf\r\n",
	  { { "abcd", LS_TOO_LONG }, { "<tail>", LS_TAIL | LS_CRLF | LS_BARE_CR } }, 0 },
	{ "long never ends", 4, false, "abcdefghijkl",
	  { { "abcd", LS_TOO_LONG } }, 0 },
	{ "resync drops partial line", 64, true, "tial line\r\nMAIL\r\n",
	  { { "<tail>", LS_TAIL | LS_RESYNC | LS_CRLF }, { "MAIL", LS_CRLF } }, 0 },
	{ "resync at a line end", 64, true, "\nX\r\n",
	  { { "<tail>", LS_TAIL | LS_RESYNC | LS_BARE_LF }, { "X", LS_CRLF } }, 0 },
};

static void check_case(const struct lcase *c, const struct run *r)
{
	size_t nwant = 0;
	while (nwant < 8 && c->out[nwant].text != NULL)
		nwant++;
	ck_assert_msg(r->n == nwant, "%s: %zu lines, want %zu", c->name, r->n, nwant);
	for (size_t i = 0; i < nwant; i++) {
		ck_assert_msg(strcmp(r->line[i].text, c->out[i].text) == 0, "%s: line %zu text", c->name, i);
		ck_assert_msg(r->line[i].flags == c->out[i].flags, "%s: line %zu flags %#x want %#x",
		              c->name, i, r->line[i].flags, c->out[i].flags);
	}
	ck_assert_msg(r->kept == c->kept, "%s: kept %zu want %zu", c->name, r->kept, c->kept);
	ck_assert_uint_eq(r->consumed + r->kept, strlen(c->in));
}

START_TEST(test_cases_whole)
{
	const struct lcase *c = &cases[_i];
	struct run r;
	feed_whole(&r, c->max, c->in, strlen(c->in), c->resync);
	check_case(c, &r);
}
END_TEST

/* Every two-way cut, and byte by byte: the same lines and flags. */
START_TEST(test_cases_every_split)
{
	const struct lcase *c = &cases[_i];
	size_t len = strlen(c->in);
	struct run r;
	for (size_t cut = 0; cut <= len; cut++) {
		size_t cuts[2] = { cut, len };
		feed(&r, c->max, c->in, len, cuts, 2, c->resync);
		check_case(c, &r);
	}
	size_t bytes[64];
	ck_assert_uint_le(len, 64);
	for (size_t i = 0; i < len; i++)
		bytes[i] = i + 1;
	feed(&r, c->max, c->in, len, bytes, len, c->resync);
	check_case(c, &r);
}
END_TEST

/* The tail reports how much was dropped across calls. */
START_TEST(test_skipped_count)
{
	const char *in = "0123456789abcdefghij\r\n";
	size_t cuts[3] = { 5, 12, strlen(in) };
	struct run r;
	feed(&r, 4, in, strlen(in), cuts, 3, false);
	ck_assert_uint_eq(r.n, 2);
	ck_assert(r.line[1].flags & LS_TAIL);
	/* 4 kept as the long line's start; the tail call consumed the rest of
	 * its own chunk; what fell in between was dropped and counted. */
	ck_assert_uint_eq(r.line[1].skipped, 12 - 4);
	ck_assert_uint_eq(r.consumed, strlen(in));
}
END_TEST

/* A long run with no LF never makes the caller keep more than max bytes. */
START_TEST(test_bounded)
{
	static char big[4096];
	memset(big, 'x', sizeof big);
	struct ls_state st;
	memset(&st, 0, sizeof st);
	size_t total = 0;
	for (int round = 0; round < 100; round++) {
		struct pcur c = pcur_make((const uint8_t *)big, sizeof big);
		struct ls_line l;
		while (ls_next(&st, 1000, &c, &l) == LS_LINE)
			total += l.consumed;
		total += l.consumed;
		ck_assert_uint_eq(pcur_left(&c), 0);
		ck_assert(!ls_at_line_start(&st));
	}
	ck_assert_uint_eq(total, 100 * sizeof big);
}
END_TEST

START_TEST(test_empty_input)
{
	struct ls_state st;
	struct ls_line l;
	memset(&st, 0, sizeof st);
	struct pcur c = pcur_make(NULL, 0);
	ck_assert_int_eq(ls_next(&st, 10, &c, &l), LS_NEED_MORE);
	ck_assert_uint_eq(l.consumed, 0);
	ls_resync(&st);
	ck_assert_int_eq(ls_next(&st, 10, &c, &l), LS_NEED_MORE);
	ck_assert_uint_eq(l.consumed, 0);
}
END_TEST

static Suite *linesplit_suite(void)
{
	Suite *s = suite_create("linesplit");
	TCase *tc = tcase_create("core");
	size_t n = sizeof cases / sizeof cases[0];
	tcase_add_loop_test(tc, test_cases_whole, 0, (int)n);
	tcase_add_loop_test(tc, test_cases_every_split, 0, (int)n);
	tcase_add_test(tc, test_skipped_count);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_empty_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(linesplit_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
