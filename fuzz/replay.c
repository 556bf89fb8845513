/* SPDX-License-Identifier: BSD-2-Clause */
/* Replay driver: runs a fuzz harness's LLVMFuzzerTestOneInput over files, so
 * `make check` replays every corpus (seeds, coverage finds, crash
 * regressions) without libFuzzer or clang.
 *
 * Usage: replay_TARGET PATH...   PATH is a file or a directory (read in
 * name order, recursively; names starting with '.' are skipped). Each input
 * is read into a buffer of exactly its size, so an overread is an ASan
 * report. Exit 0 when every input ran (a harness aborts on a bug), 1 when a
 * path could not be read, 2 on usage errors. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

#define REPLAY_MAX_INPUT (16u * 1024u * 1024u)

struct replay {
	unsigned long inputs;
	unsigned long errors;
	int verbose;
};

static int read_all(const char *path, uint8_t **out, size_t *outlen)
{
	FILE *fp = fopen(path, "rb");
	struct stat sb;
	if (fp == NULL)
		return -1;
	if (fstat(fileno(fp), &sb) != 0 || sb.st_size < 0 || (uint64_t)sb.st_size > REPLAY_MAX_INPUT) {
		fclose(fp);
		errno = EFBIG;
		return -1;
	}
	size_t len = (size_t)sb.st_size;
	uint8_t *buf = malloc(len ? len : 1);
	if (buf == NULL || fread(buf, 1, len, fp) != len) {
		free(buf);
		fclose(fp);
		errno = EIO;
		return -1;
	}
	fclose(fp);
	*out = buf;
	*outlen = len;
	return 0;
}

static void run_file(struct replay *r, const char *path)
{
	uint8_t *buf;
	size_t len;
	if (read_all(path, &buf, &len) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		r->errors++;
		return;
	}
	if (r->verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	/* Name the input before running it: a harness abort ends the process. */
	fflush(stderr);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	r->inputs++;
}

static void run_path(struct replay *r, const char *path, unsigned depth);

static void run_dir(struct replay *r, const char *path, unsigned depth)
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		r->errors++;
		return;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
			char *child = malloc(len);
			if (child == NULL) {
				r->errors++;
			} else {
				snprintf(child, len, "%s/%s", path, names[i]->d_name);
				run_path(r, child, depth + 1);
				free(child);
			}
		}
		free(names[i]);
	}
	free(names);
}

static void run_path(struct replay *r, const char *path, unsigned depth)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		r->errors++;
	} else if (S_ISDIR(sb.st_mode)) {
		if (depth < 8)
			run_dir(r, path, depth);
	} else {
		run_file(r, path);
	}
}

int main(int argc, char **argv)
{
	struct replay r = { 0, 0, getenv("REPLAY_VERBOSE") != NULL };
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	/* The empty input is always worth one run. */
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	for (int i = 1; i < argc; i++)
		run_path(&r, argv[i], 0);
	printf("%s: %lu inputs replayed, %lu unreadable\n", argv[0], r.inputs, r.errors);
	return r.errors ? 1 : 0;
}
