/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for the hand-made fast paths of output/ against the library functions
 * they replace (they must write the same bytes): out_format_time vs gmtime_r,
 * out_ip_text vs inet_ntop, the one-block SHA-1 of Community ID vs libmd; the
 * JSON writer's one-pass member against its escaping path; the relay sink
 * that worker threads write through; and the handler-state slabs that replace
 * calloc/free (handlers/slab.h). */
#include <arpa/inet.h>
#include <check.h>
#include <sha1.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "handlers/slab.h"
#include "output/json.h"
#include "output/meta.h"
#include "output/sink.h"

/* xorshift64: a fixed, reproducible sequence. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The text gmtime_r gives, in the format of out_format_time (out: 96 bytes,
 * room for any int the compiler can imagine in each field). */
#define REF_TIME_LEN 96
static void ref_time(char *out, uint64_t ts_us)
{
	const uint64_t max_us = 253402300799999999ull;
	if (ts_us > max_us)
		ts_us = max_us;
	time_t secs = (time_t)(ts_us / 1000000);
	struct tm tm;
	ck_assert_ptr_nonnull(gmtime_r(&secs, &tm));
	snprintf(out, REF_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%06u+0000", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	         (unsigned)(ts_us % 1000000));
}

static void check_time(uint64_t ts)
{
	char a[OUT_TIME_LEN], b[REF_TIME_LEN];
	out_format_time(a, ts);
	ref_time(b, ts);
	ck_assert_msg(strcmp(a, b) == 0, "ts %llu: %s, gmtime_r says %s", (unsigned long long)ts, a,
	              b);
}

START_TEST(test_time_vs_gmtime)
{
	static const uint64_t edges[] = {
		0, 1, 999999, 1000000, 86399999999ull, 86400000000ull,
		951782400000000ull,      /* 2000-02-29 */
		951868800000000ull,      /* 2000-03-01 */
		4107542400000000ull,     /* 2100-03-01: no leap day in 2100 */
		1767225599999999ull,     /* 2025-12-31T23:59:59.999999 */
		253402300799999999ull,   /* the last instant with four year digits */
		253402300800000000ull,   /* clamped */
		UINT64_MAX,
	};
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
		check_time(edges[i]);
	/* Every day boundary of four centuries, then random instants. */
	for (uint64_t day = 0; day < 146097; day++)
		check_time(day * 86400000000ull + (day % 86400) * 1000001ull % 86400000000ull);
	for (int i = 0; i < 200000; i++)
		check_time(rnd() % 253402300800000000ull);
}
END_TEST

static void check_ip(uint8_t version, const uint8_t *a)
{
	char mine[OUT_IP_TEXT_LEN + 8], ref[INET6_ADDRSTRLEN];
	size_t n = out_ip_text(mine, version, a);
	ck_assert_ptr_nonnull(inet_ntop(version == 4 ? AF_INET : AF_INET6, a, ref, sizeof ref));
	ck_assert_msg(strcmp(mine, ref) == 0, "v%u: %s, inet_ntop says %s", version, mine, ref);
	ck_assert_uint_eq(n, strlen(ref));
}

START_TEST(test_ip_text_vs_inet_ntop)
{
	uint8_t a[16];
	/* Every pattern of groups that are zero, 1, ffff or a0a0: runs of zeros
	 * of every length at every place, ties, IPv4-mapped/compatible forms. */
	static const unsigned vals[4] = { 0, 1, 0xffff, 0xa0a0 };
	for (unsigned m = 0; m < 65536; m++) {
		for (int g = 0; g < 8; g++) {
			unsigned v = vals[(m >> (2 * g)) & 3];
			a[2 * g] = (uint8_t)(v >> 8);
			a[2 * g + 1] = (uint8_t)v;
		}
		check_ip(6, a);
		check_ip(4, a + 12);
	}
	for (int i = 0; i < 100000; i++) {
		for (int k = 0; k < 16; k++)
			a[k] = (uint8_t)rnd();
		for (int g = 0; g < 8; g++)
			if (rnd() % 3 == 0)
				a[2 * g] = a[2 * g + 1] = 0;
		check_ip(6, a);
		check_ip(4, a);
	}
	char out[OUT_IP_TEXT_LEN];
	ck_assert_uint_eq(out_ip_text(out, 0, a), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* Community ID v1 input hashed with libmd's general SHA-1. */
static void ref_digest(uint8_t d[20], uint16_t seed, uint8_t version, uint8_t proto,
                       const uint8_t *a, uint16_t ap, const uint8_t *b, uint16_t bp)
{
	size_t alen = version == 6 ? 16 : 4;
	int c = memcmp(a, b, alen);
	if (c > 0 || (c == 0 && ap > bp)) {
		const uint8_t *t = a;
		uint16_t tp = ap;
		a = b;
		ap = bp;
		b = t;
		bp = tp;
	}
	uint8_t head[4] = { (uint8_t)(seed >> 8), (uint8_t)seed, proto, 0 };
	uint8_t ports[4] = { (uint8_t)(ap >> 8), (uint8_t)ap, (uint8_t)(bp >> 8), (uint8_t)bp };
	SHA1_CTX ctx;
	SHA1Init(&ctx);
	SHA1Update(&ctx, head, 2);
	SHA1Update(&ctx, a, alen);
	SHA1Update(&ctx, b, alen);
	SHA1Update(&ctx, head + 2, 2);
	SHA1Update(&ctx, ports, 4);
	SHA1Final(d, &ctx);
}

START_TEST(test_community_sha1_vs_libmd)
{
	for (int i = 0; i < 50000; i++) {
		uint8_t a[16], b[16], mine[20], ref[20];
		for (int k = 0; k < 16; k++) {
			a[k] = (uint8_t)rnd();
			b[k] = (uint8_t)rnd();
		}
		if (i % 7 == 0)
			memcpy(b, a, 16); /* equal addresses: the ports decide the order */
		uint8_t version = i % 2 ? 6 : 4;
		uint8_t proto = i % 3 ? 6 : 17;
		uint16_t seed = (uint16_t)rnd(), ap = (uint16_t)rnd(), bp = (uint16_t)rnd();
		out_community_digest(mine, seed, version, proto, a, ap, b, bp);
		ref_digest(ref, seed, version, proto, a, ap, b, bp);
		ck_assert_msg(memcmp(mine, ref, 20) == 0, "digest %d differs", i);
	}
}
END_TEST

/* A member written by the one-pass path and one that needs escaping give
 * what the escaping rules say, in every position; a limit that cuts a
 * member drops it whole, whichever path wrote it. */
START_TEST(test_json_member_paths)
{
	struct out_json j;
	ck_assert_int_eq(out_json_init(&j, 16, 4096), 0);
	out_json_object_open(&j, NULL);
	out_json_str(&j, "plain", "abcdefghijklmnopqrstuvwxyz");
	out_json_str(&j, "k\"ey", "v");
	out_json_str(&j, "esc", "a\"b");
	out_json_strn(&j, "nul", NULL, 5);
	out_json_uint(&j, "n", 1234567890123456789ull);
	out_json_int(&j, "i", -42);
	out_json_array_open(&j, "list");
	out_json_str(&j, NULL, "x");
	out_json_uint(&j, NULL, 0);
	out_json_bool(&j, NULL, true);
	out_json_null(&j, NULL);
	out_json_array_close(&j);
	out_json_str(&j, "after", NULL);
	out_json_close_all(&j);
	ck_assert_str_eq(j.buf, "{\"plain\":\"abcdefghijklmnopqrstuvwxyz\",\"k\\\"ey\":\"v\","
	                        "\"esc\":\"a\\\"b\",\"nul\":\"\",\"n\":1234567890123456789,"
	                        "\"i\":-42,\"list\":[\"x\",0,true,null],"
	                        "\"after\":null}");
	ck_assert(!j.truncated);
	ck_assert(!j.misnested);
	out_json_free(&j);

	/* {"a":"123456"} is 14 bytes; with its NUL and the reserved closer it
	 * needs a limit of 16 (minimum limits are raised to 64: pad the key). */
	for (size_t lim = 64; lim < 90; lim++) {
		char key[60];
		memset(key, 'k', 50);
		key[50] = '\0';
		ck_assert_int_eq(out_json_init(&j, 16, lim), 0);
		out_json_object_open(&j, NULL);
		out_json_str(&j, key, "123456");
		bool fits = 1 + 1 + 50 + 2 + 8 + 1 + 1 <= lim;
		ck_assert_msg(j.truncated == !fits, "limit %zu", lim);
		out_json_close_all(&j);
		ck_assert_uint_lt(j.len, lim);
		out_json_free(&j);
	}
}
END_TEST

/* Writes the same members through the literal-key calls (_k) or the plain
 * ones, into a writer with the given limit. */
static void literal_doc(struct out_json *j, bool lit)
{
	static const uint8_t bytes[] = "caf\xc3\xa9 \"quoted\" \xff";
	out_json_object_open(j, NULL);
	for (int i = 0; i < 3; i++) {
		if (lit) {
			out_json_uint_k(j, OUT_JSON_KEY("pkts_toserver"), 1234567u * (unsigned)i);
			out_json_str_k(j, OUT_JSON_KEY("state"), "established");
			out_json_str_k(j, OUT_JSON_KEY("null"), NULL);
			out_json_strn_k(j, OUT_JSON_KEY("rrname"), bytes, sizeof bytes - 1);
			out_json_bool_k(j, OUT_JSON_KEY("midstream"), i % 2 == 0);
		} else {
			out_json_uint(j, "pkts_toserver", 1234567u * (unsigned)i);
			out_json_str(j, "state", "established");
			out_json_str(j, "null", NULL);
			out_json_strn(j, "rrname", bytes, sizeof bytes - 1);
			out_json_bool(j, "midstream", i % 2 == 0);
		}
	}
	out_json_close_all(j);
}

/* The literal-key calls write exactly what the plain ones write, at every
 * limit (members cut whole at the same places). */
START_TEST(test_json_literal_keys)
{
	for (size_t lim = 64; lim < 420; lim++) {
		struct out_json a, b;
		ck_assert_int_eq(out_json_init(&a, 16, lim), 0);
		ck_assert_int_eq(out_json_init(&b, 16, lim), 0);
		literal_doc(&a, true);
		literal_doc(&b, false);
		ck_assert_msg(a.len == b.len && strcmp(a.buf, b.buf) == 0, "limit %zu: %s / %s", lim,
		              a.buf, b.buf);
		ck_assert(a.truncated == b.truncated);
		ck_assert(a.misnested == b.misnested);
		out_json_free(&a);
		out_json_free(&b);
	}
}
END_TEST

struct relay_log {
	char buf[8192];
	size_t len, calls, lines;
	int fail;
};

static int relay_to_log(void *arg, const char *buf, size_t len, size_t lines)
{
	struct relay_log *l = arg;
	if (l->fail)
		return -1;
	ck_assert_uint_le(l->len + len, sizeof l->buf);
	ck_assert_int_eq(buf[len - 1], '\n'); /* whole lines only */
	memcpy(l->buf + l->len, buf, len);
	l->len += len;
	l->calls++;
	l->lines += lines;
	return 0;
}

START_TEST(test_relay_sink)
{
	struct relay_log log = { .len = 0 };
	struct out_sink s, mem;
	char err[128];
	ck_assert_int_eq(out_sink_open_relay(&s, relay_to_log, &log, err, sizeof err), 0);
	ck_assert_int_eq(out_sink_write(&s, "one", 3), 0);
	ck_assert_int_eq(out_sink_write(&s, "two", 3), 0);
	ck_assert_uint_eq(log.calls, 0); /* buffered until a flush */
	ck_assert_int_eq(out_sink_flush(&s), 0);
	ck_assert_uint_eq(log.calls, 1);
	ck_assert_uint_eq(log.lines, 2);
	ck_assert_uint_eq(s.lines, 2);
	log.fail = 1;
	ck_assert_int_eq(out_sink_write(&s, "three", 5), 0);
	ck_assert_int_eq(out_sink_flush(&s), -1);
	ck_assert_uint_eq(s.dropped, 1);
	ck_assert_uint_eq(s.errors, 1);
	log.fail = 0;
	out_sink_close(&s);
	log.buf[log.len] = '\0';
	ck_assert_str_eq(log.buf, "one\ntwo\n");

	/* write_lines: a block of whole lines arrives line by line. */
	ck_assert_int_eq(out_sink_open(&mem, OUT_SINK_MEMORY, NULL, err, sizeof err), 0);
	ck_assert_int_eq(out_sink_write_lines(&mem, "a\nbb\nccc\n", 9, 3), 0);
	ck_assert_uint_eq(mem.lines, 3);
	ck_assert_str_eq(mem.mem, "a\nbb\nccc\n");
	out_sink_close(&mem);
}
END_TEST

#if defined(__SANITIZE_ADDRESS__)
#define SLABS_ON 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLABS_ON 0
#endif
#endif
#ifndef SLABS_ON
#define SLABS_ON 1
#endif

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* States handed out zeroed, 64-byte aligned, never overlapping, reused after
 * free (and zeroed again), over several blocks; sizes beyond the classes or
 * the largest class are left to calloc. Under AddressSanitizer the slabs are
 * off (redzones need calloc): every size must then be refused. */
START_TEST(test_slab_states)
{
	static const size_t sizes[] = {14000, 21000, 24};
	struct hd_slabs sl;
	bool served;
	memset(&sl, 0, sizeof sl);

	enum { N = 400 }; /* 400 x 21000 bytes: several 2 MiB blocks */
	uint8_t *p[3][N];
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < N; i++) {
			p[k][i] = hd_slab_alloc(&sl, sizes[k], &served);
			ck_assert(served == SLABS_ON);
			if (!SLABS_ON)
				continue;
			ck_assert_ptr_nonnull(p[k][i]);
			ck_assert_uint_eq((uintptr_t)p[k][i] % 64, 0);
			ck_assert(all_zero(p[k][i], sizes[k]));
			memset(p[k][i], 0xa0 + k, sizes[k]);
		}
	}
	if (SLABS_ON) {
		/* No overlap: every state still holds its own pattern. */
		for (int k = 0; k < 3; k++)
			for (int i = 0; i < N; i++)
				for (size_t j = 0; j < sizes[k]; j += 97)
					ck_assert_uint_eq(p[k][i][j], 0xa0 + k);
		/* Freed states come back zeroed, the last freed first. */
		for (int i = 0; i < N; i++)
			ck_assert(hd_slab_free(&sl, p[1][i], sizes[1]));
		for (int i = N - 1; i >= 0; i--) {
			uint8_t *q = hd_slab_alloc(&sl, sizes[1], &served);
			ck_assert(served);
			ck_assert_ptr_eq(q, p[1][i]);
			ck_assert(all_zero(q, sizes[1]));
		}
	}
	/* Too large for a class, or no class left: calloc's business. */
	ck_assert_ptr_null(hd_slab_alloc(&sl, HD_SLAB_MAX_SIZE + 1, &served));
	ck_assert(!served);
	ck_assert(!hd_slab_free(&sl, NULL, HD_SLAB_MAX_SIZE + 1));
	for (size_t sz = 100; sz < 100 + HD_SLAB_CLASSES; sz++) {
		void *q = hd_slab_alloc(&sl, sz, &served);
		ck_assert(served == (SLABS_ON && sz < 100 + HD_SLAB_CLASSES - 3));
		ck_assert(!served || q != NULL);
	}
	ck_assert(!hd_slab_free(&sl, NULL, 100 + HD_SLAB_CLASSES - 1));
	hd_slabs_release(&sl);
	ck_assert_uint_eq(sl.n, 0);
	/* Usable again after release. */
	void *q = hd_slab_alloc(&sl, 64, &served);
	ck_assert(served == SLABS_ON);
	ck_assert(!SLABS_ON || (q != NULL && all_zero(q, 64)));
	hd_slabs_release(&sl);
}
END_TEST

static Suite *fastpath_suite(void)
{
	Suite *s = suite_create("fastpath");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_time_vs_gmtime);
	tcase_add_test(tc, test_ip_text_vs_inet_ntop);
	tcase_add_test(tc, test_community_sha1_vs_libmd);
	tcase_add_test(tc, test_json_member_paths);
	tcase_add_test(tc, test_json_literal_keys);
	tcase_add_test(tc, test_relay_sink);
	tcase_add_test(tc, test_slab_states);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	/* gmtime_r must not apply a local zone's leap seconds to the reference. */
	setenv("TZ", "UTC", 1);
	tzset();
	SRunner *sr = srunner_create(fastpath_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
