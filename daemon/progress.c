/* SPDX-License-Identifier: BSD-2-Clause */
/* Progress line for long offline runs (wall clock: daemon/ only). Redraws with
 * CR and erases with the ECMA-48 "erase in line" sequence (CSI K). */
#include "daemon/progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_INTERVAL 0.25

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool progress_wanted(enum opts_progress mode, bool quiet, int fd, uint64_t size)
{
	if (mode == OPTS_PROGRESS_ON)
		return true;
	if (mode == OPTS_PROGRESS_OFF || quiet)
		return false;
	return size > PROGRESS_MIN_SIZE && isatty(fd);
}

void progress_start(struct progress *p, FILE *out, bool on, const char *label)
{
	size_t n = strlen(label);

	memset(p, 0, sizeof *p);
	p->out = out;
	p->on = on;
	/* keep the end of long paths: the file name is the informative part */
	if (n >= sizeof p->label)
		snprintf(p->label, sizeof p->label, "...%s", label + n - (sizeof p->label - 4));
	else
		snprintf(p->label, sizeof p->label, "%s", label);
	p->start = p->last = on ? now_s() : 0.0;
}

void progress_update(struct progress *p, uint64_t pos, uint64_t size, uint64_t packets)
{
	double t, elapsed, rate;

	if (!p->on)
		return;
	t = now_s();
	if (t - p->last < REDRAW_INTERVAL)
		return;
	p->last = t;
	elapsed = t - p->start;
	rate = elapsed > 0.0 ? (double)packets / elapsed : 0.0;
	fprintf(p->out, "\r%s: ", p->label);
	if (size && pos <= size) {
		double left = pos ? elapsed * (double)(size - pos) / (double)pos : 0.0;
		unsigned eta = (unsigned)left;
		fprintf(p->out, "%5.1f%% %.1f of %.1f MB, %.0f packets/s, ETA %u:%02u:%02u",
		        100.0 * (double)pos / (double)size, (double)pos / 1e6, (double)size / 1e6,
		        rate, eta / 3600, eta / 60 % 60, eta % 60);
	} else {
		fprintf(p->out, "%.1f MB, %llu packets, %.0f packets/s", (double)pos / 1e6,
		        (unsigned long long)packets, rate);
	}
	fputs("\033[K", p->out);
	fflush(p->out);
	p->drawn = true;
}

void progress_end(struct progress *p)
{
	if (p->on && p->drawn) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
	}
	p->drawn = false;
}
