/* SPDX-License-Identifier: BSD-2-Clause */
/* Helpers shared by the fuzz harnesses: an input reader and the JSON-lines
 * check every harness that emits events runs (RFC 8259 via tests/json_check). */
#include "fuzz/fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* FUZZ_IGNORE_DUPLICATE_KEYS=1 lets a campaign go on past a reported
 * duplicate-key bug (the fix belongs to the emitting module): lines that fail
 * only for that reason are accepted. Read once; the replay test never sets it. */
static bool ignore_duplicate_keys(void)
{
	static int cached = -1;
	if (cached < 0) {
		const char *v = getenv("FUZZ_IGNORE_DUPLICATE_KEYS");
		cached = v != NULL && strcmp(v, "1") == 0;
	}
	return cached == 1;
}

size_t fz_check_lines(const char *mem, size_t len)
{
	size_t lines = 0, start = 0;
	char err[128];

	for (size_t i = 0; i < len; i++) {
		if (mem[i] != '\n')
			continue;
		if (jc_validate(mem + start, i - start, err, sizeof err) != 0 &&
		    !(ignore_duplicate_keys() && strstr(err, "duplicate key") != NULL)) {
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
