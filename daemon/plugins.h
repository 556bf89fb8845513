/* SPDX-License-Identifier: BSD-2-Clause */
/* Out-of-tree handler plug-ins: shared objects built against
 * include/portdemux/handler.h, loaded from one directory with dlopen(3)
 * (POSIX.1-2017 dlopen/dlsym) and never unloaded while the engine runs. */
#ifndef PD_DAEMON_PLUGINS_H
#define PD_DAEMON_PLUGINS_H

#include <stddef.h>

#include "handlers/registry.h"

struct plugin {
	const struct pd_handler *h;  /* the exported descriptor */
	void *dl;                    /* dlopen handle */
	char *path;                  /* "DIR/name.so", for messages */
};

struct plugin_set {
	struct plugin v[HD_MAX_HANDLERS];
	size_t n;
};

/* Loads every *.so file in DIR (regular files, names in strcmp order) with
 * dlopen(RTLD_NOW | RTLD_LOCAL), reads the descriptor pointer exported as
 * PD_HANDLER_SYMBOL and checks it alone: API version first (a plug-in built
 * for another version is refused before any other field is read), then what
 * hd_registry_add checks (name, callbacks, transports), plus name uniqueness
 * among the plug-ins. A file writable by others, or owned by neither root
 * nor the effective user, is refused. Conflicts with built-in handlers are
 * found later, when the registry is built (daemon/htable.c).
 * ps must be zeroed. Returns 0, or -1 with one line "PATH: reason" in err;
 * what was loaded stays in ps for plugins_unload. */
int plugins_load_dir(struct plugin_set *ps, const char *dir, char *err, size_t errlen);

/* The path a descriptor was loaded from, or NULL for a built-in one. */
const char *plugins_path_of(const struct plugin_set *ps, const struct pd_handler *h);

/* dlclose every handle; call only once no session can run plug-in code. */
void plugins_unload(struct plugin_set *ps);

#endif
