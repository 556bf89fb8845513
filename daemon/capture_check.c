/* SPDX-License-Identifier: BSD-2-Clause */
/* Records longer than a pcap file's snapshot length (pcap-savefile(5)):
 * libpcap keeps the first snaplen bytes and skips the rest without a word;
 * here the skip is noticed from the stream position and reported. */
#include "daemon/capture_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include "daemon/log.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u  /* microsecond time stamps */
#define PCAP_MAGIC_NS 0xa1b23c4du  /* nanosecond time stamps */
#define PCAP_FILE_HDR 24u

/* Process-wide (daemon/ only): the notifier main installs, and the total
 * that decides the exit status. */
static void (*notify_fn)(void *arg, const struct capture_cut *cut);
static void *notify_arg;
static uint64_t total_cut;

void capture_check_set_notify(void (*fn)(void *arg, const struct capture_cut *cut), void *arg)
{
	notify_fn = fn;
	notify_arg = arg;
}

uint64_t capture_check_total_cut(void)
{
	return total_cut;
}

static uint32_t le32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint32_t swap32(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xff00u) | (v << 8 & 0xff0000u) | v << 24;
}

/* The 4 bytes at off, in the file's byte order; false when unreadable. */
static bool read32(const struct capture_check *k, uint64_t off, uint32_t *v)
{
	uint8_t b[4];

	if (pread(k->fd, b, sizeof b, (off_t)off) != (ssize_t)sizeof b)
		return false;
	*v = k->swapped ? swap32(le32(b)) : le32(b);
	return true;
}

void capture_check_start(struct capture_check *k, FILE *fp, int snapshot, bool filtered)
{
	struct stat st;
	uint32_t magic;
	off_t pos;

	*k = (struct capture_check){ .fd = -1 };
	if (filtered || snapshot <= 0 || fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode))
		return;
	/* Only a classic pcap stands right after its 24-byte header here: a
	 * pcapng reader has consumed at least a section and an interface block. */
	pos = ftello(fp);
	if (pos != (off_t)PCAP_FILE_HDR)
		return;
	k->fd = fileno(fp);
	k->swapped = false;
	if (!read32(k, 0, &magic))
		goto off;
	if (magic == swap32(PCAP_MAGIC_US) || magic == swap32(PCAP_MAGIC_NS))
		k->swapped = true;
	else if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS)
		goto off; /* other dialects have longer record headers */
	k->next = PCAP_FILE_HDR;
	k->snaplen = (uint32_t)snapshot;
	return;
off:
	k->fd = -1;
}

uint64_t capture_check_record(struct capture_check *k, FILE *fp, const char *file,
                              uint64_t record, uint64_t ts_us)
{
	uint64_t start = k->next - CAPTURE_CHECK_RECHDR - k->snaplen;
	off_t pos;
	uint32_t incl;

	if (k->fd < 0 || k->snaplen == 0)
		return 0;
	pos = ftello(fp);
	if (pos < 0 || (uint64_t)pos <= k->next) {
		if (pos >= 0)
			k->next = (uint64_t)pos; /* whole record (or a position we lost) */
		return 0;
	}
	/* Bytes were consumed past the record's kept end: confirm with the
	 * record's own header that they were its excess, not something else. */
	if (!read32(k, start + 8, &incl) || incl <= k->snaplen ||
	    start + CAPTURE_CHECK_RECHDR + incl != (uint64_t)pos) {
		k->next = (uint64_t)pos;
		return 0;
	}
	k->next = (uint64_t)pos;
	struct capture_cut cut = {
		.file = file, .record = record, .ts_us = ts_us, .reclen = incl,
		.snaplen = k->snaplen, .skipped = incl - k->snaplen,
	};
	if (k->cut++ == 0) {
		k->first_cut = record;
		k->first_len = incl;
	}
	k->skipped += cut.skipped;
	total_cut++;
	if (notify_fn)
		notify_fn(notify_arg, &cut);
	return cut.skipped;
}

void capture_check_end(const struct capture_check *k, const char *file)
{
	if (k->cut == 1)
		log_msg(LOG_WARNING,
		        "%s: record %llu: captured length %u exceeds the file's snapshot length %u; "
		        "%u bytes kept, %llu skipped",
		        file, (unsigned long long)k->first_cut, k->first_len, k->snaplen, k->snaplen,
		        (unsigned long long)k->skipped);
	else if (k->cut > 1)
		log_msg(LOG_WARNING,
		        "%s: %llu records exceed the file's snapshot length %u (first: record %llu, "
		        "captured length %u); %llu bytes skipped",
		        file, (unsigned long long)k->cut, k->snaplen, (unsigned long long)k->first_cut,
		        k->first_len, (unsigned long long)k->skipped);
}

size_t capture_check_note(const struct capture_check *k, char *buf, size_t len)
{
	int n;

	if (k->cut == 0 || len == 0)
		return 0;
	n = snprintf(buf, len, "; before that, %llu record%s longer than the snapshot length %u "
	             "(first: record %llu)", (unsigned long long)k->cut, k->cut == 1 ? "" : "s",
	             k->snaplen, (unsigned long long)k->first_cut);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}
