/* SPDX-License-Identifier: BSD-2-Clause */
/* Capture loops of portdemuxd: pcap_next_ex per packet into engine_packet;
 * poll(2) over live handles; flags from signals.c acted on between packets. */
#include "daemon/run.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "daemon/htable.h"
#include "daemon/log.h"
#include "daemon/progress.h"
#include "daemon/signals.h"
#include "daemon/stats_event.h"
#include "daemon/workers.h"

#define LIVE_POLL_MS 250        /* upper bound on signal and stats latency */
#define LIVE_BURST 4096         /* packets taken from one handle before looking at others */

static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int run_worse(int a, int b)
{
	static const int order[] = {OPTS_EXIT_OK, OPTS_EXIT_INPUT, OPTS_EXIT_OUTPUT,
	                            OPTS_EXIT_CONFIG, OPTS_EXIT_USAGE};
	int ra = 0, rb = 0;

	for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++) {
		if (order[i] == a)
			ra = i;
		if (order[i] == b)
			rb = i;
	}
	return ra >= rb ? a : b;
}

bool run_capture_counts(const struct run *r, struct capture_counts *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < r->n_live; i++) {
		struct capture_counts c;
		if (r->live[i] && capture_counts(r->live[i], &c) == 0) {
			out->received += c.received;
			out->dropped += c.dropped;
			out->ifdropped += c.ifdropped;
		}
	}
	return r->n_live > 0;
}

uint64_t run_event_time(const struct run *r)
{
	return r->n_live ? wall_us() : engine_now(r->e);
}

/* One frame to the engine, or to the worker threads (--workers). */
static void feed(struct run *r, const struct capture_packet *pkt)
{
	if (r->w)
		workers_packet(r->w, pkt->data, pkt->caplen, pkt->wirelen, pkt->linktype, pkt->ts_us);
	else
		engine_packet(r->e, pkt->data, pkt->caplen, pkt->wirelen, pkt->linktype, pkt->ts_us);
}

static void emit_stats(struct run *r)
{
	struct capture_counts cc;
	bool live = run_capture_counts(r, &cc);

	if (r->w)
		workers_sync(r->w);
	stats_event_emit(r->e, live ? &cc : NULL, run_event_time(r));
	out_sink_flush(r->sink);
}

/* --stats-interval: due when the clock (packet time offline, wall clock live)
 * passes the next multiple of the interval after the start. */
static void periodic_stats(struct run *r, uint64_t now_us)
{
	uint64_t step = (uint64_t)r->o->stats_interval * 1000000u;

	if (!step || !now_us)
		return;
	if (!r->next_stats_us) {
		r->next_stats_us = now_us + step;
		return;
	}
	if (now_us < r->next_stats_us)
		return;
	emit_stats(r);
	while (r->next_stats_us <= now_us)
		r->next_stats_us += step;
}

static void act_on_signals(struct run *r, unsigned got)
{
	char err[512];

	/* Workers idle before the output, handler table or counters change. */
	if (r->w && (got & (SIGNALS_REOPEN | SIGNALS_STATS)))
		workers_sync(r->w);

	if (got & SIGNALS_STOP) {
		if (log_is_syslog()) /* on a terminal the user knows they pressed ^C */
			log_msg(LOG_NOTICE, "stopping on signal");
		r->stopped = true;
	}
	if ((got & SIGNALS_REOPEN) && out_sink_reopen(r->sink, err, sizeof err) != 0)
		log_msg(LOG_ERR, "reopening the event output: %s", err);
	if (got & SIGNALS_REOPEN) /* drop-ins re-read; flows in progress keep their handler */
		htable_on_sighup(r->ht, r->e);
	if (got & SIGNALS_STATS)
		emit_stats(r);
}

/* A read interrupted by SIGTERM/SIGINT fails with EINTR: that is the stop
 * the user asked for, not damage in the file. */
static bool stopped_meanwhile(struct run *r)
{
	unsigned got = signals_take();

	if (got)
		act_on_signals(r, got);
	return r->stopped;
}

static void read_one(struct run *r, struct run_input *in)
{
	char err[1024];
	struct capture *c;
	struct capture_packet pkt;
	struct progress prog;
	enum capture_next_result res;
	uint64_t pos, size;
	int rc;

	if (!in->fp) {
		log_msg(LOG_ERR, "%s: %s", strcmp(in->name, "-") ? in->name : "stdin",
		        strerror(in->open_errno));
		r->status = run_worse(r->status, OPTS_EXIT_INPUT);
		return;
	}
	rc = capture_open_file(&c, in->name, in->fp, r->o->filter, err, sizeof err);
	in->fp = NULL; /* owned by capture_open_file from here on */
	if (rc != 0) {
		if (!stopped_meanwhile(r)) {
			log_msg(LOG_ERR, "%s", err);
			r->status = run_worse(r->status, rc);
		}
		return;
	}
	capture_position(c, &pos, &size);
	progress_start(&prog, stderr,
	               !log_is_syslog() && progress_wanted(r->o->progress, r->o->quiet, 2, size),
	               capture_name(c));
	while ((res = capture_next(c, &pkt)) == CAPTURE_PACKET) {
		unsigned got;

		feed(r, &pkt);
		if (capture_packets(c) % PROGRESS_EVERY == 0) {
			capture_position(c, &pos, &size);
			progress_update(&prog, pos, size, capture_packets(c));
		}
		periodic_stats(r, engine_now(r->e));
		got = signals_take();
		if (got) {
			act_on_signals(r, got);
			if (r->stopped)
				break;
		}
	}
	progress_end(&prog);
	if (res == CAPTURE_ERROR && !stopped_meanwhile(r)) {
		log_msg(LOG_ERR, "%s", capture_error(c));
		r->status = run_worse(r->status, OPTS_EXIT_INPUT);
	}
	capture_close(c);
}

int run_offline(struct run *r, struct run_input *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r->stopped) {
			if (in[i].fp)
				fclose(in[i].fp);
			in[i].fp = NULL;
			continue;
		}
		read_one(r, &in[i]);
	}
	return r->status;
}

/* Takes what one handle has ready. Returns false when the handle failed. */
static bool drain(struct run *r, struct capture *c)
{
	struct capture_packet pkt;

	for (unsigned k = 0; k < LIVE_BURST; k++) {
		switch (capture_next(c, &pkt)) {
		case CAPTURE_PACKET:
			feed(r, &pkt);
			break;
		case CAPTURE_NONE:
		case CAPTURE_END:
			return true;
		case CAPTURE_ERROR:
			log_msg(LOG_ERR, "%s", capture_error(c));
			return false;
		}
	}
	return true;
}

int run_live(struct run *r)
{
	struct pollfd pfd[OPTS_MAX_IFACES];
	size_t alive = r->n_live;

	if (r->n_live > OPTS_MAX_IFACES) /* opts_validate refuses more */
		return run_worse(r->status, OPTS_EXIT_USAGE);
	for (size_t i = 0; i < r->n_live; i++) {
		pfd[i].fd = capture_fd(r->live[i]);
		pfd[i].events = POLLIN;
	}
	while (!r->stopped && alive) {
		unsigned got;
		int n = poll(pfd, (nfds_t)r->n_live, LIVE_POLL_MS);

		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			r->status = run_worse(r->status, OPTS_EXIT_INPUT);
			break;
		}
		/* Every handle is drained after each wake-up: with TPACKET_V3 a block
		 * can be ready without the descriptor having signalled it yet. */
		for (size_t i = 0; n >= 0 && i < r->n_live; i++) {
			if (pfd[i].fd < 0)
				continue;
			if (!drain(r, r->live[i])) {
				pfd[i].fd = -1; /* poll ignores negative descriptors */
				alive--;
				r->status = run_worse(r->status, OPTS_EXIT_INPUT);
			}
		}
		/* A quiet tap must still let idle flows time out: live packet times
		 * are wall-clock times, so the clock can stand in between packets. */
		engine_tick(r->e, wall_us());
		if (r->w) /* also hands over what the workers were not given yet */
			workers_tick(r->w, wall_us());
		periodic_stats(r, wall_us());
		got = signals_take();
		if (got)
			act_on_signals(r, got);
	}
	return r->status;
}
