/* SPDX-License-Identifier: BSD-2-Clause */
/* The configuration file (-c FILE): one long option per line, "name = value"
 * or "name" alone, '#' starts a comment line. It becomes "--name=value"
 * arguments placed before the command line's, so the command line wins for
 * single values and adds to lists (docs/portdemuxd.8, CONFIGURATION FILE). */
#ifndef PD_DAEMON_CONFIG_H
#define PD_DAEMON_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_LINE 4096
#define CONFIG_MAX_ENTRIES 4096

struct config_args {
	char **argv;     /* "--name=value" / "--name", owned */
	char **origin;   /* "FILE:LINE" for each, owned */
	int argc;
};

/* Reads `path`. Returns 0, or OPTS_EXIT_CONFIG (78) with "FILE:LINE: reason"
 * (or "FILE: reason") in err. Option values are checked later by opts_parse,
 * which names the same FILE:LINE. */
int config_load(const char *path, struct config_args *out, char *err, size_t errlen);

/* Joins argv[0], the file's arguments, then argv[1..argc) into a new vector
 * with matching origins (NULL for the command line). Returns 0 or -1 (memory). */
int config_merge(const struct config_args *cfg, int argc, char *const argv[],
                 char ***out_argv, const char ***out_origin, int *out_argc);

void config_free(struct config_args *a);

#endif
