/* SPDX-License-Identifier: BSD-2-Clause */
/* portdemuxd: options, handler table, outputs and inputs, privilege drop, the
 * capture loop, then the final stats event and summary (docs/portdemuxd.8). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/capture.h"
#include "daemon/capture_check.h"
#include "daemon/config.h"
#include "daemon/engine.h"
#include "daemon/engine_shed.h"
#include "daemon/fanout.h"
#include "daemon/htable.h"
#include "daemon/log.h"
#include "daemon/options.h"
#include "daemon/privdrop.h"
#include "daemon/run.h"
#include "daemon/service.h"
#include "daemon/signals.h"
#include "daemon/stats_event.h"
#include "daemon/summary.h"
#include "daemon/workers.h"
#include "handlers/registry.h"
#include "output/sink.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define LIVE_TIMEOUT_MS 100

/* Everything main owns, released in one place. */
struct app {
	struct opts o;
	struct config_args cfg;
	char **argv;
	const char **origin;
	const struct hd_registry *reg;  /* ht's table at start-up */
	struct htable *ht;             /* plug-ins, drop-ins, --port (daemon/htable.c) */
	struct out_sink sink;
	bool sink_open;
	struct pd_engine *e;
	struct workers *w;             /* --workers N > 1 */
	struct run_input *inputs;
	size_t n_inputs;
	struct capture **live;
	size_t n_live;
	int pidfd, piddirfd, notifyfd, readyfd;
	char err[1024];
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Options, then the configuration file they name, then the options again on
 * top of the file's (the command line wins). */
static int load_options(struct app *a, int argc, char **argv)
{
	int rc = opts_parse(&a->o, argc, argv, NULL, a->err, sizeof a->err);
	int n;

	if (rc != 0 || !a->o.config)
		return rc;
	rc = config_load(a->o.config, &a->cfg, a->err, sizeof a->err);
	if (rc != 0)
		return rc;
	if (config_merge(&a->cfg, argc, argv, &a->argv, &a->origin, &n) != 0) {
		snprintf(a->err, sizeof a->err, "%s", strerror(ENOMEM));
		return OPTS_EXIT_CONFIG;
	}
	opts_free(&a->o);
	return opts_parse(&a->o, n, a->argv, a->origin, a->err, sizeof a->err);
}

/* Built-ins, --handler-dir plug-ins, --dropin-dir drop-ins, then --port. */
static int load_handlers(struct app *a)
{
	int rc = htable_open(&a->ht, &a->o, a->err, sizeof a->err);

	if (rc != 0) {
		log_msg(LOG_ERR, "%s", a->err);
		return rc;
	}
	a->reg = htable_registry(a->ht);
	return 0;
}

struct port_lists {
	char ports[HD_MAX_HANDLERS][2048];
	size_t len[HD_MAX_HANDLERS];
	const struct hd_registry *reg;
};

static void collect_port(void *arg, const struct pd_handler *h, unsigned transport,
                         uint16_t port)
{
	struct port_lists *pl = arg;
	int i = hd_registry_index(pl->reg, h);
	size_t room;
	int n;

	if (i < 0 || i >= HD_MAX_HANDLERS)
		return;
	room = sizeof pl->ports[i] - pl->len[i];
	n = snprintf(pl->ports[i] + pl->len[i], room, "%s%s/%u", pl->len[i] ? " " : "",
	             transport == PD_TCP ? "tcp" : "udp", port);
	if (n > 0 && (size_t)n < room)
		pl->len[i] += (size_t)n;
}

/* --list-handlers: the table after every --port remap. */
static void list_handlers(const struct hd_registry *reg)
{
	struct port_lists *pl = calloc(1, sizeof *pl);

	if (!pl)
		return;
	pl->reg = reg;
	hd_registry_each_port(reg, collect_port, pl);
	printf("%-12s %-10s %s\n", "HANDLER", "TRANSPORT", "PORTS");
	for (unsigned i = 0; i < reg->count; i++) {
		const struct pd_handler *h = reg->h[i];
		unsigned tr = h->transports & (PD_TCP | PD_UDP);
		printf("%-12s %-10s %s\n", h->name,
		       tr == (PD_TCP | PD_UDP) ? "tcp,udp" : tr == PD_TCP ? "tcp" : "udp",
		       pl->len[i] ? pl->ports[i] : "-");
	}
	free(pl);
}

/* Offline inputs are opened now, while the process may still have the right
 * to read them; capture_open_file reads them later, one at a time. */
static int open_inputs(struct app *a)
{
	a->n_inputs = a->o.read.n;
	a->inputs = calloc(a->n_inputs ? a->n_inputs : 1, sizeof *a->inputs);
	if (!a->inputs)
		return OPTS_EXIT_INPUT;
	for (size_t i = 0; i < a->n_inputs; i++) {
		a->inputs[i].name = a->o.read.v[i].val;
		a->inputs[i].fp = capture_preopen(a->inputs[i].name);
		a->inputs[i].open_errno = a->inputs[i].fp ? 0 : errno;
	}
	return 0;
}

static int open_live(struct app *a)
{
	struct capture_live_cfg lc = {
		.snaplen = a->o.snaplen, .buffer_kib = a->o.buffer_kib, .promisc = !a->o.no_promisc,
		.immediate = a->o.immediate, .timeout_ms = LIVE_TIMEOUT_MS,
	};

	a->live = calloc(a->o.iface.n, sizeof *a->live);
	if (!a->live)
		return OPTS_EXIT_INPUT;
	for (size_t i = 0; i < a->o.iface.n; i++) {
		int rc = capture_open_live(&a->live[i], a->o.iface.v[i].val, &lc, a->o.filter, a->err,
		                           sizeof a->err);
		if (rc != 0) {
			log_msg(LOG_ERR, "%s", a->err);
			return rc;
		}
		a->n_live++;
		if (capture_warning(a->live[i]))
			log_msg(LOG_WARNING, "%s: %s", capture_name(a->live[i]),
			        capture_warning(a->live[i]));
	}
	/* --workers N: N handles in a PACKET_FANOUT group, opened while we may */
	fanout_attach(a->live, a->n_live, &lc, a->o.filter, a->o.workers);
	return 0;
}

/* The account to drop to: only root can switch; anyone else keeps its own. */
static int resolve_target(struct app *a, struct privdrop_target *t, bool *have)
{
	*have = false;
	if (geteuid() != 0 && !a->o.user)
		return 0;
	if (privdrop_resolve(a->o.user, t, a->err, sizeof a->err) != 0) {
		log_msg(LOG_ERR, "%s", a->err);
		return opts_origin(&a->o, "user") ? OPTS_EXIT_CONFIG : OPTS_EXIT_USAGE;
	}
	if (geteuid() != 0 && t->uid != geteuid()) {
		log_msg(LOG_ERR, "-u %s: switching users needs root", a->o.user);
		return OPTS_EXIT_USAGE;
	}
	*have = geteuid() == 0;
	return 0;
}

/* --check-config: what start-up would refuse, short of opening anything. */
static int check_config(struct app *a)
{
	struct privdrop_target t;
	struct stat st;
	bool have;
	int rc = resolve_target(a, &t, &have);

	if (rc == 0 && a->o.chroot_dir &&
	    (stat(a->o.chroot_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
		log_msg(LOG_ERR, "-t %s: not a directory", a->o.chroot_dir);
		rc = opts_origin(&a->o, "chroot") ? OPTS_EXIT_CONFIG : OPTS_EXIT_USAGE;
	}
	return rc;
}

static void print_summary(struct app *a, struct run *r, double elapsed)
{
	struct capture_counts cc;
	bool live = run_capture_counts(r, &cc);
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (!log_is_syslog()) {
		summary_print(stderr, a->e, live ? &cc : NULL, elapsed);
		return;
	}
	mem = open_memstream(&text, &len);
	if (!mem)
		return;
	summary_print(mem, a->e, live ? &cc : NULL, elapsed);
	fclose(mem);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		syslog(LOG_INFO, "%s", line);
	free(text);
}

/* Start-up as a service: pid file, detach, readiness. Returns 0 or 1. */
static int start_service(struct app *a, bool detach)
{
	if (a->o.pidfile) {
		a->pidfd = service_pidfile_lock(a->o.pidfile, a->err, sizeof a->err);
		if (a->pidfd < 0) {
			log_msg(LOG_ERR, "%s", a->err);
			return OPTS_EXIT_INPUT;
		}
		a->piddirfd = service_pidfile_dir(a->o.pidfile);
	}
	if (detach) {
		if (service_detach(!a->o.write, &a->readyfd, a->err, sizeof a->err) != 0) {
			log_msg(LOG_ERR, "%s", a->err);
			return OPTS_EXIT_INPUT;
		}
		log_use_syslog(true);
	}
	if (a->pidfd >= 0 && service_pidfile_write(a->pidfd, a->err, sizeof a->err) != 0) {
		log_msg(LOG_ERR, "%s", a->err);
		return OPTS_EXIT_INPUT;
	}
	a->notifyfd = service_notify_open();
	return 0;
}

/* A record libpcap cut to its file's snaplen (capture_check.c): counted and
 * written as an anomaly by the front engine, after the workers (if any) have
 * written what came before it. */
static void on_capture_cut(void *arg, const struct capture_cut *cut)
{
	struct app *a = arg;

	if (a->w)
		workers_sync(a->w);
	engine_shed_capture_cut(a->e, cut);
}

static int run_all(struct app *a)
{
	struct run r = {.e = a->e, .sink = &a->sink, .o = &a->o, .live = a->live,
	                .n_live = a->n_live, .ht = a->ht};
	struct capture_counts cc;
	double t0 = mono_s();
	int status;

	/* Threads start after the privilege drop: capabilities are per thread. */
	/* Reading files, the reader thread is one of the workers too. */
	if (a->o.workers > 1 && workers_start(&a->w, a->o.workers, a->n_live == 0, &a->o.engine,
	                                      a->reg, &a->sink, a->e, a->err, sizeof a->err) != 0) {
		log_msg(LOG_ERR, "%s", a->err);
		return OPTS_EXIT_INPUT;
	}
	r.w = a->w;
	capture_check_set_notify(on_capture_cut, a);
	service_notify(a->notifyfd, "READY=1");
	service_detach_ready(a->readyfd);
	a->readyfd = -1;
	status = a->n_live ? run_live(&r) : run_offline(&r, a->inputs, a->n_inputs);
	capture_check_set_notify(NULL, NULL);
	/* Records cut to the snaplen were read on, but bytes were lost: an input
	 * error (docs/portdemuxd.8, EXIT STATUS). */
	if (capture_check_total_cut())
		status = run_worse(status, OPTS_EXIT_INPUT);
	service_notify(a->notifyfd, "STOPPING=1");
	workers_stop(a->w); /* every worker ends its flows */
	engine_finish(a->e);
	stats_event_emit(a->e, run_capture_counts(&r, &cc) ? &cc : NULL, run_event_time(&r));
	if (out_sink_flush(&a->sink) != 0 || a->sink.errors) {
		log_msg(LOG_ERR, "%s: write error: %s", a->o.write ? a->o.write : "stdout",
		        strerror(a->sink.last_errno));
		status = run_worse(status, OPTS_EXIT_OUTPUT);
	}
	if (!a->o.quiet)
		print_summary(a, &r, mono_s() - t0);
	return status;
}

/* Everything before the loop that can fail, in the order DESIGN.md fixes:
 * open outputs and inputs, pid file, detach, then drop privileges. */
static int start(struct app *a)
{
	struct privdrop_target t;
	bool have_target;
	int rc;

	rc = resolve_target(a, &t, &have_target);
	if (rc != 0)
		return rc;
	if (out_sink_open(&a->sink, OUT_SINK_FILE, a->o.write ? a->o.write : "-", a->err,
	                  sizeof a->err) != 0) {
		log_msg(LOG_ERR, "%s", a->err);
		return OPTS_EXIT_OUTPUT;
	}
	a->sink_open = true;
	if (engine_new(&a->e, &a->o.engine, a->reg, &a->sink, a->err, sizeof a->err) != 0) {
		log_msg(LOG_ERR, "%s", a->err);
		return OPTS_EXIT_INPUT;
	}
	rc = a->o.iface.n ? open_live(a) : open_inputs(a);
	if (rc != 0)
		return rc;
	if (signals_install() != 0) {
		log_msg(LOG_ERR, "signals: %s", strerror(errno));
		return OPTS_EXIT_INPUT;
	}
	rc = start_service(a, a->o.daemonize && a->o.iface.n);
	if (rc != 0)
		return rc;
	if (privdrop_apply(have_target ? &t : NULL, a->o.chroot_dir, a->err, sizeof a->err) != 0) {
		log_msg(LOG_ERR, "%s", a->err);
		return OPTS_EXIT_INPUT;
	}
	return 0;
}

static void cleanup(struct app *a)
{
	for (size_t i = 0; i < a->n_inputs; i++)
		if (a->inputs[i].fp)
			fclose(a->inputs[i].fp);
	free(a->inputs);
	for (size_t i = 0; i < a->n_live; i++)
		capture_close(a->live[i]);
	free(a->live);
	workers_free(a->w); /* before the front engine it reports through */
	engine_free(a->e);
	if (a->sink_open)
		out_sink_close(&a->sink);
	htable_free(a->ht); /* after engine_free: unloads plug-ins */
	if (a->pidfd >= 0) /* last of the outputs; the name may live in o or cfg */
		service_pidfile_remove(a->pidfd, a->piddirfd, a->o.pidfile);
	opts_free(&a->o);
	free(a->argv);
	free(a->origin);
	config_free(&a->cfg);
	if (a->notifyfd >= 0)
		close(a->notifyfd);
}

static int configure(struct app *a, int argc, char **argv)
{
	int rc = load_options(a, argc, argv);

	if (rc == 0 && (a->o.help || a->o.version))
		return 0;
	if (rc == 0)
		rc = opts_validate(&a->o, a->err, sizeof a->err);
	if (rc != 0) {
		log_msg(LOG_ERR, "%s", a->err);
		if (!a->o.read.n && !a->o.iface.n && rc == OPTS_EXIT_USAGE)
			fputs(opts_usage(), stderr);
		else if (rc == OPTS_EXIT_USAGE)
			fputs("try 'portdemuxd --help'\n", stderr);
		return rc;
	}
	rc = load_handlers(a);
	if (rc == 0 && a->o.filter && capture_check_filter(a->o.filter, a->err, sizeof a->err)) {
		log_msg(LOG_ERR, "-f: %s", a->err);
		rc = opts_origin(&a->o, "filter") ? OPTS_EXIT_CONFIG : OPTS_EXIT_USAGE;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct app a = {.pidfd = -1, .piddirfd = -1, .notifyfd = -1, .readyfd = -1};
	int rc = configure(&a, argc, argv);

	if (rc != 0)
		goto out;
	if (a.o.help) {
		fputs(opts_usage(), stdout);
	} else if (a.o.version) {
		printf("portdemuxd %s\n", PACKAGE_VERSION);
	} else if (a.o.list_handlers) {
		list_handlers(a.reg);
	} else if (a.o.check_config) {
		rc = check_config(&a);
		if (rc == 0)
			fprintf(stderr, "portdemuxd: configuration OK\n");
	} else {
		rc = start(&a);
		if (rc == 0)
			rc = run_all(&a);
	}
out:
	cleanup(&a);
	return rc;
}
