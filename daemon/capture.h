/* SPDX-License-Identifier: BSD-2-Clause */
/* One libpcap handle: a pcap/pcapng file (or stdin) or a live interface.
 * capture.c is the only file that sees <pcap.h>: callers get frames, times in
 * microseconds, link types as DLT numbers and one-line errors. */
#ifndef PD_DAEMON_CAPTURE_H
#define PD_DAEMON_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct capture;

struct capture_packet {
	const uint8_t *data;   /* valid until the next capture_next on the same handle */
	size_t caplen, wirelen;
	uint64_t ts_us;        /* packet time, microseconds since the epoch */
	int linktype;          /* DLT_ value of the handle */
};

enum capture_next_result {
	CAPTURE_END = 0,       /* offline: no more records */
	CAPTURE_PACKET = 1,
	CAPTURE_NONE = 2,      /* live: nothing pending right now */
	CAPTURE_ERROR = -1,    /* message in capture_error(); the handle is finished */
};

struct capture_live_cfg {
	unsigned snaplen;      /* 0 = 262144 */
	unsigned buffer_kib;   /* 0 = libpcap default */
	bool promisc;
	bool immediate;
	int timeout_ms;        /* packet buffer timeout (ignored in immediate mode) */
};

struct capture_counts {
	uint64_t received, dropped, ifdropped;
};

/* Opens `path` for reading before privileges are dropped: "-" is stdin.
 * Returns the stream, or NULL with errno set. Directories and empty files are
 * accepted here and refused, with a clear message, by capture_open_file. */
FILE *capture_preopen(const char *path);

/* Checks BPF syntax once, before any input is read (Ethernet link type). Returns
 * 0 or -1 with libpcap's message in err. */
int capture_check_filter(const char *bpf, char *err, size_t errlen);

/* Reads a pcap or pcapng stream; `name` is used in messages ("-" shows as
 * "stdin"). Takes ownership of fp in every case. Returns 0, 1 (not readable as
 * a capture, unsupported link type: an input error) or 64 (the filter does not
 * compile for this link type), with one line "NAME: reason" in err. */
int capture_open_file(struct capture **out, const char *name, FILE *fp, const char *bpf,
                      char *err, size_t errlen);

/* Opens a live interface ("any" = all), applies cfg and the filter, and makes
 * the handle non-blocking for capture_fd()/poll. Returns 0, 1 or 64 as above. */
int capture_open_live(struct capture **out, const char *iface, const struct capture_live_cfg *cfg,
                      const char *bpf, char *err, size_t errlen);

/* Next frame. After CAPTURE_ERROR, capture_error() holds
 * "NAME: <libpcap error> (after N packets, M bytes)": M counts the captured bytes
 * of the N packets read before the damage. */
enum capture_next_result capture_next(struct capture *c, struct capture_packet *p);
const char *capture_error(const struct capture *c);

/* Offline, classic pcap: the fast reader (daemon/savefile.h), for threads that
 * read blocks of the file themselves; NULL when libpcap reads. */
struct savefile;
const struct savefile *capture_savefile(const struct capture *c);
/* After those blocks: capture_next goes on at file offset off (where the last
 * block ended), counting packets and bytes more as read. */
void capture_advance(struct capture *c, uint64_t off, uint64_t packets, uint64_t bytes);
/* Live: what pcap_activate warned about (e.g. no promiscuous mode), or NULL. */
const char *capture_warning(const struct capture *c);

const char *capture_name(const struct capture *c);
int capture_linktype(const struct capture *c);
uint64_t capture_packets(const struct capture *c);
/* Selectable descriptor of a live handle (-1 when there is none). */
int capture_fd(const struct capture *c);
/* Offline: bytes consumed so far and the file size (0 when not a regular file). */
void capture_position(const struct capture *c, uint64_t *pos, uint64_t *size);
/* Live: kernel counters (pcap_stats), with those of the handles of its
 * fanout group. Returns 0 or -1. */
int capture_counts(struct capture *c, struct capture_counts *out);

/* Live: the PACKET_FANOUT group c heads (daemon/fanout.h), owned by c from
 * then on and closed with it; NULL when none. */
struct fanout;
void capture_set_fanout(struct capture *c, struct fanout *f);
struct fanout *capture_fanout(const struct capture *c);

/* Link state of a live interface, read by name on the capture's own socket
 * (netdevice(7) SIOCGIFINDEX, SIOCGIFFLAGS; no privilege needed). */
enum capture_link {
	CAPTURE_LINK_UP,          /* up and running */
	CAPTURE_LINK_DOWN,        /* administratively down (ip link set down) */
	CAPTURE_LINK_NO_CARRIER,  /* up without carrier (cable out, veth peer down) */
	CAPTURE_LINK_GONE,        /* no interface of that name any more */
	CAPTURE_LINK_UNBOUND,     /* one of that name exists, but not the one the
	                             socket was bound to (deleted and re-created) */
	CAPTURE_LINK_UNKNOWN,     /* not followed: "any", pseudo-devices, offline */
};
enum capture_link capture_link_state(const struct capture *c);

/* Live, Linux: binds the handle's packet socket again to the interface of the
 * same name, which was deleted and re-created. Binding an existing socket
 * needs no capability, so this works after the privilege drop; the socket
 * keeps its options (snapshot length, buffer, immediate mode, BPF program)
 * and promiscuous mode is asked for again. Returns 0; 1 when worth trying
 * later (no such interface yet); -1 when impossible without a new socket
 * (not a network interface, another hardware type), which needs the
 * privileges dropped at start. err says why in both cases. */
int capture_rebind(struct capture *c, char *err, size_t errlen);

void capture_close(struct capture *c);

#endif
