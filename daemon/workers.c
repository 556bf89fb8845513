/* SPDX-License-Identifier: BSD-2-Clause */
/* Worker threads for --workers N (daemon/workers.h): address-pair sharding
 * (RFC 791 / RFC 8200 header fields, read through the cursor), batches of
 * packet copies from the reader to each worker, one engine per worker. */
#include "daemon/workers.h"
#include "daemon/workers_int.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/fanout.h"
#include "daemon/log.h"
#include "parsers/decode.h"
#include "portdemux/cursor.h"

/* ---- sharding ---- */

/* 64-bit finaliser (splitmix64): every input bit reaches every output bit. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* One address (4 or 16 bytes, as on the wire): the same value whichever
 * header it was read from. */
static uint64_t addr_hash(const uint8_t *a, size_t len)
{
	if (len == 4) {
		uint32_t v;
		memcpy(&v, a, sizeof v);
		return mix64(v);
	}
	uint64_t w0, w1;
	memcpy(&w0, a, sizeof w0);
	memcpy(&w1, a + 8, sizeof w1);
	return mix64(w0 ^ mix64(w1));
}

/* The shard value of an address pair: commutative, so both directions agree. */
static uint64_t pair_hash(const uint8_t *src, const uint8_t *dst, size_t alen)
{
	return mix64(addr_hash(src, alen) + addr_hash(dst, alen) + (alen == 4 ? 4 : 6));
}

/* The address-pair hash of an Ethernet frame carrying IPv4 or IPv6, with up
 * to PD_MAX_VLAN tags (what pd_decode reads for a frame it accepts). False
 * when the frame is anything else: the decoder then decides. */
static bool eth_pair_hash(const uint8_t *frame, size_t len, uint64_t *h)
{
	struct pcur c = pcur_make(frame, len);
	pcur_skip(&c, 12);
	uint16_t type = pcur_be16(&c);
	for (int tags = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; tags++) {
		if (tags == PD_MAX_VLAN)
			return false;
		pcur_skip(&c, 2);
		type = pcur_be16(&c);
	}
	int b0 = pcur_peek(&c, 0);
	size_t alen;
	if (!pcur_ok(&c) || b0 < 0)
		return false;
	if (type == 0x0800 && (b0 >> 4) == 4) {
		pcur_skip(&c, 12);
		alen = 4;
	} else if (type == 0x86dd && (b0 >> 4) == 6) {
		pcur_skip(&c, 8);
		alen = 16;
	} else {
		return false;
	}
	const uint8_t *src = pcur_take(&c, alen);
	const uint8_t *dst = pcur_take(&c, alen);
	if (src == NULL || dst == NULL)
		return false;
	*h = pair_hash(src, dst, alen);
	return true;
}

/* The worker of a frame: a commutative hash of its two addresses. Both ways
 * of reading the addresses give the same bytes for any frame the engine will
 * put in a flow; frames the decoder refuses touch no flow, so where they go
 * changes nothing but which worker writes their anomaly. */
unsigned wk_shard_of(const struct workers *w, struct pd_packet *scratch, const uint8_t *frame,
                     size_t len, int linktype)
{
	uint64_t h;

	if (w->n == 1)
		return 0;
	if (linktype != PD_LINK_ETHERNET || !eth_pair_hash(frame, len, &h)) {
		struct pd_packet *p = scratch;
		pd_decode(p, frame, len, linktype);
		if (p->ip_version != 4 && p->ip_version != 6)
			return 0;
		h = pair_hash(p->src.b, p->dst.b, p->ip_version == 4 ? 4 : 16);
	}
	/* The top 32 bits, evenly over the workers. */
	return (unsigned)(((h >> 32) * w->n) >> 32);
}

/* ---- batch queues ---- */

static struct wk_batch *take_spare(struct worker *k)
{
	pthread_mutex_lock(&k->m);
	while (k->nspare == 0) {
		k->reader_waits = true;
		pthread_cond_wait(&k->room, &k->m);
	}
	k->reader_waits = false;
	struct wk_batch *b = k->spare[--k->nspare];
	pthread_mutex_unlock(&k->m);
	b->used = 0;
	b->ctl = WK_DATA;
	b->now_us = 0;
	return b;
}

static void hand_over(struct worker *k, struct wk_batch *b)
{
	pthread_mutex_lock(&k->m);
	/* Room always: a worker owns WK_BATCHES batches in all. */
	k->queue[(k->qhead + k->qlen) % WK_BATCHES] = b;
	k->qlen++;
	pthread_cond_signal(&k->work);
	pthread_mutex_unlock(&k->m);
}

static struct wk_batch *next_work(struct worker *k)
{
	pthread_mutex_lock(&k->m);
	while (k->qlen == 0)
		pthread_cond_wait(&k->work, &k->m);
	struct wk_batch *b = k->queue[k->qhead];
	k->qhead = (k->qhead + 1) % WK_BATCHES;
	k->qlen--;
	pthread_mutex_unlock(&k->m);
	return b;
}

/* Fanout: the oldest batch handed over, or NULL without waiting. */
static struct wk_batch *poll_work(struct worker *k)
{
	struct wk_batch *b = NULL;

	pthread_mutex_lock(&k->m);
	if (k->qlen > 0) {
		b = k->queue[k->qhead];
		k->qhead = (k->qhead + 1) % WK_BATCHES;
		k->qlen--;
	}
	pthread_mutex_unlock(&k->m);
	return b;
}

static void give_back(struct worker *k, struct wk_batch *b)
{
	pthread_mutex_lock(&k->m);
	k->spare[k->nspare++] = b;
	/* A waiting reader is woken once half the batches are free, not for
	 * each: it then fills several in one turn on the CPU, and the worker is
	 * not preempted by a wake-up every few hundred packets. The rest are
	 * still queued, so the worker keeps busy meanwhile; once nothing is
	 * queued, every batch is free. */
	if (k->reader_waits && (k->nspare >= WK_BATCHES / 2 || k->qlen == 0))
		pthread_cond_signal(&k->room);
	pthread_mutex_unlock(&k->m);
}

/* ---- worker threads ---- */

/* Lines of a worker's sink, appended whole to the shared sink. */
static int relay(void *arg, const char *buf, size_t len, size_t lines)
{
	struct workers *w = arg;
	pthread_mutex_lock(&w->sink_m);
	int rc = out_sink_write_lines(w->sink, buf, len, lines);
	int e = errno;
	pthread_mutex_unlock(&w->sink_m);
	errno = e;
	return rc;
}

void wk_report(struct workers *w)
{
	pthread_mutex_lock(&w->m);
	w->reported++;
	pthread_cond_broadcast(&w->reported_cv);
	pthread_mutex_unlock(&w->m);
}

/* Fanout: what the worker's own handle has ready, numbered in the order the
 * workers read (pcap_cnt), each at its own packet time. */
static void read_live(struct worker *k)
{
	struct pollfd pfd = {.fd = capture_fd(k->cap), .events = POLLIN};
	struct capture_packet p;

	/* Drained after each wake-up as run.c does: with TPACKET_V3 a block can
	 * be ready before the descriptor says so. */
	(void)poll(&pfd, 1, WK_LIVE_POLL_MS);
	for (unsigned i = 0; i < WK_LIVE_BURST; i++) {
		switch (capture_next(k->cap, &p)) {
		case CAPTURE_PACKET:
			engine_packet_seq(k->e, p.data, p.caplen, p.wirelen, p.linktype, p.ts_us,
			                  atomic_fetch_add_explicit(&k->owner->live_index, 1,
			                                            memory_order_relaxed) + 1);
			break;
		case CAPTURE_ERROR:
			log_msg(LOG_ERR, "%s", capture_error(k->cap));
			k->live = false;
			atomic_fetch_add(&k->owner->live_failed, 1);
			return;
		default:
			return;
		}
	}
}

/* What a batch asks after its frames (a thread's or the reader's own worker). */
static void apply_ctl(struct worker *k, unsigned ctl, uint64_t now)
{
	if (ctl & (WK_TICK | WK_SYNC | WK_STOP))
		engine_tick(k->e, now);
	if (ctl & WK_SYNC) /* a stats snapshot may follow (engine_settle) */
		engine_settle(k->e);
	if (ctl & WK_STOP)
		engine_finish(k->e);
	if (ctl & (WK_SYNC | WK_STOP)) {
		out_sink_flush(&k->sink);
		wk_report(k->owner);
	}
}

static void *worker_main(void *arg)
{
	struct worker *k = arg;
	sigset_t all;
	bool parked = false;   /* fanout: after a sync, touch nothing until told */

	/* Signals are the reader's business: its reads and polls see EINTR. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		struct wk_batch *b = k->live && !parked ? poll_work(k) : next_work(k);
		if (b == NULL) {
			read_live(k);
			continue;
		}
		size_t off = 0;
		while (off < b->used) {
			struct wk_rec r;
			memcpy(&r, b->data + off, sizeof r);
			off += sizeof r;
			engine_packet_seq(k->e, b->data + off, r.caplen, r.wirelen, r.linktype,
			                  r.now_us, r.index);
			off += (r.caplen + WK_ALIGN - 1) & ~(size_t)(WK_ALIGN - 1);
		}
		unsigned ctl = b->ctl;
		uint64_t now = b->now_us;
		give_back(k, b);
		apply_ctl(k, ctl, now);
		if (ctl & WK_STOP)
			return NULL;
		if (ctl & WK_FILE) {
			wk_file_run(k->owner, k, (unsigned)(k - k->owner->w));
			wk_report(k->owner);
		}
		if ((ctl & WK_LIVE) && k->cap != NULL)
			k->live = true;
		/* A sync gives the engine and the sink to the reader until its next
		 * request (workers.h); batch-fed workers wait for that anyway. */
		parked = (ctl & WK_SYNC) != 0;
	}
}

/* ---- reader side ---- */

void workers_packet(struct workers *w, const uint8_t *frame, size_t caplen, size_t wirelen,
                    int linktype, uint64_t ts_us)
{
	w->index++;
	if (ts_us > w->now) {
		w->now = ts_us;
		engine_tick(w->front, ts_us); /* the front's clock: periodic stats, events */
	}
	struct worker *k = &w->w[wk_shard_of(w, &w->w[0].scratch, frame, caplen, linktype)];
	if (k->in_reader) {
		engine_packet_seq(k->e, frame, caplen, wirelen, linktype, w->now, w->index);
		return;
	}
	if (caplen > WK_MAX_FRAME)
		caplen = WK_MAX_FRAME;
	size_t need = sizeof(struct wk_rec) + ((caplen + WK_ALIGN - 1) & ~(size_t)(WK_ALIGN - 1));
	if (k->cur != NULL && k->cur->used + need > WK_BATCH_BYTES) {
		hand_over(k, k->cur);
		k->cur = NULL;
	}
	if (k->cur == NULL)
		k->cur = take_spare(k);
	struct wk_batch *b = k->cur;
	struct wk_rec r = {
		.now_us = w->now, .index = w->index, .wirelen = wirelen,
		.caplen = (uint32_t)caplen, .linktype = linktype,
	};
	memcpy(b->data + b->used, &r, sizeof r);
	if (caplen > 0)
		memcpy(b->data + b->used + sizeof r, frame, caplen);
	b->used += need;
}

/* Sends each worker its batch in progress (or an empty one) with ctl. */
void wk_send_all(struct workers *w, unsigned ctl, uint64_t now_us)
{
	for (unsigned i = 0; i < w->n; i++) {
		struct worker *k = &w->w[i];
		if (k->in_reader)
			continue;
		struct wk_batch *b = k->cur != NULL ? k->cur : take_spare(k);
		k->cur = NULL;
		b->ctl = ctl;
		b->now_us = now_us;
		hand_over(k, b);
	}
	/* The reader's own worker last: the threads work on meanwhile (at the
	 * end, every engine ends its flows at the same time). */
	if (w->w[0].in_reader)
		apply_ctl(&w->w[0], ctl, now_us);
}

void wk_wait_reports(struct workers *w)
{
	pthread_mutex_lock(&w->m);
	while (w->reported < w->n)
		pthread_cond_wait(&w->reported_cv, &w->m);
	w->reported = 0;
	pthread_mutex_unlock(&w->m);
}

bool workers_read_fanout(struct workers *w, struct fanout *f)
{
	if (w == NULL || w->stopped || f == NULL || fanout_size(f) != w->n || w->w[0].in_reader)
		return false;
	for (unsigned i = 0; i < w->n; i++)
		w->w[i].cap = fanout_handle(f, i);
	wk_send_all(w, WK_LIVE, w->now);
	return true;
}

bool workers_fanout_failed(struct workers *w)
{
	return atomic_load(&w->live_failed) == w->n;
}

void workers_tick(struct workers *w, uint64_t now_us)
{
	if (w->stopped)
		return;
	if (now_us > w->now) {
		w->now = now_us;
		engine_tick(w->front, now_us);
	}
	wk_send_all(w, WK_TICK, w->now);
}

void workers_sync(struct workers *w)
{
	if (w->stopped)
		return;
	wk_send_all(w, WK_SYNC, w->now);
	wk_wait_reports(w);
}

void workers_stop(struct workers *w)
{
	if (w == NULL || w->stopped)
		return;
	wk_send_all(w, WK_STOP, w->now);
	wk_wait_reports(w);
	for (unsigned i = 0; i < w->n; i++) {
		if (w->w[i].running)
			pthread_join(w->w[i].thread, NULL);
		w->w[i].running = false;
	}
	w->stopped = true;
	/* Fanout: how the kernel spread the packets (the totals are in the
	 * summary and the stats event). */
	for (unsigned i = 0; i < w->n; i++)
		if (w->w[i].cap != NULL)
			log_msg(LOG_INFO, "%s: worker %u read %llu packets", capture_name(w->w[i].cap), i,
			        (unsigned long long)engine_stats(w->w[i].e)->packets);
}

void workers_free(struct workers *w)
{
	if (w == NULL)
		return;
	workers_stop(w);
	if (w->front != NULL)
		engine_set_parts(w->front, NULL, 0);
	for (unsigned i = 0; i < w->n; i++) {
		struct worker *k = &w->w[i];
		engine_free(k->e);
		if (k->sink_open)
			out_sink_close(&k->sink);
		for (unsigned b = 0; b < WK_BATCHES; b++)
			free(k->batches[b].data);
		pthread_cond_destroy(&k->work);
		pthread_cond_destroy(&k->room);
		pthread_mutex_destroy(&k->m);
	}
	wk_file_free(&w->file);
	pthread_cond_destroy(&w->reported_cv);
	pthread_mutex_destroy(&w->m);
	pthread_mutex_destroy(&w->sink_m);
	free(w->engines);
	free(w->w);
	free(w);
}

static int worker_init(struct workers *w, struct worker *k, const struct engine_config *cfg,
                       const struct hd_registry *reg, char *err, size_t errlen)
{
	k->owner = w;
	pthread_mutex_init(&k->m, NULL);
	pthread_cond_init(&k->work, NULL);
	pthread_cond_init(&k->room, NULL);
	for (unsigned b = 0; !k->in_reader && b < WK_BATCHES; b++) {
		k->batches[b].data = malloc(WK_BATCH_BYTES);
		if (k->batches[b].data == NULL) {
			snprintf(err, errlen, "workers: %s", strerror(ENOMEM));
			return -1;
		}
		k->spare[k->nspare++] = &k->batches[b];
	}
	if (out_sink_open_relay(&k->sink, relay, w, err, errlen) != 0)
		return -1;
	k->sink_open = true;
	return engine_new(&k->e, cfg, reg, &k->sink, err, errlen);
}

int workers_start(struct workers **out, unsigned n, bool reader_works,
                  const struct engine_config *cfg, const struct hd_registry *reg,
                  struct out_sink *sink, struct pd_engine *front, char *err, size_t errlen)
{
	struct engine_config share;
	struct workers *w;

	*out = NULL;
	if (n == 0 || n > WORKERS_MAX) {
		snprintf(err, errlen, "workers: %u workers (1..%u)", n, (unsigned)WORKERS_MAX);
		return -1;
	}
	w = calloc(1, sizeof *w);
	if (w == NULL) {
		snprintf(err, errlen, "workers: %s", strerror(ENOMEM));
		return -1;
	}
	pthread_mutex_init(&w->m, NULL);
	pthread_mutex_init(&w->sink_m, NULL);
	pthread_cond_init(&w->reported_cv, NULL);
	w->sink = sink;
	w->w = aligned_alloc(_Alignof(struct worker), n * sizeof *w->w);
	if (w->w != NULL)
		memset(w->w, 0, n * sizeof *w->w);
	w->engines = calloc(n, sizeof *w->engines);
	if (w->w == NULL || w->engines == NULL) {
		snprintf(err, errlen, "workers: %s", strerror(ENOMEM));
		free(w->w);
		free(w->engines);
		w->w = NULL;
		w->stopped = true;
		workers_free(w);
		return -1;
	}
	w->n = n;
	w->stopped = true; /* until every thread runs: workers_free must not wait */
	engine_config_share(cfg, n, &share);
	/* Reading files, the reader is worker 0 (an even share: with
	 * workers_read_file every worker reads its part of the file). */
	w->w[0].in_reader = reader_works && n > 1;
	for (unsigned i = 0; i < n; i++) {
		if (worker_init(w, &w->w[i], &share, reg, err, errlen) != 0) {
			workers_free(w);
			return -1;
		}
		w->engines[i] = w->w[i].e;
	}
	for (unsigned i = 0; i < n; i++) {
		if (w->w[i].in_reader)
			continue;
		int rc = pthread_create(&w->w[i].thread, NULL, worker_main, &w->w[i]);
		if (rc != 0) {
			snprintf(err, errlen, "workers: cannot start a thread: %s", strerror(rc));
			/* Stop the ones that run: each gets a STOP batch and is joined. */
			for (unsigned j = 0; j < i; j++) {
				if (w->w[j].in_reader)
					continue;
				struct wk_batch *b = take_spare(&w->w[j]);
				b->ctl = WK_STOP;
				hand_over(&w->w[j], b);
				pthread_join(w->w[j].thread, NULL);
				w->w[j].running = false;
			}
			workers_free(w);
			return -1;
		}
		w->w[i].running = true;
	}
	w->stopped = false;
	w->front = front;
	engine_set_parts(front, w->engines, n);
	*out = w;
	return 0;
}
