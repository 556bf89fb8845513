/* SPDX-License-Identifier: BSD-2-Clause */
/* Packet timestamps as ISO 8601 (RFC 3339 section 5.6 shape, Suricata's
 * "+0000" offset) in UTC; the time comes from the packet, never the clock. */
#include "output/meta.h"

#include <string.h>
#include <time.h>

/* 9999-12-31T23:59:59.999999 UTC, the last instant with four year digits. */
#define OUT_TIME_MAX_US 253402300799999999ULL

static char *put_num(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

void out_format_time(char *out, uint64_t ts_us)
{
	if (ts_us > OUT_TIME_MAX_US)
		ts_us = OUT_TIME_MAX_US;
	time_t secs = (time_t)(ts_us / 1000000);
	unsigned usec = (unsigned)(ts_us % 1000000);
	struct tm tm;

	if (gmtime_r(&secs, &tm) == NULL) {
		/* Only when time_t cannot hold the value (32-bit time_t). */
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = 70;
		tm.tm_mday = 1;
	}
	char *p = out;
	p = put_num(p, (unsigned)(tm.tm_year + 1900), 4);
	*p++ = '-';
	p = put_num(p, (unsigned)(tm.tm_mon + 1), 2);
	*p++ = '-';
	p = put_num(p, (unsigned)tm.tm_mday, 2);
	*p++ = 'T';
	p = put_num(p, (unsigned)tm.tm_hour, 2);
	*p++ = ':';
	p = put_num(p, (unsigned)tm.tm_min, 2);
	*p++ = ':';
	p = put_num(p, (unsigned)tm.tm_sec, 2);
	*p++ = '.';
	p = put_num(p, usec, 6);
	memcpy(p, "+0000", 6);
}
