/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: the in-place reader of classic pcap files (daemon/savefile.h),
 * both ways portdemuxd reads with it: record by record (savefile_next, one
 * thread) and block by block (savefile_read_block, --workers).
 *
 * Input: the file's bytes (pcap-savefile(5)), written to a memfd. The link
 * type is Ethernet and the snapshot length is the header's when libpcap would
 * take it (1..262144), else 65535. Invariants (abort otherwise): every record
 * lies inside what was read; the blocks, chained from offset 24 with a few
 * records each, hand out exactly the records of savefile_next (times, lengths
 * and bytes) and end where and how it ends (END at the clean end,
 * HANDOVER where it says CAPTURE_NONE); savefile_seek goes back to a record. */
#include <stdlib.h>
#include <string.h>

#include "daemon/savefile.h"
#include "fuzz/fuzz.h"

#define MAX_RECS 7 /* small blocks: block ends at every kind of record */

static int header_snapshot(const uint8_t *data, size_t size)
{
	uint32_t snap;

	if (size < 24)
		return 65535;
	memcpy(&snap, data + 16, sizeof snap);
	if (data[0] == 0xa1 || data[0] == 0x4d) /* big-endian file on this host */
		snap = __builtin_bswap32(snap);
	return snap >= 1 && snap <= 262144 ? (int)snap : 65535;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *buf;
	struct savefile_rec recs[MAX_RECS];
	int fd = fz_input_file(data, size);

	if (buf == NULL && (buf = malloc(SAVEFILE_BLOCK_BYTES)) == NULL)
		fz_fail("malloc", NULL);
	struct savefile *s = savefile_open(fd, 1 /* DLT_EN10MB */, header_snapshot(data, size));
	if (s == NULL)
		return 0;

	size_t max = 1 + size % MAX_RECS;
	uint64_t off = savefile_offset(s), next;
	enum savefile_block_end how;
	struct savefile_rec first = {0};
	for (;;) {
		size_t n;
		how = savefile_read_block(s, off, buf, recs, max, &n, &next);
		if (off == 24 && n > 0)
			first = recs[0];
		if (n > max)
			fz_fail("more records than asked", NULL);
		if (how == SAVEFILE_MORE && n == 0)
			fz_fail("an empty block that is not the end", NULL);
		for (size_t i = 0; i < n; i++) {
			struct capture_packet p;
			const struct savefile_rec *r = &recs[i];
			if (r->off < 16 || (size_t)r->off + r->caplen > SAVEFILE_BLOCK_BYTES ||
			    off + r->off + r->caplen > size)
				fz_fail("record outside what was read", NULL);
			if (savefile_next(s, &p) != CAPTURE_PACKET)
				fz_fail("a block record savefile_next does not hand out", NULL);
			if (p.caplen != r->caplen || p.wirelen != r->wirelen || p.ts_us != r->ts_us ||
			    memcmp(p.data, buf + r->off, r->caplen) != 0)
				fz_fail("block and savefile_next differ", NULL);
			if (i + 1 == n && savefile_offset(s) != next)
				fz_fail("block ends elsewhere than its records", NULL);
		}
		if (how != SAVEFILE_MORE)
			break;
		off = next;
	}
	struct capture_packet p;
	enum capture_next_result last = savefile_next(s, &p);
	if (savefile_offset(s) != next)
		fz_fail("savefile_next stopped elsewhere than the blocks", NULL);
	if ((how == SAVEFILE_END) != (last == CAPTURE_END) ||
	    (how == SAVEFILE_HANDOVER) != (last == CAPTURE_NONE))
		fz_fail("blocks and savefile_next end differently", NULL);

	/* savefile_seek (where the blocks of --workers ended): the same again. */
	savefile_seek(s, 24);
	if (first.off != 0 && (savefile_next(s, &p) != CAPTURE_PACKET || p.caplen != first.caplen ||
	                       p.ts_us != first.ts_us))
		fz_fail("savefile_seek does not go back to the first record", NULL);
	savefile_free(s);
	return 0;
}
