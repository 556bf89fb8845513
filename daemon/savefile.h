/* SPDX-License-Identifier: BSD-2-Clause */
/* Fast reader of classic pcap files (pcap-savefile(5)) for capture.c: large
 * pread(2) blocks parsed in place, one frame handed out per call without the
 * two stdio copies and per-record calls of libpcap's reader. Only for what it
 * reads exactly as libpcap would: a regular file, version 2.4, link types
 * without a pseudo-header, no filter. The first record it cannot vouch for
 * (truncated, longer than the snapshot, odd time stamp, read error) is left
 * to libpcap, positioned at that record, so errors and their messages are
 * libpcap's own. */
#ifndef PD_DAEMON_SAVEFILE_H
#define PD_DAEMON_SAVEFILE_H

#include <stdint.h>

#include "daemon/capture.h"

struct savefile;

/* A reader of the open descriptor fd (not taken over; the caller closes it)
 * whose header libpcap accepted with link type dlt and snapshot length
 * snapshot (pcap_datalink, pcap_snapshot). NULL when the file is not for the
 * fast path (or no memory): the caller keeps reading with libpcap. */
struct savefile *savefile_open(int fd, int dlt, int snapshot);

/* The next record into p (data valid until the next call; linktype is left
 * to the caller). CAPTURE_PACKET, CAPTURE_END (clean end of file), or
 * CAPTURE_NONE: hand over to libpcap at savefile_offset(). */
enum capture_next_result savefile_next(struct savefile *s, struct capture_packet *p);

/* File offset of the next record to read (what has been handed out ends
 * there). */
uint64_t savefile_offset(const struct savefile *s);

/* Blocks for several threads (daemon/workers.h): each reads the records of
 * one block at a time into a buffer of its own; s is not changed. */
#define SAVEFILE_BLOCK_BYTES (262144u + 4096u) /* the largest record fits */

/* One record of a block: its frame is at buf + off. */
struct savefile_rec {
	uint32_t off;
	uint32_t caplen, wirelen;
	uint64_t ts_us;
};

enum savefile_block_end {
	SAVEFILE_MORE,      /* the next block starts at *next */
	SAVEFILE_END,       /* clean end of the file after these records */
	SAVEFILE_HANDOVER,  /* the record at *next is libpcap's (savefile_next
	                     * would say CAPTURE_NONE there) */
};

/* Reads the file from offset off (a record's start) into buf
 * (SAVEFILE_BLOCK_BYTES): *n (at most max) records that lie wholly in buf and
 * that savefile_next would hand out, and where the next record starts. Safe to
 * call from several threads at once (pread; s is only read). */
enum savefile_block_end savefile_read_block(const struct savefile *s, uint64_t off, uint8_t *buf,
                                            struct savefile_rec *recs, size_t max, size_t *n,
                                            uint64_t *next);

/* Goes on from file offset off (a record's start, e.g. a block's *next). */
void savefile_seek(struct savefile *s, uint64_t off);

void savefile_free(struct savefile *s);

#endif
