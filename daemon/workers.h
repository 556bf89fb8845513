/* SPDX-License-Identifier: BSD-2-Clause */
/* --workers N: the calling thread reads and shards, N worker threads each run
 * an engine of their own (DESIGN.md "The walk of one packet", once per worker).
 * Reading files (reader_works), the calling thread runs worker 0 itself and
 * N-1 threads run the others: on N cores no third thread competes with the
 * workers for a core; classic pcap files are then read in blocks by every
 * worker (workers_read_file), not copied from one reader to the others.
 *
 * Sharding: a symmetric hash of the two IP addresses (the same whichever is
 * the source), so both directions of a flow, every fragment of a datagram and
 * the flow that datagram belongs to meet in one worker; ports are left out
 * because fragments after the first carry none. Frames without IP go to
 * worker 0. Frames are copied into batches (256 KiB, eight per worker) handed
 * over under a per-worker mutex, a few hundred packets at a time: the packet
 * path itself takes no lock. A full queue blocks the reader; nothing is
 * dropped. Every frame carries the reader's packet number and clock, so each
 * engine sees it as the one engine of a single-threaded run would: the same
 * events, in a different order across flows. Live capture on one interface
 * shards in the kernel instead (PACKET_FANOUT, daemon/fanout.h): each worker
 * then reads its own handle (workers_read_fanout). */
#ifndef PD_DAEMON_WORKERS_H
#define PD_DAEMON_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/engine.h"
#include "handlers/registry.h"
#include "output/sink.h"

#define WORKERS_MAX 64

struct workers;
struct fanout;
struct savefile;

/* Starts n (1..WORKERS_MAX) workers (n - 1 threads when reader_works: the
 * caller's workers_packet runs worker 0's engine), each with an engine configured by
 * engine_config_share(cfg, n) and the handler table reg, writing whole lines
 * to sink (a buffer of lines at a time, under a lock). front becomes the front
 * of the workers' engines (engine_set_parts): stats and summary sum them.
 * Start after dropping privileges (capabilities are per thread). Returns 0, or
 * -1 with a message in err (nothing left running). */
int workers_start(struct workers **out, unsigned n, bool reader_works,
                  const struct engine_config *cfg, const struct hd_registry *reg,
                  struct out_sink *sink, struct pd_engine *front, char *err, size_t errlen);

/* Reader: copies one frame to its worker, blocking while that worker's queue
 * is full. Frames longer than 256 KiB (more than libpcap's largest snapshot
 * length for the link types the decoder takes) are cut to 256 KiB. */
void workers_packet(struct workers *w, const uint8_t *frame, size_t caplen, size_t wirelen,
                    int linktype, uint64_t ts_us);

/* Between two blocks of workers_read_file, in the calling thread: pos is the
 * file offset reached and packets how many that call has read. True stops the
 * reading there (a signal to act on, stats due): the blocks already read are
 * finished first. */
typedef bool workers_pause_fn(void *arg, uint64_t pos, uint64_t packets);

struct workers_span {
	uint64_t end;          /* file offset after the last record taken */
	uint64_t packets, bytes;
	bool paused;           /* pause() or stop_us ended it; otherwise the file
	                        * ended there or has a record savefile_next leaves
	                        * to libpcap */
};

/* Reading a classic pcap file (workers started with reader_works): instead of
 * copying frames to the threads, every worker, the caller as worker 0, reads
 * blocks of the file in turn from savefile_offset(sf) (savefile_read_block;
 * whoever is first to need the next block reads it) and takes its own records
 * of every block in place, in file order, with the packet numbers and clock
 * workers_packet would give them. Returns when the records savefile_next would
 * hand out are all taken, after the first record that moves the clock to
 * stop_us or later (0: no such stop; periodic stats come after the same packet
 * as in a one-thread run), or when pause() asked; every worker has then processed
 * all it was given, and the caller goes on from span->end (capture_advance).
 * False, having done nothing, when this is not possible (no reader worker,
 * stopped, no memory). */
bool workers_read_file(struct workers *w, const struct savefile *sf, int linktype,
                       uint64_t stop_us, workers_pause_fn *pause, void *arg,
                       struct workers_span *span);

/* Live capture with a PACKET_FANOUT group of one handle per worker
 * (daemon/fanout.h): from now on worker i reads handle i itself and the
 * reader only keeps the clock (workers_tick), syncs and stops. Frames are
 * numbered in the order the workers read them. Returns false, changing
 * nothing, when f is NULL or has not one handle per worker. */
bool workers_read_fanout(struct workers *w, struct fanout *f);

/* Fanout: true once every worker's handle failed (each said why in a log
 * line); the capture is then over. */
bool workers_fanout_failed(struct workers *w);

/* Reader: hands over partly filled batches and moves every worker's clock to
 * now_us (live capture: the wall clock while the tap is quiet). Does not wait. */
void workers_tick(struct workers *w, uint64_t now_us);

/* Reader: waits until every worker has processed all it was given, ended
 * what is due at the reader's clock and flushed its lines. Until the next
 * workers_packet/workers_tick the reader may read or change the workers'
 * engines and the shared sink (stats, handler table, output reopen). */
void workers_sync(struct workers *w);

/* Ends the run: every worker processes what it was given, ends its flows
 * (engine_finish), flushes its lines and exits; the threads are joined.
 * NULL-safe and idempotent. */
void workers_stop(struct workers *w);

/* Stops if needed, detaches the front engine and frees everything. NULL-safe. */
void workers_free(struct workers *w);

#endif
