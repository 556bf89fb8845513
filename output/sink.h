/* SPDX-License-Identifier: BSD-2-Clause */
/* Where event lines go: a file (reopened on request, for logrotate), stdout,
 * syslog, or memory (tests). Each write is one whole line.
 *
 * FILE and STDOUT buffer whole lines (up to OUT_SINK_BUF bytes) and hand them
 * to write(2) when the buffer is full, on flush, and before reopen/close; a
 * line longer than the buffer is written on its own. Errors are counted and
 * returned with errno in last_errno, never printed; lines that could not be
 * written are counted in `dropped` and discarded (memory stays bounded). */
#ifndef PD_OUT_SINK_H
#define PD_OUT_SINK_H

#include <stddef.h>
#include <stdint.h>

enum out_sink_kind { OUT_SINK_FILE, OUT_SINK_STDOUT, OUT_SINK_SYSLOG, OUT_SINK_MEMORY,
                     OUT_SINK_RELAY };

/* RELAY: where a relay sink's buffer of whole lines goes when it is flushed
 * (buf: `lines` lines, each ending in '\n'). Returns 0, or -1 with errno set. */
typedef int (*out_sink_relay_fn)(void *arg, const char *buf, size_t len, size_t lines);

struct out_sink {
	enum out_sink_kind kind;
	int fd;                /* FILE/STDOUT */
	char *path;            /* FILE */
	char *mem; size_t mem_len, mem_cap; /* MEMORY: all lines concatenated */
	char *wbuf; size_t wlen, wcap;      /* FILE/STDOUT: write buffer of whole lines */
	uint64_t lines, bytes, errors;  /* lines/bytes handed to the OS (or memory, syslog) */
	int last_errno;
	uint64_t dropped;      /* lines lost to write errors */
	size_t wlines;         /* lines now in wbuf */
	out_sink_relay_fn relay; /* RELAY */
	void *relay_arg;
};

#define OUT_SINK_BUF (64 * 1024)

/* Opens a sink. path is used by FILE only ("-" means stdout); a FILE is opened
 * O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, mode 0640. SYSLOG logs at LOG_INFO with
 * whatever openlog() the program did. Returns 0 or -1 with errno-based detail
 * in err (s is then closed: out_sink_close is harmless). */
int out_sink_open(struct out_sink *s, enum out_sink_kind kind, const char *path,
                  char *err, size_t errlen);
/* A RELAY sink buffers whole lines like FILE and hands each full buffer (and
 * what is left at flush or close) to fn: a worker thread's sink passing its
 * lines to the one shared output (daemon/workers.c). Returns 0 or -1. */
int out_sink_open_relay(struct out_sink *s, out_sink_relay_fn fn, void *arg, char *err,
                        size_t errlen);

/* Appends `lines` whole lines (each ending in '\n', len bytes in all) to s,
 * as out_sink_write would one by one. Returns 0, or -1 when a write failed. */
int out_sink_write_lines(struct out_sink *s, const char *buf, size_t len, size_t lines);

/* Writes one line (without newline; the sink adds it). Returns 0, or -1 when
 * a write to the OS failed (that data is dropped; see last_errno). */
int out_sink_write(struct out_sink *s, const char *line, size_t len);
int out_sink_flush(struct out_sink *s);
/* FILE: flush, close and reopen the same path (SIGHUP). Never splits a line.
 * When the path cannot be opened, keeps writing to the old descriptor and
 * returns -1 with detail in err. Other kinds: flush only. */
int out_sink_reopen(struct out_sink *s, char *err, size_t errlen);
void out_sink_close(struct out_sink *s);

#endif
