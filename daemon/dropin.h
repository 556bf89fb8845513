/* SPDX-License-Identifier: BSD-2-Clause */
/* Drop-in port configuration in the style of xinetd.d: every *.conf file of
 * one directory, read in name order, one directive per line
 * (docs/handler-guide.md, docs/portdemuxd.8 DROP-IN CONFIGURATION):
 *
 *   # a comment; '#' also ends a directive
 *   port PORT[/tcp|/udp] = HANDLER|none
 *   disable = HANDLER
 *
 * Parsing checks syntax only; dropin_apply checks handler names, transports
 * and conflicts against a registry. Every error is one line naming
 * "DIR/FILE:LINE". */
#ifndef PD_DAEMON_DROPIN_H
#define PD_DAEMON_DROPIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handlers/registry.h"

#define DROPIN_MAX_LINE 1024                 /* bytes, without the newline */
#define DROPIN_MAX_FILE (1024u * 1024u)      /* bytes per file */
#define DROPIN_MAX_FILES 1024
#define DROPIN_MAX_ITEMS (2u * 65536u + HD_MAX_HANDLERS)

enum dropin_kind { DROPIN_PORT, DROPIN_DISABLE };

struct dropin_item {
	enum dropin_kind kind;
	uint16_t port;         /* DROPIN_PORT */
	unsigned transports;   /* PD_TCP or PD_UDP as written; 0 = not written */
	char name[32];         /* handler name, or "none" (DROPIN_PORT only) */
	uint32_t file;         /* index into dropin_conf.files */
	uint32_t line;         /* 1-based */
};

struct dropin_conf {
	const char *dir;       /* directory as given, for messages (borrowed; may be NULL) */
	char **files;          /* file names in reading order (owned) */
	size_t n_files;
	struct dropin_item *items;  /* in reading order (owned) */
	size_t n_items, cap;
};

/* An empty configuration whose messages name files under dir. */
void dropin_init(struct dropin_conf *c, const char *dir);

/* Parses one file's text (len bytes, NUL bytes are errors) and appends its
 * directives. file is the name without directory. Returns 0, or -1 with
 * "DIR/FILE:LINE: reason" in err (c keeps the directives before the error). */
int dropin_parse(struct dropin_conf *c, const char *file, const char *text, size_t len,
                 char *err, size_t errlen);

/* Reads every *.conf of the directory open as dirfd (names starting with '.'
 * and non-regular files are skipped), in strcmp order. The descriptor stays
 * open and unmoved, so the same directory can be read again after a chroot.
 * Returns 0 or -1 with one line in err. */
int dropin_load(struct dropin_conf *c, int dirfd, char *err, size_t errlen);

/* The directive disabling handler `name`, or NULL. */
const struct dropin_item *dropin_disabled(const struct dropin_conf *c, const char *name);

/* Every "disable" names a handler for which known(arg, name) is true.
 * Returns 0 or -1 with "DIR/FILE:LINE: unknown handler ..." in err. */
int dropin_check_disables(const struct dropin_conf *c, bool (*known)(void *arg, const char *name),
                          void *arg, char *err, size_t errlen);

/* Applies the port directives, in order, to r (which holds the enabled
 * handlers with their default ports). Errors: a handler r does not hold
 * (unknown, or disabled: the message names the disabling line), a transport
 * the handler lacks, and one port/transport given two different handlers:
 *   "DIR/20-mail.conf:3: port 2525/tcp already assigned to smtp by 10-x.conf:2"
 * Repeating the same assignment is allowed. Returns 0, or -1 with one line in
 * err (r is then partly changed: build into a scratch registry). */
int dropin_apply(const struct dropin_conf *c, struct hd_registry *r, char *err, size_t errlen);

/* "DIR/FILE:LINE" of an item, for messages of callers. */
void dropin_where(const struct dropin_conf *c, const struct dropin_item *it, char *buf,
                  size_t buflen);

void dropin_free(struct dropin_conf *c);

#endif
