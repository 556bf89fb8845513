/* SPDX-License-Identifier: BSD-2-Clause */
/* Running as a service: detaching (-D), a locked pid file (--pidfile) and the
 * systemd readiness notification (sd_notify(3) protocol, without libsystemd). */
#ifndef PD_DAEMON_SERVICE_H
#define PD_DAEMON_SERVICE_H

#include <stddef.h>

/* Opens and locks `path` (created 0644). A second instance finds it locked:
 * returns -1 with "PATH: locked by pid N" (or the errno text) in err. Returns
 * the descriptor, to pass to service_pidfile_write after detaching. */
int service_pidfile_lock(const char *path, char *err, size_t errlen);
/* Writes the current pid; the lock lasts as long as the descriptor is open. */
int service_pidfile_write(int fd, char *err, size_t errlen);
/* The pid file's directory, opened (O_PATH) before any chroot so that the file
 * can still be removed at exit; -1 when it cannot be opened. */
int service_pidfile_dir(const char *path);
/* At exit: removes the pid file (or empties it when the dropped user may not
 * unlink in that directory), then closes both descriptors and so the lock. */
void service_pidfile_remove(int fd, int dirfd, const char *path);

/* fork, setsid, fork again; chdir("/"), stdin/stdout/stderr to /dev/null
 * (stdout only when events do not go there). Only the grandchild returns; the
 * first parent waits and exits 0 once service_detach_ready(*ready_fd) runs, or
 * 1 if the daemon dies first. Returns 0 or -1 with a message in err. */
int service_detach(int keep_stdout, int *ready_fd, char *err, size_t errlen);
void service_detach_ready(int ready_fd);

/* Connects to $NOTIFY_SOCKET (path or "@abstract") before any chroot: returns
 * the socket or -1 when unset or unreachable. */
int service_notify_open(void);
/* Sends one datagram such as "READY=1" or "STOPPING=1"; no-op when fd < 0. */
void service_notify(int fd, const char *state);

#endif
