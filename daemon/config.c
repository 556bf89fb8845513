/* SPDX-License-Identifier: BSD-2-Clause */
/* Configuration file reader: lines of long options (see config.h). */
#include "daemon/config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/options.h"

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static int add(struct config_args *a, const char *name, const char *value, const char *path,
               unsigned line)
{
	size_t n = strlen(name) + (value ? strlen(value) + 1 : 0) + 3;
	size_t on = strlen(path) + 16;
	char *arg = malloc(n), *orig = malloc(on);

	if (!arg || !orig) {
		free(arg);
		free(orig);
		return -1;
	}
	if (value)
		snprintf(arg, n, "--%s=%s", name, value);
	else
		snprintf(arg, n, "--%s", name);
	snprintf(orig, on, "%s:%u", path, line);
	a->argv[a->argc] = arg;
	a->origin[a->argc] = orig;
	a->argc++;
	return 0;
}

/* One non-comment line: "name = value" or "name". Returns 0 or 78. */
static int parse_line(struct config_args *a, char *text, const char *path, unsigned line,
                      char *err, size_t errlen)
{
	char *eq = strchr(text, '=');
	char *name = text, *value = NULL;
	bool takes_value;

	if (eq) {
		*eq = '\0';
		value = trim(eq + 1);
	}
	name = trim(name);
	if (*name == '\0') {
		snprintf(err, errlen, "%s:%u: missing option name", path, line);
		return OPTS_EXIT_CONFIG;
	}
	if (opts_config_name(name, &takes_value) != 0) {
		snprintf(err, errlen, "%s:%u: '%s' is not an option a configuration file may set",
		         path, line, name);
		return OPTS_EXIT_CONFIG;
	}
	if (takes_value && (!value || !*value)) {
		snprintf(err, errlen, "%s:%u: '%s' needs a value (%s = VALUE)", path, line, name, name);
		return OPTS_EXIT_CONFIG;
	}
	if (!takes_value && value) {
		snprintf(err, errlen, "%s:%u: '%s' takes no value", path, line, name);
		return OPTS_EXIT_CONFIG;
	}
	if (a->argc >= CONFIG_MAX_ENTRIES) {
		snprintf(err, errlen, "%s:%u: more than %d settings", path, line, CONFIG_MAX_ENTRIES);
		return OPTS_EXIT_CONFIG;
	}
	if (add(a, name, value, path, line) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return OPTS_EXIT_CONFIG;
	}
	return 0;
}

int config_load(const char *path, struct config_args *out, char *err, size_t errlen)
{
	char buf[CONFIG_MAX_LINE + 2];
	unsigned line = 0;
	int rc = 0;
	FILE *fp;

	memset(out, 0, sizeof *out);
	out->argv = calloc(CONFIG_MAX_ENTRIES, sizeof *out->argv);
	out->origin = calloc(CONFIG_MAX_ENTRIES, sizeof *out->origin);
	if (!out->argv || !out->origin) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		config_free(out);
		return OPTS_EXIT_CONFIG;
	}
	fp = fopen(path, "r");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		config_free(out);
		return OPTS_EXIT_CONFIG;
	}
	while (rc == 0 && fgets(buf, sizeof buf, fp)) {
		size_t len = strlen(buf);
		char *text;

		line++;
		if (len > CONFIG_MAX_LINE && buf[len - 1] != '\n') {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes", path, line,
			         CONFIG_MAX_LINE);
			rc = OPTS_EXIT_CONFIG;
			break;
		}
		text = trim(buf);
		if (*text == '\0' || *text == '#')
			continue;
		rc = parse_line(out, text, path, line, err, errlen);
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
		rc = OPTS_EXIT_CONFIG;
	}
	fclose(fp);
	if (rc != 0)
		config_free(out);
	return rc;
}

int config_merge(const struct config_args *cfg, int argc, char *const argv[],
                 char ***out_argv, const char ***out_origin, int *out_argc)
{
	int n = (argc > 0 ? argc : 1) + cfg->argc;
	char **v = calloc((size_t)n + 1, sizeof *v);
	const char **o = calloc((size_t)n + 1, sizeof *o);
	int k = 0;

	if (!v || !o) {
		free(v);
		free(o);
		return -1;
	}
	v[k++] = argc > 0 ? argv[0] : (char *)"portdemuxd";
	for (int i = 0; i < cfg->argc; i++, k++) {
		v[k] = cfg->argv[i];
		o[k] = cfg->origin[i];
	}
	for (int i = 1; i < argc; i++)
		v[k++] = argv[i];
	*out_argv = v;
	*out_origin = o;
	*out_argc = k;
	return 0;
}

void config_free(struct config_args *a)
{
	for (int i = 0; i < a->argc; i++) {
		free(a->argv[i]);
		free(a->origin[i]);
	}
	free(a->argv);
	free(a->origin);
	memset(a, 0, sizeof *a);
}
