/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for output/json.c: RFC 8259 encoding, the UTF-8 (RFC 3629) string
 * rule, nesting, truncation at the limit and misnesting. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/json.h"
#include "tests/json_check.h"

static void assert_valid(const struct out_json *j)
{
	char err[128];
	ck_assert_msg(jc_validate(j->buf, j->len, err, sizeof(err)) == 0,
	              "invalid JSON (%s): %s", err, j->buf);
	ck_assert_uint_eq(strlen(j->buf), j->len);
}

/* Encodes n bytes as a top-level string; returns the JSON text (static). */
static const char *enc(const void *s, size_t n)
{
	static char out[4096];
	struct out_json j;
	ck_assert_int_eq(out_json_init(&j, 16, sizeof(out)), 0);
	out_json_strn(&j, NULL, s, n);
	ck_assert(!j.truncated);
	ck_assert(!j.misnested);
	assert_valid(&j);
	memcpy(out, j.buf, j.len + 1);
	out_json_free(&j);
	return out;
}

struct esc_case {
	const char *in;
	size_t n;
	const char *out;   /* JSON text including the quotes */
};

#define C(lit, expect) { lit, sizeof(lit) - 1, expect }

static const struct esc_case esc_cases[] = {
	C("", "\"\""),
	C("plain ascii", "\"plain ascii\""),
	C("\"", "\"\\\"\""),
	C("\\", "\"\\\\\""),
	C("a\"b\\c", "\"a\\\"b\\\\c\""),
	C("/", "\"/\""),
	C("\x7f", "\"\x7f\""),
	C("x\r\ny", "\"x\\r\\ny\""),
	/* valid UTF-8 is copied: 2, 3 and 4 bytes, boundaries of each class */
	C("\xc2\x80", "\"\xc2\x80\""),
	C("caf\xc3\xa9", "\"caf\xc3\xa9\""),
	C("\xdf\xbf", "\"\xdf\xbf\""),
	C("\xe0\xa0\x80", "\"\xe0\xa0\x80\""),
	C("\xe2\x82\xac", "\"\xe2\x82\xac\""),
	C("\xed\x9f\xbf", "\"\xed\x9f\xbf\""),          /* U+D7FF */
	C("\xee\x80\x80", "\"\xee\x80\x80\""),          /* U+E000 */
	C("\xef\xbf\xbf", "\"\xef\xbf\xbf\""),          /* U+FFFF */
	C("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\""),  /* U+10000 */
	C("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""),
	C("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""),  /* U+10FFFF */
	/* line and paragraph separators: escaped for JavaScript */
	C("\xe2\x80\xa8", "\"\\u2028\""),
	C("a\xe2\x80\xa9z", "\"a\\u2029z\""),
	C("\xe2\x80\xa7", "\"\xe2\x80\xa7\""),
	/* overlong forms */
	C("\xc0\x80", "\"\\\\xc0\\\\x80\""),
	C("\xc1\xbf", "\"\\\\xc1\\\\xbf\""),
	C("\xe0\x80\x80", "\"\\\\xe0\\\\x80\\\\x80\""),
	C("\xe0\x9f\xbf", "\"\\\\xe0\\\\x9f\\\\xbf\""),
	C("\xf0\x80\x80\x80", "\"\\\\xf0\\\\x80\\\\x80\\\\x80\""),
	C("\xf0\x8f\xbf\xbf", "\"\\\\xf0\\\\x8f\\\\xbf\\\\xbf\""),
	/* surrogates */
	C("\xed\xa0\x80", "\"\\\\xed\\\\xa0\\\\x80\""),
	C("\xed\xbf\xbf", "\"\\\\xed\\\\xbf\\\\xbf\""),
	/* above U+10FFFF, and lead bytes that never occur */
	C("\xf4\x90\x80\x80", "\"\\\\xf4\\\\x90\\\\x80\\\\x80\""),
	C("\xf5\x80\x80\x80", "\"\\\\xf5\\\\x80\\\\x80\\\\x80\""),
	C("\xf8\x88\x80\x80\x80", "\"\\\\xf8\\\\x88\\\\x80\\\\x80\\\\x80\""),
	C("\xfe", "\"\\\\xfe\""),
	C("\xff", "\"\\\\xff\""),
	/* lone continuation bytes */
	C("\x80", "\"\\\\x80\""),
	C("a\xbfz", "\"a\\\\xbfz\""),
	/* truncated sequences at the end */
	C("\xc3", "\"\\\\xc3\""),
	C("ab\xe2\x82", "\"ab\\\\xe2\\\\x82\""),
	C("\xf0\x9f\x98", "\"\\\\xf0\\\\x9f\\\\x98\""),
	C("\xf0\x9f", "\"\\\\xf0\\\\x9f\""),
	/* truncated in the middle: the next byte is decoded afresh */
	C("\xe2\x82" "A", "\"\\\\xe2\\\\x82A\""),
	C("\xc3\xc3\xa9", "\"\\\\xc3\xc3\xa9\""),
	C("\xf0\x9f\x98\xe2\x82\xac", "\"\\\\xf0\\\\x9f\\\\x98\xe2\x82\xac\""),
	/* escapes mixed with everything */
	C("\xff\"\n\xc3\xa9\\", "\"\\\\xff\\\"\\n\xc3\xa9\\\\\""),
};

START_TEST(test_escape_table)
{
	const struct esc_case *c = &esc_cases[_i];
	const char *got = enc(c->in, c->n);
	ck_assert_msg(strcmp(got, c->out) == 0, "case %d: got %s want %s", _i, got, c->out);
}
END_TEST

START_TEST(test_control_chars)
{
	for (unsigned c = 0; c < 0x20; c++) {
		char in[3] = { 'a', (char)c, 'b' };
		char want[16];
		const char *named = NULL;
		switch (c) {
		case '\b': named = "\\b"; break;
		case '\t': named = "\\t"; break;
		case '\n': named = "\\n"; break;
		case '\f': named = "\\f"; break;
		case '\r': named = "\\r"; break;
		default: break;
		}
		if (named != NULL)
			snprintf(want, sizeof(want), "\"a%sb\"", named);
		else
			snprintf(want, sizeof(want), "\"a\\u%04xb\"", c);
		const char *got = enc(in, 3);
		ck_assert_msg(strcmp(got, want) == 0, "byte 0x%02x: got %s want %s", c, got, want);
	}
}
END_TEST

/* Every special byte at every offset of a 40-byte run, so both the
 * eight-byte fast path and the byte loop meet it at every alignment. */
START_TEST(test_escape_alignment)
{
	static const struct { char b; const char *esc; } sp[] = {
		{ '"', "\\\"" }, { '\\', "\\\\" }, { '\x01', "\\u0001" }, { '\x1f', "\\u001f" },
		{ (char)0x80, "\\\\x80" }, { (char)0xff, "\\\\xff" }, { ' ', " " }, { '~', "~" },
	};
	for (size_t k = 0; k < sizeof(sp) / sizeof(sp[0]); k++) {
		for (size_t pos = 0; pos < 40; pos++) {
			char in[40], want[128];
			memset(in, 'x', sizeof(in));
			in[pos] = sp[k].b;
			snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", (int)pos, in, sp[k].esc,
			         (int)(39 - pos), in + pos + 1);
			const char *got = enc(in, sizeof(in));
			ck_assert_msg(strcmp(got, want) == 0, "byte %zu at %zu: %s", k, pos, got);
		}
	}
}
END_TEST

/* Random bytes, biased to UTF-8 lead and continuation bytes: always valid. */
START_TEST(test_escape_random)
{
	static const uint8_t pool[] = { 0x00, 0x1f, '"', '\\', 'a', 0x7f, 0x80, 0xbf, 0xc0, 0xc2,
	                                0xdf, 0xe0, 0xe2, 0xa8, 0xed, 0xa0, 0x9f, 0xf0, 0x90,
	                                0xf4, 0x8f, 0xf5, 0xff };
	uint32_t seed = 12345;
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t in[48];
		seed = seed * 1103515245u + 12345u;
		size_t n = (seed >> 16) % sizeof(in);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = (seed >> 20) & 1 ? pool[(seed >> 8) % sizeof(pool)] : (uint8_t)(seed >> 24);
		}
		enc(in, n);
	}
}
END_TEST

START_TEST(test_nesting)
{
	struct out_json j;
	ck_assert_int_eq(out_json_init(&j, 16, 4096), 0);
	out_json_object_open(&j, NULL);
	out_json_array_open(&j, "a");
	out_json_uint(&j, NULL, 1);
	out_json_int(&j, NULL, -2);
	out_json_object_open(&j, NULL);
	out_json_null(&j, "b");
	out_json_object_close(&j);
	out_json_array_open(&j, NULL);
	out_json_array_close(&j);
	out_json_array_close(&j);
	out_json_bool(&j, "c", true);
	out_json_bool(&j, "d", false);
	out_json_str(&j, "e", "x");
	out_json_str(&j, "k\"ey", NULL);
	out_json_object_open(&j, "f");
	out_json_object_close(&j);
	out_json_object_close(&j);
	ck_assert_str_eq(j.buf, "{\"a\":[1,-2,{\"b\":null},[]],\"c\":true,\"d\":false,\"e\":\"x\","
	                        "\"k\\\"ey\":null,\"f\":{}}");
	ck_assert_uint_eq(j.depth, 0);
	ck_assert(!j.truncated && !j.misnested);
	assert_valid(&j);

	/* reset keeps the buffer and starts a fresh document */
	out_json_reset(&j);
	ck_assert_uint_eq(j.len, 0);
	out_json_array_open(&j, NULL);
	out_json_close_all(&j);
	ck_assert_str_eq(j.buf, "[]");
	out_json_free(&j);
}
END_TEST

START_TEST(test_numbers)
{
	static const struct { int64_t v; const char *s; } ints[] = {
		{ 0, "0" }, { -1, "-1" }, { 42, "42" },
		{ INT64_MAX, "9223372036854775807" }, { INT64_MIN, "-9223372036854775808" },
	};
	static const struct { uint64_t v; const char *s; } uints[] = {
		{ 0, "0" }, { 9, "9" }, { 10, "10" }, { 4294967296ULL, "4294967296" },
		{ UINT64_MAX, "18446744073709551615" },
	};
	static const struct { double v; const char *s; } dbls[] = {
		{ 1.5, "1.5" }, { 0.0, "0" }, { -2.25, "-2.25" }, { 1e20, "1e+20" },
		{ 1.0 / 3.0, "0.333333" }, { NAN, "null" }, { INFINITY, "null" },
		{ -INFINITY, "null" }, { DBL_MAX, "1.79769e+308" },
	};
	struct out_json j;
	ck_assert_int_eq(out_json_init(&j, 16, 256), 0);
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		out_json_reset(&j);
		out_json_int(&j, NULL, ints[i].v);
		ck_assert_str_eq(j.buf, ints[i].s);
		assert_valid(&j);
	}
	for (size_t i = 0; i < sizeof(uints) / sizeof(uints[0]); i++) {
		out_json_reset(&j);
		out_json_uint(&j, NULL, uints[i].v);
		ck_assert_str_eq(j.buf, uints[i].s);
		assert_valid(&j);
	}
	for (size_t i = 0; i < sizeof(dbls) / sizeof(dbls[0]); i++) {
		out_json_reset(&j);
		out_json_double(&j, NULL, dbls[i].v);
		ck_assert_str_eq(j.buf, dbls[i].s);
		assert_valid(&j);
	}
	out_json_free(&j);
}
END_TEST

/* One fixed document, written under every limit from the minimum up: the
 * closed result is always valid JSON, never longer than the limit, and is
 * the full document exactly when nothing was truncated. */
static void write_doc(struct out_json *j)
{
	out_json_object_open(j, NULL);
	out_json_str(j, "timestamp", "2026-11-26T21:51:21.672663+0000");
	out_json_uint(j, "flow_id", 1234567890123ULL);
	out_json_object_open(j, "smtp");
	out_json_strn(j, "helo", (const uint8_t *)"h\xff\xc3\xa9llo\n", 9);
	out_json_array_open(j, "rcpt_to");
	for (int i = 0; i < 6; i++)
		out_json_str(j, NULL, "someone.with.a.long.name@example.org");
	out_json_array_close(j);
	out_json_array_open(j, "deep");
	for (int i = 0; i < 10; i++)
		out_json_array_open(j, NULL);
	out_json_uint(j, NULL, 7);
	for (int i = 0; i < 10; i++)
		out_json_array_close(j);
	out_json_array_close(j);
	out_json_bool(j, "tls", false);
	out_json_object_close(j);
	out_json_object_close(j);
}

START_TEST(test_truncation_sweep)
{
	struct out_json full;
	ck_assert_int_eq(out_json_init(&full, 16, 65536), 0);
	write_doc(&full);
	ck_assert(!full.truncated);
	assert_valid(&full);

	for (size_t limit = 64; limit <= full.len + 8; limit++) {
		struct out_json j;
		ck_assert_int_eq(out_json_init(&j, 16, limit), 0);
		write_doc(&j);
		out_json_close_all(&j);
		ck_assert_msg(j.len < limit, "limit %zu: len %zu", limit, j.len);
		ck_assert_uint_le(j.cap, limit);
		assert_valid(&j);
		ck_assert(!j.misnested);
		if (j.truncated)
			ck_assert_msg(limit < full.len + 1, "limit %zu truncated needlessly", limit);
		else
			ck_assert_str_eq(j.buf, full.buf);
		out_json_free(&j);
	}
	out_json_free(&full);
}
END_TEST

START_TEST(test_truncation_drops_whole_member)
{
	struct out_json j;
	char big[200];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(out_json_init(&j, 16, 64), 0);
	out_json_object_open(&j, NULL);
	out_json_str(&j, "a", "1");
	out_json_str(&j, "big", big);      /* dropped, key and all */
	ck_assert(j.truncated);
	out_json_str(&j, "b", "2");        /* later small members still fit */
	out_json_object_open(&j, "o");
	out_json_str(&j, "big", big);
	out_json_object_close(&j);
	out_json_close_all(&j);
	ck_assert_str_eq(j.buf, "{\"a\":\"1\",\"b\":\"2\",\"o\":{}}");
	assert_valid(&j);

	/* out_json_escape is all or nothing too */
	out_json_reset(&j);
	out_json_escape(&j, (const uint8_t *)"ab", 2);
	ck_assert_str_eq(j.buf, "ab");
	out_json_escape(&j, (const uint8_t *)big, sizeof(big) - 1);
	ck_assert(j.truncated);
	ck_assert_str_eq(j.buf, "ab");
	out_json_free(&j);
}
END_TEST

/* A container that does not fit is dropped with its contents; the document
 * stays balanced. */
START_TEST(test_truncation_container)
{
	struct out_json j;
	ck_assert_int_eq(out_json_init(&j, 16, 64), 0);
	out_json_object_open(&j, NULL);
	out_json_str(&j, "k", "0123456789012345678901234567890123456789012");
	out_json_array_open(&j, "a_long_key_that_will_not_fit");
	ck_assert(j.truncated);
	out_json_uint(&j, NULL, 1);
	out_json_object_open(&j, NULL);
	out_json_object_close(&j);
	out_json_array_close(&j);
	out_json_uint(&j, "n", 5);
	out_json_object_close(&j);
	ck_assert_uint_eq(j.depth, 0);
	ck_assert(!j.misnested);
	ck_assert_str_eq(j.buf, "{\"k\":\"0123456789012345678901234567890123456789012\",\"n\":5}");
	assert_valid(&j);
	out_json_free(&j);
}
END_TEST

struct misnest_case {
	const char *name;
	void (*run)(struct out_json *j);
	const char *want;
};

static void m_key_in_array(struct out_json *j)
{
	out_json_array_open(j, NULL);
	out_json_uint(j, "k", 1);
	out_json_uint(j, NULL, 2);
}

static void m_no_key_in_object(struct out_json *j)
{
	out_json_object_open(j, NULL);
	out_json_str(j, NULL, "x");
	out_json_array_open(j, NULL);
	out_json_uint(j, NULL, 3);
	out_json_array_close(j);
	out_json_uint(j, "n", 1);
}

static void m_close_without_open(struct out_json *j)
{
	out_json_object_close(j);
	out_json_array_close(j);
	out_json_object_open(j, NULL);
	out_json_object_close(j);
	out_json_object_close(j);
}

static void m_wrong_close(struct out_json *j)
{
	out_json_object_open(j, NULL);
	out_json_array_open(j, "a");
	out_json_object_close(j);   /* ignored: an array is open */
	out_json_uint(j, NULL, 1);
	out_json_array_close(j);
	out_json_uint(j, "b", 2);
}

static void m_second_root(struct out_json *j)
{
	out_json_object_open(j, NULL);
	out_json_object_close(j);
	out_json_object_open(j, NULL);
	out_json_uint(j, "x", 1);
	out_json_object_close(j);
	out_json_uint(j, NULL, 5);
}

static void m_key_at_top(struct out_json *j)
{
	out_json_uint(j, "top", 1);
	out_json_array_open(j, NULL);
}

static void m_too_deep(struct out_json *j)
{
	for (int i = 0; i < OUT_JSON_MAX_DEPTH + 4; i++)
		out_json_array_open(j, NULL);
	out_json_uint(j, NULL, 9);   /* inside a dropped container: dropped */
	for (int i = 0; i < 4; i++)
		out_json_array_close(j);
	out_json_uint(j, NULL, 1);   /* at the deepest kept level */
}

static const struct misnest_case misnest_cases[] = {
	{ "key in array", m_key_in_array, "[2]" },
	{ "no key in object", m_no_key_in_object, "{\"n\":1}" },
	{ "close without open", m_close_without_open, "{}" },
	{ "wrong close", m_wrong_close, "{\"a\":[1],\"b\":2}" },
	{ "second root", m_second_root, "{}" },
	{ "key at top", m_key_at_top, "[]" },
	{ "too deep", m_too_deep, "[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]" },
};

START_TEST(test_misnesting)
{
	const struct misnest_case *c = &misnest_cases[_i];
	struct out_json j;
	ck_assert_int_eq(out_json_init(&j, 16, 4096), 0);
	c->run(&j);
	ck_assert_msg(j.misnested, "%s: misnested not set", c->name);
	out_json_close_all(&j);
	ck_assert_msg(strcmp(j.buf, c->want) == 0, "%s: got %s want %s", c->name, j.buf, c->want);
	assert_valid(&j);
	out_json_free(&j);
}
END_TEST

START_TEST(test_init_limits)
{
	struct out_json j;
	ck_assert_int_eq(out_json_init(&j, 0, 0), 0);
	ck_assert_uint_eq(j.limit, 64);
	ck_assert_uint_le(j.cap, j.limit);
	ck_assert_str_eq(j.buf, "");
	/* growth from a tiny buffer */
	out_json_array_open(&j, NULL);
	for (int i = 0; i < 40; i++)
		out_json_uint(&j, NULL, 1);
	out_json_close_all(&j);
	ck_assert(j.truncated);
	ck_assert_uint_eq(j.cap, 64);
	ck_assert_uint_eq(j.len, 63);
	assert_valid(&j);
	out_json_free(&j);
}
END_TEST

static Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("escape");
	tcase_add_loop_test(tc, test_escape_table, 0, (int)(sizeof(esc_cases) / sizeof(esc_cases[0])));
	tcase_add_test(tc, test_control_chars);
	tcase_add_test(tc, test_escape_alignment);
	tcase_add_test(tc, test_escape_random);
	suite_add_tcase(s, tc);
	tc = tcase_create("structure");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_nesting);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_truncation_sweep);
	tcase_add_test(tc, test_truncation_drops_whole_member);
	tcase_add_test(tc, test_truncation_container);
	tcase_add_loop_test(tc, test_misnesting, 0,
	                    (int)(sizeof(misnest_cases) / sizeof(misnest_cases[0])));
	tcase_add_test(tc, test_init_limits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(json_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
