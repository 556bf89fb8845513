/* SPDX-License-Identifier: BSD-2-Clause */
/* Drop-in port configuration: parser of the *.conf files of portdemux.d and
 * their application to a handler registry (grammar in dropin.h and
 * docs/handler-guide.md). Later files never silently override earlier ones:
 * two different assignments of one port are an error naming both lines. */
#include "daemon/dropin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char expected[] =
	"expected 'port PORT[/tcp|/udp] = HANDLER|none' or 'disable = HANDLER'";

void dropin_init(struct dropin_conf *c, const char *dir)
{
	memset(c, 0, sizeof *c);
	c->dir = dir;
}

static void where(const struct dropin_conf *c, uint32_t file, uint32_t line, char *buf,
                  size_t buflen)
{
	if (c->dir && c->dir[0])
		snprintf(buf, buflen, "%s/%s:%u", c->dir, c->files[file], (unsigned)line);
	else
		snprintf(buf, buflen, "%s:%u", c->files[file], (unsigned)line);
}

void dropin_where(const struct dropin_conf *c, const struct dropin_item *it, char *buf,
                  size_t buflen)
{
	where(c, it->file, it->line, buf, buflen);
}

static int fail_at(const struct dropin_conf *c, uint32_t file, uint32_t line, char *err,
                   size_t errlen, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int fail_at(const struct dropin_conf *c, uint32_t file, uint32_t line, char *err,
                   size_t errlen, const char *fmt, ...)
{
	char at[512], msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	where(c, file, line, at, sizeof at);
	snprintf(err, errlen, "%s: %s", at, msg);
	return -1;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static bool is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* One line being parsed: [p, end) with comment and trailing blanks removed. */
struct line {
	const char *p, *end;
};

static void skip_blanks(struct line *l)
{
	while (l->p < l->end && is_blank(*l->p))
		l->p++;
}

/* The next word: up to a blank or '='. */
static size_t word(struct line *l, const char **start)
{
	*start = l->p;
	while (l->p < l->end && !is_blank(*l->p) && *l->p != '=')
		l->p++;
	return (size_t)(l->p - *start);
}

static bool word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(w, lit, n) == 0;
}

/* "PORT[/tcp|/udp]": decimal 1..65535. */
static bool parse_portspec(const char *w, size_t n, uint16_t *port, unsigned *transports)
{
	const char *slash = memchr(w, '/', n);
	size_t digits = slash ? (size_t)(slash - w) : n;
	unsigned long v = 0;

	if (digits == 0 || digits > 5)
		return false;
	for (size_t i = 0; i < digits; i++) {
		if (w[i] < '0' || w[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(w[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	*transports = 0;
	if (slash) {
		size_t tn = n - digits - 1;
		if (word_is(slash + 1, tn, "tcp"))
			*transports = PD_TCP;
		else if (word_is(slash + 1, tn, "udp"))
			*transports = PD_UDP;
		else
			return false;
	}
	return true;
}

/* "= NAME" to the end of the line. */
static int parse_value(const struct dropin_conf *c, uint32_t file, uint32_t line,
                       struct line *l, struct dropin_item *it, char *err, size_t errlen)
{
	const char *w;
	size_t n;

	skip_blanks(l);
	if (l->p == l->end || *l->p != '=')
		return fail_at(c, file, line, err, errlen, "missing '=': %s", expected);
	l->p++;
	skip_blanks(l);
	n = word(l, &w);
	if (n == 0)
		return fail_at(c, file, line, err, errlen, "missing handler name after '='");
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(w[i]))
			return fail_at(c, file, line, err, errlen,
			               "bad handler name \"%.*s\" (must match [a-z0-9_-]{1,31})",
			               (int)(n > 64 ? 64 : n), w);
	if (n >= sizeof it->name)
		return fail_at(c, file, line, err, errlen, "handler name \"%.*s...\" is too long",
		               32, w);
	skip_blanks(l);
	if (l->p != l->end)
		return fail_at(c, file, line, err, errlen, "unexpected text \"%.*s\" after the "
		               "handler name", (int)((l->end - l->p) > 64 ? 64 : (l->end - l->p)),
		               l->p);
	memcpy(it->name, w, n);
	it->name[n] = '\0';
	return 0;
}

static int push(struct dropin_conf *c, const struct dropin_item *it, char *err, size_t errlen)
{
	if (c->n_items == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct dropin_item *v;

		if (c->n_items >= DROPIN_MAX_ITEMS)
			return fail_at(c, it->file, it->line, err, errlen,
			               "more than %u directives in all files", DROPIN_MAX_ITEMS);
		v = realloc(c->items, cap * sizeof *v);
		if (!v)
			return fail_at(c, it->file, it->line, err, errlen, "%s", strerror(ENOMEM));
		c->items = v;
		c->cap = cap;
	}
	c->items[c->n_items++] = *it;
	return 0;
}

static int parse_line(struct dropin_conf *c, uint32_t file, uint32_t line, const char *p,
                      size_t n, char *err, size_t errlen)
{
	const char *hash = memchr(p, '#', n);
	struct line l = {p, hash ? hash : p + n};
	struct dropin_item it = {.file = file, .line = line};
	const char *w;
	size_t wn;

	if (n > DROPIN_MAX_LINE)
		return fail_at(c, file, line, err, errlen, "line longer than %d bytes",
		               DROPIN_MAX_LINE);
	if (memchr(p, '\0', n))
		return fail_at(c, file, line, err, errlen, "NUL byte in the line");
	while (l.end > l.p && is_blank(l.end[-1]))
		l.end--;
	skip_blanks(&l);
	if (l.p == l.end)
		return 0;
	wn = word(&l, &w);
	if (word_is(w, wn, "port")) {
		const char *spec;
		size_t sn;

		it.kind = DROPIN_PORT;
		skip_blanks(&l);
		sn = word(&l, &spec);
		if (sn == 0)
			return fail_at(c, file, line, err, errlen, "missing port: %s", expected);
		if (!parse_portspec(spec, sn, &it.port, &it.transports))
			return fail_at(c, file, line, err, errlen, "bad port \"%.*s\" (expected "
			               "1-65535, optionally /tcp or /udp)", (int)(sn > 64 ? 64 : sn),
			               spec);
	} else if (word_is(w, wn, "disable")) {
		it.kind = DROPIN_DISABLE;
	} else {
		return fail_at(c, file, line, err, errlen, "unknown directive \"%.*s\": %s",
		               (int)(wn > 64 ? 64 : wn), w, expected);
	}
	if (parse_value(c, file, line, &l, &it, err, errlen) != 0)
		return -1;
	if (it.kind == DROPIN_DISABLE && strcmp(it.name, "none") == 0)
		return fail_at(c, file, line, err, errlen, "\"none\" is not a handler");
	return push(c, &it, err, errlen);
}

int dropin_parse(struct dropin_conf *c, const char *file, const char *text, size_t len,
                 char *err, size_t errlen)
{
	char **files;
	char *copy;
	uint32_t idx, line = 0;
	size_t off = 0;

	if (c->n_files >= DROPIN_MAX_FILES) {
		snprintf(err, errlen, "%s: more than %d drop-in files", c->dir ? c->dir : file,
		         DROPIN_MAX_FILES);
		return -1;
	}
	files = realloc(c->files, (c->n_files + 1) * sizeof *files);
	if (!files) {
		snprintf(err, errlen, "%s: %s", file, strerror(ENOMEM));
		return -1;
	}
	c->files = files;
	copy = strdup(file);
	if (!copy) {
		snprintf(err, errlen, "%s: %s", file, strerror(ENOMEM));
		return -1;
	}
	idx = (uint32_t)c->n_files;
	c->files[c->n_files++] = copy;
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;

		line++;
		if (parse_line(c, idx, line, text + off, n, err, errlen) != 0)
			return -1;
		off += n + (nl ? 1 : 0);
	}
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_conf_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

/* The *.conf names of the directory, sorted. */
static int list_conf(const struct dropin_conf *c, int dirfd, char ***out, size_t *count,
                     char *err, size_t errlen)
{
	const char *dname = c->dir ? c->dir : "drop-in directory";
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	if (!d) {
		snprintf(err, errlen, "%s: %s", dname, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char **v;

		if (!is_conf_name(de->d_name))
			continue;
		if (n == DROPIN_MAX_FILES) {
			snprintf(err, errlen, "%s: more than %d drop-in files", dname, DROPIN_MAX_FILES);
			goto fail;
		}
		v = realloc(names, (n + 1) * sizeof *v);
		if (!v || !(v[n] = strdup(de->d_name))) {
			if (v)
				names = v;
			snprintf(err, errlen, "%s: %s", dname, strerror(ENOMEM));
			goto fail;
		}
		names = v;
		n++;
	}
	closedir(d);
	if (n)
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

/* Reads one file whole (at most DROPIN_MAX_FILE bytes). Returns 1 with the
 * text, 0 to skip (not a regular file), -1. */
static int read_file(const struct dropin_conf *c, int dirfd, const char *name, char **text,
                     size_t *len, char *err, size_t errlen)
{
	const char *dname = c->dir && c->dir[0] ? c->dir : ".";
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	ssize_t got;

	if (fd < 0) {
		snprintf(err, errlen, "%s/%s: %s", dname, name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	buf = malloc(DROPIN_MAX_FILE + 1);
	if (!buf) {
		snprintf(err, errlen, "%s/%s: %s", dname, name, strerror(ENOMEM));
		close(fd);
		return -1;
	}
	while (n <= DROPIN_MAX_FILE && (got = read(fd, buf + n, DROPIN_MAX_FILE + 1 - n)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s/%s: %s", dname, name, strerror(errno));
			goto fail;
		}
		n += (size_t)got;
	}
	if (n > DROPIN_MAX_FILE) {
		snprintf(err, errlen, "%s/%s: larger than %u bytes", dname, name, DROPIN_MAX_FILE);
		goto fail;
	}
	close(fd);
	*text = buf;
	*len = n;
	return 1;
fail:
	free(buf);
	close(fd);
	return -1;
}

int dropin_load(struct dropin_conf *c, int dirfd, char *err, size_t errlen)
{
	char **names;
	size_t n;
	int rc = 0;

	if (list_conf(c, dirfd, &names, &n, err, errlen) != 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char *text;
		size_t len;
		int got = read_file(c, dirfd, names[i], &text, &len, err, errlen);

		if (got < 0)
			rc = -1;
		if (got > 0) {
			rc = dropin_parse(c, names[i], text, len, err, errlen);
			free(text);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

const struct dropin_item *dropin_disabled(const struct dropin_conf *c, const char *name)
{
	for (size_t i = 0; c && i < c->n_items; i++)
		if (c->items[i].kind == DROPIN_DISABLE && strcmp(c->items[i].name, name) == 0)
			return &c->items[i];
	return NULL;
}

int dropin_check_disables(const struct dropin_conf *c, bool (*known)(void *arg, const char *name),
                          void *arg, char *err, size_t errlen)
{
	for (size_t i = 0; i < c->n_items; i++) {
		const struct dropin_item *it = &c->items[i];
		if (it->kind == DROPIN_DISABLE && !known(arg, it->name))
			return fail_at(c, it->file, it->line, err, errlen, "unknown handler \"%s\"",
			               it->name);
	}
	return 0;
}

static const char *transport_name(unsigned t)
{
	return t == PD_TCP ? "tcp" : "udp";
}

/* The handler a port directive names, with the transports it covers. */
static int resolve(const struct dropin_conf *c, const struct dropin_item *it,
                   const struct hd_registry *r, unsigned *transports, char *err, size_t errlen)
{
	const struct pd_handler *h;
	const struct dropin_item *off;

	if (strcmp(it->name, "none") == 0) {
		*transports = it->transports ? it->transports : (unsigned)(PD_TCP | PD_UDP);
		return 0;
	}
	h = hd_registry_find(r, it->name);
	if (!h) {
		off = dropin_disabled(c, it->name);
		if (off)
			return fail_at(c, it->file, it->line, err, errlen,
			               "handler %s is disabled by %s:%u", it->name, c->files[off->file],
			               (unsigned)off->line);
		return fail_at(c, it->file, it->line, err, errlen, "unknown handler \"%s\"",
		               it->name);
	}
	if (it->transports && !(h->transports & it->transports))
		return fail_at(c, it->file, it->line, err, errlen, "handler %s does not support %s",
		               it->name, transport_name(it->transports));
	*transports = it->transports ? it->transports : h->transports;
	return 0;
}

int dropin_apply(const struct dropin_conf *c, struct hd_registry *r, char *err, size_t errlen)
{
	static const unsigned both[2] = {PD_TCP, PD_UDP};
	/* who set each port, per transport: item index + 1 (0 = no directive) */
	uint32_t *owner = calloc(2u * 65536u, sizeof *owner);
	int rc = 0;

	if (!owner) {
		snprintf(err, errlen, "drop-ins: %s", strerror(ENOMEM));
		return -1;
	}
	for (size_t i = 0; rc == 0 && i < c->n_items; i++) {
		const struct dropin_item *it = &c->items[i];
		unsigned tr = 0;

		if (it->kind != DROPIN_PORT)
			continue;
		rc = resolve(c, it, r, &tr, err, errlen);
		for (int t = 0; rc == 0 && t < 2; t++) {
			uint32_t *o = &owner[(size_t)t * 65536u + it->port];
			const struct dropin_item *prev = *o ? &c->items[*o - 1] : NULL;
			char spec[48], msg[256];

			if (!(tr & both[t]))
				continue;
			if (prev && strcmp(prev->name, it->name) != 0) {
				rc = fail_at(c, it->file, it->line, err, errlen,
				             "port %u/%s already %s %s by %s:%u", (unsigned)it->port,
				             transport_name(both[t]),
				             strcmp(prev->name, "none") ? "assigned to" : "set to",
				             prev->name, c->files[prev->file], (unsigned)prev->line);
				break;
			}
			*o = (uint32_t)i + 1;
			snprintf(spec, sizeof spec, "%u/%s=%s", (unsigned)it->port,
			         transport_name(both[t]), it->name);
			if (hd_registry_remap(r, spec, msg, sizeof msg) != 0)
				rc = fail_at(c, it->file, it->line, err, errlen, "%s", msg);
		}
	}
	free(owner);
	return rc;
}

void dropin_free(struct dropin_conf *c)
{
	for (size_t i = 0; i < c->n_files; i++)
		free(c->files[i]);
	free(c->files);
	free(c->items);
	dropin_init(c, c->dir);
}
