/* SPDX-License-Identifier: BSD-2-Clause */
/* Packet timestamps as ISO 8601 (RFC 3339 section 5.6 shape, Suricata's
 * "+0000" offset) in UTC; the time comes from the packet, never the clock.
 * The calendar is computed here (proleptic Gregorian, POSIX seconds without
 * leap seconds, as gmtime_r gives them): every event carries a timestamp, and
 * gmtime_r costs ten times as much (time zone lock and table walk). */
#include "output/meta.h"

#include <string.h>

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

/* Year, month (1-12) and day (1-31) of a day count since 1970-01-01. The
 * count is shifted to start on 0000-03-01 so that the leap day ends a year;
 * then 400-year eras (146097 days), years within the era (a 365-day year,
 * less a day every 4 years, plus one every 100, less one every 400), and
 * months from March in a 153-days-per-5-months pattern. */
static void civil_from_days(uint64_t days, unsigned *y, unsigned *m, unsigned *d)
{
	uint64_t z = days + 719468;
	uint64_t era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);                          /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (unsigned)(yoe + era * 400) + (*m <= 2);
}

void out_format_time(char *out, uint64_t ts_us)
{
	if (ts_us > OUT_TIME_MAX_US)
		ts_us = OUT_TIME_MAX_US;
	uint64_t secs = ts_us / 1000000;
	unsigned usec = (unsigned)(ts_us % 1000000);
	unsigned sod = (unsigned)(secs % 86400);
	unsigned y, mo, d;

	civil_from_days(secs / 86400, &y, &mo, &d);
	char *p = out;
	p = put_num(p, y, 4);
	*p++ = '-';
	p = put_num(p, mo, 2);
	*p++ = '-';
	p = put_num(p, d, 2);
	*p++ = 'T';
	p = put_num(p, sod / 3600, 2);
	*p++ = ':';
	p = put_num(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = put_num(p, sod % 60, 2);
	*p++ = '.';
	p = put_num(p, usec, 6);
	memcpy(p, "+0000", 6);
}
