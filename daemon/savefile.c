/* SPDX-License-Identifier: BSD-2-Clause */
/* Classic pcap file records (pcap-savefile(5): 24-byte file header, 16-byte
 * record headers, either byte order, micro- or nanosecond stamps) parsed in
 * place from large pread(2) blocks; see savefile.h for what is left to
 * libpcap. */
#include "daemon/savefile.h"

#include <errno.h>
#include <pcap.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SF_FILE_HDR 24u
#define SF_REC_HDR 16u
#define SF_MAX_SNAP 262144u        /* libpcap's MAXIMUM_SNAPLEN */
/* One pread: the largest record fits, and the block stays in a core's L2
 * while its frames are decoded or copied to the workers. */
#define SF_BUF (SF_MAX_SNAP + 4096u)
_Static_assert(SAVEFILE_BLOCK_BYTES == SF_BUF, "savefile.h names the block size");

struct savefile {
	int fd;
	bool swapped, nano;
	uint32_t snapshot;
	uint8_t *buf;
	size_t len, pos;           /* bytes in buf; next record at buf + pos */
	uint64_t buf_off;          /* file offset of buf[0] */
	bool eof;                  /* pread returned 0 (or failed: libpcap will say) */
};

static uint32_t rd32(const uint8_t *b, bool swapped)
{
	uint32_t v;

	memcpy(&v, b, sizeof v);
	return swapped ? __builtin_bswap32(v) : v;
}

/* Link types whose frames libpcap hands out unchanged. Pseudo-headers it
 * rewrites (byte-swapped SLL, USB, NFLOG, pflog) stay with libpcap. */
static bool plain_linktype(int dlt, bool swapped)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return true;
	case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
#endif
		return !swapped;
	default:
		return false;
	}
}

struct savefile *savefile_open(int fd, int dlt, int snapshot)
{
	uint8_t hdr[SF_FILE_HDR];
	struct stat st;
	bool swapped, nano;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	if (pread(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr)
		return NULL;
	switch (rd32(hdr, false)) {
	case 0xa1b2c3d4u: swapped = false; nano = false; break;
	case 0xd4c3b2a1u: swapped = true; nano = false; break;
	case 0xa1b23c4du: swapped = false; nano = true; break;
	case 0x4d3cb2a1u: swapped = true; nano = true; break;
	default: return NULL; /* pcapng, modified formats */
	}
	uint16_t major, minor;
	memcpy(&major, hdr + 4, 2);
	memcpy(&minor, hdr + 6, 2);
	if (swapped) {
		major = __builtin_bswap16(major);
		minor = __builtin_bswap16(minor);
	}
	if (major != 2 || minor != 4 || !plain_linktype(dlt, swapped) || snapshot <= 0 ||
	    (uint32_t)snapshot > SF_MAX_SNAP)
		return NULL;

	struct savefile *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->buf = malloc(SF_BUF);
	if (s->buf == NULL) {
		free(s);
		return NULL;
	}
	s->fd = fd;
	s->swapped = swapped;
	s->nano = nano;
	s->snapshot = (uint32_t)snapshot;
	s->buf_off = SF_FILE_HDR;
	return s;
}

/* Fills buf from file offset off: the bytes read (fewer at the end of the
 * file or on a read error, which libpcap then reports). */
static size_t read_at(int fd, uint8_t *buf, size_t cap, uint64_t off, bool *short_read)
{
	size_t got = 0;

	*short_read = false;
	while (got < cap) {
		ssize_t n = pread(fd, buf + got, cap - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*short_read = true;
			break;
		}
		got += (size_t)n;
	}
	return got;
}

/* Moves what is left to the front and reads until the buffer is full or the
 * file ends. */
static void refill(struct savefile *s)
{
	size_t keep = s->len - s->pos;
	bool short_read;

	if (s->eof)
		return;
	memmove(s->buf, s->buf + s->pos, keep);
	s->buf_off += s->pos;
	s->pos = 0;
	s->len = keep + read_at(s->fd, s->buf + keep, SF_BUF - keep, s->buf_off + keep, &short_read);
	s->eof = short_read;
}

/* The record header at h: false when libpcap keeps these fields as signed
 * 32-bit values and would turn one negative, or the frame is longer than the
 * snapshot: those records are its call. */
static bool rec_header(const struct savefile *s, const uint8_t *h, uint32_t *caplen,
                       uint32_t *wirelen, uint64_t *ts_us)
{
	uint32_t sec = rd32(h, s->swapped);
	uint32_t frac = rd32(h + 4, s->swapped);
	uint32_t cap = rd32(h + 8, s->swapped);
	uint32_t len = rd32(h + 12, s->swapped);

	if (sec > INT32_MAX || frac >= (s->nano ? 1000000000u : 1000000u) || cap > s->snapshot)
		return false;
	*caplen = cap;
	*wirelen = len >= cap ? len : cap;
	*ts_us = (uint64_t)sec * 1000000u + (s->nano ? frac / 1000u : frac);
	return true;
}

enum capture_next_result savefile_next(struct savefile *s, struct capture_packet *p)
{
	uint32_t caplen, wirelen;
	uint64_t ts_us;

	if (s->len - s->pos < SF_REC_HDR) {
		refill(s);
		if (s->len == s->pos)
			return CAPTURE_END;
		if (s->len - s->pos < SF_REC_HDR)
			return CAPTURE_NONE; /* a torn header: libpcap's message */
	}
	const uint8_t *h = s->buf + s->pos;
	if (!rec_header(s, h, &caplen, &wirelen, &ts_us))
		return CAPTURE_NONE;
	if (s->len - s->pos < SF_REC_HDR + caplen) {
		refill(s);
		h = s->buf + s->pos;
		if (s->len - s->pos < SF_REC_HDR + caplen)
			return CAPTURE_NONE; /* a torn record */
	}
	p->data = h + SF_REC_HDR;
	p->caplen = caplen;
	p->wirelen = wirelen;
	p->ts_us = ts_us;
	s->pos += SF_REC_HDR + caplen;
	return CAPTURE_PACKET;
}

enum savefile_block_end savefile_read_block(const struct savefile *s, uint64_t off, uint8_t *buf,
                                            struct savefile_rec *recs, size_t max, size_t *n,
                                            uint64_t *next)
{
	bool short_read;
	size_t len = read_at(s->fd, buf, SAVEFILE_BLOCK_BYTES, off, &short_read);
	size_t pos = 0, k = 0;
	enum savefile_block_end how = SAVEFILE_MORE;

	for (; k < max; k++) {
		struct savefile_rec *r = &recs[k];
		if (len - pos < SF_REC_HDR) {
			if (short_read)
				how = pos == len ? SAVEFILE_END : SAVEFILE_HANDOVER;
			break;
		}
		if (!rec_header(s, buf + pos, &r->caplen, &r->wirelen, &r->ts_us)) {
			how = SAVEFILE_HANDOVER;
			break;
		}
		if (len - pos - SF_REC_HDR < r->caplen) {
			if (short_read)
				how = SAVEFILE_HANDOVER; /* a torn record */
			break;
		}
		r->off = (uint32_t)(pos + SF_REC_HDR);
		pos += SF_REC_HDR + r->caplen;
	}
	*n = k;
	*next = off + pos;
	return how;
}

void savefile_seek(struct savefile *s, uint64_t off)
{
	s->buf_off = off;
	s->pos = s->len = 0;
	s->eof = false;
}

uint64_t savefile_offset(const struct savefile *s)
{
	return s->buf_off + s->pos;
}

void savefile_free(struct savefile *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	free(s);
}
