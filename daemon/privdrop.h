/* SPDX-License-Identifier: BSD-2-Clause */
/* Privilege drop, in a fixed and verified order (DESIGN.md "Privileges",
 * after OpenSMTPD ca.c): everything is opened before, nothing needs privilege
 * after. */
#ifndef PD_DAEMON_PRIVDROP_H
#define PD_DAEMON_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PRIVDROP_DEFAULT_USER "portdemux"
#define PRIVDROP_FALLBACK_USER "nobody"

struct privdrop_target {
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Resolves the account to run as: `user` when given, else "portdemux" when it
 * exists, else "nobody". Call before any chroot (it reads the passwd database).
 * Returns 0 or -1 with a message in err. */
int privdrop_resolve(const char *user, struct privdrop_target *t, char *err, size_t errlen);

/* Drops what the process was started with. As root: optional chroot(dir) and
 * chdir("/"), the capability bounding set and ambient set cleared (while
 * CAP_SETPCAP is still held), setgroups to the target's group only,
 * setresgid, setresuid; then, for every caller: all capabilities cleared
 * (cap_clear + cap_set_proc), PR_SET_NO_NEW_PRIVS, and a check that
 * setuid(0) fails and no capability is left. A non-root caller keeps its
 * identity (t may be NULL) but loses every capability.
 * Returns 0 or -1 with a message in err (the caller must then exit). */
int privdrop_apply(const struct privdrop_target *t, const char *chroot_dir,
                   char *err, size_t errlen);

#endif
