/* SPDX-License-Identifier: BSD-2-Clause */
/* Diagnostics to stderr or syslog(3) (POSIX.1-2017 syslog, facility LOG_DAEMON). */
#include "daemon/log.h"

#include <stdarg.h>
#include <stdio.h>

static bool use_syslog; /* daemon/ may keep process-wide state */

void log_use_syslog(bool on)
{
	if (on && !use_syslog)
		openlog("portdemuxd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else if (!on && use_syslog)
		closelog();
	use_syslog = on;
}

bool log_is_syslog(void)
{
	return use_syslog;
}

void log_msg(int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (use_syslog)
		syslog(prio, "%s", msg);
	else
		fprintf(stderr, "portdemuxd: %s\n", msg);
}
