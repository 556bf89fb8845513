/* SPDX-License-Identifier: BSD-2-Clause */
/* Line splitter for line protocols: CRLF / bare LF / bare CR, bounded lines
 * (RFC 5321 section 2.3.8 and 4.5.3.1; see linesplit.h for the contract). */
#include "handlers/linesplit.h"

#include <string.h>

/* A CR in [p, p + n) that is not the last byte of the range: with the range
 * ending just before an LF (or a cut), only such CRs are known to be bare. */
static bool has_inner_cr(const uint8_t *p, size_t n)
{
	return n > 1 && memchr(p, '\r', n - 1) != NULL;
}

void ls_resync(struct ls_state *st)
{
	st->skipping = true;
	st->resync = true;
	st->prev_cr = false;
	st->tail_flags = 0;
	st->dropped = 0;
}

/* Inside a skipped line: drop up to and including the next LF. */
static enum ls_result ls_skip(struct ls_state *st, struct pcur *c, struct ls_line *line)
{
	size_t avail = pcur_left(c);
	const uint8_t *p = pcur_ptr(c);
	const uint8_t *lf = avail ? memchr(p, '\n', avail) : NULL;

	if (lf == NULL) {
		if (avail > 0) {
			/* A CR carried over from the previous call was followed by a
			 * byte other than LF: it was bare. */
			if (st->prev_cr || has_inner_cr(p, avail))
				st->tail_flags |= LS_BARE_CR;
			st->prev_cr = p[avail - 1] == '\r';
			st->dropped += avail;
			pcur_skip(c, avail);
		}
		line->consumed = avail;
		return LS_NEED_MORE;
	}

	size_t i = (size_t)(lf - p);
	bool cr_before = i > 0 ? p[i - 1] == '\r' : st->prev_cr;
	unsigned flags = LS_TAIL | st->tail_flags | (st->resync ? LS_RESYNC : 0u);
	flags |= cr_before ? LS_CRLF : LS_BARE_LF;
	if (i > 0 && (st->prev_cr || has_inner_cr(p, i)))
		flags |= LS_BARE_CR;
	line->text = NULL;
	line->len = 0;
	line->consumed = i + 1;
	line->skipped = st->dropped;
	line->flags = flags;
	pcur_skip(c, i + 1);
	st->skipping = false;
	st->resync = false;
	st->prev_cr = false;
	st->tail_flags = 0;
	st->dropped = 0;
	return LS_LINE;
}

enum ls_result ls_next(struct ls_state *st, size_t max, struct pcur *c, struct ls_line *line)
{
	memset(line, 0, sizeof(*line));
	if (max < 2)
		max = 2;
	if (st->skipping)
		return ls_skip(st, c, line);

	size_t avail = pcur_left(c);
	const uint8_t *p = pcur_ptr(c);
	size_t look = avail < max ? avail : max;
	const uint8_t *lf = look ? memchr(p, '\n', look) : NULL;

	if (lf != NULL) {
		size_t i = (size_t)(lf - p);
		bool crlf = i > 0 && p[i - 1] == '\r';
		size_t tlen = crlf ? i - 1 : i;
		line->text = p;
		line->len = tlen;
		line->consumed = i + 1;
		line->flags = crlf ? LS_CRLF : LS_BARE_LF;
		if (tlen > 0 && memchr(p, '\r', tlen) != NULL)
			line->flags |= LS_BARE_CR;
		pcur_skip(c, i + 1);
		return LS_LINE;
	}
	if (avail < max)
		return LS_NEED_MORE;

	/* max bytes and no LF among them: the line, with its terminator, is longer
	 * than max whatever follows. Hand out its start, drop the rest. */
	line->text = p;
	line->len = max;
	line->consumed = max;
	line->flags = LS_TOO_LONG | (has_inner_cr(p, max) ? LS_BARE_CR : 0u);
	pcur_skip(c, max);
	st->skipping = true;
	st->resync = false;
	st->prev_cr = p[max - 1] == '\r';
	st->tail_flags = 0;
	st->dropped = 0;
	return LS_LINE;
}
