/* SPDX-License-Identifier: BSD-2-Clause */
/* The capture loops: offline files one after another into one engine, or live
 * handles multiplexed with poll(2); signals, periodic stats and progress are
 * handled between packets. */
#ifndef PD_DAEMON_RUN_H
#define PD_DAEMON_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/capture.h"
#include "daemon/engine.h"
#include "daemon/options.h"
#include "output/sink.h"

struct htable;
struct workers;

/* An offline input opened before privileges were dropped. */
struct run_input {
	const char *name;
	FILE *fp;          /* NULL: open_errno says why */
	int open_errno;
};

struct run {
	struct pd_engine *e;
	struct out_sink *sink;
	const struct opts *o;
	struct capture **live;   /* live handles (owned by the caller, closed by it) */
	size_t n_live;
	uint64_t next_stats_us;  /* 0 = not scheduled yet */
	bool stopped;            /* SIGTERM/SIGINT seen */
	int status;              /* worst exit status so far (OPTS_EXIT_*) */
	struct htable *ht;       /* handler table rebuilt on SIGHUP (daemon/htable.c); may be NULL */
	struct workers *w;       /* --workers N > 1: packets go to worker threads (daemon/workers.h) */
};

/* Reads every input in order; a damaged one is reported on one line and the
 * next is read. Returns r->status. */
int run_offline(struct run *r, struct run_input *in, size_t n);

/* Captures until SIGTERM/SIGINT or until every handle failed. */
int run_live(struct run *r);

/* Sum of the live handles' kernel counters. Returns false when offline. */
bool run_capture_counts(const struct run *r, struct capture_counts *out);

/* Time for daemon-level events: packet time offline (deterministic output),
 * wall clock live. */
uint64_t run_event_time(const struct run *r);

/* The more serious of two exit statuses: usage > output > input > ok. */
int run_worse(int a, int b);

#endif
