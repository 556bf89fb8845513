/* SPDX-License-Identifier: BSD-2-Clause */
/* Records that libpcap shortened without saying so (pcap-savefile(5)): a
 * record whose captured length exceeds the file header's snapshot length is
 * handed out cut to the snapshot length, the rest skipped (libpcap sf-pcap.c,
 * "discard the rest of the packet"). capture.c asks this file only when a
 * record comes back exactly at the snapshot length; then the stream position
 * tells whether bytes were skipped. */
#ifndef PD_DAEMON_CAPTURE_CHECK_H
#define PD_DAEMON_CAPTURE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CAPTURE_CHECK_RECHDR 16u  /* pcap record header: ts_sec, ts_usec, incl_len, orig_len */

/* One record found cut, as told to the notifier. */
struct capture_cut {
	const char *file;       /* as shown in messages ("stdin" for -) */
	uint64_t record;        /* 1-based record number in the file */
	uint64_t ts_us;         /* the record's time */
	uint32_t reclen;        /* captured length the record header states */
	uint32_t snaplen;       /* the file's snapshot length: bytes kept */
	uint64_t skipped;       /* bytes libpcap read past and dropped */
};

/* Per-file state, embedded in struct capture. */
struct capture_check {
	uint64_t next;          /* file offset of the next record libpcap returns */
	uint32_t snaplen;       /* 0: the file is not checked */
	int fd;                 /* for pread of a record header */
	bool swapped;           /* record headers in the other byte order */
	uint64_t cut, skipped;  /* records found cut in this file, bytes skipped */
	uint64_t first_cut;     /* record number of the first one */
	uint32_t first_len;     /* and its captured length */
};

/* Called once per cut record (after the warning line, before the record is
 * handed to the caller): portdemuxd's main turns it into an anomaly event
 * and a counter. One notifier per process; NULL clears it. */
void capture_check_set_notify(void (*fn)(void *arg, const struct capture_cut *cut), void *arg);

/* Arms the check for a classic pcap file just opened by libpcap (the stream
 * is right after the 24-byte file header). Checked: regular files read
 * without a BPF filter (the filter makes libpcap skip records unseen, and a
 * pipe has no position); anything else leaves the check off. */
void capture_check_start(struct capture_check *k, FILE *fp, int snapshot, bool filtered);

/* The normal path, per record libpcap returned: one addition and a compare.
 * True when the record must be looked at with capture_check_record(). */
static inline bool capture_check_due(struct capture_check *k, uint32_t caplen)
{
	k->next += CAPTURE_CHECK_RECHDR + caplen;
	return caplen == k->snaplen;
}

/* The slow path for a record returned at exactly the snapshot length:
 * compares the stream position with where the record should have ended and
 * confirms by reading its header back. A cut record is counted and told to
 * the notifier (the line on stderr waits for the end of the file). Returns
 * the bytes skipped (0: the record was whole). */
uint64_t capture_check_record(struct capture_check *k, FILE *fp, const char *file,
                              uint64_t record, uint64_t ts_us);

/* At the clean end of a file with cut records: one warning line for all of
 * them (the record, or their number and the first; the bytes skipped), so
 * that a file keeps to one line on stderr. */
void capture_check_end(const struct capture_check *k, const char *file);

/* When the file ends in an error instead: a suffix for that one error line
 * ("; before that, N records longer than the snapshot length S (first:
 * record R)"), or "" when none was cut. Returns its length. */
size_t capture_check_note(const struct capture_check *k, char *buf, size_t len);

/* Totals of the process (every file so far), for the exit status. */
uint64_t capture_check_total_cut(void);

#endif
