/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite for the drop-in configuration (daemon/dropin.c), the handler
 * table built from it (daemon/htable.c), its reload and the engine's switch
 * (daemon/engine_reload.c): grammar, file order, conflicts and every error
 * with its FILE:LINE (docs/handler-guide.md "Drop-in configuration"). */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/dropin.h"
#include "daemon/engine.h"
#include "daemon/htable.h"
#include "daemon/options.h"
#include "daemon/plugins.h"

/* ---- parsing: one file's text ---- */

struct parse_case {
	const char *text;
	int rc;
	const char *msg;        /* substring of the error (rc -1) */
	size_t n;               /* directives parsed (rc 0) */
	enum dropin_kind kind;  /* of the last directive */
	uint16_t port;
	unsigned transports;
	const char *name;
	uint32_t line;
};

static const struct parse_case parse_cases[] = {
	{"", 0, NULL, 0, 0, 0, 0, NULL, 0},
	{"# only comments\n\n  \t \r\n#port 1 = x\n", 0, NULL, 0, 0, 0, 0, NULL, 0},
	{"port 2525/tcp = smtp", 0, NULL, 1, DROPIN_PORT, 2525, PD_TCP, "smtp", 1},
	{"port 53/udp=none # no DNS over UDP\r\n", 0, NULL, 1, DROPIN_PORT, 53, PD_UDP, "none", 1},
	{"\t port   8025   =   smtp  \n", 0, NULL, 1, DROPIN_PORT, 8025, 0, "smtp", 1},
	{"port 65535/tcp = a_b-9\n", 0, NULL, 1, DROPIN_PORT, 65535, PD_TCP, "a_b-9", 1},
	{"# x\ndisable = tls\n\n", 0, NULL, 1, DROPIN_DISABLE, 0, 0, "tls", 2},
	{"port 1 = dns\nport 2 = dns\ndisable=smtp#c\n", 0, NULL, 3, DROPIN_DISABLE, 0, 0, "smtp", 3},
	{"port 70000/tcp = smtp\n", -1, "d/10-x.conf:1: bad port \"70000/tcp\"", 0, 0, 0, 0, NULL, 0},
	{"port 0 = smtp\n", -1, ":1: bad port \"0\"", 0, 0, 0, 0, NULL, 0},
	{"port 025x = smtp\n", -1, ":1: bad port", 0, 0, 0, 0, NULL, 0},
	{"port 123456 = smtp\n", -1, ":1: bad port", 0, 0, 0, 0, NULL, 0},
	{"port 25/sctp = smtp\n", -1, ":1: bad port \"25/sctp\"", 0, 0, 0, 0, NULL, 0},
	{"port 25/TCP = smtp\n", -1, ":1: bad port", 0, 0, 0, 0, NULL, 0},
	{"port 25/tcp smtp\n", -1, ":1: missing '='", 0, 0, 0, 0, NULL, 0},
	{"port = smtp\n", -1, ":1: missing port", 0, 0, 0, 0, NULL, 0},
	{"port\n", -1, ":1: missing port", 0, 0, 0, 0, NULL, 0},
	{"port 25/tcp =\n", -1, ":1: missing handler name", 0, 0, 0, 0, NULL, 0},
	{"port 25/tcp = # none\n", -1, ":1: missing handler name", 0, 0, 0, 0, NULL, 0},
	{"port 25/tcp == smtp\n", -1, ":1: missing handler name", 0, 0, 0, 0, NULL, 0},
	{"port 25/tcp = SMTP\n", -1, ":1: bad handler name \"SMTP\"", 0, 0, 0, 0, NULL, 0},
	{"port 25/tcp = smtp extra\n", -1, ":1: unexpected text \"extra\"", 0, 0, 0, 0, NULL, 0},
	{"port 25/tcp = smtp = dns\n", -1, ":1: unexpected text \"= dns\"", 0, 0, 0, 0, NULL, 0},
	{"enable = smtp\n", -1, ":1: unknown directive \"enable\"", 0, 0, 0, 0, NULL, 0},
	{"port25/tcp = smtp\n", -1, ":1: unknown directive \"port25/tcp\"", 0, 0, 0, 0, NULL, 0},
	{"Port 25 = smtp\n", -1, ":1: unknown directive \"Port\"", 0, 0, 0, 0, NULL, 0},
	{"disable smtp\n", -1, ":1: missing '='", 0, 0, 0, 0, NULL, 0},
	{"disable = none\n", -1, ":1: \"none\" is not a handler", 0, 0, 0, 0, NULL, 0},
	{"= smtp\n", -1, ":1: unknown directive \"\"", 0, 0, 0, 0, NULL, 0},
	{"# ok\n\nport x = smtp\n", -1, "d/10-x.conf:3: bad port \"x\"", 0, 0, 0, 0, NULL, 0},
	{"port 1 = abcdefghijklmnopqrstuvwxyz0123456\n", -1, ":1: handler name", 0, 0, 0, 0,
	 NULL, 0},
};

START_TEST(test_parse)
{
	const struct parse_case *pc = &parse_cases[_i];
	struct dropin_conf c;
	char err[512] = "";
	int rc;

	dropin_init(&c, "d");
	rc = dropin_parse(&c, "10-x.conf", pc->text, strlen(pc->text), err, sizeof err);
	ck_assert_msg(rc == pc->rc, "case %d: rc %d, err '%s'", _i, rc, err);
	if (rc != 0) {
		ck_assert_msg(strstr(err, pc->msg) != NULL, "case %d: '%s' lacks '%s'", _i, err,
		              pc->msg);
		ck_assert_msg(strncmp(err, "d/10-x.conf:", 12) == 0, "case %d: '%s'", _i, err);
		ck_assert_ptr_null(strchr(err, '\n'));
	} else {
		ck_assert_uint_eq(c.n_items, pc->n);
		if (pc->n) {
			const struct dropin_item *it = &c.items[c.n_items - 1];
			ck_assert_int_eq(it->kind, pc->kind);
			ck_assert_uint_eq(it->port, pc->port);
			ck_assert_uint_eq(it->transports, pc->transports);
			ck_assert_str_eq(it->name, pc->name);
			ck_assert_uint_eq(it->line, pc->line);
			ck_assert_str_eq(c.files[it->file], "10-x.conf");
		}
	}
	dropin_free(&c);
}
END_TEST

/* Lines over the limit, NUL bytes, and text without a final newline. */
START_TEST(test_parse_limits)
{
	struct dropin_conf c;
	char err[512];
	char *text = malloc(DROPIN_MAX_LINE + 16);
	static const char nul[] = "port 25 = smtp\nport 26\0 = smtp\n";

	ck_assert_ptr_nonnull(text);
	memset(text, ' ', DROPIN_MAX_LINE + 1);
	memcpy(text, "# ", 2);
	text[DROPIN_MAX_LINE + 1] = '\n';
	dropin_init(&c, NULL);
	ck_assert_int_eq(dropin_parse(&c, "a.conf", text, DROPIN_MAX_LINE + 2, err, sizeof err), -1);
	ck_assert_str_eq(err, "a.conf:1: line longer than 1024 bytes");
	dropin_free(&c);
	/* exactly the limit is fine */
	dropin_init(&c, NULL);
	ck_assert_int_eq(dropin_parse(&c, "a.conf", text + 1, DROPIN_MAX_LINE + 1, err, sizeof err), 0);
	dropin_free(&c);
	dropin_init(&c, NULL);
	ck_assert_int_eq(dropin_parse(&c, "a.conf", nul, sizeof nul - 1, err, sizeof err), -1);
	ck_assert_str_eq(err, "a.conf:2: NUL byte in the line");
	ck_assert_uint_eq(c.n_items, 1);
	dropin_free(&c);
	free(text);
}
END_TEST

/* Every prefix of a valid file parses or fails cleanly (ASan watches). */
START_TEST(test_parse_prefixes)
{
	static const char text[] = "# mail\nport 2525/tcp = smtp # submission\r\n"
	                           "port 53/udp = none\ndisable = tls\n";
	for (size_t n = 0; n <= sizeof text - 1; n++) {
		struct dropin_conf c;
		char err[512];
		char *copy = malloc(n ? n : 1);

		ck_assert_ptr_nonnull(copy);
		memcpy(copy, text, n); /* no terminator: the parser must use the length */
		dropin_init(&c, "d");
		(void)dropin_parse(&c, "p.conf", copy, n, err, sizeof err);
		ck_assert_uint_le(c.n_items, 3);
		dropin_free(&c);
		free(copy);
	}
}
END_TEST

/* ---- directories: temporary drop-in folders ---- */

static char tmpdir[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/pd-dropin.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_load_order)
{
	struct dropin_conf c;
	char err[512], sub[128];
	int fd;

	make_tmpdir();
	put("20-b.conf", "port 2/tcp = dns\n");
	put("10-a.conf", "port 1/tcp = dns\n");
	put("9-c.conf", "port 3/tcp = dns\n");        /* strcmp order: "10" < "20" < "9" */
	put("README", "not a drop-in\n");
	put("30-x.conf.bak", "garbage\n");
	put(".40-hidden.conf", "garbage\n");
	snprintf(sub, sizeof sub, "%s/50-dir.conf", tmpdir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(fd, 0);
	dropin_init(&c, tmpdir);
	ck_assert_msg(dropin_load(&c, fd, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(c.n_files, 3);
	ck_assert_str_eq(c.files[0], "10-a.conf");
	ck_assert_str_eq(c.files[1], "20-b.conf");
	ck_assert_str_eq(c.files[2], "9-c.conf");
	ck_assert_uint_eq(c.n_items, 3);
	ck_assert_uint_eq(c.items[0].port, 1);
	ck_assert_uint_eq(c.items[2].port, 3);
	dropin_free(&c);
	/* an error names the directory, the file and the line */
	put("15-bad.conf", "\nport 4/tcp dns\n");
	dropin_init(&c, tmpdir);
	ck_assert_int_eq(dropin_load(&c, fd, err, sizeof err), -1);
	snprintf(sub, sizeof sub, "%s/15-bad.conf:2: missing '='", tmpdir);
	ck_assert_msg(strncmp(err, sub, strlen(sub)) == 0, "'%s'", err);
	dropin_free(&c);
	close(fd);
	remove_tmpdir();
}
END_TEST

/* ---- the handler table: built-ins, drop-ins, --port ---- */

struct table_case {
	const char *files[3][2];   /* name, text */
	const char *port_opt;      /* one --port value, or NULL */
	int rc;
	const char *msg;           /* error after "TMPDIR/" (or the whole message for --port) */
	/* checks when rc == 0: port -> handler name (or NULL) */
	struct { unsigned tr; uint16_t port; const char *name; } want[4];
};

static const struct table_case table_cases[] = {
	{{{"10-a.conf", "port 2525/tcp = smtp\n"}}, NULL, 0, NULL,
	 {{PD_TCP, 2525, "smtp"}, {PD_TCP, 25, "smtp"}, {PD_UDP, 2525, NULL}}},
	{{{"10-a.conf", "port 25/tcp = none\nport 53/udp = none\n"}}, NULL, 0, NULL,
	 {{PD_TCP, 25, NULL}, {PD_UDP, 53, NULL}, {PD_TCP, 53, "dns"}, {PD_TCP, 587, "smtp"}}},
	/* without /proto: every transport of the handler */
	{{{"10-a.conf", "port 5353 = dns\nport 2600 = smtp\nport 2600/udp = dns\n"}}, NULL, 0, NULL,
	 {{PD_TCP, 5353, "dns"}, {PD_UDP, 5353, "dns"}, {PD_TCP, 2600, "smtp"},
	  {PD_UDP, 2600, "dns"}}},
	/* the same assignment twice is no conflict */
	{{{"10-a.conf", "port 2525/tcp = smtp\n"}, {"20-b.conf", "port 2525 = smtp\n"}}, NULL, 0,
	 NULL, {{PD_TCP, 2525, "smtp"}}},
	{{{"10-a.conf", "# mail\nport 2525/tcp = smtp\n"}, {"20-b.conf", "\n\nport 2525/tcp = dns\n"}},
	 NULL, 78, "20-b.conf:3: port 2525/tcp already assigned to smtp by 10-a.conf:2", {{0}}},
	{{{"10-a.conf", "port 53/udp = none\n"}, {"20-b.conf", "port 53 = dns\n"}}, NULL, 78,
	 "20-b.conf:1: port 53/udp already set to none by 10-a.conf:1", {{0}}},
	{{{"10-a.conf", "port 9 = none\nport 9/tcp = dns\n"}}, NULL, 78,
	 "10-a.conf:2: port 9/tcp already set to none by 10-a.conf:1", {{0}}},
	{{{"10-a.conf", "port 1 = nosuch\n"}}, NULL, 78, "10-a.conf:1: unknown handler \"nosuch\"",
	 {{0}}},
	{{{"10-a.conf", "port 25/udp = smtp\n"}}, NULL, 78,
	 "10-a.conf:1: handler smtp does not support udp", {{0}}},
	{{{"10-a.conf", "disable = nosuch\n"}}, NULL, 78, "10-a.conf:1: unknown handler \"nosuch\"",
	 {{0}}},
	/* disable: the handler leaves the table with its ports */
	{{{"10-a.conf", "disable = smtp\n"}}, NULL, 0, NULL,
	 {{PD_TCP, 25, NULL}, {PD_TCP, 587, NULL}, {PD_TCP, 53, "dns"}}},
	{{{"10-a.conf", "disable = smtp\n"}, {"20-b.conf", "port 2525/tcp = smtp\n"}}, NULL, 78,
	 "20-b.conf:1: handler smtp is disabled by 10-a.conf:1", {{0}}},
	/* --port comes last and wins over drop-ins */
	{{{"10-a.conf", "port 2525/tcp = smtp\n"}}, "2525/tcp=dns", 0, NULL,
	 {{PD_TCP, 2525, "dns"}}},
	{{{"10-a.conf", "disable = smtp\n"}}, "2525=smtp", 64,
	 "--port 2525=smtp: handler smtp is disabled by ", {{0}}},
	{{{"10-a.conf", "port 1/tcp = dns\n"}}, "2525=nosuch", 64,
	 "--port 2525=nosuch: unknown handler \"nosuch\"", {{0}}},
};

static void opts_for(struct opts *o, struct opts_item *item, const char *dir, const char *port)
{
	memset(o, 0, sizeof *o);
	o->dropin_dir = dir;
	if (port) {
		item->val = port;
		item->origin = NULL;
		o->port.v = item;
		o->port.n = 1;
	}
}

START_TEST(test_table)
{
	const struct table_case *tc = &table_cases[_i];
	struct opts o;
	struct opts_item item;
	struct htable *t = NULL;
	char err[1024] = "", want[512];
	int rc;

	make_tmpdir();
	for (int f = 0; f < 3 && tc->files[f][0]; f++)
		put(tc->files[f][0], tc->files[f][1]);
	opts_for(&o, &item, tmpdir, tc->port_opt);
	rc = htable_open(&t, &o, err, sizeof err);
	ck_assert_msg(rc == tc->rc, "case %d: rc %d, err '%s'", _i, rc, err);
	if (rc != 0) {
		ck_assert_ptr_null(t);
		if (tc->port_opt)
			snprintf(want, sizeof want, "%s", tc->msg);
		else
			snprintf(want, sizeof want, "%s/%s", tmpdir, tc->msg);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "case %d: '%s', want '%s'", _i,
		              err, want);
		ck_assert_ptr_null(strchr(err, '\n'));
	} else {
		const struct hd_registry *r = htable_registry(t);
		for (int k = 0; k < 4 && tc->want[k].port; k++) {
			const struct pd_handler *h = hd_registry_port(r, tc->want[k].tr, tc->want[k].port);
			if (tc->want[k].name) {
				ck_assert_msg(h != NULL, "case %d: port %u unmapped", _i, tc->want[k].port);
				ck_assert_str_eq(h->name, tc->want[k].name);
			} else {
				ck_assert_msg(h == NULL, "case %d: port %u mapped to %s", _i,
				              tc->want[k].port, h->name);
			}
		}
	}
	htable_free(t);
	remove_tmpdir();
}
END_TEST

/* No drop-in directory: the built-in table; a missing one given explicitly
 * is a configuration error naming it; "" turns drop-ins off. */
START_TEST(test_table_dirs)
{
	struct opts o;
	struct opts_item item;
	struct htable *t;
	char err[512];
	struct hd_registry builtins;

	ck_assert_int_eq(hd_registry_init(&builtins, err, sizeof err), 0);
	opts_for(&o, &item, "", NULL);
	ck_assert_int_eq(htable_open(&t, &o, err, sizeof err), 0);
	ck_assert_uint_eq(htable_registry(t)->count, builtins.count);
	ck_assert_int_eq(memcmp(htable_registry(t)->tcp_port, builtins.tcp_port,
	                        sizeof builtins.tcp_port), 0);
	ck_assert(!htable_reloadable(t));
	ck_assert_int_eq(htable_reload(t, NULL, err, sizeof err), 0);
	htable_free(t);

	opts_for(&o, &item, "/nonexistent/portdemux.d", NULL);
	ck_assert_int_eq(htable_open(&t, &o, err, sizeof err), 78);
	ck_assert_str_eq(err, "/nonexistent/portdemux.d: No such file or directory");
	ck_assert_ptr_null(t);
}
END_TEST

/* A plug-in directory that cannot be read is one line naming it. */
START_TEST(test_plugins_missing_dir)
{
	struct plugin_set ps;
	char err[512];

	memset(&ps, 0, sizeof ps);
	ck_assert_int_eq(plugins_load_dir(&ps, "/nonexistent/handlers", err, sizeof err), -1);
	ck_assert_str_eq(err, "/nonexistent/handlers: No such file or directory");
	ck_assert_uint_eq(ps.n, 0);
	make_tmpdir();
	put("x.so", "not an ELF file");
	ck_assert_int_eq(plugins_load_dir(&ps, tmpdir, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "/x.so") != NULL, "'%s'", err);
	ck_assert_uint_eq(ps.n, 0);
	plugins_unload(&ps);
	remove_tmpdir();
}
END_TEST

/* --handler-dir and --dropin-dir: values, the empty cases, configuration files */
START_TEST(test_options)
{
	char *ok[] = {"portdemuxd", "--handler-dir", "/h", "--dropin-dir", "", "--list-handlers",
	              NULL};
	char *bad[] = {"portdemuxd", "--handler-dir", "", "--list-handlers", NULL};
	struct opts o;
	char err[512];
	bool takes;

	ck_assert_int_eq(opts_parse(&o, 6, ok, NULL, err, sizeof err), 0);
	ck_assert_str_eq(o.handler_dir, "/h");
	ck_assert_str_eq(o.dropin_dir, "");
	opts_free(&o);
	ck_assert_int_eq(opts_parse(&o, 4, bad, NULL, err, sizeof err), 64);
	ck_assert_str_eq(err, "--handler-dir: empty directory name");
	opts_free(&o);
	ck_assert_int_eq(opts_config_name("handler-dir", &takes), 0);
	ck_assert(takes);
	ck_assert_int_eq(opts_config_name("dropin-dir", &takes), 0);
	ck_assert(takes);
	ck_assert_ptr_nonnull(strstr(opts_usage(), "--handler-dir DIR"));
	ck_assert_ptr_nonnull(strstr(opts_usage(), "--dropin-dir DIR"));
}
END_TEST

/* ---- reload: a valid directory switches, an invalid one changes nothing ---- */

START_TEST(test_reload)
{
	struct opts o;
	struct opts_item item;
	struct htable *t;
	struct out_sink sink;
	struct engine_config cfg;
	struct pd_engine *e;
	const struct hd_registry *before;
	struct hd_ctx *hc;
	char err[1024];
	int smtp_before, smtp_after;

	make_tmpdir();
	put("10-a.conf", "port 2525/tcp = smtp\n");
	opts_for(&o, &item, tmpdir, NULL);
	ck_assert_int_eq(htable_open(&t, &o, err, sizeof err), 0);
	ck_assert(htable_reloadable(t));
	memset(&cfg, 0, sizeof cfg);
	ck_assert_int_eq(out_sink_open(&sink, OUT_SINK_MEMORY, NULL, err, sizeof err), 0);
	ck_assert_int_eq(engine_new(&e, &cfg, htable_registry(t), &sink, err, sizeof err), 0);
	before = htable_registry(t);
	smtp_before = hd_registry_index(before, hd_registry_find(before, "smtp"));
	ck_assert_int_ge(smtp_before, 1); /* dns comes first: disabling it shifts smtp */
	/* the engine's counters, as sessions would have left them */
	hc = (struct hd_ctx *)engine_handlers(e);
	hc->stats[smtp_before].flows_by_port = 7;
	hc->stats[smtp_before].events = 9;
	hc->stats[0].flows_by_port = 3; /* dns, about to be disabled */

	/* a valid change: new mapping, dns disabled; counters follow smtp */
	put("10-a.conf", "port 2526/tcp = smtp\ndisable = dns\n");
	ck_assert_msg(htable_reload(t, e, err, sizeof err) == 0, "%s", err);
	ck_assert_ptr_ne(htable_registry(t), before);
	ck_assert_ptr_eq(engine_handlers(e)->reg, htable_registry(t));
	ck_assert_ptr_null(hd_registry_port(htable_registry(t), PD_TCP, 2525));
	ck_assert_str_eq(hd_registry_port(htable_registry(t), PD_TCP, 2526)->name, "smtp");
	ck_assert_ptr_null(hd_registry_find(htable_registry(t), "dns"));
	smtp_after = hd_registry_index(htable_registry(t), hd_registry_find(htable_registry(t), "smtp"));
	ck_assert_int_eq(smtp_after, smtp_before - 1);
	ck_assert_uint_eq(engine_handlers(e)->stats[smtp_after].flows_by_port, 7);
	ck_assert_uint_eq(engine_handlers(e)->stats[smtp_after].events, 9);
	for (unsigned i = htable_registry(t)->count; i < HD_MAX_HANDLERS; i++)
		ck_assert_uint_eq(engine_handlers(e)->stats[i].flows_by_port, 0);

	/* an invalid change: the table in use stays, the error names file and line */
	before = htable_registry(t);
	put("20-b.conf", "port 2526/tcp = tls\n");
	ck_assert_int_eq(htable_reload(t, e, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "/20-b.conf:1: port 2526/tcp already assigned to smtp by "
	                          "10-a.conf:1") != NULL, "'%s'", err);
	ck_assert_ptr_eq(htable_registry(t), before);
	ck_assert_ptr_eq(engine_handlers(e)->reg, before);
	ck_assert_str_eq(hd_registry_port(before, PD_TCP, 2526)->name, "smtp");
	ck_assert_uint_eq(engine_handlers(e)->stats[smtp_after].flows_by_port, 7);

	/* fixed again: dns comes back (counters start again), smtp keeps its own */
	ck_assert_int_eq(unlink(strcat(strcpy(err, tmpdir), "/20-b.conf")), 0);
	put("10-a.conf", "# back to the defaults\n");
	ck_assert_msg(htable_reload(t, e, err, sizeof err) == 0, "%s", err);
	ck_assert_str_eq(hd_registry_port(htable_registry(t), PD_UDP, 53)->name, "dns");
	ck_assert_uint_eq(engine_handlers(e)->stats[0].flows_by_port, 0);
	ck_assert_uint_eq(engine_handlers(e)->stats[smtp_before].flows_by_port, 7);

	engine_free(e);
	out_sink_close(&sink);
	htable_free(t);
	remove_tmpdir();
}
END_TEST

static Suite *dropin_suite(void)
{
	Suite *s = suite_create("dropin");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_parse, 0, (int)(sizeof parse_cases / sizeof parse_cases[0]));
	tcase_add_test(tc, test_parse_limits);
	tcase_add_test(tc, test_parse_prefixes);
	suite_add_tcase(s, tc);
	tc = tcase_create("table");
	tcase_add_test(tc, test_load_order);
	tcase_add_loop_test(tc, test_table, 0, (int)(sizeof table_cases / sizeof table_cases[0]));
	tcase_add_test(tc, test_table_dirs);
	tcase_add_test(tc, test_plugins_missing_dir);
	tcase_add_test(tc, test_options);
	tcase_add_test(tc, test_reload);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(dropin_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
