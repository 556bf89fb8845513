/* SPDX-License-Identifier: BSD-2-Clause */
/* Test harness for the handler suites (see test_hd_harness.h). */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "tests/json_check.h"
#include "tests/test_hd_harness.h"

void hh_setup(struct hd_harness *h, const struct pd_handler *const *handlers, size_t n)
{
	char err[160];
	memset(h, 0, sizeof *h);
	if (handlers == NULL) {
		ck_assert_msg(hd_registry_init(&h->reg, err, sizeof err) == 0, "%s", err);
	} else {
		for (size_t i = 0; i < n; i++) {
			ck_assert_msg(hd_registry_add(&h->reg, handlers[i], err, sizeof err) == 0, "%s",
			              err);
		}
	}
	ck_assert_int_eq(out_sink_open(&h->sink, OUT_SINK_MEMORY, NULL, err, sizeof err), 0);
	ck_assert_int_eq(out_event_init(&h->ev, &h->sink, 0), 0);
	hd_ctx_init(&h->ctx, &h->reg, &h->ev);
}

void hh_session(struct hd_harness *h, unsigned transport, uint16_t sport, uint16_t dport)
{
	struct out_flow_meta m;
	memset(&m, 0, sizeof m);
	m.ip_version = 4;
	m.ip_proto = transport == PD_TCP ? 6 : 17;
	ck_assert_int_eq(inet_pton(AF_INET, "10.0.0.1", m.src_addr), 1);
	ck_assert_int_eq(inet_pton(AF_INET, "10.0.0.2", m.dest_addr), 1);
	m.src_port = sport;
	m.dest_port = dport;
	out_meta_finish(&m, 0, 1795729881000000ULL);
	hd_session_init(&h->s, &h->ctx, &m, transport, false);
}

void hh_teardown(struct hd_harness *h)
{
	if (h->s.ctx != NULL) {
		hd_session_close(&h->s, PD_CLOSE_SHUTDOWN, 0);
	}
	out_event_free(&h->ev);
	out_sink_close(&h->sink);
}

size_t hh_count(const struct hd_harness *h)
{
	size_t n = 0;
	for (size_t i = 0; i < h->sink.mem_len; i++) {
		n += h->sink.mem[i] == '\n';
	}
	return n;
}

const char *hh_line(const struct hd_harness *h, size_t n)
{
	static char buf[1 << 18];
	const char *p = h->sink.mem;
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n; i++) {
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	const char *nl = strchr(p, '\n');
	ck_assert_ptr_nonnull(nl);
	size_t len = (size_t)(nl - p);
	ck_assert_uint_lt(len, sizeof buf);
	memcpy(buf, p, len);
	buf[len] = '\0';
	char err[128];
	ck_assert_msg(jc_validate(buf, len, err, sizeof err) == 0, "%s: %s", err, buf);
	return buf;
}

long hh_find(const struct hd_harness *h, size_t from, const char *type, const char *event)
{
	size_t n = hh_count(h);
	for (size_t i = from; i < n; i++) {
		const char *l = hh_line(h, i);
		char v[64];
		if (jc_get_string(l, "event_type", v, sizeof v) != 0 || strcmp(v, type) != 0) {
			continue;
		}
		if (event != NULL &&
		    (jc_get_string(l, "anomaly.event", v, sizeof v) != 0 || strcmp(v, event) != 0)) {
			continue;
		}
		return (long)i;
	}
	return -1;
}

void hh_clear(struct hd_harness *h)
{
	h->sink.mem_len = 0;
	if (h->sink.mem != NULL) {
		h->sink.mem[0] = '\0';
	}
}
