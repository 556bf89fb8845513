/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the fuzz harnesses: an input reader and the JSON-lines
 * check every harness that emits events runs (RFC 8259 via tests/json_check). */
#include "fuzz/fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/json_check.h"

uint8_t fz_u8(struct fz_in *in)
{
	if (in->n == 0)
		return 0;
	uint8_t v = in->p[0];
	in->p++;
	in->n--;
	return v;
}

uint16_t fz_be16(struct fz_in *in)
{
	uint16_t hi = fz_u8(in);
	return (uint16_t)(hi << 8 | fz_u8(in));
}

size_t fz_take(struct fz_in *in, size_t want, const uint8_t **out)
{
	size_t k = want < in->n ? want : in->n;
	*out = in->p;
	in->p += k;
	in->n -= k;
	return k;
}

_Noreturn void fz_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz invariant violated: %s%s%s\n", what, detail ? ": " : "",
	        detail ? detail : "");
	abort();
}

bool fz_known(const char *name)
{
	const char *v = getenv("FUZZ_KNOWN");
	size_t n = strlen(name);
	while (v != NULL && *v != '\0') {
		const char *comma = strchr(v, ',');
		size_t len = comma ? (size_t)(comma - v) : strlen(v);
		if (len == n && strncmp(v, name, n) == 0)
			return true;
		v = comma ? comma + 1 : NULL;
	}
	return false;
}

size_t fz_check_lines(const char *mem, size_t len)
{
	size_t lines = 0, start = 0;
	char err[128];

	for (size_t i = 0; i < len; i++) {
		if (mem[i] != '\n')
			continue;
		if (jc_validate(mem + start, i - start, err, sizeof err) != 0 &&
		    !(strstr(err, "duplicate key") != NULL && fz_known("duplicate-key"))) {
			fprintf(stderr, "line %zu: %.*s\n", lines + 1, (int)(i - start), mem + start);
			fz_fail("event line is not valid JSON", err);
		}
		lines++;
		start = i + 1;
	}
	if (start != len)
		fz_fail("event output does not end with a newline", NULL);
	return lines;
}

int fz_input_file(const uint8_t *data, size_t size)
{
	static int fd = -1;

	if (fd < 0)
		fd = memfd_create("fuzz_input", MFD_CLOEXEC);
	if (fd < 0)
		fz_fail("memfd_create", NULL);
	if (ftruncate(fd, 0) != 0)
		fz_fail("ftruncate", NULL);
	for (size_t off = 0; off < size;) {
		ssize_t w = pwrite(fd, data + off, size - off, (off_t)off);
		if (w <= 0)
			fz_fail("pwrite", NULL);
		off += (size_t)w;
	}
	return fd;
}
