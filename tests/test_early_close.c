/* SPDX-License-Identifier: BSD-2-Clause */
/* A TCP session closes as soon as both FINs have been reached in order
 * (daemon/engine.c): its records come at the close and its handler state is
 * freed then, not after the flow's linger. A hole before a FIN or a RST keeps
 * the session open until the flow ends. Drives the real engine through the
 * flood rig's frame builders and reads its memory sink between frames. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/decode.h"
#include "tests/test_flood_rig.h"

static const char greeting[] = "220 mx.example ESMTP\r\n";
static const char ehlo[] = "EHLO client.example\r\n";
static const char ehlo_reply[] = "250-mx.example\r\n250 PIPELINING\r\n";
static const char quit[] = "QUIT\r\n";
static const char bye[] = "221 bye\r\n";

static struct fl_rig *rig_new(void)
{
	struct fl_rig *r = calloc(1, sizeof *r);
	ck_assert_ptr_nonnull(r);
	fl_open(r, NULL);
	return r;
}

static void rig_free(struct fl_rig *r)
{
	fl_close(r);
	free(r);
}

/* Occurrences of needle among the events written since the last drain
 * (the rig drains only past 1 MiB, so all of them here). */
static unsigned sink_count(const struct fl_rig *r, const char *needle)
{
	unsigned n = 0;
	const char *p = r->sink.mem, *end = r->sink.mem + r->sink.mem_len;
	size_t k = strlen(needle);
	while (p != NULL && p < end) {
		p = memmem(p, (size_t)(end - p), needle, k);
		if (p != NULL) {
			n++;
			p += k;
		}
	}
	return n;
}

static void smtp_dialogue(struct fl_rig *r, struct fl_conn *c)
{
	fl_conn_open(r, c);
	fl_conn_send(r, c, 1, greeting, strlen(greeting));
	fl_conn_send(r, c, 0, ehlo, strlen(ehlo));
	fl_conn_send(r, c, 1, ehlo_reply, strlen(ehlo_reply));
}

START_TEST(test_closes_at_second_fin)
{
	struct fl_rig *r = rig_new();
	struct fl_conn c = { { 10, 0, 0, 2 }, { 192, 0, 2, 25 }, 40000, 587, { 100, 5000 } };

	smtp_dialogue(r, &c);
	fl_conn_send(r, &c, 0, quit, strlen(quit));
	fl_conn_send(r, &c, 1, bye, strlen(bye));
	fl_conn_fin(r, &c, 1);
	/* One FIN: the client may still send. */
	ck_assert_uint_eq(sink_count(r, "\"type\":\"session\""), 0);
	ck_assert_uint_gt(r->hc->mem_in_use, 0);

	fl_conn_fin(r, &c, 0);
	ck_assert_uint_eq(sink_count(r, "\"type\":\"session\""), 1);
	ck_assert_uint_eq(sink_count(r, "\"how\":\"QUIT\""), 1);
	ck_assert_uint_eq(r->hc->mem_in_use, 0); /* the state went back at the close */
	ck_assert_uint_eq(sink_count(r, "\"event_type\":\"flow\""), 0); /* flow still lingers */
	ck_assert_uint_eq(r->fs->active, 1);

	fl_finish(r);
	ck_assert_uint_eq(fl_count(r, "smtp"), 1); /* the session record, once */
	ck_assert_uint_eq(fl_count(r, "flow/fin"), 1);
	rig_free(r);
}
END_TEST

START_TEST(test_hole_before_fin_keeps_session)
{
	struct fl_rig *r = rig_new();
	struct fl_conn c = { { 10, 0, 0, 3 }, { 192, 0, 2, 25 }, 40001, 25, { 100, 5000 } };

	smtp_dialogue(r, &c);
	uint32_t quit_seq = c.seq[0];
	/* The server answers and closes acknowledging only up to the QUIT (an
	 * ACK past bytes never seen would declare them lost). */
	fl_conn_send(r, &c, 1, bye, strlen(bye));
	fl_conn_fin(r, &c, 1);
	c.seq[0] += (uint32_t)strlen(quit); /* the QUIT is not captured yet */
	fl_conn_fin(r, &c, 0);
	/* Both FINs seen, but the client's FIN is not reached: bytes are missing. */
	ck_assert_uint_eq(sink_count(r, "\"type\":\"session\""), 0);
	ck_assert_uint_gt(r->hc->mem_in_use, 0);

	/* the retransmission */
	fl_conn_segment_at(r, &c, 0, quit_seq, PD_TCP_ACK | PD_TCP_PSH, quit, strlen(quit));
	ck_assert_uint_eq(sink_count(r, "\"type\":\"session\""), 1);
	ck_assert_uint_eq(sink_count(r, "\"how\":\"QUIT\""), 1); /* it saw the late QUIT */
	ck_assert_uint_eq(r->hc->mem_in_use, 0);

	fl_finish(r);
	ck_assert_uint_eq(fl_count(r, "smtp"), 1);
	ck_assert_uint_eq(fl_count(r, "flow/fin"), 1);
	rig_free(r);
}
END_TEST

START_TEST(test_rst_closes_at_flow_end)
{
	struct fl_rig *r = rig_new();
	struct fl_conn c = { { 10, 0, 0, 4 }, { 192, 0, 2, 25 }, 40002, 25, { 100, 5000 } };

	smtp_dialogue(r, &c);
	fl_conn_segment_at(r, &c, 1, c.seq[1], PD_TCP_RST | PD_TCP_ACK, NULL, 0);
	/* A RST ends the connection, but the session closes with its flow. */
	ck_assert_uint_eq(sink_count(r, "\"type\":\"session\""), 0);
	ck_assert_uint_gt(r->hc->mem_in_use, 0);

	fl_finish(r);
	ck_assert_uint_eq(fl_count(r, "smtp"), 1);
	ck_assert_uint_eq(fl_count(r, "flow/rst"), 1);
	ck_assert_uint_eq(r->hc->mem_in_use, 0);
	rig_free(r);
}
END_TEST

static Suite *early_close_suite(void)
{
	Suite *s = suite_create("early_close");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_closes_at_second_fin);
	tcase_add_test(tc, test_hole_before_fin_keeps_session);
	tcase_add_test(tc, test_rst_closes_at_flow_end);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(early_close_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
