/* SPDX-License-Identifier: BSD-2-Clause */
/* Live capture with --workers N: N handles on one interface joined to one
 * PACKET_FANOUT group (packet(7)), so the kernel spreads the packets over the
 * workers by a symmetric flow hash (both directions of a flow, and with
 * PACKET_FANOUT_FLAG_DEFRAG every IPv4 fragment of a datagram, reach the same
 * handle) and each worker reads its own handle. Where the kernel refuses,
 * the reader thread shards in software as it does for files. */
#ifndef PD_DAEMON_FANOUT_H
#define PD_DAEMON_FANOUT_H

#include <stddef.h>

#include "daemon/capture.h"

struct fanout;

/* For live[0..n_live) just opened with cfg and bpf (before privileges are
 * dropped): with one interface, opens workers - 1 more handles on it and
 * joins all to a fanout group kept by live[0] (capture_fanout; closed with
 * it). Otherwise, or when the kernel refuses, logs one line saying that
 * packets are sharded in software, and leaves live as it was. */
void fanout_attach(struct capture **live, size_t n_live, const struct capture_live_cfg *cfg,
                   const char *bpf, unsigned workers);

/* Handles in the group (handle 0 is the one the group was attached to). */
unsigned fanout_size(const struct fanout *f);
struct capture *fanout_handle(const struct fanout *f, unsigned i);

/* Adds the kernel counters of handles 1.. (not handle 0's) to out. Call only
 * while no worker reads its handle (after workers_sync or workers_stop). */
void fanout_add_counts(struct fanout *f, struct capture_counts *out);

/* Closes handles 1.. and frees f (handle 0 is its caller's). NULL-safe. */
void fanout_free(struct fanout *f);

#endif
