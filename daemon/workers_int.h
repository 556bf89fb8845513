/* SPDX-License-Identifier: BSD-2-Clause */
/* Inside --workers (daemon/workers.h): the batch queues of workers.c and the
 * file blocks of workers_file.c share these. */
#ifndef PD_DAEMON_WORKERS_INT_H
#define PD_DAEMON_WORKERS_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/savefile.h"
#include "daemon/workers.h"
#include "parsers/decode.h"

/* ---- workers_read_file: blocks of one pcap file, read by every thread in turn ---- */

#define WK_RING 8                /* blocks in flight: how far the fastest thread may
                                  * run ahead of the slowest */
#define WK_BLOCK_FRAMES 4096     /* records per block at most (small frames) */

struct wk_block {
	uint8_t *buf;                   /* SAVEFILE_BLOCK_BYTES */
	struct savefile_rec *recs;      /* ts_us holds the reader's clock at the record */
	uint8_t *shard;                 /* worker of each record */
	size_t n;
	uint64_t first;                 /* packet index before recs[0] */
	uint64_t end;                   /* file offset after the last record */
	unsigned users;                 /* workers still to take their records (under m) */
};

/* Shared by the threads of one workers_read_file call, under m. */
struct wk_file {
	pthread_mutex_t m;
	pthread_cond_t cv;              /* a block read, a ring slot free, the end */
	bool ready;                     /* m, cv and blocks set up */
	const struct savefile *sf;
	int linktype;
	uint64_t off, index, now, bytes; /* next block: its offset; packets, clock
	                                  * and bytes before it */
	uint64_t nread;                 /* blocks read in this call */
	bool reading;                   /* a thread is reading block nread */
	bool end;                       /* no block after those read */
	bool paused;                    /* ended by pause() or stop_us, not by the file */
	uint64_t stop_us;               /* end after the first record at this clock (0: none) */
	workers_pause_fn *pause;
	void *arg;
	struct wk_block blk[WK_RING];
};

#define WK_BATCH_BYTES (256u * 1024u)  /* one batch: a few hundred frames */
#define WK_MAX_FRAME (WK_BATCH_BYTES - sizeof(struct wk_rec))
#define WK_BATCHES 8                   /* per worker: bounds memory and lag; enough
					 * for a worker to keep busy while the
					 * reader is off the CPU */
#define WK_ALIGN 8u

/* Header of one frame copy in a batch; the frame follows, then padding to 8. */
struct wk_rec {
	uint64_t now_us;   /* the reader's clock at this frame */
	uint64_t index;    /* 1-based number of the frame in the whole input */
	uint64_t wirelen;
	uint32_t caplen;
	int32_t linktype;
};

/* What a worker does after the frames of a batch. */
enum wk_ctl {
	WK_DATA = 0,
	WK_TICK = 1u << 0,  /* move the clock to batch.now_us */
	WK_SYNC = 1u << 1,  /* tick, flush the lines, report to the reader */
	WK_STOP = 1u << 2,  /* tick, end every flow, flush, report, exit */
	WK_LIVE = 1u << 3,  /* from now on read the worker's own handle (fanout) */
	WK_FILE = 1u << 4,  /* take blocks of the reader's file (workers_read_file) */
};

#define WK_LIVE_POLL_MS 50   /* fanout: how soon a worker sees the reader's requests */
#define WK_LIVE_BURST 4096   /* fanout: packets read between looks at the queue */

/* A cache line each: the reader writes `used` of the batch it fills at every
 * frame, the worker reads the others' (false sharing cost a cache line
 * transfer per frame). */
struct wk_batch {
	_Alignas(64) size_t used;
	unsigned ctl;
	uint64_t now_us;
	uint8_t *data;     /* WK_BATCH_BYTES */
};

struct worker {
	_Alignas(64) struct workers *owner; /* a cache line apart from the next worker */
	pthread_t thread;
	bool running;
	struct pd_engine *e;
	struct out_sink sink;          /* relays whole lines to the shared sink */
	bool sink_open;
	pthread_mutex_t m;
	pthread_cond_t work, room;     /* the worker waits for work, the reader for room */
	struct wk_batch *queue[WK_BATCHES]; /* handed over, oldest first */
	unsigned qhead, qlen;
	struct wk_batch *spare[WK_BATCHES]; /* free for the reader */
	unsigned nspare;
	bool reader_waits;             /* the reader sleeps on `room` */
	struct wk_batch *cur;          /* reader: being filled */
	struct capture *cap;           /* fanout: the handle this worker reads */
	bool live;                     /* reading cap (until it fails) */
	bool in_reader;                /* worker 0 run by the reader itself (no thread) */
	struct pd_packet scratch;      /* sharding: decode for link types without a fast path */
	struct wk_batch batches[WK_BATCHES];
};

struct workers {
	unsigned n;
	struct worker *w;
	struct pd_engine **engines;
	struct pd_engine *front;
	struct out_sink *sink;         /* shared: written by relay() under sink_m */
	pthread_mutex_t sink_m;
	pthread_mutex_t m;             /* guards `reported` */
	pthread_cond_t reported_cv;
	unsigned reported;             /* SYNC/STOP batches done since the last wait */
	_Alignas(64) uint64_t index, now; /* reader: frames so far, clock (a line of
	                                  * their own: the threads lock the mutexes above) */
	bool stopped;
	_Atomic uint64_t live_index;   /* fanout: frames read by all workers */
	atomic_uint live_failed;       /* fanout: workers whose handle failed */
	_Alignas(64) struct wk_file file; /* workers_read_file (a line of its own for its mutex) */
};


unsigned wk_shard_of(const struct workers *w, struct pd_packet *scratch, const uint8_t *frame,
                     size_t len, int linktype);
/* Hands every thread its batch in progress (or an empty one) with ctl; the
 * reader's own worker applies ctl last. */
void wk_send_all(struct workers *w, unsigned ctl, uint64_t now_us);
/* A worker finished a SYNC, STOP or FILE request. */
void wk_report(struct workers *w);
/* The reader waits until every worker reported. */
void wk_wait_reports(struct workers *w);
/* A thread's or the reader's part of workers_read_file. */
void wk_file_run(struct workers *w, struct worker *k, unsigned me);
void wk_file_free(struct wk_file *f);

#endif
