/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for output/sink.c: memory and file sinks, buffering, reopen after a
 * logrotate-style rename (no line lost, duplicated or split), errors. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/sink.h"

static char tmpdir[256];

static void make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/pd-sink-XXXXXX", base != NULL ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmpdir(void)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Reads a whole file into a NUL-terminated malloc'd buffer. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "open %s: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	for (;;) {
		if (n + 1 >= cap) {
			cap *= 2;
			char *grown = realloc(buf, cap);
			if (grown == NULL)
				free(buf);
			ck_assert_ptr_nonnull(grown);
			buf = grown;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The test line for sequence number i: varied lengths, never a newline. */
static size_t make_line(char *out, size_t cap, unsigned i)
{
	int n = snprintf(out, cap, "{\"seq\":%u,\"pad\":\"%.*s\"}", i, (int)(i % 97),
	                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	return (size_t)n;
}

/* Checks that text holds exactly the lines first..last-1, in order, whole. */
static unsigned check_lines(const char *text, size_t len, unsigned first)
{
	unsigned i = first;
	size_t off = 0;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		ck_assert_msg(nl != NULL, "last line has no newline (split line)");
		char want[256];
		size_t wl = make_line(want, sizeof(want), i);
		size_t gl = (size_t)(nl - (text + off));
		ck_assert_msg(gl == wl && memcmp(text + off, want, wl) == 0,
		              "line %u: got %.*s", i, (int)gl, text + off);
		off += gl + 1;
		i++;
	}
	return i;
}

START_TEST(test_memory)
{
	struct out_sink s;
	char err[128];
	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_MEMORY, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(out_sink_write(&s, "a", 1), 0);
	ck_assert_int_eq(out_sink_write(&s, "bcXX", 2), 0);
	ck_assert_int_eq(out_sink_write(&s, "", 0), 0);
	ck_assert_uint_eq(s.mem_len, 6);
	ck_assert_str_eq(s.mem, "a\nbc\n\n");
	ck_assert_uint_eq(s.lines, 3);
	ck_assert_uint_eq(s.bytes, 6);
	ck_assert_int_eq(out_sink_flush(&s), 0);
	ck_assert_int_eq(out_sink_reopen(&s, err, sizeof(err)), 0);
	out_sink_close(&s);
	ck_assert_ptr_null(s.mem);
	out_sink_close(&s);   /* twice is harmless */
}
END_TEST

/* Many lines (several buffer flushes), a rename + reopen in the middle, as
 * logrotate does: the old file holds exactly the lines before the reopen, the
 * new one the rest, none split or repeated. */
START_TEST(test_file_reopen)
{
	struct out_sink s;
	char err[256], path[300], rotated[310], line[256];
	const unsigned total = 30000, rotate_at = 17777;

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/eve.json", tmpdir);
	snprintf(rotated, sizeof(rotated), "%s/eve.json.1", tmpdir);
	mode_t old = umask(022);
	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_FILE, path, err, sizeof(err)), 0);
	umask(old);
	ck_assert_int_eq(s.kind, OUT_SINK_FILE);

	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0640);
	ck_assert_int_eq(fcntl(s.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_ne(fcntl(s.fd, F_GETFL) & O_APPEND, 0);

	for (unsigned i = 0; i < total; i++) {
		if (i == rotate_at) {
			ck_assert_int_eq(rename(path, rotated), 0);
			ck_assert_int_eq(out_sink_reopen(&s, err, sizeof(err)), 0);
			ck_assert_uint_eq(s.wlen, 0);
		}
		size_t n = make_line(line, sizeof(line), i);
		ck_assert_int_eq(out_sink_write(&s, line, n), 0);
		ck_assert_uint_le(s.wlen, s.wcap);
	}
	/* buffered until the flush: part of the tail is not in the file yet */
	ck_assert_uint_gt(s.wlen, 0);
	ck_assert_int_eq(out_sink_flush(&s), 0);
	ck_assert_uint_eq(s.lines, total);
	ck_assert_uint_eq(s.errors, 0);
	ck_assert_uint_eq(s.dropped, 0);
	out_sink_close(&s);

	size_t l1, l2;
	char *t1 = slurp(rotated, &l1), *t2 = slurp(path, &l2);
	ck_assert_uint_eq(check_lines(t1, l1, 0), rotate_at);
	ck_assert_uint_eq(check_lines(t2, l2, rotate_at), total);
	free(t1);
	free(t2);
	rm_tmpdir();
}
END_TEST

/* Appends to an existing file; a line longer than the buffer stays whole. */
START_TEST(test_file_append_and_long_line)
{
	struct out_sink s;
	char err[256], path[400];
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/eve.json", tmpdir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("old\n", f);
	fclose(f);

	size_t big = OUT_SINK_BUF * 2 + 123;
	char *line = malloc(big);
	ck_assert_ptr_nonnull(line);
	memset(line, 'L', big);
	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_FILE, path, err, sizeof(err)), 0);
	ck_assert_int_eq(out_sink_write(&s, "first", 5), 0);
	ck_assert_int_eq(out_sink_write(&s, line, big), 0);
	ck_assert_int_eq(out_sink_write(&s, "last", 4), 0);
	out_sink_close(&s);
	ck_assert_uint_eq(s.lines, 3);

	size_t n;
	char *t = slurp(path, &n);
	ck_assert_uint_eq(n, 4 + 6 + big + 1 + 5);
	ck_assert_int_eq(memcmp(t, "old\nfirst\n", 10), 0);
	ck_assert_int_eq(memcmp(t + 10, line, big), 0);
	ck_assert_str_eq(t + 10 + big, "\nlast\n");
	free(t);
	free(line);
	rm_tmpdir();
}
END_TEST

START_TEST(test_open_errors)
{
	struct out_sink s;
	char err[256], path[400];

	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_FILE, "/nonexistent-pd-dir/eve.json", err,
	                               sizeof(err)), -1);
	ck_assert_str_eq(err, "cannot open /nonexistent-pd-dir/eve.json: No such file or directory");
	ck_assert_ptr_null(s.path);
	out_sink_close(&s);

	make_tmpdir();
	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_FILE, tmpdir, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Is a directory"));
	ck_assert_ptr_nonnull(strstr(err, tmpdir));

	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_FILE, "", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "Invalid argument"));

	/* "-" is stdout; nothing is written here */
	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_FILE, "-", err, sizeof(err)), 0);
	ck_assert_int_eq(s.kind, OUT_SINK_STDOUT);
	ck_assert_int_eq(s.fd, STDOUT_FILENO);
	out_sink_close(&s);
	ck_assert_int_ne(fcntl(STDOUT_FILENO, F_GETFD), -1);   /* stdout stays open */

	/* reopen that fails keeps the old descriptor */
	char sub[320], moved[330];
	snprintf(sub, sizeof(sub), "%s/d", tmpdir);
	snprintf(moved, sizeof(moved), "%s/moved", tmpdir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/eve.json", sub);
	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_FILE, path, err, sizeof(err)), 0);
	ck_assert_int_eq(out_sink_write(&s, "one", 3), 0);
	ck_assert_int_eq(rename(sub, moved), 0);
	err[0] = '\0';
	ck_assert_int_eq(out_sink_reopen(&s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	ck_assert_int_eq(s.last_errno, ENOENT);
	ck_assert_uint_eq(s.errors, 1);
	ck_assert_int_eq(out_sink_write(&s, "two", 3), 0);
	out_sink_close(&s);
	snprintf(path, sizeof(path), "%s/eve.json", moved);
	size_t n;
	char *t = slurp(path, &n);
	ck_assert_str_eq(t, "one\ntwo\n");
	free(t);
	rm_tmpdir();
}
END_TEST

/* A device that refuses writes: errors are counted and returned, the lines
 * dropped, the buffer emptied (memory stays bounded). */
START_TEST(test_write_errors)
{
	struct out_sink s;
	char err[256];
	if (access("/dev/full", W_OK) != 0)
		return;
	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_FILE, "/dev/full", err, sizeof(err)), 0);
	ck_assert_int_eq(out_sink_write(&s, "x", 1), 0);          /* only buffered */
	ck_assert_int_eq(out_sink_write(&s, "y", 1), 0);
	ck_assert_int_eq(out_sink_flush(&s), -1);
	ck_assert_int_eq(s.last_errno, ENOSPC);
	ck_assert_uint_eq(s.errors, 1);
	ck_assert_uint_eq(s.dropped, 2);
	ck_assert_uint_eq(s.lines, 0);
	ck_assert_uint_eq(s.wlen, 0);
	/* a line too long for the buffer fails at once */
	char *big = calloc(1, OUT_SINK_BUF + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, 'b', OUT_SINK_BUF);
	ck_assert_int_eq(out_sink_write(&s, big, OUT_SINK_BUF), -1);
	ck_assert_uint_eq(s.dropped, 3);
	free(big);
	out_sink_close(&s);
}
END_TEST

/* A pipe drained by a slow reader: write() blocks and returns short counts;
 * every byte arrives in order. */
struct reader { int fd; char *buf; size_t len, cap; };

static void *drain(void *arg)
{
	struct reader *r = arg;
	for (;;) {
		if (r->len == r->cap)
			break;
		ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len < 1000 ? r->cap - r->len : 1000);
		if (n <= 0)
			break;
		r->len += (size_t)n;
	}
	return NULL;
}

START_TEST(test_pipe)
{
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	struct out_sink s;
	char err[128], line[256];
	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_STDOUT, NULL, err, sizeof(err)), 0);
	s.fd = p[1];   /* stand in for stdout */
	struct reader r = { p[0], malloc(4 << 20), 0, 4 << 20 };
	ck_assert_ptr_nonnull(r.buf);
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, drain, &r), 0);
	const unsigned total = 20000;
	size_t bytes = 0;
	for (unsigned i = 0; i < total; i++) {
		size_t n = make_line(line, sizeof(line), i);
		bytes += n + 1;
		ck_assert_int_eq(out_sink_write(&s, line, n), 0);
	}
	ck_assert_int_eq(out_sink_flush(&s), 0);
	ck_assert_uint_eq(s.bytes, bytes);
	close(p[1]);
	s.fd = -1;
	out_sink_close(&s);
	pthread_join(th, NULL);
	close(p[0]);
	ck_assert_uint_eq(r.len, bytes);
	ck_assert_uint_eq(check_lines(r.buf, r.len, 0), total);
	free(r.buf);
}
END_TEST

START_TEST(test_syslog_open)
{
	struct out_sink s;
	char err[128];
	ck_assert_int_eq(out_sink_open(&s, OUT_SINK_SYSLOG, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(s.kind, OUT_SINK_SYSLOG);
	ck_assert_int_eq(out_sink_flush(&s), 0);
	out_sink_close(&s);
}
END_TEST

static Suite *sink_suite(void)
{
	Suite *s = suite_create("sink");
	TCase *tc = tcase_create("sink");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_memory);
	tcase_add_test(tc, test_file_reopen);
	tcase_add_test(tc, test_file_append_and_long_line);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_write_errors);
	tcase_add_test(tc, test_pipe);
	tcase_add_test(tc, test_syslog_open);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sink_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
