/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite: the bounds-checked cursor (parsers/cursor.h): accessors, sticky error, sub-cursors. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/cursor.h"

static const uint8_t bytes[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };

/* Each accessor: width, value read from bytes[0..], value in little endian where relevant. */
enum acc { A_U8, A_BE16, A_LE16, A_BE24, A_BE32, A_LE32, A_SKIP, A_TAKE, A_COPY };

static const struct acc_case {
	const char *name;
	enum acc acc;
	size_t width;
	uint32_t want;
} accs[] = {
	{ "u8", A_U8, 1, 0x01 },
	{ "be16", A_BE16, 2, 0x0102 },
	{ "le16", A_LE16, 2, 0x0201 },
	{ "be24", A_BE24, 3, 0x010203 },
	{ "be32", A_BE32, 4, 0x01020304 },
	{ "le32", A_LE32, 4, 0x04030201 },
	{ "skip", A_SKIP, 5, 1 },
	{ "take", A_TAKE, 6, 1 },
	{ "copy", A_COPY, 7, 1 },
};

/* Runs accessor a on c; returns the value (for skip/take/copy: 1 on success). */
static uint32_t run(struct pcur *c, const struct acc_case *a, uint8_t *dst)
{
	switch (a->acc) {
	case A_U8: return pcur_u8(c);
	case A_BE16: return pcur_be16(c);
	case A_LE16: return pcur_le16(c);
	case A_BE24: return pcur_be24(c);
	case A_BE32: return pcur_be32(c);
	case A_LE32: return pcur_le32(c);
	case A_SKIP: return pcur_skip(c, a->width);
	case A_TAKE: {
		const uint8_t *p = pcur_take(c, a->width);
		if (p != NULL)
			ck_assert_mem_eq(p, bytes, a->width);
		return p != NULL;
	}
	case A_COPY: return pcur_copy(c, dst, a->width);
	}
	return 0xdeadbeef;
}

/* Exact fit: value right, everything consumed, no error. */
START_TEST(test_accessor_exact)
{
	const struct acc_case *a = &accs[_i];
	uint8_t *buf = malloc(a->width);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, bytes, a->width);
	struct pcur c = pcur_make(buf, a->width);
	uint8_t dst[16];
	memset(dst, 0xee, sizeof(dst));
	ck_assert_uint_eq(pcur_left(&c), a->width);
	ck_assert_msg(run(&c, a, dst) == a->want, "%s", a->name);
	ck_assert(pcur_ok(&c));
	ck_assert_uint_eq(pcur_left(&c), 0);
	if (a->acc == A_COPY) {
		ck_assert_mem_eq(dst, bytes, a->width);
		ck_assert_uint_eq(dst[a->width], 0xee);
	}
	free(buf);
}
END_TEST

/* One byte short: returns 0 (NULL/false), sets the sticky error, consumes nothing. */
START_TEST(test_accessor_short)
{
	const struct acc_case *a = &accs[_i];
	size_t n = a->width - 1;
	uint8_t *buf = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, bytes, n);
	struct pcur c = pcur_make(buf, n);
	uint8_t dst[16];
	memset(dst, 0xee, sizeof(dst));
	ck_assert_msg(run(&c, a, dst) == 0, "%s", a->name);
	ck_assert(!pcur_ok(&c));
	ck_assert_uint_eq(pcur_left(&c), 0);
	ck_assert_ptr_eq(pcur_ptr(&c), buf); /* nothing consumed */
	if (a->acc == A_COPY) {
		for (size_t i = 0; i < a->width; i++)
			ck_assert_uint_eq(dst[i], 0);
		ck_assert_uint_eq(dst[a->width], 0xee);
	}
	/* Sticky: even a 1-byte read fails now, and so does a 0-byte need. */
	ck_assert_uint_eq(pcur_u8(&c), 0);
	ck_assert(!pcur_has(&c, 0));
	ck_assert(!pcur_skip(&c, 0));
	ck_assert_int_eq(pcur_peek(&c, 0), -1);
	ck_assert(!pcur_ok(&c));
	free(buf);
}
END_TEST

START_TEST(test_sequence)
{
	struct pcur c = pcur_make(bytes, sizeof(bytes));
	ck_assert_uint_eq(pcur_u8(&c), 0x01);
	ck_assert_uint_eq(pcur_be16(&c), 0x0203);
	ck_assert_uint_eq(pcur_le16(&c), 0x0504);
	ck_assert_uint_eq(pcur_left(&c), 4);
	ck_assert_int_eq(pcur_peek(&c, 0), 0x06);
	ck_assert_int_eq(pcur_peek(&c, 3), 0x09);
	ck_assert_int_eq(pcur_peek(&c, 4), -1);
	ck_assert(pcur_ok(&c)); /* a failed peek sets no error */
	ck_assert(pcur_has(&c, 4));
	ck_assert(!pcur_has(&c, 5));
	ck_assert(pcur_ok(&c)); /* has() sets no error either */
	ck_assert_uint_eq(pcur_be32(&c), 0x06070809);
	ck_assert_uint_eq(pcur_left(&c), 0);
	ck_assert(pcur_ok(&c));
	ck_assert_uint_eq(pcur_u8(&c), 0);
	ck_assert(!pcur_ok(&c));
}
END_TEST

START_TEST(test_zero_length_and_null)
{
	uint8_t one = 0x7f;
	struct pcur cs[2] = { pcur_make(&one, 0), pcur_make(NULL, 0) };
	for (int i = 0; i < 2; i++) {
		struct pcur *c = &cs[i];
		ck_assert(pcur_ok(c));
		ck_assert_uint_eq(pcur_left(c), 0);
		ck_assert(pcur_has(c, 0));
		ck_assert_ptr_nonnull(pcur_take(c, 0)); /* zero bytes are always there */
		ck_assert(pcur_skip(c, 0));
		ck_assert_int_eq(pcur_peek(c, 0), -1);
		struct pcur s = pcur_sub(c, 0);
		ck_assert(pcur_ok(&s));
		ck_assert_uint_eq(pcur_left(&s), 0);
		ck_assert(pcur_ok(c));
		ck_assert_uint_eq(pcur_u8(c), 0);
		ck_assert(!pcur_ok(c));
	}
}
END_TEST

START_TEST(test_sub_bounded)
{
	uint8_t *buf = malloc(sizeof(bytes));
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, bytes, sizeof(bytes));
	struct pcur c = pcur_make(buf, sizeof(bytes));
	pcur_skip(&c, 1);
	struct pcur s = pcur_sub(&c, 3);
	ck_assert(pcur_ok(&s));
	ck_assert_uint_eq(pcur_left(&s), 3);
	ck_assert_uint_eq(pcur_left(&c), 5);   /* consumed from the parent */
	ck_assert_uint_eq(pcur_be16(&s), 0x0203);
	ck_assert_uint_eq(pcur_be16(&s), 0);   /* only one byte left in the sub */
	ck_assert(!pcur_ok(&s));
	ck_assert(pcur_ok(&c));                /* the parent is unaffected */
	ck_assert_uint_eq(pcur_u8(&c), 0x05);

	/* A sub past the parent's end fails both, and is empty. */
	struct pcur big = pcur_sub(&c, 5);
	ck_assert(!pcur_ok(&big));
	ck_assert(!pcur_ok(&c));
	ck_assert_uint_eq(pcur_left(&big), 0);
	ck_assert_uint_eq(pcur_u8(&big), 0);

	/* A sub of a sub is bounded by the inner limit. */
	struct pcur d = pcur_make(buf, sizeof(bytes));
	struct pcur outer = pcur_sub(&d, 6);
	struct pcur inner = pcur_sub(&outer, 7);
	ck_assert(!pcur_ok(&inner));
	ck_assert(!pcur_ok(&outer));
	ck_assert(pcur_ok(&d));
	ck_assert_uint_eq(pcur_left(&d), 3);
	free(buf);
}
END_TEST

static Suite *cursor_suite(void)
{
	Suite *s = suite_create("cursor");
	TCase *tc = tcase_create("cursor");
	int n = (int)(sizeof(accs) / sizeof(accs[0]));
	tcase_add_loop_test(tc, test_accessor_exact, 0, n);
	tcase_add_loop_test(tc, test_accessor_short, 0, n);
	tcase_add_test(tc, test_sequence);
	tcase_add_test(tc, test_zero_length_and_null);
	tcase_add_test(tc, test_sub_bounded);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cursor_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
