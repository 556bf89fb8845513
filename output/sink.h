/* SPDX-License-Identifier: BSD-2-Clause */
/* Where event lines go: a file (reopened on request, for logrotate), stdout,
 * syslog, or memory (tests). Each write is one whole line. */
#ifndef PD_OUT_SINK_H
#define PD_OUT_SINK_H

#include <stddef.h>
#include <stdint.h>

enum out_sink_kind { OUT_SINK_FILE, OUT_SINK_STDOUT, OUT_SINK_SYSLOG, OUT_SINK_MEMORY };

struct out_sink {
	enum out_sink_kind kind;
	int fd;                /* FILE/STDOUT */
	char *path;            /* FILE */
	char *mem; size_t mem_len, mem_cap; /* MEMORY: all lines concatenated */
	char *wbuf; size_t wlen, wcap;      /* FILE/STDOUT: write buffer of whole lines */
	uint64_t lines, bytes, errors;
	int last_errno;
};

/* Opens a sink. path is used by FILE only ("-" means stdout). Returns 0 or -1
 * with errno-based detail in err. */
int out_sink_open(struct out_sink *s, enum out_sink_kind kind, const char *path,
                  char *err, size_t errlen);
/* Writes one line (without newline; the sink adds it). Returns 0 or -1. */
int out_sink_write(struct out_sink *s, const char *line, size_t len);
int out_sink_flush(struct out_sink *s);
/* FILE: flush, close and reopen the same path (SIGHUP). Never splits a line. */
int out_sink_reopen(struct out_sink *s, char *err, size_t errlen);
void out_sink_close(struct out_sink *s);

#endif
