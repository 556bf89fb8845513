/* SPDX-License-Identifier: BSD-2-Clause */
/* The end-of-run summary for people (stderr, or syslog when detached): the
 * stats event's counters as text, plus the busiest server ports and the handler
 * each port maps to. */
#ifndef PD_DAEMON_SUMMARY_H
#define PD_DAEMON_SUMMARY_H

#include <stdio.h>

#include "daemon/capture.h"
#include "daemon/engine.h"

#define SUMMARY_TOP_PORTS 10

/* cap: live capture counters or NULL; elapsed_s: wall-clock run time. */
void summary_print(FILE *out, struct pd_engine *e, const struct capture_counts *cap,
                   double elapsed_s);

#endif
