/* SPDX-License-Identifier: BSD-2-Clause */
/* Plug-in loader: dlopen(3) every *.so of one directory in name order and
 * check its exported struct pd_handler (POSIX.1-2017 dlopen, dlsym). Plug-ins
 * resolve pd_session_* and pd_event_* from portdemuxd itself (linked with
 * -rdynamic), so a plug-in needs no library, only the installed headers. */
#include "daemon/plugins.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_plugin_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 3 && strcmp(name + n - 3, ".so") == 0;
}

/* The *.so names of dir, sorted; at most HD_MAX_HANDLERS of them. */
static int list_dir(const char *dir, char ***out, size_t *count, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	*out = NULL;
	*count = 0;
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	names = calloc(HD_MAX_HANDLERS, sizeof *names);
	if (!names) {
		snprintf(err, errlen, "%s: %s", dir, strerror(ENOMEM));
		closedir(d);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!is_plugin_name(de->d_name))
			continue;
		if (n == HD_MAX_HANDLERS) {
			snprintf(err, errlen, "%s: more than %d plug-ins", dir, HD_MAX_HANDLERS);
			goto fail;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			snprintf(err, errlen, "%s: %s", dir, strerror(ENOMEM));
			goto fail;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	*out = names;
	*count = n;
	return 0;
fail:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return -1;
}

/* Code that runs with the daemon's privileges must not be replaceable by
 * other users. Returns 1 to load, 0 to skip (not a regular file), -1. */
static int check_file(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u; a plug-in must belong to root or to "
		         "the user running portdemuxd", path, (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(err, errlen, "%s: writable by others; refusing to load it", path);
		return -1;
	}
	return 1;
}

/* Checks h on its own, in an empty registry: what hd_registry_add checks. */
static int check_alone(struct hd_registry *scratch, const struct pd_handler *h, char *msg,
                       size_t msglen)
{
	memset(scratch, 0, sizeof *scratch);
	return hd_registry_add(scratch, h, msg, msglen);
}

static int load_one(struct plugin_set *ps, const char *path, struct hd_registry *scratch,
                    char *err, size_t errlen)
{
	struct plugin *p = &ps->v[ps->n];
	const struct pd_handler *const *sym;
	const struct pd_handler *h;
	char msg[512];

	p->path = strdup(path);
	if (!p->path) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -1;
	}
	dlerror();
	p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!p->dl) {
		const char *why = dlerror();
		why = why ? why : "dlopen failed";
		/* dlerror usually names the file already */
		if (strstr(why, path))
			snprintf(err, errlen, "%s", why);
		else
			snprintf(err, errlen, "%s: %s", path, why);
		free(p->path);
		p->path = NULL;
		return -1;
	}
	ps->n++;
	sym = dlsym(p->dl, PD_HANDLER_SYMBOL);
	if (!sym) {
		snprintf(err, errlen, "%s: no symbol %s (export the descriptor with "
		         "PD_HANDLER_EXPORT)", path, PD_HANDLER_SYMBOL);
		return -1;
	}
	h = *sym;
	if (!h) {
		snprintf(err, errlen, "%s: %s is NULL", path, PD_HANDLER_SYMBOL);
		return -1;
	}
	/* Only api_version may be read from a descriptor of another version. */
	if (h->api_version != PD_API_VERSION) {
		snprintf(err, errlen, "%s: built for handler API version %u, this portdemuxd "
		         "provides version %u: rebuild it against this version's headers", path,
		         h->api_version, (unsigned)PD_API_VERSION);
		return -1;
	}
	if (check_alone(scratch, h, msg, sizeof msg) != 0) {
		snprintf(err, errlen, "%s: %s", path, msg);
		return -1;
	}
	for (size_t i = 0; i + 1 < ps->n; i++) {
		if (strcmp(ps->v[i].h->name, h->name) == 0) {
			snprintf(err, errlen, "%s: handler name \"%s\" is already used by %s", path,
			         h->name, ps->v[i].path);
			return -1;
		}
	}
	p->h = h;
	return 0;
}

int plugins_load_dir(struct plugin_set *ps, const char *dir, char *err, size_t errlen)
{
	struct hd_registry *scratch;
	struct stat st;
	char **names;
	size_t n;
	int rc = 0;

	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		snprintf(err, errlen, "%s: writable by others; refusing to load plug-ins from it",
		         dir);
		return -1;
	}
	if (list_dir(dir, &names, &n, err, errlen) != 0)
		return -1;
	scratch = malloc(sizeof *scratch);
	if (!scratch) {
		snprintf(err, errlen, "%s: %s", dir, strerror(ENOMEM));
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t len = strlen(dir) + 1 + strlen(names[i]) + 1;
		char *path = malloc(len);
		int ok;

		if (!path) {
			snprintf(err, errlen, "%s: %s", dir, strerror(ENOMEM));
			rc = -1;
			break;
		}
		snprintf(path, len, "%s/%s", dir, names[i]);
		ok = check_file(path, err, errlen);
		if (ok < 0 || (ok > 0 && load_one(ps, path, scratch, err, errlen) != 0))
			rc = -1;
		free(path);
	}
	free(scratch);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

const char *plugins_path_of(const struct plugin_set *ps, const struct pd_handler *h)
{
	for (size_t i = 0; ps && i < ps->n; i++)
		if (ps->v[i].h == h)
			return ps->v[i].path;
	return NULL;
}

void plugins_unload(struct plugin_set *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		if (ps->v[i].dl)
			dlclose(ps->v[i].dl);
		free(ps->v[i].path);
	}
	memset(ps, 0, sizeof *ps);
}
