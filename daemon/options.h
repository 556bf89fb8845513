/* SPDX-License-Identifier: BSD-2-Clause */
/* Command-line options of portdemuxd (getopt_long): pure parsing into a struct,
 * errors into the caller's buffer; docs/portdemuxd.8 documents every option. */
#ifndef PD_DAEMON_OPTIONS_H
#define PD_DAEMON_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sysexits.h>

#include "daemon/engine.h"

/* Exit statuses of portdemuxd (docs/portdemuxd.8, EXIT STATUS). */
enum opts_exit {
	OPTS_EXIT_OK = 0,
	OPTS_EXIT_INPUT = 1,       /* unreadable/corrupt capture, capture or runtime failure */
	OPTS_EXIT_OUTPUT = 2,      /* events could not be written */
	OPTS_EXIT_USAGE = EX_USAGE,    /* 64: bad command line */
	OPTS_EXIT_CONFIG = EX_CONFIG,  /* 78: bad configuration file */
};

/* One value of a repeatable option; origin is "FILE:LINE" when it came from a
 * configuration file (see config.h), NULL when from the command line. */
struct opts_item {
	const char *val;
	const char *origin;
};

struct opts_list {
	struct opts_item *v;
	size_t n;
};

enum opts_progress { OPTS_PROGRESS_AUTO = 0, OPTS_PROGRESS_ON, OPTS_PROGRESS_OFF };

#define OPTS_SNAPLEN_DEFAULT 262144
#define OPTS_SNAPLEN_MIN 64
#define OPTS_BUFFER_KIB_MAX 2097151u   /* pcap_set_buffer_size takes an int of bytes */
#define OPTS_MAX_IFACES 64             /* -i handles polled together */
#define OPTS_REOPEN_TIMEOUT_DEFAULT 300u  /* seconds a vanished interface is waited for */
#define OPTS_MAX_ID 40                 /* room for every option id (options.c asserts) */

struct opts {
	struct opts_list read;       /* -r FILE ("-" = stdin) */
	struct opts_list iface;      /* -i IFACE */
	struct opts_list port;       /* --port PORT[/tcp|/udp]=NAME|none */
	const char *handler_dir;     /* --handler-dir: every *.so in DIR (daemon/plugins.c) */
	const char *dropin_dir;      /* --dropin-dir: every *.conf in DIR; NULL = the default
	                                if it exists, "" = none (daemon/dropin.c) */
	const char *write;           /* -w FILE; NULL = stdout */
	const char *filter;          /* -f BPF */
	bool quiet;                  /* -q */
	bool list_handlers;
	bool check_config;
	bool help, version;
	unsigned snaplen;            /* -s, 0 = OPTS_SNAPLEN_DEFAULT */
	unsigned buffer_kib;         /* -B, 0 = libpcap default */
	bool no_promisc;             /* -p */
	bool immediate;
	const char *user;            /* -u; NULL = "portdemux" if it exists, else "nobody" */
	const char *chroot_dir;      /* -t */
	bool daemonize;              /* -D */
	const char *pidfile;
	unsigned stats_interval;     /* seconds, 0 = only the final stats event */
	const char *config;          /* -c */
	unsigned workers;            /* 1 */
	unsigned reopen_timeout;     /* seconds; 0 = give up a lost interface at once */
	enum opts_progress progress;
	struct engine_config engine; /* caps and timeouts; 0 = engine default */
	/* private: where each option was last set, by option id (NULL = command line) */
	const char *origin[OPTS_MAX_ID];
};

/* Fills o from argv[1..argc). origins may be NULL, or hold one origin per argv
 * element ("FILE:LINE" for values that came from a configuration file, NULL for
 * the command line). Only syntax and value ranges are checked here; see
 * opts_validate for combinations. Returns 0, or OPTS_EXIT_USAGE (OPTS_EXIT_CONFIG
 * when the offending argument came from a file) with a one-line message in err.
 * Resets getopt's global state. argv strings must outlive o. */
int opts_parse(struct opts *o, int argc, char *const argv[], const char *const origins[],
               char *err, size_t errlen);

/* Checks combinations: an input is required (unless --list-handlers,
 * --check-config, -h or -V), -i and -r exclude each other, at most
 * OPTS_MAX_IFACES interfaces, live-only options need -i, stdin once. Same
 * return convention. */
int opts_validate(const struct opts *o, char *err, size_t errlen);

void opts_free(struct opts *o);

/* For configuration files: whether `name` is a long option allowed there (0) or
 * not (-1: unknown, or command-line only such as config, help, list-handlers),
 * and whether it takes a value. */
int opts_config_name(const char *name, bool *takes_value);

/* Where the single-valued option `long_name` was last set: "FILE:LINE", or NULL
 * for the command line (and for options never set). */
const char *opts_origin(const struct opts *o, const char *long_name);

/* The usage text (what -h prints). */
const char *opts_usage(void);

#endif
