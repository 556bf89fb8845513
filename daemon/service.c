/* SPDX-License-Identifier: BSD-2-Clause */
/* Service plumbing: double-fork detach (daemon(7) "SysV daemons"), a pid file
 * held with flock(2), and the sd_notify datagram protocol on $NOTIFY_SOCKET
 * (an AF_UNIX SOCK_DGRAM socket; a leading '@' names the abstract namespace). */
#include "daemon/service.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int service_pidfile_lock(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		char buf[32] = "";
		ssize_t n = errno == EWOULDBLOCK ? pread(fd, buf, sizeof buf - 1, 0) : -1;
		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			snprintf(err, errlen, "%s: locked by pid %s (another portdemuxd is running)",
			         path, buf);
		} else {
			snprintf(err, errlen, "%s: %s", path,
			         errno == EWOULDBLOCK ? "locked by another process" : strerror(errno));
		}
		close(fd);
		return -1;
	}
	return fd;
}

int service_pidfile_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (slash == NULL)
		return open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	size_t n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof dir)
		return -1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

void service_pidfile_remove(int fd, int dirfd, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;

	/* Unlinked while still locked, so a new instance never finds a stale
	 * file it could mistake for ours. Unlinking needs write access to the
	 * directory, which the unprivileged user may lack (a root-owned /run):
	 * then the file is emptied through the descriptor opened before the
	 * drop, so no pid is left behind in it. */
	if (dirfd < 0 || unlinkat(dirfd, name, 0) != 0) {
		if (ftruncate(fd, 0) != 0) {
			/* nothing more to do at exit: the lock goes with the close */
		}
	}
	if (dirfd >= 0)
		close(dirfd);
	close(fd);
}

int service_pidfile_write(int fd, char *err, size_t errlen)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		snprintf(err, errlen, "pid file: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int to_devnull(int keep_stdout)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return -1;
	if (dup2(fd, STDIN_FILENO) < 0 || (!keep_stdout && dup2(fd, STDOUT_FILENO) < 0) ||
	    dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		return -1;
	}
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

/* The first parent waits on a pipe until the daemon says it is ready, so its
 * exit status tells init scripts whether start-up worked, and the pid file
 * exists by the time it exits (systemd Type=forking reads it then). */
static void wait_ready(int rfd)
{
	char c;
	ssize_t n;

	do
		n = read(rfd, &c, 1);
	while (n < 0 && errno == EINTR);
	_exit(n == 1 ? 0 : 1);
}

int service_detach(int keep_stdout, int *ready_fd, char *err, size_t errlen)
{
	int pfd[2];
	pid_t pid;

	fflush(NULL);
	if (pipe2(pfd, O_CLOEXEC) != 0)
		goto fail;
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid > 0) {
		close(pfd[1]);
		wait_ready(pfd[0]);
	}
	close(pfd[0]);
	if (setsid() < 0)
		goto fail;
	/* The session leader exits so the daemon can never reacquire a terminal. */
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0 || to_devnull(keep_stdout) != 0)
		goto fail;
	*ready_fd = pfd[1];
	return 0;
fail:
	snprintf(err, errlen, "detach: %s", strerror(errno));
	return -1;
}

void service_detach_ready(int ready_fd)
{
	if (ready_fd >= 0) {
		(void)!write(ready_fd, "1", 1);
		close(ready_fd);
	}
}

int service_notify_open(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@'))
		return -1;
	len = strlen(path);
	if (len >= sizeof sa.sun_path)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa,
	            (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void service_notify(int fd, const char *state)
{
	if (fd >= 0)
		(void)send(fd, state, strlen(state), MSG_NOSIGNAL);
}
