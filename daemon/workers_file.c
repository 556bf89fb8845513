/* SPDX-License-Identifier: BSD-2-Clause */
/* workers_read_file (daemon/workers.h): the workers read a classic pcap file
 * in blocks themselves and each takes its own records in place. Copying
 * frames from one reader to the others cost more than half of what a second
 * core gave (the copy, and a cache line fetched from the other core for every
 * line written); here a frame is read once, by the kernel's copy into a block,
 * and only the worker whose flow it is touches it after the sharding. Blocks
 * are read in file order by whichever thread has time, a few blocks ahead of
 * its own need, so the reading spreads itself over the threads. */
#include <stdlib.h>
#include <string.h>

#include "daemon/workers_int.h"

#define WK_FETCH_AHEAD 4 /* frames: a few packets' work covers a miss */
/* Blocks read beyond the one a thread takes next: a thread with time reads
 * them, so no thread waits at the newest block while another reads it (they
 * otherwise move in step there, each idle for half the reads). */
#define WK_READ_AHEAD 3

/* Frees the blocks' buffers (NULL-safe: struct workers starts zeroed). */
static void free_blocks(struct wk_file *f)
{
	for (unsigned i = 0; i < WK_RING; i++) {
		free(f->blk[i].buf);
		free(f->blk[i].recs);
		free(f->blk[i].shard);
		memset(&f->blk[i], 0, sizeof f->blk[i]);
	}
}

static bool file_setup(struct wk_file *f)
{
	if (f->ready)
		return true;
	for (unsigned i = 0; i < WK_RING; i++) {
		struct wk_block *b = &f->blk[i];
		b->buf = malloc(SAVEFILE_BLOCK_BYTES);
		b->recs = malloc(WK_BLOCK_FRAMES * sizeof *b->recs);
		b->shard = malloc(WK_BLOCK_FRAMES);
		if (b->buf == NULL || b->recs == NULL || b->shard == NULL) {
			free_blocks(f);
			return false;
		}
	}
	pthread_mutex_init(&f->m, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->ready = true;
	return true;
}

void wk_file_free(struct wk_file *f)
{
	if (!f->ready)
		return;
	free_blocks(f);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->m);
	f->ready = false;
}

/* Reads block f->nread into its slot (which every worker has left). Called
 * and returns with f->m held; reads without it, while the others work on. */
static void read_block(struct workers *w, struct wk_file *f, struct pd_packet *scratch)
{
	struct wk_block *b = &f->blk[f->nread % WK_RING];
	uint64_t off = f->off, index = f->index, now = f->now, bytes = 0, next;
	size_t n;

	f->reading = true;
	pthread_mutex_unlock(&f->m);
	enum savefile_block_end how =
		savefile_read_block(f->sf, off, b->buf, b->recs, WK_BLOCK_FRAMES, &n, &next);
	bool stop = false;
	if (n == 0 && how == SAVEFILE_MORE)
		how = SAVEFILE_HANDOVER; /* cannot happen (a block holds any record): never spin */
	for (size_t i = 0; i < n; i++) {
		struct savefile_rec *r = &b->recs[i];
		if (r->ts_us > now)
			now = r->ts_us;
		r->ts_us = now;
		b->shard[i] = (uint8_t)wk_shard_of(w, scratch, b->buf + r->off, r->caplen, f->linktype);
		bytes += r->caplen;
		if (f->stop_us && now >= f->stop_us) {
			/* The caller's clock stop: the span ends after this record. */
			n = i + 1;
			next = off + r->off + r->caplen;
			stop = true;
			break;
		}
	}
	b->n = n;
	b->first = index;
	b->end = next;
	pthread_mutex_lock(&f->m);
	f->reading = false;
	f->off = next;
	f->index = index + n;
	f->now = now;
	f->bytes += bytes;
	if (n > 0) {
		b->users = w->n;
		f->nread++;
	}
	if (how != SAVEFILE_MORE || stop) {
		f->end = true;
		f->paused = how == SAVEFILE_MORE;
	}
	pthread_cond_broadcast(&f->cv);
}

/* Worker me's records of block b, in order. A block another thread read
 * lies in that thread's cache: each frame would start with a miss that costs
 * as much as decoding it, so the next few frames of this worker are fetched
 * ahead. */
static void take_own(struct worker *k, const struct wk_file *f, const struct wk_block *b,
                     unsigned me)
{
	size_t ahead = 0;       /* next record to look at for fetching ahead */
	unsigned fetched = 0;   /* own records fetched ahead, not yet taken */

	for (size_t i = 0; i < b->n; i++) {
		for (; ahead < b->n && fetched < WK_FETCH_AHEAD; ahead++) {
			if (b->shard[ahead] != me)
				continue;
			const uint8_t *p = b->buf + b->recs[ahead].off;
			__builtin_prefetch(p);
			__builtin_prefetch(p + 64);
			fetched++;
		}
		if (b->shard[i] != me)
			continue;
		fetched--;
		const struct savefile_rec *r = &b->recs[i];
		engine_packet_seq(k->e, b->buf + r->off, r->caplen, r->wirelen, f->linktype,
		                  r->ts_us, b->first + i + 1);
	}
}

void wk_file_run(struct workers *w, struct worker *k, unsigned me)
{
	struct wk_file *f = &w->file;
	bool pause = false;

	pthread_mutex_lock(&f->m);
	for (uint64_t seq = 0;; seq++) {
		struct wk_block *b = &f->blk[seq % WK_RING];
		for (;;) {
			/* Reading ahead of the thread's own need: whoever is
			 * free reads, and nobody waits for a block while
			 * another thread reads it. */
			if (!f->end && !f->reading && f->nread < seq + WK_READ_AHEAD &&
			    f->blk[f->nread % WK_RING].users == 0) {
				read_block(w, f, &k->scratch);
				continue; /* it may have found the end instead */
			}
			if (seq < f->nread)
				break;
			if (f->end && !f->reading)
				goto out;
			pthread_cond_wait(&f->cv, &f->m);
		}
		pthread_mutex_unlock(&f->m);

		take_own(k, f, b, me);
		if (k->in_reader) {
			/* The front's clock moves with the blocks (periodic stats). */
			engine_tick(w->front, b->recs[b->n - 1].ts_us);
			pause = f->pause(f->arg, b->end, b->first + b->n - w->index);
		}

		pthread_mutex_lock(&f->m);
		if (--b->users == 0)
			pthread_cond_broadcast(&f->cv); /* a thread may wait for this slot */
		if (pause && !f->end) {
			f->end = true;
			f->paused = true;
			pthread_cond_broadcast(&f->cv);
		}
	}
out:
	pthread_mutex_unlock(&f->m);
}

bool workers_read_file(struct workers *w, const struct savefile *sf, int linktype,
                       uint64_t stop_us, workers_pause_fn *pause, void *arg,
                       struct workers_span *span)
{
	struct wk_file *f = &w->file;

	memset(span, 0, sizeof *span);
	if (w->stopped || !w->w[0].in_reader || sf == NULL || !file_setup(f))
		return false;
	f->sf = sf;
	f->linktype = linktype;
	f->off = savefile_offset(sf);
	f->index = w->index;
	f->now = w->now;
	f->bytes = 0;
	f->nread = 0;
	f->reading = f->end = f->paused = false;
	f->stop_us = stop_us;
	f->pause = pause;
	f->arg = arg;
	for (unsigned i = 0; i < WK_RING; i++)
		f->blk[i].users = 0;

	/* Each thread's batch in progress first: its frames come before these. */
	wk_send_all(w, WK_FILE, w->now);
	wk_file_run(w, &w->w[0], 0);
	wk_report(w);
	wk_wait_reports(w);

	span->end = f->off;
	span->packets = f->index - w->index;
	span->bytes = f->bytes;
	span->paused = f->paused;
	w->index = f->index;
	if (f->now > w->now) {
		w->now = f->now;
		engine_tick(w->front, f->now);
	}
	return true;
}
