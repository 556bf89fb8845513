/* SPDX-License-Identifier: BSD-2-Clause */
/* Command-line parsing for portdemuxd (getopt_long, POSIX utility syntax
 * guidelines: options first, no operands). Pure: no I/O, no exit. */
#include "daemon/options.h"
#include "daemon/workers.h" /* WORKERS_MAX */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Option ids: short options use their character as getopt value, long-only ones
 * OPT_LONG_BASE + id. The id also indexes opts.origin[]. */
enum opt_id {
	ID_READ, ID_WRITE, ID_FILTER, ID_QUIET, ID_PORT, ID_LIST_HANDLERS, ID_IFACE,
	ID_SNAPLEN, ID_BUFFER, ID_NO_PROMISC, ID_IMMEDIATE, ID_USER, ID_CHROOT,
	ID_DAEMONIZE, ID_PIDFILE, ID_STATS_INTERVAL, ID_CONFIG, ID_CHECK_CONFIG,
	ID_WORKERS, ID_PROGRESS, ID_NO_PROGRESS, ID_MAX_FLOWS, ID_FLOW_MEMCAP,
	ID_REASM_MEMCAP, ID_REASM_FLOW_CAP, ID_DEFRAG_MEMCAP, ID_TCP_TIMEOUT,
	ID_TCP_CLOSING_TIMEOUT, ID_TCP_SYN_TIMEOUT, ID_UDP_TIMEOUT, ID_DEFRAG_TIMEOUT,
	ID_COMMUNITY_ID_SEED, ID_HANDLER_DIR, ID_DROPIN_DIR, ID_HELP, ID_VERSION,
	ID_REOPEN_TIMEOUT,
	ID_COUNT
};
_Static_assert(ID_COUNT <= OPTS_MAX_ID, "raise OPTS_MAX_ID");

#define OPT_LONG_BASE 256

struct opt_desc {
	const char *name;
	int shortopt;   /* 0 = long only */
	int has_arg;
	bool in_config; /* may appear in a configuration file */
};

static const struct opt_desc descs[ID_COUNT] = {
	[ID_READ] = {"read", 'r', required_argument, true},
	[ID_WRITE] = {"write", 'w', required_argument, true},
	[ID_FILTER] = {"filter", 'f', required_argument, true},
	[ID_QUIET] = {"quiet", 'q', no_argument, true},
	[ID_PORT] = {"port", 0, required_argument, true},
	[ID_LIST_HANDLERS] = {"list-handlers", 0, no_argument, false},
	[ID_IFACE] = {"interface", 'i', required_argument, true},
	[ID_SNAPLEN] = {"snaplen", 's', required_argument, true},
	[ID_BUFFER] = {"buffer-size", 'B', required_argument, true},
	[ID_NO_PROMISC] = {"no-promisc", 'p', no_argument, true},
	[ID_IMMEDIATE] = {"immediate", 0, no_argument, true},
	[ID_USER] = {"user", 'u', required_argument, true},
	[ID_CHROOT] = {"chroot", 't', required_argument, true},
	[ID_DAEMONIZE] = {"daemonize", 'D', no_argument, true},
	[ID_PIDFILE] = {"pidfile", 0, required_argument, true},
	[ID_STATS_INTERVAL] = {"stats-interval", 0, required_argument, true},
	[ID_CONFIG] = {"config", 'c', required_argument, false},
	[ID_CHECK_CONFIG] = {"check-config", 0, no_argument, false},
	[ID_WORKERS] = {"workers", 0, required_argument, true},
	[ID_PROGRESS] = {"progress", 0, no_argument, true},
	[ID_NO_PROGRESS] = {"no-progress", 0, no_argument, true},
	[ID_MAX_FLOWS] = {"max-flows", 0, required_argument, true},
	[ID_FLOW_MEMCAP] = {"flow-memcap", 0, required_argument, true},
	[ID_REASM_MEMCAP] = {"reasm-memcap", 0, required_argument, true},
	[ID_REASM_FLOW_CAP] = {"reasm-flow-cap", 0, required_argument, true},
	[ID_DEFRAG_MEMCAP] = {"defrag-memcap", 0, required_argument, true},
	[ID_TCP_TIMEOUT] = {"tcp-timeout", 0, required_argument, true},
	[ID_TCP_CLOSING_TIMEOUT] = {"tcp-closing-timeout", 0, required_argument, true},
	[ID_TCP_SYN_TIMEOUT] = {"tcp-syn-timeout", 0, required_argument, true},
	[ID_UDP_TIMEOUT] = {"udp-timeout", 0, required_argument, true},
	[ID_DEFRAG_TIMEOUT] = {"defrag-timeout", 0, required_argument, true},
	[ID_COMMUNITY_ID_SEED] = {"community-id-seed", 0, required_argument, true},
	[ID_HANDLER_DIR] = {"handler-dir", 0, required_argument, true},
	[ID_DROPIN_DIR] = {"dropin-dir", 0, required_argument, true},
	[ID_HELP] = {"help", 'h', no_argument, false},
	[ID_VERSION] = {"version", 'V', no_argument, false},
	[ID_REOPEN_TIMEOUT] = {"reopen-timeout", 0, required_argument, true},
};

/* Leading '+': stop at the first operand (and never permute argv, which would
 * break the origins[] correspondence); ':' reports a missing argument apart. */
static const char shortopts[] = "+:r:w:f:qi:s:B:pu:t:Dc:hV";

#define TIMEOUT_MAX (7u * 86400u)
#define SIZE_MIN 4096ull
#define SIZE_MAX_CAP (1ull << 40)
#define MAX_FLOWS_MAX 100000000u
#define STATS_INTERVAL_MAX 86400u

static const char usage_text[] =
	"usage: portdemuxd [options] -r FILE [-r FILE ...]\n"
	"       portdemuxd [options] -i IFACE [-i IFACE ...]\n"
	"       portdemuxd --list-handlers [--port SPEC ...]\n"
	"       portdemuxd -c FILE --check-config\n"
	"input and output:\n"
	"  -r, --read FILE          read a pcap/pcapng file (\"-\" = stdin); repeatable\n"
	"  -i, --interface IFACE    capture live (\"any\" = all); repeatable\n"
	"  -w, --write FILE         write events to FILE (default: stdout)\n"
	"  -f, --filter 'BPF'       capture filter (tcpdump syntax)\n"
	"  -q, --quiet              no summary on stderr\n"
	"      --progress, --no-progress   force or suppress the progress line\n"
	"  -c, --config FILE        read options from FILE (command line wins)\n"
	"      --check-config       check options and configuration, then exit\n"
	"handlers:\n"
	"      --port PORT[/tcp|/udp]=NAME|none   map a server port; repeatable\n"
	"      --list-handlers      print handlers and their ports, then exit\n"
	"      --handler-dir DIR    load handler plug-ins DIR/*.so\n"
	"      --dropin-dir DIR     read port drop-ins DIR/*.conf (again on SIGHUP;\n"
	"                           \"\" = none)\n"
	"live capture:\n"
	"  -s, --snaplen N          bytes kept per packet (64..262144, default 262144)\n"
	"  -B, --buffer-size KIB    kernel buffer size in KiB\n"
	"  -p, --no-promisc         do not put the interface in promiscuous mode\n"
	"      --immediate          deliver packets without kernel buffering delay\n"
	"  -u, --user USER          drop privileges to USER (default portdemux or nobody)\n"
	"  -t, --chroot DIR         chroot to DIR after opening inputs and outputs\n"
	"  -D, --daemonize          detach and log to syslog\n"
	"      --pidfile FILE       write and lock a pid file\n"
	"      --stats-interval SEC emit a stats event every SEC seconds (0 = at end)\n"
	"      --workers N          worker threads, one engine each (1..64, default 1)\n"
	"      --reopen-timeout SEC keep retrying a vanished interface this long\n"
	"                           (default 300, 0 = give up at once)\n"
	"limits (SIZE takes a K, M or G suffix; timeouts in seconds):\n"
	"      --max-flows N  --flow-memcap SIZE  --reasm-memcap SIZE\n"
	"      --reasm-flow-cap SIZE  --defrag-memcap SIZE  --tcp-timeout SEC\n"
	"      --tcp-closing-timeout SEC  --tcp-syn-timeout SEC  --udp-timeout SEC\n"
	"      --defrag-timeout SEC  --community-id-seed N\n"
	"  -h, --help               this text          -V, --version\n"
	"exit status: 0 ok, 1 input error, 2 output error, 64 usage, 78 configuration\n";

const char *opts_usage(void)
{
	return usage_text;
}

struct parse_state {
	struct opts *o;
	const char *origin;   /* of the argument being handled */
	const char *optname;  /* as written by the user, for messages */
	char *err;
	size_t errlen;
};

static int fail(struct parse_state *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes "ORIGIN: message" (or just the message) and picks the exit status by
 * where the argument came from. */
static int fail(struct parse_state *ps, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ps->origin)
		snprintf(ps->err, ps->errlen, "%s: %s", ps->origin, msg);
	else
		snprintf(ps->err, ps->errlen, "%s", msg);
	return ps->origin ? OPTS_EXIT_CONFIG : OPTS_EXIT_USAGE;
}

/* Decimal digits only (no sign, no blanks), within [min, max]. */
static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A byte count with an optional binary suffix K, M or G (either case). */
static int parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char digits[32];
	size_t n = strlen(s);
	unsigned shift = 0;
	uint64_t v;

	if (n == 0 || n >= sizeof digits)
		return -1;
	memcpy(digits, s, n + 1);
	switch (digits[n - 1]) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	default: break;
	}
	if (shift)
		digits[n - 1] = '\0';
	if (parse_u64(digits, 0, UINT64_MAX >> shift, &v) != 0)
		return -1;
	v <<= shift;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int num_arg(struct parse_state *ps, const char *arg, uint64_t min, uint64_t max,
                   uint64_t *out)
{
	if (parse_u64(arg, min, max, out) != 0)
		return fail(ps, "%s: invalid value '%s' (expected %llu..%llu)", ps->optname, arg,
		            (unsigned long long)min, (unsigned long long)max);
	return 0;
}

static int u32_arg(struct parse_state *ps, const char *arg, uint32_t min, uint32_t max,
                   uint32_t *out)
{
	uint64_t v;
	int rc = num_arg(ps, arg, min, max, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

static int size_arg(struct parse_state *ps, const char *arg, uint64_t *out)
{
	if (parse_size(arg, SIZE_MIN, SIZE_MAX_CAP, out) != 0)
		return fail(ps, "%s: invalid size '%s' (expected 4K..1024G, suffix K, M or G)",
		            ps->optname, arg);
	return 0;
}

/* PORT[/tcp|/udp]=NAME: syntax only; the registry checks that NAME exists. */
static int port_spec_ok(const char *spec)
{
	const char *eq = strchr(spec, '=');
	char port[8];
	size_t plen;
	uint64_t v;
	const char *slash, *name;

	if (!eq)
		return -1;
	slash = memchr(spec, '/', (size_t)(eq - spec));
	plen = (size_t)((slash ? slash : eq) - spec);
	if (plen == 0 || plen >= sizeof port)
		return -1;
	memcpy(port, spec, plen);
	port[plen] = '\0';
	if (parse_u64(port, 1, 65535, &v) != 0)
		return -1;
	if (slash) {
		size_t tlen = (size_t)(eq - slash - 1);
		if (!(tlen == 3 && (strncmp(slash + 1, "tcp", 3) == 0 ||
		                    strncmp(slash + 1, "udp", 3) == 0)))
			return -1;
	}
	name = eq + 1;
	if (*name == '\0')
		return -1;
	for (; *name; name++)
		if (!((*name >= 'a' && *name <= 'z') || (*name >= '0' && *name <= '9') ||
		      *name == '_' || *name == '-'))
			return -1;
	return 0;
}

static int list_add(struct opts_list *l, size_t cap, const char *val, const char *origin)
{
	if (!l->v) {
		l->v = calloc(cap, sizeof *l->v);
		if (!l->v)
			return -1;
	}
	/* cap = argc: a list can never hold more values than there are arguments */
	l->v[l->n].val = val;
	l->v[l->n].origin = origin;
	l->n++;
	return 0;
}

static int id_of(int val)
{
	if (val >= OPT_LONG_BASE)
		return val - OPT_LONG_BASE;
	for (int i = 0; i < ID_COUNT; i++)
		if (descs[i].shortopt == val)
			return i;
	return -1;
}

static int apply(struct parse_state *ps, int id, const char *arg, size_t cap)
{
	struct opts *o = ps->o;
	struct engine_config *ec = &o->engine;
	uint64_t v;
	int rc = 0;

	switch ((enum opt_id)id) {
	case ID_READ:
		if (arg[0] == '\0')
			return fail(ps, "%s: empty file name", ps->optname);
		if (list_add(&o->read, cap, arg, ps->origin))
			return fail(ps, "out of memory");
		break;
	case ID_IFACE:
		if (arg[0] == '\0')
			return fail(ps, "%s: empty interface name", ps->optname);
		if (list_add(&o->iface, cap, arg, ps->origin))
			return fail(ps, "out of memory");
		break;
	case ID_PORT:
		if (port_spec_ok(arg) != 0)
			return fail(ps, "%s: invalid spec '%s' (expected PORT[/tcp|/udp]=NAME|none)",
			            ps->optname, arg);
		if (list_add(&o->port, cap, arg, ps->origin))
			return fail(ps, "out of memory");
		break;
	case ID_WRITE:
		if (arg[0] == '\0')
			return fail(ps, "%s: empty file name", ps->optname);
		o->write = arg;
		break;
	case ID_FILTER: o->filter = arg; break;
	case ID_QUIET: o->quiet = true; break;
	case ID_LIST_HANDLERS: o->list_handlers = true; break;
	case ID_CHECK_CONFIG: o->check_config = true; break;
	case ID_HELP: o->help = true; break;
	case ID_VERSION: o->version = true; break;
	case ID_SNAPLEN:
		rc = num_arg(ps, arg, OPTS_SNAPLEN_MIN, OPTS_SNAPLEN_DEFAULT, &v);
		if (rc == 0)
			o->snaplen = (unsigned)v;
		break;
	case ID_BUFFER:
		rc = num_arg(ps, arg, 1, OPTS_BUFFER_KIB_MAX, &v);
		if (rc == 0)
			o->buffer_kib = (unsigned)v;
		break;
	case ID_NO_PROMISC: o->no_promisc = true; break;
	case ID_IMMEDIATE: o->immediate = true; break;
	case ID_USER:
		if (arg[0] == '\0')
			return fail(ps, "%s: empty user name", ps->optname);
		o->user = arg;
		break;
	case ID_CHROOT:
		if (arg[0] != '/')
			return fail(ps, "%s: '%s' is not an absolute path", ps->optname, arg);
		o->chroot_dir = arg;
		break;
	case ID_DAEMONIZE: o->daemonize = true; break;
	case ID_PIDFILE:
		if (arg[0] == '\0')
			return fail(ps, "%s: empty file name", ps->optname);
		o->pidfile = arg;
		break;
	case ID_STATS_INTERVAL:
		rc = num_arg(ps, arg, 0, STATS_INTERVAL_MAX, &v);
		if (rc == 0)
			o->stats_interval = (unsigned)v;
		break;
	case ID_CONFIG:
		if (arg[0] == '\0')
			return fail(ps, "%s: empty file name", ps->optname);
		o->config = arg;
		break;
	case ID_WORKERS:
		rc = num_arg(ps, arg, 1, WORKERS_MAX, &v);
		if (rc == 0)
			o->workers = (unsigned)v;
		break;
	case ID_PROGRESS: o->progress = OPTS_PROGRESS_ON; break;
	case ID_NO_PROGRESS: o->progress = OPTS_PROGRESS_OFF; break;
	case ID_MAX_FLOWS: rc = u32_arg(ps, arg, 1, MAX_FLOWS_MAX, &ec->max_flows); break;
	case ID_FLOW_MEMCAP: rc = size_arg(ps, arg, &ec->flow_memcap); break;
	case ID_REASM_MEMCAP: rc = size_arg(ps, arg, &ec->reasm_memcap); break;
	case ID_REASM_FLOW_CAP: rc = size_arg(ps, arg, &ec->reasm_flow_cap); break;
	case ID_DEFRAG_MEMCAP: rc = size_arg(ps, arg, &ec->defrag_memcap); break;
	case ID_TCP_TIMEOUT:
		rc = u32_arg(ps, arg, 1, TIMEOUT_MAX, &ec->tcp_established_timeout);
		break;
	case ID_TCP_CLOSING_TIMEOUT:
		rc = u32_arg(ps, arg, 1, TIMEOUT_MAX, &ec->tcp_closing_timeout);
		break;
	case ID_TCP_SYN_TIMEOUT: rc = u32_arg(ps, arg, 1, TIMEOUT_MAX, &ec->tcp_syn_timeout); break;
	case ID_UDP_TIMEOUT: rc = u32_arg(ps, arg, 1, TIMEOUT_MAX, &ec->udp_timeout); break;
	case ID_DEFRAG_TIMEOUT: rc = u32_arg(ps, arg, 1, TIMEOUT_MAX, &ec->defrag_timeout); break;
	case ID_COMMUNITY_ID_SEED:
		rc = num_arg(ps, arg, 0, 65535, &v);
		if (rc == 0)
			ec->community_id_seed = (uint16_t)v;
		break;
	case ID_HANDLER_DIR:
		if (arg[0] == '\0')
			return fail(ps, "%s: empty directory name", ps->optname);
		o->handler_dir = arg;
		break;
	case ID_DROPIN_DIR: o->dropin_dir = arg; break; /* "" turns the default off */
	case ID_REOPEN_TIMEOUT:
		rc = num_arg(ps, arg, 0, TIMEOUT_MAX, &v);
		if (rc == 0)
			o->reopen_timeout = (unsigned)v;
		break;
	case ID_COUNT:
		break;
	}
	if (rc == 0)
		o->origin[id] = ps->origin;
	return rc;
}

int opts_parse(struct opts *o, int argc, char *const argv[], const char *const origins[],
               char *err, size_t errlen)
{
	struct option longopts[ID_COUNT + 1];
	struct parse_state ps = {.o = o, .err = err, .errlen = errlen};
	size_t cap = argc > 0 ? (size_t)argc : 1;
	int c;

	memset(o, 0, sizeof *o);
	o->workers = 1;
	o->reopen_timeout = OPTS_REOPEN_TIMEOUT_DEFAULT;
	if (errlen)
		err[0] = '\0';
	for (int i = 0; i < ID_COUNT; i++) {
		longopts[i].name = descs[i].name;
		longopts[i].has_arg = descs[i].has_arg;
		longopts[i].flag = NULL;
		longopts[i].val = descs[i].shortopt ? descs[i].shortopt : OPT_LONG_BASE + i;
	}
	memset(&longopts[ID_COUNT], 0, sizeof longopts[ID_COUNT]);

	optind = 0; /* glibc: full re-initialisation, so repeated calls (tests) work */
	opterr = 0;
	for (;;) {
		int longindex = -1;
		char optname[48];
		int last, id, rc;

		c = getopt_long(argc, argv, shortopts, longopts, &longindex);
		if (c == -1)
			break;
		last = optind - 1; /* the last element consumed: the option or its value */
		ps.origin = origins && last > 0 && last < argc ? origins[last] : NULL;
		if (c == ':' || c == '?') {
			bool long_form = strncmp(argv[last], "--", 2) == 0;
			char shortname[3] = {'-', (char)optopt, '\0'};
			const char *name = long_form || optopt <= 0 ? argv[last] : shortname;
			if (c == ':')
				return fail(&ps, "option '%s' requires an argument", name);
			if (optopt > 0 && long_form)
				return fail(&ps, "option '%s' takes no argument", name);
			return fail(&ps, "unknown option '%s'", name);
		}
		id = id_of(c);
		if (id < 0)
			return fail(&ps, "unknown option '%s'", argv[last]);
		/* messages name the option as written: "--read" or "-r" */
		if (longindex >= 0 || !descs[id].shortopt)
			snprintf(optname, sizeof optname, "--%s", descs[id].name);
		else
			snprintf(optname, sizeof optname, "-%c", descs[id].shortopt);
		ps.optname = optname;
		rc = apply(&ps, id, optarg, cap);
		if (rc != 0)
			return rc;
	}
	if (optind < argc) {
		ps.origin = origins ? origins[optind] : NULL;
		return fail(&ps, "unexpected argument '%s' (input files take -r)", argv[optind]);
	}
	return 0;
}

/* Exit status for a combination error: a configuration error only when every
 * option involved came from the file. */
static int combo_fail(char *err, size_t errlen, bool from_config, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int combo_fail(char *err, size_t errlen, bool from_config, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return from_config ? OPTS_EXIT_CONFIG : OPTS_EXIT_USAGE;
}

static bool list_from_config(const struct opts_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->v[i].origin)
			return false;
	return true;
}

int opts_validate(const struct opts *o, char *err, size_t errlen)
{
	/* live-only options given on the command line; a configuration file may keep
	 * them for live runs without breaking offline ones */
	static const int live_only[] = {ID_SNAPLEN, ID_BUFFER, ID_NO_PROMISC, ID_IMMEDIATE,
	                                ID_DAEMONIZE, ID_REOPEN_TIMEOUT};
	bool live_set[ID_COUNT] = {false};
	unsigned stdin_count = 0;

	if (errlen)
		err[0] = '\0';
	if (o->help || o->version)
		return 0;
	live_set[ID_SNAPLEN] = o->snaplen != 0;
	live_set[ID_BUFFER] = o->buffer_kib != 0;
	live_set[ID_NO_PROMISC] = o->no_promisc;
	live_set[ID_IMMEDIATE] = o->immediate;
	live_set[ID_DAEMONIZE] = o->daemonize;
	live_set[ID_REOPEN_TIMEOUT] = o->reopen_timeout != OPTS_REOPEN_TIMEOUT_DEFAULT;

	if (o->read.n && o->iface.n)
		return combo_fail(err, errlen, list_from_config(&o->read) && list_from_config(&o->iface),
		                  "-r and -i cannot be combined: read files or capture live");
	if (o->iface.n > OPTS_MAX_IFACES)
		return combo_fail(err, errlen, list_from_config(&o->iface),
		                  "-i: at most %d interfaces", OPTS_MAX_IFACES);
	for (size_t i = 0; i < o->read.n; i++)
		if (strcmp(o->read.v[i].val, "-") == 0 && ++stdin_count > 1)
			return combo_fail(err, errlen, o->read.v[i].origin != NULL,
			                  "-r -: standard input can be read only once");
	if (o->list_handlers || o->check_config)
		return 0;
	if (!o->read.n && !o->iface.n)
		return combo_fail(err, errlen, false, "no input: give -r FILE or -i IFACE");
	if (!o->iface.n) {
		for (size_t i = 0; i < sizeof live_only / sizeof live_only[0]; i++) {
			int id = live_only[i];
			if (live_set[id] && !o->origin[id])
				return combo_fail(err, errlen, false, "--%s applies to live capture (-i) only",
				                  descs[id].name);
		}
	}
	return 0;
}

int opts_config_name(const char *name, bool *takes_value)
{
	for (int i = 0; i < ID_COUNT; i++) {
		if (strcmp(descs[i].name, name) == 0) {
			*takes_value = descs[i].has_arg == required_argument;
			return descs[i].in_config ? 0 : -1;
		}
	}
	return -1;
}

const char *opts_origin(const struct opts *o, const char *long_name)
{
	for (int i = 0; i < ID_COUNT; i++)
		if (strcmp(descs[i].name, long_name) == 0)
			return o->origin[i];
	return NULL;
}

void opts_free(struct opts *o)
{
	free(o->read.v);
	free(o->iface.v);
	free(o->port.v);
	o->read.v = o->iface.v = o->port.v = NULL;
	o->read.n = o->iface.n = o->port.n = 0;
}
