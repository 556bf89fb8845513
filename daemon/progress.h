/* SPDX-License-Identifier: BSD-2-Clause */
/* One self-overwriting progress line on a terminal while large inputs are read:
 * bytes read of the file size, packets per second and the time left. */
#ifndef PD_DAEMON_PROGRESS_H
#define PD_DAEMON_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/options.h"

#define PROGRESS_MIN_SIZE (4ull << 20)  /* inputs below 4 MiB finish too soon to need it */
#define PROGRESS_EVERY 256              /* packets between two calls of progress_update */

struct progress {
	FILE *out;
	bool on;
	bool drawn;
	double start, last;   /* monotonic seconds */
	char label[48];
};

/* Whether to show progress for one input of `size` bytes (0 = unknown):
 * --progress always; --no-progress or -q never; otherwise only when `fd` is a
 * terminal and the input is larger than PROGRESS_MIN_SIZE. */
bool progress_wanted(enum opts_progress mode, bool quiet, int fd, uint64_t size);

void progress_start(struct progress *p, FILE *out, bool on, const char *label);
/* Redraws at most 4 times a second; cheap otherwise. */
void progress_update(struct progress *p, uint64_t pos, uint64_t size, uint64_t packets);
/* Erases the line so the summary starts on a clean line. */
void progress_end(struct progress *p);

#endif
