/* SPDX-License-Identifier: BSD-2-Clause */
/* The handler table of portdemuxd: built-in handlers and plug-ins
 * (--handler-dir), minus those a drop-in disables, with their default ports,
 * then the drop-in port directives (--dropin-dir), then --port. Built at
 * start-up and rebuilt from the drop-in directory on SIGHUP. */
#ifndef PD_DAEMON_HTABLE_H
#define PD_DAEMON_HTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "daemon/engine.h"
#include "daemon/options.h"
#include "handlers/registry.h"

#ifndef PD_SYSCONFDIR
#define PD_SYSCONFDIR "/etc"
#endif
/* Read when --dropin-dir is not given and the directory exists. */
#define HTABLE_DEFAULT_DROPIN_DIR PD_SYSCONFDIR "/portdemux/portdemux.d"

struct htable;

/* Loads the plug-ins, opens the drop-in directory (kept open, so a reload
 * after chroot reads the same directory) and builds the table. o must
 * outlive the table (its --port list is applied again on every reload).
 * Returns 0, or an OPTS_EXIT_* status (78 for plug-ins and drop-ins; --port
 * keeps its own: 64 from the command line, 78 from a configuration file)
 * with one line in err naming the file (and line) at fault. */
int htable_open(struct htable **out, const struct opts *o, char *err, size_t errlen);

/* The table in use (valid until the next successful reload or htable_free). */
const struct hd_registry *htable_registry(const struct htable *t);

/* Whether a reload would read anything (a drop-in directory is in use). */
bool htable_reloadable(const struct htable *t);

/* Re-reads the drop-in directory and rebuilds the table. When the result is
 * valid, e (may be NULL) uses it for flows that start from now on; flows in
 * progress keep their handlers. Otherwise the table in use stays and err
 * gets one line. Returns 0 or -1. */
int htable_reload(struct htable *t, struct pd_engine *e, char *err, size_t errlen);

/* What SIGHUP does (daemon/run.c): htable_reload when reloadable, one log
 * line on failure ("keeping the current handler table"), a notice on success
 * when logging to syslog. t may be NULL. */
void htable_on_sighup(struct htable *t, struct pd_engine *e);

/* Unloads plug-ins: call after engine_free. t may be NULL. */
void htable_free(struct htable *t);

#endif
