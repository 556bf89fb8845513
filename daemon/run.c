/* SPDX-License-Identifier: BSD-2-Clause */
/* Capture loops of portdemuxd: pcap_next_ex per packet into engine_packet;
 * poll(2) over live handles; flags from signals.c acted on between packets;
 * live interfaces that go down or vanish are followed and taken back
 * ("capture" events, docs/events.md; docs/portdemuxd.8, INTERFACES). */
#include "daemon/run.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/htable.h"
#include "daemon/log.h"
#include "daemon/progress.h"
#include "daemon/signals.h"
#include "daemon/stats_event.h"
#include "daemon/workers.h"
#include "output/event.h"

#define LIVE_POLL_MS 250        /* upper bound on signal and stats latency */
#define LIVE_BURST 4096         /* packets taken from one handle before looking at others */
/* On stop, how long the handles are still read: TPACKET_V3 hands a partly
 * filled block over only when its timeout (LIVE_TIMEOUT_MS in main.c, 100 ms)
 * expires, so frames that arrived just before SIGTERM wait that long. */
#define LIVE_FINAL_MS 250
#define LINK_CHECK_MS 500       /* how often the interfaces' link state is read */
#define RETRY_FIRST_MS 1000     /* first reopen attempt after a loss; then doubling */
#define RETRY_MAX_MS 30000      /* ... up to this interval */

static uint64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Retry timers and outage lengths: immune to wall-clock steps. */
static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
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
	bool live;

	if (r->w) /* first: workers reading fanout handles leave them alone */
		workers_sync(r->w); /* each worker settles its engine */
	else
		engine_settle(r->e);
	live = run_capture_counts(r, &cc);
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

/* The clock at which periodic_stats next acts (1: it sets the first due time
 * at the first packet with a time); 0 without --stats-interval. */
static uint64_t periodic_stats_next(const struct run *r)
{
	if (!r->o->stats_interval)
		return 0;
	return r->next_stats_us ? r->next_stats_us : 1;
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

/* workers_read_file between two blocks: the progress line, and a stop when a
 * signal waits (acted on once the blocks read are done). */
struct file_progress {
	struct progress *prog;
	uint64_t size, packets;
};

static bool file_pause(void *arg, uint64_t pos, uint64_t packets)
{
	struct file_progress *fp = arg;

	progress_update(fp->prog, pos, fp->size, fp->packets + packets);
	return signals_pending();
}

/* --workers on a classic pcap file: the workers read it in blocks themselves
 * (workers_read_file), one stretch per periodic stats event or signal. Then
 * capture_next goes on where they ended: at the end of the file, or at a
 * record left to libpcap. False when a signal stopped the run. */
static bool read_blocks(struct run *r, struct capture *c, struct progress *prog, uint64_t size)
{
	const struct savefile *sf = r->w ? capture_savefile(c) : NULL;
	struct workers_span sp;

	if (sf == NULL)
		return true;
	do {
		struct file_progress fp = {.prog = prog, .size = size, .packets = capture_packets(c)};
		if (!workers_read_file(r->w, sf, capture_linktype(c), periodic_stats_next(r),
		                       file_pause, &fp, &sp))
			return true;
		capture_advance(c, sp.end, sp.packets, sp.bytes);
		periodic_stats(r, engine_now(r->e));
		unsigned got = signals_take();
		if (got) {
			act_on_signals(r, got);
			if (r->stopped)
				return false;
		}
	} while (sp.paused);
	return true;
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
	res = read_blocks(r, c, &prog, size) ? capture_next(c, &pkt) : CAPTURE_END;
	for (; res == CAPTURE_PACKET; res = capture_next(c, &pkt)) {
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

/* Takes what one handle has ready. Returns false when the handle failed
 * (capture_error says why; the caller reports it). */
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
			return false;
		}
	}
	return true;
}

/*
 * Interfaces that go down or vanish.
 *
 * What Linux and libpcap do (checked with veth pairs in namespaces, libpcap
 * 1.10): an interface set down, or losing its carrier, keeps the packet
 * socket bound; libpcap swallows the ENETDOWN and capture goes on by itself
 * when the link returns. Only the link state tells, so it is read every
 * LINK_CHECK_MS (SIOCGIFFLAGS) and reported. A deleted interface leaves the
 * socket bound to nothing ("The interface disappeared" on every read), and
 * one re-created under the same name has a new index. A new socket would
 * need CAP_NET_RAW, which the daemon cleared for good after start (DESIGN.md,
 * privileges: none is kept); binding the existing socket to the new index needs
 * none, and keeps its ring, snapshot length, immediate mode and BPF program.
 * So the daemon rebinds, on a timer with backoff, for --reopen-timeout
 * seconds, then gives the interface up; when none is left it exits 1 (so
 * systemd's Restart=on-failure starts it afresh, with privileges). What a
 * rebind cannot fix (another hardware type, "any" or a pseudo-device that
 * failed) is given up at once, saying that a new socket would need the
 * privileges dropped at start.
 */
enum iface_state {
	IFACE_UP,        /* capturing */
	IFACE_DOWN,      /* socket bound, link down: capture resumes by itself */
	IFACE_LOST,      /* socket unbound or failing: rebind attempts on a timer */
	IFACE_GIVEN_UP,  /* --reopen-timeout passed, or a rebind cannot help */
};

struct iface {
	enum iface_state st;
	const char *reason;      /* of the outage in progress (event "reason") */
	bool rebound;            /* this outage ended in a rebind */
	unsigned attempts;       /* rebind attempts during this outage */
	uint64_t down_ms;        /* monotonic start of the outage */
	uint64_t lost_ms;        /* monotonic time the socket was lost */
	uint64_t next_try_ms, backoff_ms;
	uint64_t up_ms;          /* monotonic time of the last rebind that held (0: none) */
	char error[512];         /* last error of this outage */
};

struct live {
	struct run *r;
	struct pollfd pfd[OPTS_MAX_IFACES];
	struct iface ifs[OPTS_MAX_IFACES];
	size_t given_up;
	uint64_t next_link_ms;
};

/* libpcap's text of a capture error, without capture_error's "NAME: " and
 * "(after N packets, M bytes)": the event says which interface. */
static void read_error_text(const struct capture *c, char *out, size_t outlen)
{
	const char *e = capture_error(c), *name = capture_name(c), *after;
	size_t nlen = strlen(name), len;

	if (strncmp(e, name, nlen) == 0 && strncmp(e + nlen, ": ", 2) == 0)
		e += nlen + 2;
	after = strstr(e, " (after ");
	len = after ? (size_t)(after - e) : strlen(e);
	snprintf(out, outlen, "%.*s", (int)(len < 480 ? len : 480), e);
}

/* One "capture" event (docs/events.d/capture.md), written at once. */
static void iface_event(struct live *lv, size_t i, const char *state, uint64_t now)
{
	struct run *r = lv->r;
	const struct iface *f = &lv->ifs[i];
	struct pd_event *ev;
	bool down = strcmp(state, "down") == 0, up = strcmp(state, "up") == 0;

	if (r->w) /* the workers write to the same sink */
		workers_sync(r->w);
	ev = out_event_begin(engine_event_builder(r->e), NULL, NULL, wall_us(), "capture");
	if (!ev)
		return;
	pd_event_str(ev, "interface", capture_name(r->live[i]));
	pd_event_str(ev, "state", state);
	pd_event_str(ev, "reason", f->reason);
	if (!up && f->error[0])
		pd_event_str(ev, "error", f->error);
	if (!down) {
		pd_event_uint(ev, "down_ms", now - f->down_ms);
		pd_event_uint(ev, "attempts", f->attempts);
	}
	if (up)
		pd_event_str(ev, "recovery", f->rebound ? "rebound" : "link_up");
	pd_event_emit(ev);
	out_sink_flush(r->sink);
}

static void iface_up(struct live *lv, size_t i, uint64_t now)
{
	struct iface *f = &lv->ifs[i];

	iface_event(lv, i, "up", now);
	log_msg(LOG_NOTICE, "%s: capture resumed after %.1f s (%s, %u reopen attempt%s)",
	        capture_name(lv->r->live[i]), (double)(now - f->down_ms) / 1000.0,
	        f->rebound ? "socket bound again" : "link up", f->attempts,
	        f->attempts == 1 ? "" : "s");
	f->st = IFACE_UP;
	f->reason = NULL;
	f->error[0] = '\0';
	f->up_ms = f->rebound ? now : 0; /* only a rebind can fail again at once */
}

/* Link down or no carrier: nothing to reopen, only to report. */
static void iface_down(struct live *lv, size_t i, const char *reason, const char *error,
                       uint64_t now)
{
	struct iface *f = &lv->ifs[i];

	f->st = IFACE_DOWN;
	f->reason = reason;
	f->rebound = false;
	f->attempts = 0;
	f->down_ms = now;
	snprintf(f->error, sizeof f->error, "%s", error);
	iface_event(lv, i, "down", now);
	log_msg(LOG_WARNING, "%s: %s: capture resumes when the link returns",
	        capture_name(lv->r->live[i]), error);
}

static void iface_give_up(struct live *lv, size_t i, uint64_t now)
{
	struct iface *f = &lv->ifs[i];

	f->st = IFACE_GIVEN_UP;
	lv->pfd[i].fd = -1;
	lv->given_up++;
	lv->r->status = run_worse(lv->r->status, OPTS_EXIT_INPUT);
	iface_event(lv, i, "given_up", now);
	log_msg(LOG_ERR, "%s: giving up after %.1f s and %u reopen attempt%s: %s",
	        capture_name(lv->r->live[i]), (double)(now - f->down_ms) / 1000.0, f->attempts,
	        f->attempts == 1 ? "" : "s", f->error);
}

/* The socket no longer captures: rebind attempts start (or the interface
 * is given up at once with --reopen-timeout 0). */
static void iface_lost(struct live *lv, size_t i, const char *reason, const char *error,
                       uint64_t now)
{
	struct iface *f = &lv->ifs[i];
	unsigned timeout = lv->r->o->reopen_timeout;

	if (f->st == IFACE_UP) { /* else the outage began with the link going down */
		f->down_ms = now;
		f->attempts = 0;
	}
	f->st = IFACE_LOST;
	f->reason = reason;
	f->rebound = false;
	f->lost_ms = now;
	/* Lost again soon after coming back: the interval goes on doubling,
	 * so a handle that keeps failing cannot flood the events. */
	if (f->up_ms && now - f->up_ms < RETRY_MAX_MS && f->backoff_ms)
		f->backoff_ms = f->backoff_ms * 2 < RETRY_MAX_MS ? f->backoff_ms * 2 : RETRY_MAX_MS;
	else
		f->backoff_ms = RETRY_FIRST_MS;
	f->next_try_ms = now + f->backoff_ms;
	snprintf(f->error, sizeof f->error, "%s", error);
	lv->pfd[i].fd = -1; /* poll ignores negative descriptors */
	iface_event(lv, i, "down", now);
	if (timeout == 0) {
		iface_give_up(lv, i, now);
		return;
	}
	log_msg(LOG_WARNING, "%s: capture lost: %s; reopening for up to %u s",
	        capture_name(lv->r->live[i]), error, timeout);
}

/* A handle whose read failed: gone, or a real read error. */
static void iface_failed(struct live *lv, size_t i, uint64_t now)
{
	enum capture_link l = capture_link_state(lv->r->live[i]);
	char text[512];

	read_error_text(lv->r->live[i], text, sizeof text);
	iface_lost(lv, i, l == CAPTURE_LINK_GONE || l == CAPTURE_LINK_UNBOUND ? "vanished"
	                                                                      : "read_error",
	           text, now);
}

static void iface_try(struct live *lv, size_t i, uint64_t now)
{
	struct capture *c = lv->r->live[i];
	struct iface *f = &lv->ifs[i];
	uint64_t deadline = f->lost_ms + (uint64_t)lv->r->o->reopen_timeout * 1000u;
	char err[512];
	int rc;

	f->attempts++;
	rc = capture_rebind(c, err, sizeof err);
	if (rc == 0 && !drain(lv->r, c)) { /* bound, but reading still fails */
		read_error_text(c, err, sizeof err);
		rc = 1;
	}
	if (rc == 0) {
		enum capture_link l = capture_link_state(c);

		f->rebound = true;
		lv->pfd[i].fd = capture_fd(c);
		if (l == CAPTURE_LINK_UP || l == CAPTURE_LINK_UNKNOWN)
			iface_up(lv, i, now);
		else /* back, but not up yet: the link check reports it up */
			f->st = IFACE_DOWN;
		return;
	}
	snprintf(f->error, sizeof f->error, "%s", err);
	if (rc < 0 || now >= deadline) {
		iface_give_up(lv, i, now);
		return;
	}
	f->backoff_ms = f->backoff_ms * 2 < RETRY_MAX_MS ? f->backoff_ms * 2 : RETRY_MAX_MS;
	f->next_try_ms = now + f->backoff_ms < deadline ? now + f->backoff_ms : deadline;
}

/* Link state of the interfaces still bound; rebind attempts that are due. */
static void follow_ifaces(struct live *lv)
{
	uint64_t now = mono_ms();
	bool look = now >= lv->next_link_ms;

	if (look)
		lv->next_link_ms = now + LINK_CHECK_MS;
	for (size_t i = 0; i < lv->r->n_live; i++) {
		struct iface *f = &lv->ifs[i];
		enum capture_link l;

		if (f->st == IFACE_LOST && now >= f->next_try_ms)
			iface_try(lv, i, now);
		if (!look || (f->st != IFACE_UP && f->st != IFACE_DOWN))
			continue;
		l = capture_link_state(lv->r->live[i]);
		switch (l) {
		case CAPTURE_LINK_GONE:
		case CAPTURE_LINK_UNBOUND:
			/* what the ring still holds was captured before (unless
			 * worker threads read this handle: PACKET_FANOUT) */
			if (!capture_fanout(lv->r->live[i]))
				(void)drain(lv->r, lv->r->live[i]);
			iface_lost(lv, i, "vanished",
			           l == CAPTURE_LINK_GONE ? "no such interface"
			                                  : "interface deleted and created again",
			           now);
			break;
		case CAPTURE_LINK_DOWN:
		case CAPTURE_LINK_NO_CARRIER:
			if (f->st == IFACE_UP)
				iface_down(lv, i, l == CAPTURE_LINK_DOWN ? "link_down" : "no_carrier",
				           l == CAPTURE_LINK_DOWN ? "interface is down" : "no carrier",
				           now);
			break;
		case CAPTURE_LINK_UP:
		case CAPTURE_LINK_UNKNOWN:
			if (f->st == IFACE_DOWN)
				iface_up(lv, i, now);
			break;
		}
	}
}

/* After a stop: what the kernel still holds for us, so that the flows of
 * frames that arrived before the signal are reported (no event lost). */
static void final_drain(struct live *lv)
{
	struct run *r = lv->r;
	uint64_t end = mono_ms() + LIVE_FINAL_MS;

	for (uint64_t now = mono_ms(); now < end; now = mono_ms()) {
		if (poll(lv->pfd, (nfds_t)r->n_live, (int)(end - now)) < 0 && errno != EINTR)
			break;
		for (size_t i = 0; i < r->n_live; i++) {
			if (lv->pfd[i].fd >= 0 && lv->ifs[i].st == IFACE_UP && !drain(r, r->live[i]))
				lv->pfd[i].fd = -1;
		}
	}
}

int run_live(struct run *r)
{
	struct live *lv;

	if (r->n_live > OPTS_MAX_IFACES) /* opts_validate refuses more */
		return run_worse(r->status, OPTS_EXIT_USAGE);
	lv = calloc(1, sizeof *lv);
	if (!lv) {
		log_msg(LOG_ERR, "%s", strerror(ENOMEM));
		return run_worse(r->status, OPTS_EXIT_INPUT);
	}
	lv->r = r;
	/* --workers with a PACKET_FANOUT group (daemon/fanout.h): each worker
	 * reads its own handle, this loop only keeps the clock, signals and
	 * stats; a handle that fails ends its worker's reading. */
	bool fan = r->w && r->n_live == 1 && workers_read_fanout(r->w, capture_fanout(r->live[0]));
	for (size_t i = 0; i < r->n_live; i++) {
		lv->pfd[i].fd = fan ? -1 : capture_fd(r->live[i]);
		lv->pfd[i].events = POLLIN;
	}
	while (!r->stopped && lv->given_up < r->n_live) {
		unsigned got;
		int n = poll(lv->pfd, (nfds_t)r->n_live, LIVE_POLL_MS);

		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			r->status = run_worse(r->status, OPTS_EXIT_INPUT);
			break;
		}
		/* Every handle is drained after each wake-up: with TPACKET_V3 a block
		 * can be ready without the descriptor having signalled it yet. */
		for (size_t i = 0; n >= 0 && i < r->n_live; i++) {
			if (lv->pfd[i].fd >= 0 && !drain(r, r->live[i]))
				iface_failed(lv, i, mono_ms());
		}
		if (!fan) {
			follow_ifaces(lv);
		} else if (workers_fanout_failed(r->w)) {
			r->status = run_worse(r->status, OPTS_EXIT_INPUT);
			break;
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
	if (!r->stopped && lv->given_up == r->n_live)
		log_msg(LOG_ERR, "no interface left to capture on: exiting");
	else if (r->stopped && !fan)
		final_drain(lv);
	free(lv);
	return r->status;
}
