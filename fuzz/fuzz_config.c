/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: the configuration file reader (daemon/config.h) and the
 * option parser it feeds (daemon/options.h), as portdemuxd -c FILE runs them:
 * config_load, config_merge with a fixed command line, opts_parse and
 * opts_validate (docs/portdemuxd.8, CONFIGURATION FILE).
 *
 * Input: the file's bytes. config_load takes a path, so the bytes go to a
 * memfd read back through /proc/self/fd. Invariants (abort otherwise): a
 * failure leaves a message naming the file, a success yields "--name" or
 * "--name=value" arguments each with a "FILE:LINE" origin. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/options.h"
#include "fuzz/fuzz.h"

static void check_args(const struct config_args *a, const char *path)
{
	size_t plen = strlen(path);
	for (int i = 0; i < a->argc; i++) {
		if (a->argv[i] == NULL || strncmp(a->argv[i], "--", 2) != 0 || a->argv[i][2] == '\0')
			fz_fail("a configuration argument is not --name[=value]", a->argv[i]);
		if (a->origin[i] == NULL || strncmp(a->origin[i], path, plen) != 0 ||
		    a->origin[i][plen] != ':')
			fz_fail("a configuration argument without its FILE:LINE origin", a->origin[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const cmdline[] = { "portdemuxd", "-r", "in.pcap", NULL };
	int fd = fz_input_file(data, size);
	char path[64], err[512];
	struct config_args cfg;

	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	err[0] = '\0';
	int rc = config_load(path, &cfg, err, sizeof err);
	if (rc != 0) {
		if (rc != OPTS_EXIT_CONFIG)
			fz_fail("config_load failed with another status than OPTS_EXIT_CONFIG", err);
		if (strncmp(err, path, strlen(path)) != 0)
			fz_fail("config_load error does not name the file", err);
		if (cfg.argv != NULL || cfg.argc != 0)
			fz_fail("config_load failed without freeing its arguments", NULL);
		return 0;
	}
	check_args(&cfg, path);

	char **argv;
	const char **origin;
	int argc;
	if (config_merge(&cfg, 3, cmdline, &argv, &origin, &argc) != 0) {
		config_free(&cfg);
		return 0;
	}
	if (argc != cfg.argc + 3 || argv[argc - 1] != cmdline[2] || origin[argc - 1] != NULL)
		fz_fail("config_merge put the command line somewhere else than last", NULL);

	struct opts o;
	memset(&o, 0, sizeof o);
	err[0] = '\0';
	rc = opts_parse(&o, argc, argv, origin, err, sizeof err);
	if (rc != 0) {
		if (rc != OPTS_EXIT_CONFIG && rc != OPTS_EXIT_USAGE)
			fz_fail("opts_parse failed with an unexpected status", err);
		if (err[0] == '\0')
			fz_fail("opts_parse failed without a message", NULL);
	} else {
		rc = opts_validate(&o, err, sizeof err);
		if (rc != 0 && err[0] == '\0')
			fz_fail("opts_validate failed without a message", NULL);
		/* The command line's -r stays, whatever the file said. */
		if (o.read.n == 0 || strcmp(o.read.v[o.read.n - 1].val, "in.pcap") != 0)
			fz_fail("the command line's input was lost", NULL);
	}
	opts_free(&o);
	free(argv);
	free(origin);
	config_free(&cfg);
	return 0;
}
