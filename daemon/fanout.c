/* SPDX-License-Identifier: BSD-2-Clause */
/* PACKET_FANOUT groups (packet(7), Linux 3.1+; FLAG_UNIQUEID 4.3+) of
 * libpcap handles on one interface, one handle per worker thread. */
#include "daemon/fanout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#include "daemon/log.h"

#ifndef SOL_PACKET
#define SOL_PACKET 263
#endif

struct fanout {
	unsigned n;
	struct capture *h[];   /* h[0]: the caller's handle */
};

/* Joins the packet socket under c to group id (0 with `unique`: the kernel
 * picks a free id, read back into *id). Returns 0 or -1 with errno. */
static int join(struct capture *c, unsigned *id, int unique)
{
	int fd = capture_fd(c);
	int arg = (int)(*id | ((unsigned)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG |
	                                  (unique ? PACKET_FANOUT_FLAG_UNIQUEID : 0)) << 16));

	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) != 0)
		return -1;
	if (unique) {
		int got = 0;
		socklen_t len = sizeof got;
		if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &got, &len) != 0)
			return -1;
		*id = (unsigned)got & 0xffffu;
	}
	return 0;
}

/* The first join: a group id the kernel guarantees unused, else (kernels
 * before FLAG_UNIQUEID) one derived from the process id. */
static int join_first(struct capture *c, unsigned *id)
{
	*id = 0;
	if (join(c, id, 1) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	*id = (unsigned)getpid() & 0xffffu;
	return join(c, id, 0);
}

static void fail(struct fanout *f, unsigned opened, const char *name, const char *why)
{
	log_msg(LOG_NOTICE, "%s: no PACKET_FANOUT (%s): packets are sharded in software", name,
	        why);
	for (unsigned i = 1; i < opened; i++)
		capture_close(f->h[i]);
	free(f);
}

void fanout_attach(struct capture **live, size_t n_live, const struct capture_live_cfg *cfg,
                   const char *bpf, unsigned workers)
{
	char err[1024];
	unsigned id;

	if (workers < 2 || n_live == 0)
		return;
	if (n_live > 1) {
		log_msg(LOG_NOTICE, "%zu interfaces: packets are sharded in software", n_live);
		return;
	}
	struct fanout *f = calloc(1, sizeof *f + workers * sizeof f->h[0]);
	if (f == NULL) {
		log_msg(LOG_NOTICE, "%s: no memory for a fanout group: packets are sharded in software",
		        capture_name(live[0]));
		return;
	}
	f->n = workers;
	f->h[0] = live[0];
	if (join_first(f->h[0], &id) != 0) {
		fail(f, 1, capture_name(live[0]), strerror(errno));
		return;
	}
	for (unsigned i = 1; i < workers; i++) {
		if (capture_open_live(&f->h[i], capture_name(live[0]), cfg, bpf, err, sizeof err) != 0) {
			fail(f, i, capture_name(live[0]), err);
			return;
		}
		if (join(f->h[i], &id, 0) != 0) {
			fail(f, i + 1, capture_name(live[0]), strerror(errno));
			return;
		}
	}
	/* Handle 0 is in the group already; leaving a group is not possible
	 * short of closing the socket, so on failure above handle 0 stays in a
	 * group of its own members only, which the kernel treats as one socket
	 * receiving everything. */
	capture_set_fanout(live[0], f);
	log_msg(LOG_INFO, "%s: PACKET_FANOUT group %u, %u handles", capture_name(live[0]), id,
	        workers);
}

unsigned fanout_size(const struct fanout *f)
{
	return f->n;
}

struct capture *fanout_handle(const struct fanout *f, unsigned i)
{
	return i < f->n ? f->h[i] : NULL;
}

void fanout_add_counts(struct fanout *f, struct capture_counts *out)
{
	for (unsigned i = 1; i < f->n; i++) {
		struct capture_counts c;
		if (capture_counts(f->h[i], &c) == 0) {
			out->received += c.received;
			out->dropped += c.dropped;
			out->ifdropped += c.ifdropped;
		}
	}
}

void fanout_free(struct fanout *f)
{
	if (f == NULL)
		return;
	for (unsigned i = 1; i < f->n; i++)
		capture_close(f->h[i]);
	free(f);
}
