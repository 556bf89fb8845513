/* SPDX-License-Identifier: BSD-2-Clause */
/* Test harness for the handler suites: a registry, a memory sink, an event
 * builder, a context and one session, plus access to the event lines. */
#ifndef PD_TESTS_HD_HARNESS_H
#define PD_TESTS_HD_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "handlers/registry.h"
#include "handlers/session.h"
#include "output/event.h"
#include "output/sink.h"

struct hd_harness {
	struct hd_registry reg;
	struct out_sink sink;
	struct pd_event ev;
	struct hd_ctx ctx;
	struct pd_session s;
};

/* handlers == NULL: the built-in registry (hd_registry_init); else exactly
 * these n handlers in this order. Asserts on failure. */
void hh_setup(struct hd_harness *h, const struct pd_handler *const *handlers, size_t n);
/* Starts h->s: 10.0.0.1:sport (client) -> 10.0.0.2:dport (server). */
void hh_session(struct hd_harness *h, unsigned transport, uint16_t sport, uint16_t dport);
/* Closes the session (if open), frees everything. */
void hh_teardown(struct hd_harness *h);

/* Number of event lines written so far. */
size_t hh_count(const struct hd_harness *h);
/* Line n (0-based), checked to be valid JSON, NUL-terminated in a buffer that
 * the next call reuses. */
const char *hh_line(const struct hd_harness *h, size_t n);
/* Index of the first line at or after `from` whose event_type is type (and,
 * when event is not NULL, whose anomaly.event is event); -1 when none. */
long hh_find(const struct hd_harness *h, size_t from, const char *type, const char *event);
/* Forgets the lines written so far. */
void hh_clear(struct hd_harness *h);

#endif
