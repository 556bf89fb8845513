/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite: a SYN flood of 2,000,000 distinct flows against a small table
 * (65,536 flows, 32 MiB). A memory assertion, not a timing one: the table's
 * own accounting never passes the cap, the process's peak RSS grows by less
 * than cap + 64 MiB, and every flow beyond the capacity is an eviction. */

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "flows/flowtable.h"

#define FLOOD_FLOWS 2000000u
#define FLOOD_MAX 65536u
#define FLOOD_MEMCAP (32ull << 20)
#define FLOOD_USER 256u
#define SLACK (64ull << 20)

struct counts {
	uint64_t ends, evictions;
};

static void on_end(void *arg, struct flow *f, enum flow_end why)
{
	struct counts *c = arg;
	c->ends++;
	if (why == FLOW_END_EVICTION)
		c->evictions++;
	/* the engine would close its session here: touch the user area */
	memset(flow_user(f), 0xa5, FLOOD_USER);
}

static uint64_t peak_rss_bytes(void)
{
	struct rusage ru;
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return (uint64_t)ru.ru_maxrss * 1024u; /* Linux reports KiB */
}

START_TEST(test_syn_flood_bounded)
{
	struct counts c = { 0, 0 };
	struct flow_config cfg = { .max_flows = FLOOD_MAX, .memcap = FLOOD_MEMCAP,
	                           .user_size = FLOOD_USER, .on_end = on_end, .arg = &c,
	                           .hash_seed = 0x5eed };
	char err[128];
	uint64_t rss0 = peak_rss_bytes();
	struct flowtable *ft = flow_new(&cfg, err, sizeof(err));
	ck_assert_msg(ft != NULL, "%s", err);
	const struct flow_stats *st = flow_get_stats(ft);

	struct pd_packet p;
	memset(&p, 0, sizeof(p));
	p.ip_version = 4;
	p.ip_proto = 6;
	p.has_l4 = true;
	p.tcp_flags = PD_TCP_SYN;
	p.dst.b[0] = 192;
	p.dst.b[2] = 2;
	p.dst.b[3] = 1;
	p.dport = 80;
	uint64_t now = 1700000000ull * 1000000u;
	for (uint32_t i = 0; i < FLOOD_FLOWS; i++) {
		p.src.b[0] = 10;
		p.src.b[1] = (uint8_t)(i >> 16);
		p.src.b[2] = (uint8_t)(i >> 8);
		p.src.b[3] = (uint8_t)i;
		p.sport = (uint16_t)(1024 + (i >> 24));
		bool created;
		struct flow *f = flow_lookup(ft, &p, 60, now + i, NULL, &created);
		/* plain checks: Check records every passing ck_assert (slow in a loop) */
		if (f == NULL || !created)
			ck_abort_msg("packet %u: no new flow", i);
		if (st->mem_in_use > FLOOD_MEMCAP)
			ck_abort_msg("packet %u: %llu bytes in use", i,
			             (unsigned long long)st->mem_in_use);
		if ((i & 1023) == 0)
			flow_expire(ft, now + i);
	}
	uint64_t capacity = st->peak_active;
	ck_assert_uint_le(capacity, FLOOD_MAX);
	ck_assert_uint_ge(capacity, FLOOD_MAX / 2);
	ck_assert_uint_le(st->peak_mem, FLOOD_MEMCAP);
	ck_assert_uint_le(st->mem_in_use, FLOOD_MEMCAP);
	ck_assert_uint_eq(st->active, capacity);
	ck_assert_uint_eq(st->created, FLOOD_FLOWS);
	ck_assert_uint_eq(st->evictions, FLOOD_FLOWS - capacity);
	ck_assert_uint_eq(c.evictions, FLOOD_FLOWS - capacity);
	ck_assert_uint_eq(st->ended_by_reason[FLOW_END_TIMEOUT], 0);
	/* full because of max_flows or the memcap, and counted as such */
	if (capacity < FLOOD_MAX)
		ck_assert_uint_eq(st->memcap_hits, st->evictions);
	else
		ck_assert_uint_eq(st->memcap_hits, 0);

	uint64_t grew = peak_rss_bytes() - rss0;
	ck_assert_msg(grew < FLOOD_MEMCAP + SLACK, "peak RSS grew by %llu bytes",
	              (unsigned long long)grew);

	flow_end_all(ft, FLOW_END_SHUTDOWN);
	ck_assert_uint_eq(c.ends, FLOOD_FLOWS);
	ck_assert_uint_eq(st->active, 0);
	flow_free(ft);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("flow_flood");
	TCase *tc = tcase_create("flood");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_syn_flood_bounded);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
