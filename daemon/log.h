/* SPDX-License-Identifier: BSD-2-Clause */
/* Diagnostics of portdemuxd: "portdemuxd: message" lines on stderr, or
 * syslog(3) (facility daemon) once detached. Not for events. */
#ifndef PD_DAEMON_LOG_H
#define PD_DAEMON_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Switches to syslog (after -D detaches) or back to stderr. */
void log_use_syslog(bool on);
bool log_is_syslog(void);

/* prio: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO. One line per call. */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
