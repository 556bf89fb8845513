/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared declarations of the fuzz harnesses: the libFuzzer entry point each
 * harness defines (run by libFuzzer, or by fuzz/replay.c in `make check`) and
 * helpers that turn a broken invariant into abort(), which both report. */
#ifndef PD_FUZZ_H
#define PD_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point: one input, returns 0 (libFuzzer reserves other
 * values). Every harness aborts on a violated invariant. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads input bytes front to back; reads past the end give zeros and count
 * nothing, so harnesses can decode their own small formats without checks. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

uint8_t fz_u8(struct fz_in *in);
uint16_t fz_be16(struct fz_in *in);
/* Up to `want` bytes (fewer at the end of the input); returns how many. */
size_t fz_take(struct fz_in *in, size_t want, const uint8_t **out);

/* Whether the environment variable FUZZ_KNOWN (comma-separated names) lists
 * `name`: a bug already reported to its owner that a fuzzing campaign may
 * step over to find others. Names: duplicate-key (event lines),
 * status-sum (engine by_status vs packets). The replay test never sets it. */
bool fz_known(const char *name);

/* The input as a file: one memfd per process, rewritten for each input (for
 * code that reads a descriptor or a path, /proc/self/fd/N). */
int fz_input_file(const uint8_t *data, size_t size);

/* Prints what broke (stderr) and aborts: the fuzzer's crash signal. */
_Noreturn void fz_fail(const char *what, const char *detail);

/* Checks that the concatenated event lines mem[0..len) are all valid JSON
 * (tests/json_check.c), each ending in '\n'; aborts otherwise. Returns the
 * number of lines. */
size_t fz_check_lines(const char *mem, size_t len);

#endif
