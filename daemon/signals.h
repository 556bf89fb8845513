/* SPDX-License-Identifier: BSD-2-Clause */
/* Signals of portdemuxd: handlers only set flags; the capture loop acts on
 * them between packets (async-signal safety, POSIX.1-2017 2.4.3). */
#ifndef PD_DAEMON_SIGNALS_H
#define PD_DAEMON_SIGNALS_H

#include <stdbool.h>

enum signals_pending {
	SIGNALS_STOP = 1u << 0,    /* SIGTERM, SIGINT: finish flows, final stats, exit 0 */
	SIGNALS_REOPEN = 1u << 1,  /* SIGHUP: reopen the event file (logrotate) */
	SIGNALS_STATS = 1u << 2,   /* SIGUSR1: write a stats event now */
};

/* Installs the handlers. SIGTERM/SIGINT interrupt blocking reads (EINTR); a
 * second one takes the default action, so a stuck run can still be
 * interrupted. Returns 0 or -1 (errno). */
int signals_install(void);

/* Returns the pending set and clears it. Cheap enough to call per packet. */
unsigned signals_take(void);
/* Whether signals_take would return something (leaves them pending). */
bool signals_pending(void);

#endif
