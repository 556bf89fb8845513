/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP test runner (see test_smtp_run.h). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/json_check.h"
#include "tests/test_smtp_run.h"

#define SR_TS 1795729881000000ULL

static void deliver(struct hd_harness *h, enum pd_dir dir, const uint8_t *p, size_t n,
                    const struct sr_opts *o)
{
	hd_session_data(&h->s, dir, p, n, SR_TS);
	if (o->mem_limit > 0)
		ck_assert_msg(h->ctx.mem_in_use <= o->mem_limit, "memory in use %llu > %zu",
		              (unsigned long long)h->ctx.mem_in_use, o->mem_limit);
}

void sr_run(struct hd_harness *h, const struct sr_step *steps, size_t n, const struct sr_opts *o)
{
	struct out_flow_meta m;
	hh_setup(h, NULL, 0);
	memset(&m, 0, sizeof m);
	m.ip_version = 4;
	m.ip_proto = 6;
	ck_assert_int_eq(inet_pton(AF_INET, "10.77.1.2", m.src_addr), 1);
	ck_assert_int_eq(inet_pton(AF_INET, "10.77.1.1", m.dest_addr), 1);
	m.src_port = 40000;
	m.dest_port = o->dport ? o->dport : 25;
	out_meta_finish(&m, 0, SR_TS);
	hd_session_init(&h->s, &h->ctx, &m, PD_TCP, o->midstream);

	for (size_t i = 0; i < n; i++) {
		const struct sr_step *st = &steps[i];
		size_t len = st->len ? st->len : (st->data ? strlen(st->data) : 0);
		if (st->dir == 'c' || st->dir == 's') {
			hd_session_gap(&h->s, st->dir == 'c' ? PD_TO_SERVER : PD_TO_CLIENT, len, SR_TS);
			continue;
		}
		enum pd_dir dir = st->dir == 'C' ? PD_TO_SERVER : PD_TO_CLIENT;
		const uint8_t *p = (const uint8_t *)st->data;
		/* Detection is the core's (its packet budget would end it on
		 * one-byte segments): cut finely once the handler owns the flow. */
		if (o->chunk > 0 && h->s.phase != HD_DETECTING) {
			for (size_t off = 0; off < len; off += o->chunk)
				deliver(h, dir, p + off, len - off < o->chunk ? len - off : o->chunk, o);
		} else if (o->cut > 0 && o->cut < len) {
			deliver(h, dir, p, o->cut, o);
			deliver(h, dir, p + o->cut, len - o->cut, o);
		} else {
			deliver(h, dir, p, len, o);
		}
	}
	if (!o->keep_open)
		hd_session_close(&h->s, (enum pd_close)o->why, SR_TS);
}

const char *sr_text(const struct hd_harness *h)
{
	return h->sink.mem != NULL ? h->sink.mem : "";
}

long sr_smtp(const struct hd_harness *h, const char *type, size_t k)
{
	size_t n = hh_count(h);
	for (size_t i = 0; i < n; i++) {
		const char *l = hh_line(h, i);
		char v[32];
		if (jc_get_string(l, "event_type", v, sizeof v) != 0 || strcmp(v, "smtp") != 0)
			continue;
		if (jc_get_string(l, "smtp.type", v, sizeof v) != 0 || strcmp(v, type) != 0)
			continue;
		if (k-- == 0)
			return (long)i;
	}
	return -1;
}

size_t sr_anomalies(const struct hd_harness *h, const char *name)
{
	size_t count = 0;
	long i = -1;
	while ((i = hh_find(h, (size_t)(i + 1), "anomaly", name)) >= 0)
		count++;
	return count;
}

void sr_check(const struct hd_harness *h, const char *name, const struct sr_chk *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sr_chk *k = &c[i];
		if (strcmp(k->sel, "*") == 0) {
			ck_assert_msg(strstr(sr_text(h), k->s) == NULL, "%s: output holds \"%s\"\n%s", name,
			              k->s, sr_text(h));
			continue;
		}
		if (strcmp(k->sel, "A") == 0 || strcmp(k->sel, "!A") == 0) {
			size_t got = sr_anomalies(h, k->path);
			if (k->sel[0] == '!')
				ck_assert_msg(got == 0, "%s: anomaly %s raised", name, k->path);
			else
				ck_assert_msg(got > 0, "%s: anomaly %s missing\n%s", name, k->path, sr_text(h));
			continue;
		}
		long idx;
		if (k->sel[0] == 'T')
			idx = sr_smtp(h, "transaction", (size_t)(k->sel[1] - '1'));
		else
			idx = sr_smtp(h, "session", 0);
		ck_assert_msg(idx >= 0, "%s: no %s record\n%s", name, k->sel, sr_text(h));
		const char *l = hh_line(h, (size_t)idx);
		char sv[512];
		uint64_t uv = 0;
		bool bv = false;
		size_t cv = 0;
		switch (k->kind) {
		case 's':
			ck_assert_msg(jc_get_string(l, k->path, sv, sizeof sv) == 0, "%s: %s %s not a string\n%s",
			              name, k->sel, k->path, l);
			ck_assert_msg(strcmp(sv, k->s) == 0, "%s: %s %s = \"%s\", want \"%s\"", name, k->sel,
			              k->path, sv, k->s);
			break;
		case 'u':
			ck_assert_msg(jc_get_uint(l, k->path, &uv) == 0, "%s: %s %s not a number\n%s", name,
			              k->sel, k->path, l);
			ck_assert_msg(uv == k->u, "%s: %s %s = %llu, want %llu", name, k->sel, k->path,
			              (unsigned long long)uv, (unsigned long long)k->u);
			break;
		case 'b':
			ck_assert_msg(jc_get_bool(l, k->path, &bv) == 0, "%s: %s %s not a bool\n%s", name,
			              k->sel, k->path, l);
			ck_assert_msg(bv == (k->u != 0), "%s: %s %s = %d, want %d", name, k->sel, k->path, bv,
			              (int)k->u);
			break;
		case 'n':
			ck_assert_msg(jc_is_null(l, k->path) == 0, "%s: %s %s not null\n%s", name, k->sel,
			              k->path, l);
			break;
		case 'c':
			ck_assert_msg(jc_get_count(l, k->path, &cv) == 0, "%s: %s %s not a container\n%s",
			              name, k->sel, k->path, l);
			ck_assert_msg(cv == k->u, "%s: %s %s has %zu members, want %llu", name, k->sel, k->path,
			              cv, (unsigned long long)k->u);
			break;
		case 'x': {
			const char *st;
			size_t sl;
			ck_assert_msg(jc_get_raw(l, k->path, &st, &sl) != 0, "%s: %s %s present\n%s", name,
			              k->sel, k->path, l);
			break;
		}
		default:
			ck_abort_msg("bad check kind");
		}
	}
}
