/* SPDX-License-Identifier: BSD-2-Clause */
/* Signal flags (sig_atomic_t, ISO C 7.14.1.1): set in handlers, read and
 * cleared by the loop. SIGHUP and SIGUSR1 restart interrupted reads
 * (SA_RESTART); SIGTERM and SIGINT do not, so a read blocked on a quiet pipe
 * ("-r -") returns and the loop can stop. poll(2) returns EINTR either way. */
#include "daemon/signals.h"

#include <signal.h>
#include <stddef.h>

static volatile sig_atomic_t pending_any;
static volatile sig_atomic_t pending_stop, pending_reopen, pending_stats;

static void on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		pending_stop = 1;
	else if (sig == SIGHUP)
		pending_reopen = 1;
	else if (sig == SIGUSR1)
		pending_stats = 1;
	pending_any = 1;
}

static int install(int sig, int extra_flags)
{
	struct sigaction sa;

	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = extra_flags;
	return sigaction(sig, &sa, NULL);
}

int signals_install(void)
{
	if (install(SIGTERM, SA_RESETHAND) || install(SIGINT, SA_RESETHAND) ||
	    install(SIGHUP, SA_RESTART) || install(SIGUSR1, SA_RESTART))
		return -1;
	return 0;
}

bool signals_pending(void)
{
	return pending_any != 0;
}

unsigned signals_take(void)
{
	unsigned got = 0;

	if (!pending_any)
		return 0;
	pending_any = 0;
	if (pending_stop) {
		pending_stop = 0;
		got |= SIGNALS_STOP;
	}
	if (pending_reopen) {
		pending_reopen = 0;
		got |= SIGNALS_REOPEN;
	}
	if (pending_stats) {
		pending_stats = 0;
		got |= SIGNALS_STATS;
	}
	return got;
}
