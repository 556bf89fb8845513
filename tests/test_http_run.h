/* SPDX-License-Identifier: BSD-2-Clause */
/* Transcript runner for the HTTP and SSH suites: plays client/server
 * segments and gaps through the real session core (built-in registry,
 * memory sink), cut into calls in a chosen way, and checks event fields
 * through a table. */
#ifndef PD_TESTS_HTTP_RUN_H
#define PD_TESTS_HTTP_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portdemux/handler.h"
#include "tests/test_hd_harness.h"

/* One segment of a transcript. */
struct hr_seg {
	enum pd_dir dir;
	const uint8_t *data;
	size_t len;
};

/* dir: 'C' client bytes, 'S' server bytes, 'c'/'s' a gap of len bytes in
 * that direction. len 0: strlen(data). */
struct hr_step {
	char dir;
	const char *data;
	size_t len;
};

struct hr_opts {
	uint16_t dport;  /* 0: 80 */
	bool midstream;
	size_t chunk;    /* 0: one call per step; n: calls of at most n bytes */
	size_t limit;    /* 0: everything; n: only the first n bytes of the transcript */
	bool keep_open;  /* do not close (caller inspects mid-session) */
};

/* Runs steps[0..n) on a fresh harness (hh_setup with the built-ins). */
void hr_run(struct hd_harness *h, const struct hr_step *steps, size_t n, const struct hr_opts *o);
/* The same for real segments. */
void hr_run_segs(struct hd_harness *h, const struct hr_seg *segs, size_t n,
                 const struct hr_opts *o);
/* Bytes of all steps (gaps excluded). */
size_t hr_total(const struct hr_step *steps, size_t n);

/* The sink's text (all lines), NUL-terminated. */
const char *hr_text(const struct hd_harness *h);
/* Line index of the k-th (0-based) event of event_type type, or -1. */
long hr_event(const struct hd_harness *h, const char *type, size_t k);
size_t hr_events(const struct hd_harness *h, const char *type);
/* Number of anomaly events named name. */
size_t hr_anomalies(const struct hd_harness *h, const char *name);

/* One expectation. sel: a decimal k, the k-th event of the checked type,
 * "A" anomaly named path present, "!A" absent, "#" number of events of the
 * type is u, "*" the whole output must not contain s. kind: 's' string,
 * 'u' unsigned, 'b' bool (u = 0/1), 'n' null, 'c' member count, 'x' absent. */
struct hr_chk {
	const char *sel;
	const char *path;
	char kind;
	const char *s;
	uint64_t u;
};

void hr_check(const struct hd_harness *h, const char *type, const char *name,
              const struct hr_chk *c, size_t n);

#endif
