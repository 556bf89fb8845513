/* SPDX-License-Identifier: BSD-2-Clause */
/* Transcript runner for the HTTP and SSH suites (see test_http_run.h). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/json_check.h"
#include "tests/test_http_run.h"

#define HR_TS 1795729881000000ULL

static void start(struct hd_harness *h, const struct hr_opts *o)
{
	struct out_flow_meta m;
	hh_setup(h, NULL, 0);
	/* Transcripts are replayed one byte per call: detection may take as
	 * many calls as a start line has bytes. */
	h->ctx.probe_budget_pkts = 1u << 20;
	memset(&m, 0, sizeof m);
	m.ip_version = 4;
	m.ip_proto = 6;
	ck_assert_int_eq(inet_pton(AF_INET, "10.77.1.2", m.src_addr), 1);
	ck_assert_int_eq(inet_pton(AF_INET, "10.77.1.1", m.dest_addr), 1);
	m.src_port = 41604;
	m.dest_port = o->dport ? o->dport : 80;
	out_meta_finish(&m, 0, HR_TS);
	hd_session_init(&h->s, &h->ctx, &m, PD_TCP, o->midstream);
}

/* Each call gets an exact-size heap copy, so ASan sees any read past it. */
static void deliver(struct hd_harness *h, enum pd_dir dir, const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, n);
	hd_session_data(&h->s, dir, copy, n, HR_TS);
	free(copy);
}

/* Plays one segment; *budget counts down the bytes still allowed. */
static void play(struct hd_harness *h, enum pd_dir dir, const uint8_t *p, size_t len,
                 const struct hr_opts *o, size_t *budget)
{
	if (len > *budget)
		len = *budget;
	*budget -= len;
	size_t step = o->chunk ? o->chunk : len;
	for (size_t off = 0; off < len; off += step)
		deliver(h, dir, p + off, len - off < step ? len - off : step);
}

static void finish(struct hd_harness *h, const struct hr_opts *o)
{
	if (!o->keep_open)
		hd_session_close(&h->s, PD_CLOSE_FIN, HR_TS);
}

void hr_run(struct hd_harness *h, const struct hr_step *steps, size_t n, const struct hr_opts *o)
{
	size_t budget = o->limit ? o->limit : SIZE_MAX;
	start(h, o);
	for (size_t i = 0; i < n && budget > 0; i++) {
		const struct hr_step *st = &steps[i];
		size_t len = st->len ? st->len : strlen(st->data);
		if (st->dir == 'c' || st->dir == 's') {
			hd_session_gap(&h->s, st->dir == 'c' ? PD_TO_SERVER : PD_TO_CLIENT, len, HR_TS);
			continue;
		}
		play(h, st->dir == 'C' ? PD_TO_SERVER : PD_TO_CLIENT, (const uint8_t *)st->data, len, o,
		     &budget);
	}
	finish(h, o);
}

void hr_run_segs(struct hd_harness *h, const struct hr_seg *segs, size_t n,
                 const struct hr_opts *o)
{
	size_t budget = o->limit ? o->limit : SIZE_MAX;
	start(h, o);
	for (size_t i = 0; i < n && budget > 0; i++)
		play(h, segs[i].dir, segs[i].data, segs[i].len, o, &budget);
	finish(h, o);
}

size_t hr_total(const struct hr_step *steps, size_t n)
{
	size_t t = 0;
	for (size_t i = 0; i < n; i++)
		if (steps[i].dir == 'C' || steps[i].dir == 'S')
			t += steps[i].len ? steps[i].len : strlen(steps[i].data);
	return t;
}

const char *hr_text(const struct hd_harness *h)
{
	return h->sink.mem != NULL ? h->sink.mem : "";
}

long hr_event(const struct hd_harness *h, const char *type, size_t k)
{
	size_t n = hh_count(h);
	for (size_t i = 0; i < n; i++) {
		char v[32];
		if (jc_get_string(hh_line(h, i), "event_type", v, sizeof v) != 0 || strcmp(v, type) != 0)
			continue;
		if (k-- == 0)
			return (long)i;
	}
	return -1;
}

size_t hr_events(const struct hd_harness *h, const char *type)
{
	size_t k = 0;
	while (hr_event(h, type, k) >= 0)
		k++;
	return k;
}

size_t hr_anomalies(const struct hd_harness *h, const char *name)
{
	size_t count = 0;
	long i = -1;
	while ((i = hh_find(h, (size_t)(i + 1), "anomaly", name)) >= 0)
		count++;
	return count;
}

static void check_value(const char *l, const char *name, const struct hr_chk *k)
{
	char sv[4096];
	uint64_t uv = 0;
	bool bv = false;
	size_t cv = 0;
	const char *st;
	size_t sl;
	switch (k->kind) {
	case 's':
		ck_assert_msg(jc_get_string(l, k->path, sv, sizeof sv) == 0, "%s: %s not a string\n%.2000s",
		              name, k->path, l);
		ck_assert_msg(strcmp(sv, k->s) == 0, "%s: %s = \"%s\", want \"%s\"", name, k->path, sv,
		              k->s);
		break;
	case 'u':
		ck_assert_msg(jc_get_uint(l, k->path, &uv) == 0, "%s: %s not a number\n%s", name, k->path,
		              l);
		ck_assert_msg(uv == k->u, "%s: %s = %llu, want %llu", name, k->path,
		              (unsigned long long)uv, (unsigned long long)k->u);
		break;
	case 'b':
		ck_assert_msg(jc_get_bool(l, k->path, &bv) == 0, "%s: %s not a bool\n%s", name, k->path, l);
		ck_assert_msg(bv == (k->u != 0), "%s: %s = %d, want %d", name, k->path, bv, (int)k->u);
		break;
	case 'n':
		ck_assert_msg(jc_is_null(l, k->path) == 0, "%s: %s not null\n%s", name, k->path, l);
		break;
	case 'c':
		ck_assert_msg(jc_get_count(l, k->path, &cv) == 0, "%s: %s not a container\n%s", name,
		              k->path, l);
		ck_assert_msg(cv == k->u, "%s: %s has %zu members, want %llu", name, k->path, cv,
		              (unsigned long long)k->u);
		break;
	case 'x':
		ck_assert_msg(jc_get_raw(l, k->path, &st, &sl) != 0, "%s: %s present\n%s", name, k->path,
		              l);
		break;
	default:
		ck_abort_msg("bad check kind");
	}
}

void hr_check(const struct hd_harness *h, const char *type, const char *name,
              const struct hr_chk *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct hr_chk *k = &c[i];
		if (strcmp(k->sel, "*") == 0) {
			ck_assert_msg(strstr(hr_text(h), k->s) == NULL, "%s: output holds \"%s\"\n%s", name,
			              k->s, hr_text(h));
		} else if (strcmp(k->sel, "A") == 0) {
			ck_assert_msg(hr_anomalies(h, k->path) > 0, "%s: anomaly %s missing\n%.2000s", name, k->path,
			              hr_text(h));
		} else if (strcmp(k->sel, "!A") == 0) {
			ck_assert_msg(hr_anomalies(h, k->path) == 0, "%s: anomaly %s raised\n%.2000s", name,
			              k->path, hr_text(h));
		} else if (strcmp(k->sel, "#") == 0) {
			ck_assert_msg(hr_events(h, type) == k->u, "%s: %zu %s events, want %llu\n%.2000s", name,
			              hr_events(h, type), type, (unsigned long long)k->u, hr_text(h));
		} else {
			long idx = hr_event(h, type, strtoul(k->sel, NULL, 10));
			ck_assert_msg(idx >= 0, "%s: no %s event %s\n%.2000s", name, type, k->sel,
			              hr_text(h));
			check_value(hh_line(h, (size_t)idx), name, k);
		}
	}
}
