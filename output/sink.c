/* SPDX-License-Identifier: BSD-2-Clause */
/* Event line sinks: buffered append-only file (reopened for logrotate),
 * stdout, syslog(3) and memory; write(2) loops per POSIX.1-2017 write(). */
#include "output/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *what, const char *path, int e)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
}

static int open_path(const char *path)
{
	int fd;

	do
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	while (fd < 0 && errno == EINTR);
	return fd;
}

/* Writes all of p, resuming after EINTR and short writes. */
static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void record_error(struct out_sink *s, int e)
{
	s->errors++;
	s->last_errno = e;
}

int out_sink_open(struct out_sink *s, enum out_sink_kind kind, const char *path,
                  char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (kind == OUT_SINK_FILE && path != NULL && strcmp(path, "-") == 0)
		kind = OUT_SINK_STDOUT;
	s->kind = kind;

	switch (kind) {
	case OUT_SINK_FILE:
		if (path == NULL || path[0] == '\0') {
			set_err(err, errlen, "cannot open", "(no path)", EINVAL);
			return -1;
		}
		s->path = strdup(path);
		if (s->path == NULL) {
			set_err(err, errlen, "cannot open", path, ENOMEM);
			return -1;
		}
		s->fd = open_path(path);
		if (s->fd < 0) {
			int e = errno;
			set_err(err, errlen, "cannot open", path, e);
			free(s->path);
			s->path = NULL;
			errno = e;
			return -1;
		}
		break;
	case OUT_SINK_STDOUT:
		s->fd = STDOUT_FILENO;
		break;
	case OUT_SINK_SYSLOG:
	case OUT_SINK_MEMORY:
		return 0;
	default:
		set_err(err, errlen, "unknown sink kind for", path != NULL ? path : "-", EINVAL);
		return -1;
	}
	s->wbuf = malloc(OUT_SINK_BUF);
	if (s->wbuf == NULL) {
		set_err(err, errlen, "no memory for", path != NULL ? path : "-", ENOMEM);
		out_sink_close(s);
		return -1;
	}
	s->wcap = OUT_SINK_BUF;
	return 0;
}

int out_sink_open_relay(struct out_sink *s, out_sink_relay_fn fn, void *arg, char *err,
                        size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->kind = OUT_SINK_RELAY;
	s->relay = fn;
	s->relay_arg = arg;
	s->wbuf = malloc(OUT_SINK_BUF);
	if (s->wbuf == NULL) {
		set_err(err, errlen, "no memory for", "relay sink", ENOMEM);
		return -1;
	}
	s->wcap = OUT_SINK_BUF;
	return 0;
}

/* Where a buffer of whole lines goes: the descriptor, or the relay. */
static int put_block(struct out_sink *s, const char *buf, size_t len, size_t lines)
{
	if (s->kind == OUT_SINK_RELAY)
		return s->relay(s->relay_arg, buf, len, lines);
	return write_all(s->fd, buf, len);
}

static bool buffered(const struct out_sink *s)
{
	return s->kind == OUT_SINK_RELAY ? s->relay != NULL : s->fd >= 0;
}

int out_sink_flush(struct out_sink *s)
{
	if (s->wlen == 0 || !buffered(s))
		return 0;
	int rc = 0;
	if (put_block(s, s->wbuf, s->wlen, s->wlines) == 0) {
		s->lines += s->wlines;
		s->bytes += s->wlen;
	} else {
		/* What reached the file cannot be told apart line by line;
		 * count the whole buffer as lost rather than guess. */
		record_error(s, errno);
		s->dropped += s->wlines;
		rc = -1;
	}
	s->wlen = 0;
	s->wlines = 0;
	return rc;
}

static int mem_append(struct out_sink *s, const char *line, size_t len)
{
	size_t need = s->mem_len + len + 2;
	if (need > s->mem_cap) {
		size_t ncap = s->mem_cap ? s->mem_cap * 2 : 4096;
		while (ncap < need)
			ncap *= 2;
		char *nm = realloc(s->mem, ncap);
		if (nm == NULL) {
			record_error(s, ENOMEM);
			s->dropped++;
			return -1;
		}
		s->mem = nm;
		s->mem_cap = ncap;
	}
	memcpy(s->mem + s->mem_len, line, len);
	s->mem_len += len;
	s->mem[s->mem_len++] = '\n';
	s->mem[s->mem_len] = '\0';
	s->lines++;
	s->bytes += len + 1;
	return 0;
}

int out_sink_write(struct out_sink *s, const char *line, size_t len)
{
	switch (s->kind) {
	case OUT_SINK_MEMORY:
		return mem_append(s, line, len);
	case OUT_SINK_SYSLOG:
		if (len > INT_MAX)
			len = INT_MAX;
		syslog(LOG_INFO, "%.*s", (int)len, line);
		s->lines++;
		s->bytes += len;
		return 0;
	case OUT_SINK_FILE:
	case OUT_SINK_STDOUT:
	case OUT_SINK_RELAY:
		break;
	default:
		return -1;
	}
	if (!buffered(s) || s->wbuf == NULL) {
		record_error(s, EBADF);
		s->dropped++;
		return -1;
	}
	int rc = 0;
	if (len + 1 > s->wcap - s->wlen && out_sink_flush(s) != 0)
		rc = -1;
	if (len + 1 <= s->wcap - s->wlen) {
		memcpy(s->wbuf + s->wlen, line, len);
		s->wlen += len;
		s->wbuf[s->wlen++] = '\n';
		s->wlines++;
		return rc;
	}
	/* Longer than the whole buffer (the buffer is empty now): on its own. */
	int r = -1;
	if (s->kind == OUT_SINK_RELAY) {
		/* A relay takes whole lines only: the line and its newline in one. */
		char *one = malloc(len + 1);
		if (one != NULL) {
			memcpy(one, line, len);
			one[len] = '\n';
			r = s->relay(s->relay_arg, one, len + 1, 1);
			free(one);
		} else {
			errno = ENOMEM;
		}
	} else if (write_all(s->fd, line, len) == 0 && write_all(s->fd, "\n", 1) == 0) {
		r = 0;
	}
	if (r != 0) {
		record_error(s, errno);
		s->dropped++;
		return -1;
	}
	s->lines++;
	s->bytes += len + 1;
	return rc;
}

int out_sink_write_lines(struct out_sink *s, const char *buf, size_t len, size_t lines)
{
	if ((s->kind == OUT_SINK_FILE || s->kind == OUT_SINK_STDOUT) && s->fd >= 0 &&
	    s->wbuf != NULL) {
		/* Whole lines already: after what is buffered, in one write. */
		int rc = out_sink_flush(s);
		if (len + 1 <= s->wcap) {
			memcpy(s->wbuf, buf, len);
			s->wlen = len;
			s->wlines = lines;
			return rc;
		}
		if (write_all(s->fd, buf, len) != 0) {
			record_error(s, errno);
			s->dropped += lines;
			return -1;
		}
		s->lines += lines;
		s->bytes += len;
		return rc;
	}
	int rc = 0;
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl != NULL ? (size_t)(nl - buf) : len;
		if (out_sink_write(s, buf, n) != 0)
			rc = -1;
		n += nl != NULL;
		buf += n;
		len -= n;
	}
	return rc;
}

int out_sink_reopen(struct out_sink *s, char *err, size_t errlen)
{
	int rc = out_sink_flush(s);
	if (s->kind != OUT_SINK_FILE || s->path == NULL)
		return rc;
	int fd = open_path(s->path);
	if (fd < 0) {
		int e = errno;
		record_error(s, e);
		set_err(err, errlen, "cannot reopen", s->path, e);
		errno = e;
		return -1;
	}
	if (s->fd >= 0 && close(s->fd) != 0)
		record_error(s, errno);
	s->fd = fd;
	if (rc != 0)
		set_err(err, errlen, "write failed before reopening", s->path, s->last_errno);
	return rc;
}

void out_sink_close(struct out_sink *s)
{
	out_sink_flush(s);
	/* close(2) can report a failed delayed write (NFS, quota). */
	if (s->kind == OUT_SINK_FILE && s->fd >= 0 && close(s->fd) != 0)
		record_error(s, errno);
	s->fd = -1;
	free(s->path);
	free(s->wbuf);
	free(s->mem);
	s->path = NULL;
	s->wbuf = NULL;
	s->mem = NULL;
	s->wlen = s->wcap = s->mem_len = s->mem_cap = 0;
}
