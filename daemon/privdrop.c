/* SPDX-License-Identifier: BSD-2-Clause */
/* Privilege drop: chroot(2), capabilities(7) bounding/ambient sets,
 * setgroups(2), setresgid(2)/setresuid(2), cap_set_proc(3), prctl(2)
 * PR_SET_NO_NEW_PRIVS, then verification. */
#include "daemon/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

int privdrop_resolve(const char *user, struct privdrop_target *t, char *err, size_t errlen)
{
	const struct passwd *pw;

	errno = 0;
	if (user) {
		pw = getpwnam(user);
		if (!pw) {
			snprintf(err, errlen, "-u %s: %s", user, errno ? strerror(errno) : "no such user");
			return -1;
		}
	} else {
		pw = getpwnam(PRIVDROP_DEFAULT_USER);
		if (!pw)
			pw = getpwnam(PRIVDROP_FALLBACK_USER);
		if (!pw) {
			snprintf(err, errlen, "neither user '%s' nor '%s' exists: give -u USER",
			         PRIVDROP_DEFAULT_USER, PRIVDROP_FALLBACK_USER);
			return -1;
		}
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "-u %s: refusing to run as uid 0", pw->pw_name);
		return -1;
	}
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	snprintf(t->name, sizeof t->name, "%s", pw->pw_name);
	return 0;
}

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "privilege drop: %s: %s", what, strerror(errno));
	return -1;
}

/* The bounding set limits what any later execve could gain; dropping it needs
 * CAP_SETPCAP, so it happens before the identity change takes that away. */
static int drop_bounding(char *err, size_t errlen)
{
	cap_t cur = cap_get_proc();
	cap_flag_value_t have = CAP_CLEAR;

	if (cur) {
		cap_get_flag(cur, CAP_SETPCAP, CAP_EFFECTIVE, &have);
		cap_free(cur);
	}
	if (have == CAP_SET) {
		for (cap_value_t c = 0; c < cap_max_bits(); c++)
			if (cap_get_bound(c) > 0 && cap_drop_bound(c) != 0)
				return fail(err, errlen, "cap_drop_bound");
	}
	/* Ambient capabilities survive execve of unprivileged programs; clearing
	 * them needs no privilege. Kernels before 4.3 have none (EINVAL). */
	if (cap_reset_ambient() != 0 && errno != EINVAL)
		return fail(err, errlen, "cap_reset_ambient");
	return 0;
}

static int clear_caps(char *err, size_t errlen)
{
	cap_t none = cap_init();
	int rc;

	if (!none)
		return fail(err, errlen, "cap_init");
	rc = cap_clear(none) == 0 && cap_set_proc(none) == 0 ? 0 : -1;
	cap_free(none);
	return rc == 0 ? 0 : fail(err, errlen, "cap_set_proc");
}

static int verify(char *err, size_t errlen)
{
	cap_t cur = cap_get_proc(), none = cap_init();
	int same = cur && none ? cap_compare(cur, none) : -1;

	cap_free(cur);
	cap_free(none);
	if (same != 0) {
		snprintf(err, errlen, "privilege drop: capabilities remain after clearing them");
		return -1;
	}
	if (getuid() != 0 && geteuid() != 0 && setuid(0) != -1) {
		snprintf(err, errlen, "privilege drop: setuid(0) succeeded after the drop");
		return -1;
	}
	return 0;
}

int privdrop_apply(const struct privdrop_target *t, const char *chroot_dir,
                   char *err, size_t errlen)
{
	bool root = geteuid() == 0;

	if (chroot_dir) {
		if (chroot(chroot_dir) != 0)
			return fail(err, errlen, chroot_dir);
		if (chdir("/") != 0)
			return fail(err, errlen, "chdir /");
	}
	if (drop_bounding(err, errlen) != 0)
		return -1;
	if (root) {
		if (!t) {
			snprintf(err, errlen, "privilege drop: running as root without a target user");
			return -1;
		}
		if (setgroups(1, &t->gid) != 0)
			return fail(err, errlen, "setgroups");
		if (setresgid(t->gid, t->gid, t->gid) != 0)
			return fail(err, errlen, "setresgid");
		if (setresuid(t->uid, t->uid, t->uid) != 0)
			return fail(err, errlen, "setresuid");
	}
	if (clear_caps(err, errlen) != 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return fail(err, errlen, "PR_SET_NO_NEW_PRIVS");
	return verify(err, errlen);
}
