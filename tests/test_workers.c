/* SPDX-License-Identifier: BSD-2-Clause */
/* --workers reading a pcap file in blocks (daemon/workers.h,
 * workers_read_file): where a stretch ends (pause between blocks, the stats
 * clock, a record left to libpcap, the end of the file), that every record is
 * taken exactly once across stretches, and that two workers together count
 * what was read. The events themselves are compared with one thread's by
 * tests/test-workers.sh. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/engine.h"
#include "daemon/savefile.h"
#include "daemon/workers.h"
#include "handlers/registry.h"
#include "output/sink.h"

#define NFRAMES 4000u
#define FRAME 700u                 /* ~2.8 MB: about eleven blocks */
#define REC (16u + FRAME)
#define T0 1700000000000000ull     /* microseconds */
#define STEP 1000u                 /* between frames */

struct rig {
	char path[64];
	int fd;
	struct hd_registry reg;
	struct out_sink sink;
	struct pd_engine *front;
	struct workers *w;
	struct savefile *sf;
};

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* Ethernet + IPv4 + UDP frame i: 500 address pairs, 7 ports. */
static void frame(uint8_t *f, unsigned i)
{
	memset(f, 0, FRAME);
	f[12] = 0x08;
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((FRAME - 14) >> 8);
	ip[3] = (uint8_t)(FRAME - 14);
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 10; ip[13] = 0; ip[14] = (uint8_t)(i % 500 / 250); ip[15] = (uint8_t)(i % 250 + 1);
	ip[16] = 10; ip[17] = 1; ip[18] = 0; ip[19] = 1;
	uint8_t *udp = ip + 20;
	udp[0] = (uint8_t)((40000 + i % 500) >> 8);
	udp[1] = (uint8_t)(40000 + i % 500);
	udp[2] = (uint8_t)((9000 + i % 7) >> 8);
	udp[3] = (uint8_t)(9000 + i % 7);
	udp[4] = (uint8_t)((FRAME - 34) >> 8);
	udp[5] = (uint8_t)(FRAME - 34);
}

/* Writes the capture; the record numbered bad (if < NFRAMES) gets a time
 * libpcap keeps and the fast reader leaves to it (microseconds >= 10^6). */
static void rig_open(struct rig *r, unsigned bad)
{
	char err[256];
	uint8_t hdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
	static uint8_t rec[REC];

	strcpy(r->path, "/tmp/pd-test-workers-XXXXXX");
	r->fd = mkstemp(r->path);
	ck_assert_int_ge(r->fd, 0);
	put32(hdr + 16, 65535);
	put32(hdr + 20, 1);
	ck_assert_int_eq(write(r->fd, hdr, sizeof hdr), (ssize_t)sizeof hdr);
	for (unsigned i = 0; i < NFRAMES; i++) {
		uint64_t ts = T0 + (uint64_t)i * STEP;
		put32(rec, (uint32_t)(ts / 1000000u));
		put32(rec + 4, i == bad ? 1999999u : (uint32_t)(ts % 1000000u));
		put32(rec + 8, FRAME);
		put32(rec + 12, FRAME);
		frame(rec + 16, i);
		ck_assert_int_eq(write(r->fd, rec, REC), (ssize_t)REC);
	}
	ck_assert_int_eq(hd_registry_init(&r->reg, err, sizeof err), 0);
	ck_assert_int_eq(out_sink_open(&r->sink, OUT_SINK_MEMORY, NULL, err, sizeof err), 0);
	struct engine_config cfg = {0};
	ck_assert_int_eq(engine_new(&r->front, &cfg, &r->reg, &r->sink, err, sizeof err), 0);
	ck_assert_msg(workers_start(&r->w, 2, true, &cfg, &r->reg, &r->sink, r->front, err,
	                            sizeof err) == 0, "%s", err);
	r->sf = savefile_open(r->fd, 1, 65535);
	ck_assert_ptr_nonnull(r->sf);
}

static void rig_close(struct rig *r)
{
	workers_free(r->w);
	engine_free(r->front);
	out_sink_close(&r->sink);
	savefile_free(r->sf);
	close(r->fd);
	unlink(r->path);
}

struct pauser {
	unsigned calls, at;   /* pause at the at-th call (0: never) */
	uint64_t last_pos, last_packets;
};

static bool pause_at(void *arg, uint64_t pos, uint64_t packets)
{
	struct pauser *p = arg;

	ck_assert_uint_ge(pos, p->last_pos);        /* progress moves forward */
	ck_assert_uint_ge(packets, p->last_packets);
	p->last_pos = pos;
	p->last_packets = packets;
	return ++p->calls == p->at;
}

/* Reads on from where the last stretch ended until the file's records end. */
static uint64_t read_rest(struct rig *r, struct workers_span *sp, unsigned *stretches)
{
	uint64_t total = 0;
	do {
		struct pauser never = {0};
		ck_assert(workers_read_file(r->w, r->sf, 1, 0, pause_at, &never, sp));
		savefile_seek(r->sf, sp->end);
		total += sp->packets;
		(*stretches)++;
	} while (sp->paused);
	return total;
}

START_TEST(test_pause_between_blocks)
{
	static struct rig r;
	struct workers_span sp;
	struct pauser p = {.at = 3};
	unsigned stretches = 0;

	rig_open(&r, NFRAMES);
	ck_assert(workers_read_file(r.w, r.sf, 1, 0, pause_at, &p, &sp));
	ck_assert(sp.paused);
	ck_assert_uint_ge(p.calls, 3); /* and once per block read ahead before it */
	/* Three blocks taken, and those already read ahead finished: whole records. */
	ck_assert_uint_gt(sp.packets, 0);
	ck_assert_uint_lt(sp.packets, NFRAMES);
	ck_assert_uint_eq(sp.end, 24 + sp.packets * REC);
	ck_assert_uint_eq(sp.bytes, sp.packets * FRAME);
	uint64_t first = sp.packets;
	savefile_seek(r.sf, sp.end);
	uint64_t rest = read_rest(&r, &sp, &stretches);
	ck_assert(!sp.paused);
	ck_assert_uint_eq(stretches, 1);
	ck_assert_uint_eq(first + rest, NFRAMES);
	ck_assert_uint_eq(sp.end, 24 + (uint64_t)NFRAMES * REC);
	/* Every record once, in one of the two engines. */
	workers_stop(r.w);
	const struct engine_stats *st = engine_stats(r.front);
	ck_assert_uint_eq(st->packets, NFRAMES);
	ck_assert_uint_eq(st->udp_packets, NFRAMES);
	ck_assert_uint_eq(st->flows_created, 3500); /* (i mod 500, i mod 7): lcm 3500 */
	rig_close(&r);
}
END_TEST

/* A stretch ends right after the first record at the stats clock. */
START_TEST(test_stop_at_clock)
{
	static struct rig r;
	struct workers_span sp;
	struct pauser p = {0};
	unsigned stretches = 0;

	rig_open(&r, NFRAMES);
	ck_assert(workers_read_file(r.w, r.sf, 1, T0 + 1234ull * STEP + 1, pause_at, &p, &sp));
	ck_assert(sp.paused);
	ck_assert_uint_eq(sp.packets, 1236); /* records 0..1235: 1235 is the first at the clock */
	ck_assert_uint_eq(sp.end, 24 + 1236ull * REC);
	savefile_seek(r.sf, sp.end);
	ck_assert_uint_eq(1236 + read_rest(&r, &sp, &stretches), NFRAMES);
	rig_close(&r);
}
END_TEST

/* A record the fast reader leaves to libpcap ends the stretch before it. */
START_TEST(test_handover)
{
	static struct rig r;
	struct workers_span sp;
	struct pauser p = {0};
	struct capture_packet pkt;

	rig_open(&r, 2000);
	ck_assert(workers_read_file(r.w, r.sf, 1, 0, pause_at, &p, &sp));
	ck_assert(!sp.paused);
	ck_assert_uint_eq(sp.packets, 2000);
	ck_assert_uint_eq(sp.end, 24 + 2000ull * REC);
	savefile_seek(r.sf, sp.end);
	ck_assert_int_eq(savefile_next(r.sf, &pkt), CAPTURE_NONE); /* libpcap's turn */
	ck_assert_uint_eq(savefile_offset(r.sf), sp.end);
	rig_close(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("workers");
	TCase *tc = tcase_create("file");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pause_between_blocks);
	tcase_add_test(tc, test_stop_at_clock);
	tcase_add_test(tc, test_handover);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
