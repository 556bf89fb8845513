/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite for daemon/options.c: every option, bad values, conflicts and the
 * exit status each error maps to (docs/portdemuxd.8, EXIT STATUS). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/options.h"

#define MAXARGS 12

struct argv_buf {
	char *v[MAXARGS + 2];
	int n;
};

static void mkargv(struct argv_buf *a, const char *const *args)
{
	a->n = 0;
	a->v[a->n++] = (char *)"portdemuxd";
	for (; *args && a->n <= MAXARGS; args++)
		a->v[a->n++] = (char *)*args;
	a->v[a->n] = NULL;
}

/* parse, then validate when parsing succeeded; returns the first non-zero status */
static int run(struct opts *o, const char *const *args, char *err, size_t errlen)
{
	struct argv_buf a;
	int rc;

	mkargv(&a, args);
	rc = opts_parse(o, a.n, a.v, NULL, err, errlen);
	if (rc == 0)
		rc = opts_validate(o, err, errlen);
	return rc;
}

/* ---- usage errors: status and a message naming the culprit ---- */

struct bad_case {
	const char *args[MAXARGS];
	int status;
	const char *msg; /* substring of the message */
};

static const struct bad_case bad[] = {
	{{NULL}, 64, "no input"},
	{{"-q", NULL}, 64, "no input"},
	{{"-w", "out.json", NULL}, 64, "no input"},
	{{"-r", NULL}, 64, "'-r' requires an argument"},
	{{"--read", NULL}, 64, "'--read' requires an argument"},
	{{"-x", "-r", "a", NULL}, 64, "unknown option '-x'"},
	{{"--bogus", "-r", "a", NULL}, 64, "unknown option '--bogus'"},
	{{"--quiet=yes", "-r", "a", NULL}, 64, "takes no argument"},
	{{"--list-handlers=1", NULL}, 64, "takes no argument"},
	{{"a.pcap", NULL}, 64, "unexpected argument 'a.pcap'"},
	{{"-r", "a", "b.pcap", NULL}, 64, "unexpected argument 'b.pcap'"},
	{{"-r", "", NULL}, 64, "-r: empty file name"},
	{{"-w", "", "-r", "a", NULL}, 64, "-w: empty file name"},
	{{"-r", "a", "-i", "eth0", NULL}, 64, "cannot be combined"},
	{{"-r", "-", "-r", "-", NULL}, 64, "standard input"},
	{{"-i", "eth0", "-s", "10", NULL}, 64, "-s: invalid value '10' (expected 64..262144)"},
	{{"-i", "eth0", "-s", "262145", NULL}, 64, "-s: invalid value"},
	{{"-i", "eth0", "--snaplen", "x", NULL}, 64, "--snaplen: invalid value 'x'"},
	{{"-i", "eth0", "-s", "-1", NULL}, 64, "invalid value '-1'"},
	{{"-i", "eth0", "-s", " 100", NULL}, 64, "invalid value"},
	{{"-i", "eth0", "-B", "0", NULL}, 64, "-B: invalid value '0'"},
	{{"-i", "eth0", "-B", "2097152", NULL}, 64, "-B: invalid value"},
	{{"-r", "a", "-s", "1500", NULL}, 64, "--snaplen applies to live capture"},
	{{"-r", "a", "-B", "1024", NULL}, 64, "--buffer-size applies to live capture"},
	{{"-r", "a", "-p", NULL}, 64, "--no-promisc applies to live capture"},
	{{"-r", "a", "--immediate", NULL}, 64, "--immediate applies to live capture"},
	{{"-r", "a", "-D", NULL}, 64, "--daemonize applies to live capture"},
	{{"-r", "a", "--workers", "65", NULL}, 64, "--workers: invalid value '65'"},
	{{"-r", "a", "--workers", "0", NULL}, 64, "--workers: invalid value '0'"},
	{{"-r", "a", "--stats-interval", "86401", NULL}, 64, "--stats-interval: invalid value"},
	{{"-r", "a", "--stats-interval", "1s", NULL}, 64, "--stats-interval: invalid value '1s'"},
	{{"-r", "a", "--max-flows", "0", NULL}, 64, "--max-flows: invalid value '0'"},
	{{"-r", "a", "--max-flows", "100000001", NULL}, 64, "--max-flows: invalid value"},
	{{"-r", "a", "--flow-memcap", "1K", NULL}, 64, "--flow-memcap: invalid size '1K'"},
	{{"-r", "a", "--flow-memcap", "2T", NULL}, 64, "--flow-memcap: invalid size"},
	{{"-r", "a", "--flow-memcap", "M", NULL}, 64, "invalid size 'M'"},
	{{"-r", "a", "--reasm-memcap", "1025G", NULL}, 64, "--reasm-memcap: invalid size"},
	{{"-r", "a", "--defrag-memcap", "99999999999999999999", NULL}, 64, "invalid size"},
	{{"-r", "a", "--reasm-flow-cap", "12Q", NULL}, 64, "--reasm-flow-cap: invalid size"},
	{{"-r", "a", "--tcp-timeout", "0", NULL}, 64, "--tcp-timeout: invalid value '0'"},
	{{"-r", "a", "--udp-timeout", "604801", NULL}, 64, "--udp-timeout: invalid value"},
	{{"-r", "a", "--tcp-syn-timeout", "", NULL}, 64, "--tcp-syn-timeout: invalid value"},
	{{"-r", "a", "--tcp-closing-timeout", "x", NULL}, 64, "--tcp-closing-timeout"},
	{{"-r", "a", "--defrag-timeout", "0", NULL}, 64, "--defrag-timeout"},
	{{"-r", "a", "--community-id-seed", "65536", NULL}, 64, "--community-id-seed"},
	{{"-r", "a", "--port", "25", NULL}, 64, "--port: invalid spec '25'"},
	{{"-r", "a", "--port", "0=smtp", NULL}, 64, "invalid spec '0=smtp'"},
	{{"-r", "a", "--port", "65536=smtp", NULL}, 64, "invalid spec"},
	{{"-r", "a", "--port", "25/sctp=smtp", NULL}, 64, "invalid spec '25/sctp=smtp'"},
	{{"-r", "a", "--port", "25/=smtp", NULL}, 64, "invalid spec"},
	{{"-r", "a", "--port", "25=", NULL}, 64, "invalid spec"},
	{{"-r", "a", "--port", "25=SMTP", NULL}, 64, "invalid spec"},
	{{"-r", "a", "--port", "=smtp", NULL}, 64, "invalid spec"},
	{{"-r", "a", "--port", "x25=smtp", NULL}, 64, "invalid spec"},
	{{"-r", "a", "--port", "25/tcpx=smtp", NULL}, 64, "invalid spec"},
	{{"-r", "a", "-t", "jail", NULL}, 64, "-t: 'jail' is not an absolute path"},
	{{"-r", "a", "-u", "", NULL}, 64, "-u: empty user name"},
	{{"-r", "a", "--pidfile", "", NULL}, 64, "--pidfile: empty file name"},
	{{"-c", "", NULL}, 64, "-c: empty file name"},
	{{"-i", "", NULL}, 64, "-i: empty interface name"},
};

START_TEST(test_too_many_interfaces)
{
	char *argv[2 * OPTS_MAX_IFACES + 4];
	struct opts o;
	char err[128];
	int n = 0;

	argv[n++] = (char *)"portdemuxd";
	for (int i = 0; i <= OPTS_MAX_IFACES; i++) {
		argv[n++] = (char *)"-i";
		argv[n++] = (char *)"lo";
	}
	argv[n] = NULL;
	ck_assert_int_eq(opts_parse(&o, n, argv, NULL, err, sizeof err), 0);
	ck_assert_int_eq(opts_validate(&o, err, sizeof err), 64);
	ck_assert_str_eq(err, "-i: at most 64 interfaces");
	opts_free(&o);
	ck_assert_int_eq(opts_parse(&o, n - 2, argv, NULL, err, sizeof err), 0);
	ck_assert_int_eq(opts_validate(&o, err, sizeof err), 0);
	opts_free(&o);
}
END_TEST

START_TEST(test_bad)
{
	const struct bad_case *c = &bad[_i];
	struct opts o;
	char err[256];
	int rc = run(&o, c->args, err, sizeof err);

	ck_assert_msg(rc == c->status, "case %d: status %d, want %d (%s)", _i, rc, c->status, err);
	ck_assert_msg(strstr(err, c->msg) != NULL, "case %d: message '%s' lacks '%s'", _i, err,
	              c->msg);
	ck_assert_msg(strchr(err, '\n') == NULL, "case %d: message is not one line", _i);
	opts_free(&o);
}
END_TEST

/* ---- accepted command lines ---- */

static const char *const good[][MAXARGS] = {
	{"-r", "a.pcap", NULL},
	{"-r", "-", NULL},
	{"--read=a.pcap", "--read", "b.pcapng", NULL},
	{"-i", "any", NULL},
	{"--list-handlers", NULL},
	{"--list-handlers", "--port", "2525=smtp", NULL},
	{"--check-config", NULL},
	{"-c", "/etc/portdemux.conf", "--check-config", NULL},
	{"-h", NULL},
	{"--version", NULL},
	{"-q", "-r", "x", "--", NULL},
};

START_TEST(test_good)
{
	struct opts o;
	char err[256];
	int rc;

	rc = run(&o, good[_i], err, sizeof err);
	ck_assert_msg(rc == 0, "case %d: status %d (%s)", _i, rc, err);
	ck_assert_str_eq(err, "");
	opts_free(&o);
}
END_TEST

START_TEST(test_unknown_after_version)
{
	/* every argument is checked even when -V is present: no silent acceptance */
	static const char *const args[] = {"-V", "-x", NULL};
	struct opts o;
	char err[128];

	ck_assert_int_eq(run(&o, args, err, sizeof err), 64);
	ck_assert_ptr_nonnull(strstr(err, "'-x'"));
	opts_free(&o);
}
END_TEST

START_TEST(test_every_field)
{
	static const char *const args[] = {
		"-i", "eth0", "-i", "eth1", "-w", "ev.json", "-f", "tcp port 25", "-q",
		"--port", "2525/tcp=smtp", "--port=53/udp=none", NULL};
	static const char *const args2[] = {
		"-i", "any", "-s", "1514", "-B", "4096", "-p", "--immediate", "-u", "pd",
		"-t", "/var/empty", NULL};
	static const char *const args3[] = {
		"-i", "any", "-D", "--pidfile", "/run/pd.pid", "--stats-interval", "60",
		"-c", "/etc/pd.conf", "--workers", "1", "--no-progress", NULL};
	static const char *const args4[] = {
		"-r", "x", "--max-flows", "1000", "--flow-memcap", "64M", "--reasm-memcap",
		"1g", "--reasm-flow-cap", "512k", "--defrag-memcap", "8192", NULL};
	static const char *const args5[] = {
		"-r", "x", "--tcp-timeout", "3600", "--tcp-closing-timeout", "5",
		"--tcp-syn-timeout", "20", "--udp-timeout", "30", "--defrag-timeout", "15", NULL};
	static const char *const args6[] = {
		"-r", "x", "--community-id-seed", "65535", "--progress", "-qh", NULL};
	struct opts o;
	char err[256];

	ck_assert_int_eq(run(&o, args, err, sizeof err), 0);
	ck_assert_uint_eq(o.iface.n, 2);
	ck_assert_str_eq(o.iface.v[0].val, "eth0");
	ck_assert_str_eq(o.iface.v[1].val, "eth1");
	ck_assert_ptr_null(o.iface.v[0].origin);
	ck_assert_str_eq(o.write, "ev.json");
	ck_assert_str_eq(o.filter, "tcp port 25");
	ck_assert(o.quiet);
	ck_assert_uint_eq(o.port.n, 2);
	ck_assert_str_eq(o.port.v[0].val, "2525/tcp=smtp");
	ck_assert_str_eq(o.port.v[1].val, "53/udp=none");
	ck_assert_uint_eq(o.read.n, 0);
	ck_assert_uint_eq(o.snaplen, 0);
	ck_assert_uint_eq(o.workers, 1);
	ck_assert_int_eq(o.progress, OPTS_PROGRESS_AUTO);
	opts_free(&o);

	ck_assert_int_eq(run(&o, args2, err, sizeof err), 0);
	ck_assert_uint_eq(o.snaplen, 1514);
	ck_assert_uint_eq(o.buffer_kib, 4096);
	ck_assert(o.no_promisc);
	ck_assert(o.immediate);
	ck_assert_str_eq(o.user, "pd");
	ck_assert_str_eq(o.chroot_dir, "/var/empty");
	ck_assert(!o.quiet);
	ck_assert(!o.daemonize);
	opts_free(&o);

	ck_assert_int_eq(run(&o, args3, err, sizeof err), 0);
	ck_assert(o.daemonize);
	ck_assert_str_eq(o.pidfile, "/run/pd.pid");
	ck_assert_uint_eq(o.stats_interval, 60);
	ck_assert_str_eq(o.config, "/etc/pd.conf");
	ck_assert_uint_eq(o.workers, 1);
	ck_assert_int_eq(o.progress, OPTS_PROGRESS_OFF);
	opts_free(&o);

	ck_assert_int_eq(run(&o, args4, err, sizeof err), 0);
	ck_assert_uint_eq(o.engine.max_flows, 1000);
	ck_assert_uint_eq(o.engine.flow_memcap, 64ull << 20);
	ck_assert_uint_eq(o.engine.reasm_memcap, 1ull << 30);
	ck_assert_uint_eq(o.engine.reasm_flow_cap, 512ull << 10);
	ck_assert_uint_eq(o.engine.defrag_memcap, 8192);
	ck_assert_uint_eq(o.engine.tcp_established_timeout, 0); /* engine default */
	opts_free(&o);

	ck_assert_int_eq(run(&o, args5, err, sizeof err), 0);
	ck_assert_uint_eq(o.engine.tcp_established_timeout, 3600);
	ck_assert_uint_eq(o.engine.tcp_closing_timeout, 5);
	ck_assert_uint_eq(o.engine.tcp_syn_timeout, 20);
	ck_assert_uint_eq(o.engine.udp_timeout, 30);
	ck_assert_uint_eq(o.engine.defrag_timeout, 15);
	opts_free(&o);

	ck_assert_int_eq(run(&o, args6, err, sizeof err), 0);
	ck_assert_uint_eq(o.engine.community_id_seed, 65535);
	ck_assert_int_eq(o.progress, OPTS_PROGRESS_ON);
	ck_assert(o.quiet);
	ck_assert(o.help);
	opts_free(&o);
}
END_TEST

START_TEST(test_last_wins)
{
	static const char *const args[] = {"-r", "x", "-w", "a", "-w", "b", "--progress",
	                                   "--no-progress", "--progress", NULL};
	struct opts o;
	char err[128];

	ck_assert_int_eq(run(&o, args, err, sizeof err), 0);
	ck_assert_str_eq(o.write, "b");
	ck_assert_int_eq(o.progress, OPTS_PROGRESS_ON);
	opts_free(&o);
}
END_TEST

START_TEST(test_list_keeps_order)
{
	static const char *const args[] = {"-r", "c", "-r", "-", "--read", "a", "-r", "b", NULL};
	struct opts o;
	char err[128];

	ck_assert_int_eq(run(&o, args, err, sizeof err), 0);
	ck_assert_uint_eq(o.read.n, 4);
	ck_assert_str_eq(o.read.v[0].val, "c");
	ck_assert_str_eq(o.read.v[1].val, "-");
	ck_assert_str_eq(o.read.v[2].val, "a");
	ck_assert_str_eq(o.read.v[3].val, "b");
	opts_free(&o);
}
END_TEST

/* Values that came from a configuration file are errors of the file (78) and
 * name FILE:LINE; live-only settings in a file do not break offline runs. */
START_TEST(test_origins)
{
	char *argv1[] = {(char *)"portdemuxd", (char *)"--snaplen=9", (char *)"-r", (char *)"x",
	                 NULL};
	const char *orig1[] = {NULL, "pd.conf:3", NULL, NULL};
	char *argv2[] = {(char *)"portdemuxd", (char *)"--snaplen=1500", (char *)"--immediate",
	                 (char *)"--read=y", (char *)"-r", (char *)"x", NULL};
	const char *orig2[] = {NULL, "pd.conf:1", "pd.conf:2", "pd.conf:4", NULL, NULL};
	char *argv3[] = {(char *)"portdemuxd", (char *)"--interface=eth0", (char *)"--read=x",
	                 NULL};
	const char *orig3[] = {NULL, "pd.conf:1", "pd.conf:2"};
	char *argv4[] = {(char *)"portdemuxd", (char *)"--interface=eth0", (char *)"-r",
	                 (char *)"x", NULL};
	const char *orig4[] = {NULL, "pd.conf:1", NULL, NULL};
	char *argv5[] = {(char *)"portdemuxd", (char *)"--bogus=1", NULL};
	const char *orig5[] = {NULL, "pd.conf:7"};
	struct opts o;
	char err[256];

	ck_assert_int_eq(opts_parse(&o, 4, argv1, orig1, err, sizeof err), 78);
	ck_assert_str_eq(err, "pd.conf:3: --snaplen: invalid value '9' (expected 64..262144)");
	opts_free(&o);

	ck_assert_int_eq(opts_parse(&o, 6, argv2, orig2, err, sizeof err), 0);
	ck_assert_int_eq(opts_validate(&o, err, sizeof err), 0);
	ck_assert_uint_eq(o.read.n, 2);
	ck_assert_str_eq(o.read.v[0].origin, "pd.conf:4");
	ck_assert_ptr_null(o.read.v[1].origin);
	opts_free(&o);

	ck_assert_int_eq(opts_parse(&o, 3, argv3, orig3, err, sizeof err), 0);
	ck_assert_int_eq(opts_validate(&o, err, sizeof err), 78);
	opts_free(&o);

	ck_assert_int_eq(opts_parse(&o, 4, argv4, orig4, err, sizeof err), 0);
	ck_assert_int_eq(opts_validate(&o, err, sizeof err), 64);
	opts_free(&o);

	ck_assert_int_eq(opts_parse(&o, 2, argv5, orig5, err, sizeof err), 78);
	ck_assert_str_eq(err, "pd.conf:7: unknown option '--bogus=1'");
	opts_free(&o);
}
END_TEST

START_TEST(test_config_names)
{
	bool v = false;

	ck_assert_int_eq(opts_config_name("read", &v), 0);
	ck_assert(v);
	ck_assert_int_eq(opts_config_name("quiet", &v), 0);
	ck_assert(!v);
	ck_assert_int_eq(opts_config_name("port", &v), 0);
	ck_assert(v);
	ck_assert_int_eq(opts_config_name("config", &v), -1);
	ck_assert_int_eq(opts_config_name("check-config", &v), -1);
	ck_assert_int_eq(opts_config_name("help", &v), -1);
	ck_assert_int_eq(opts_config_name("list-handlers", &v), -1);
	ck_assert_int_eq(opts_config_name("nope", &v), -1);
	ck_assert_int_eq(opts_config_name("r", &v), -1);
}
END_TEST

START_TEST(test_usage_mentions_every_long_option)
{
	static const char *const names[] = {
		"--read", "--interface", "--write", "--filter", "--quiet", "--progress",
		"--no-progress", "--config", "--check-config", "--port", "--list-handlers",
		"--snaplen", "--buffer-size", "--no-promisc", "--immediate", "--user", "--chroot",
		"--daemonize", "--pidfile", "--stats-interval", "--workers", "--max-flows",
		"--flow-memcap", "--reasm-memcap", "--reasm-flow-cap", "--defrag-memcap",
		"--tcp-timeout", "--tcp-closing-timeout", "--tcp-syn-timeout", "--udp-timeout",
		"--defrag-timeout", "--community-id-seed", "--help", "--version"};
	const char *u = opts_usage();

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		ck_assert_msg(strstr(u, names[i]) != NULL, "usage lacks %s", names[i]);
	ck_assert_ptr_nonnull(strstr(u, "64 usage"));
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_loop_test(tc, test_good, 0, (int)(sizeof good / sizeof good[0]));
	tcase_add_test(tc, test_unknown_after_version);
	tcase_add_test(tc, test_too_many_interfaces);
	tcase_add_test(tc, test_every_field);
	tcase_add_test(tc, test_last_wins);
	tcase_add_test(tc, test_list_keeps_order);
	tcase_add_test(tc, test_origins);
	tcase_add_test(tc, test_config_names);
	tcase_add_test(tc, test_usage_mentions_every_long_option);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(options_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
