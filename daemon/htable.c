/* SPDX-License-Identifier: BSD-2-Clause */
/* Builds portdemuxd's handler table from built-ins, plug-ins, drop-ins and
 * --port, and rebuilds it on SIGHUP without disturbing flows in progress:
 * the new table goes to a spare registry and the engine switches to it only
 * when it is valid (docs/handler-guide.md "Reloading"). */
#include "daemon/htable.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/dropin.h"
#include "daemon/log.h"
#include "daemon/plugins.h"

struct htable {
	const struct opts *o;
	struct plugin_set plugins;
	int dropin_fd;               /* -1: no drop-in directory */
	const char *dropin_dir;      /* its name, for messages */
	struct hd_registry *reg[2];  /* the one in use and the spare */
	int cur;
	struct hd_registry builtins; /* hd_registry_init's table, for its handler list */
};

static bool known(void *arg, const char *name)
{
	const struct htable *t = arg;

	if (hd_registry_find(&t->builtins, name))
		return true;
	for (size_t i = 0; i < t->plugins.n; i++)
		if (strcmp(t->plugins.v[i].h->name, name) == 0)
			return true;
	return false;
}

/* The NAME of "PORT[/tcp|/udp]=NAME". */
static const char *spec_name(const char *spec)
{
	const char *eq = strchr(spec, '=');

	return eq ? eq + 1 : "";
}

/* --port, after the drop-ins: the command line (or -c file) wins. */
static int apply_ports(const struct htable *t, const struct dropin_conf *dc,
                       struct hd_registry *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < t->o->port.n; i++) {
		const struct opts_item *it = &t->o->port.v[i];
		const struct dropin_item *off = dropin_disabled(dc, spec_name(it->val));
		char msg[768], at[512];

		if (off) {
			dropin_where(dc, off, at, sizeof at);
			snprintf(msg, sizeof msg, "handler %s is disabled by %s", off->name, at);
		} else if (hd_registry_remap(r, it->val, msg, sizeof msg) == 0) {
			continue;
		}
		snprintf(err, errlen, "%s%s--port %s: %s", it->origin ? it->origin : "",
		         it->origin ? ": " : "", it->val, msg);
		return it->origin ? OPTS_EXIT_CONFIG : OPTS_EXIT_USAGE;
	}
	return 0;
}

/* Enabled built-ins, then enabled plug-ins, each with its default ports. */
static int add_handlers(const struct htable *t, const struct dropin_conf *dc,
                        struct hd_registry *r, char *err, size_t errlen)
{
	char msg[512];

	memset(r, 0, sizeof *r);
	for (unsigned i = 0; i < t->builtins.count; i++) {
		const struct pd_handler *h = t->builtins.h[i];
		if (!dropin_disabled(dc, h->name) && hd_registry_add(r, h, msg, sizeof msg) != 0) {
			snprintf(err, errlen, "handlers: %s", msg);
			return OPTS_EXIT_CONFIG;
		}
	}
	for (size_t i = 0; i < t->plugins.n; i++) {
		const struct plugin *p = &t->plugins.v[i];
		if (!dropin_disabled(dc, p->h->name) && hd_registry_add(r, p->h, msg, sizeof msg) != 0) {
			snprintf(err, errlen, "%s: %s", p->path, msg);
			return OPTS_EXIT_CONFIG;
		}
	}
	return 0;
}

/* Reads the drop-ins and builds a whole table into r. */
static int build(const struct htable *t, struct hd_registry *r, char *err, size_t errlen)
{
	struct dropin_conf dc;
	int rc = 0;

	dropin_init(&dc, t->dropin_dir);
	if (t->dropin_fd >= 0 &&
	    (dropin_load(&dc, t->dropin_fd, err, errlen) != 0 ||
	     dropin_check_disables(&dc, known, (void *)t, err, errlen) != 0))
		rc = OPTS_EXIT_CONFIG;
	if (rc == 0)
		rc = add_handlers(t, &dc, r, err, errlen);
	if (rc == 0 && dropin_apply(&dc, r, err, errlen) != 0)
		rc = OPTS_EXIT_CONFIG;
	if (rc == 0)
		rc = apply_ports(t, &dc, r, err, errlen);
	dropin_free(&dc);
	return rc;
}

/* --dropin-dir, or the default directory when it exists. */
static int open_dropins(struct htable *t, char *err, size_t errlen)
{
	const char *dir = t->o->dropin_dir;
	bool dflt = dir == NULL;

	if (dflt)
		dir = HTABLE_DEFAULT_DROPIN_DIR;
	if (dir[0] == '\0')
		return 0;
	t->dropin_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->dropin_fd < 0) {
		if (dflt && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return OPTS_EXIT_CONFIG;
	}
	t->dropin_dir = dir;
	return 0;
}

int htable_open(struct htable **out, const struct opts *o, char *err, size_t errlen)
{
	struct htable *t = calloc(1, sizeof *t);
	char msg[512];
	int rc;

	*out = NULL;
	if (!t || !(t->reg[0] = calloc(1, sizeof *t->reg[0])) ||
	    !(t->reg[1] = calloc(1, sizeof *t->reg[1]))) {
		snprintf(err, errlen, "handlers: %s", strerror(ENOMEM));
		htable_free(t);
		return OPTS_EXIT_CONFIG;
	}
	t->o = o;
	t->dropin_fd = -1;
	if (hd_registry_init(&t->builtins, msg, sizeof msg) != 0) {
		snprintf(err, errlen, "handlers: %s", msg);
		htable_free(t);
		return OPTS_EXIT_CONFIG;
	}
	rc = 0;
	if (o->handler_dir && plugins_load_dir(&t->plugins, o->handler_dir, err, errlen) != 0)
		rc = OPTS_EXIT_CONFIG;
	if (rc == 0)
		rc = open_dropins(t, err, errlen);
	if (rc == 0)
		rc = build(t, t->reg[0], err, errlen);
	if (rc != 0) {
		htable_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

const struct hd_registry *htable_registry(const struct htable *t)
{
	return t->reg[t->cur];
}

bool htable_reloadable(const struct htable *t)
{
	return t && t->dropin_fd >= 0;
}

int htable_reload(struct htable *t, struct pd_engine *e, char *err, size_t errlen)
{
	struct hd_registry *spare = t->reg[!t->cur];

	if (build(t, spare, err, errlen) != 0)
		return -1;
	/* The old table becomes the spare: nothing keeps a pointer to it once the
	 * engine has switched (sessions hold descriptors, not registries). */
	if (e)
		engine_set_registry(e, spare);
	t->cur = !t->cur;
	return 0;
}

void htable_on_sighup(struct htable *t, struct pd_engine *e)
{
	char err[1024];

	if (!htable_reloadable(t))
		return;
	if (htable_reload(t, e, err, sizeof err) != 0)
		log_msg(LOG_ERR, "reload: %s; keeping the current handler table", err);
	else if (log_is_syslog()) /* on a terminal, silence is success (like the reopen) */
		log_msg(LOG_NOTICE, "reload: handler table rebuilt from %s", t->dropin_dir);
}

void htable_free(struct htable *t)
{
	if (!t)
		return;
	plugins_unload(&t->plugins);
	if (t->dropin_fd >= 0)
		close(t->dropin_fd);
	free(t->reg[0]);
	free(t->reg[1]);
	free(t);
}
