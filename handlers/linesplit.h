/* SPDX-License-Identifier: BSD-2-Clause */
/* Shared line splitter for line protocols (RFC 5321 section 2.3.8 line
 * syntax, reused by SMTP and HTTP): finds lines ended by LF, tells CRLF from a
 * bare LF, flags bare CRs inside a line, and bounds memory by a maximum line
 * length.
 *
 * The splitter never copies: it points into the caller's input. A handler
 * calls ls_next() in a loop over what on_data gave it and returns the bytes it
 * consumed; an incomplete line stays unconsumed so the core keeps it and hands
 * it back with the next data (at most `max` bytes wait that way). A line
 * longer than `max` (terminator included) is delivered as its first `max`
 * bytes flagged LS_TOO_LONG; the rest of it is dropped without buffering and
 * its end arrives as a text-less line flagged LS_TAIL. The decisions depend
 * only on the bytes, never on how they were split into calls.
 */
#ifndef PD_HD_LINESPLIT_H
#define PD_HD_LINESPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portdemux/cursor.h"

enum ls_flag {
	LS_CRLF = 1u << 0,      /* ended by CR LF */
	LS_BARE_LF = 1u << 1,   /* ended by LF without a CR before it */
	LS_BARE_CR = 1u << 2,   /* holds a CR that is not followed by LF */
	LS_TOO_LONG = 1u << 3,  /* first `max` bytes of a longer line; no terminator yet */
	LS_TAIL = 1u << 4,      /* end of a line whose start was dropped: no text */
	LS_RESYNC = 1u << 5,    /* with LS_TAIL: the dropped start followed ls_resync() */
};

/* Per-direction state; zero is the initial state (at a line start). */
struct ls_state {
	bool skipping;      /* dropping bytes up to the next LF */
	bool resync;        /* the skip was asked by ls_resync(), not by a long line */
	bool prev_cr;       /* the last dropped byte was a CR */
	unsigned tail_flags;/* LS_BARE_CR seen among the dropped bytes */
	uint64_t dropped;   /* bytes dropped of the current skipped line */
};

struct ls_line {
	const uint8_t *text; /* line without its terminator (NULL with LS_TAIL) */
	size_t len;          /* bytes at text */
	size_t consumed;     /* input bytes this result accounts for, terminator included */
	uint64_t skipped;    /* with LS_TAIL: bytes dropped before this result, over all calls */
	unsigned flags;      /* enum ls_flag */
};

enum ls_result {
	LS_NEED_MORE = 0, /* no complete line: line->consumed bytes (dropped) may be consumed */
	LS_LINE = 1,      /* *line holds the next line; consume line->consumed bytes */
};

/* Looks for the next line at the cursor and advances the cursor over
 * line->consumed bytes. max (>= 2) is the longest line accepted whole,
 * terminator included. */
enum ls_result ls_next(struct ls_state *st, size_t max, struct pcur *c, struct ls_line *line);

/* Drops everything up to the next LF (after a gap or a mid-stream start); the
 * end of the dropped run is reported as LS_TAIL | LS_RESYNC. */
void ls_resync(struct ls_state *st);

/* True when the state is at a line start (nothing being skipped). */
static inline bool ls_at_line_start(const struct ls_state *st) { return !st->skipping; }

#endif
