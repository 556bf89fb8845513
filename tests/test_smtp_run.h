/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP test runner: plays a transcript (client/server steps, gaps) through
 * the real session core with a memory sink, cut into calls in a chosen way,
 * and checks event fields through a table. */
#ifndef PD_TESTS_SMTP_RUN_H
#define PD_TESTS_SMTP_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/test_hd_harness.h"

/* dir: 'C' client bytes, 'S' server bytes, 'c'/'s' a gap of len bytes. */
struct sr_step {
	char dir;
	const char *data;
	size_t len;   /* 0: strlen(data) */
};

struct sr_opts {
	uint16_t dport;     /* 0: 25 */
	bool midstream;
	size_t chunk;       /* 0: one call per step; n: calls of at most n bytes
	                       (once detection is over) */
	size_t cut;         /* when chunk == 0: also cut each step at this offset (0: none) */
	int why;            /* enum pd_close at the end */
	bool keep_open;     /* do not close (caller inspects mid-session) */
	size_t mem_limit;   /* 0, or the most ctx.mem_in_use may reach */
};

/* Runs steps[0..n) on a fresh harness h (built-in handlers). */
void sr_run(struct hd_harness *h, const struct sr_step *steps, size_t n, const struct sr_opts *o);

/* The sink's bytes (all lines), NUL-terminated. */
const char *sr_text(const struct hd_harness *h);

/* Line index of the k-th (0-based) smtp event of smtp.type `type`, or -1. */
long sr_smtp(const struct hd_harness *h, const char *type, size_t k);
/* Number of anomaly events named `name`. */
size_t sr_anomalies(const struct hd_harness *h, const char *name);

/* One expectation. sel: "T1".."T9" transaction, "S" session record, "A"
 * anomaly named path present, "!A" absent, "*" the whole output must not
 * contain s. kind: 's' string, 'u' unsigned,
 * 'b' bool (u = 0/1), 'n' null, 'c' member count, 'x' path absent. */
struct sr_chk {
	const char *sel;
	const char *path;
	char kind;
	const char *s;
	uint64_t u;
};

void sr_check(const struct hd_harness *h, const char *name, const struct sr_chk *c, size_t n);

#endif
