/* SPDX-License-Identifier: BSD-2-Clause */
/* Tests for handlers/registry.c: the built-in table, descriptor validation
 * (exact messages), port conflicts, --port remapping and port listing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/registry.h"

static size_t fake_on_data(struct pd_session *s, void *st, enum pd_dir dir, const uint8_t *d,
                           size_t n)
{
	(void)s, (void)st, (void)dir, (void)d;
	return n;
}

static const uint16_t ports_25[] = { 25, 0 };
static const uint16_t ports_53[] = { 53, 0 };
static const uint16_t ports_free[] = { 7000, 7001, 0 };

#define FAKE(nm, tr, ports) \
	{ .api_version = PD_API_VERSION, .name = (nm), .transports = (tr), \
	  .default_ports = (ports), .on_data = fake_on_data }

static struct hd_registry *reg_new(void)
{
	struct hd_registry *r = malloc(sizeof *r);
	char err[160];
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(hd_registry_init(r, err, sizeof err) == 0, "%s", err);
	return r;
}

START_TEST(test_init_builtins)
{
	struct hd_registry *r = reg_new();
	ck_assert_uint_eq(r->count, 5); /* dns, tls, smtp, http, ssh */
	const struct pd_handler *dns = hd_registry_find(r, "dns");
	const struct pd_handler *smtp = hd_registry_find(r, "smtp");
	ck_assert_ptr_nonnull(dns);
	ck_assert_ptr_nonnull(smtp);
	ck_assert_ptr_nonnull(hd_registry_find(r, "tls"));
	ck_assert_ptr_nonnull(hd_registry_find(r, "http"));
	ck_assert_ptr_nonnull(hd_registry_find(r, "ssh"));
	ck_assert_ptr_null(hd_registry_find(r, "ftp"));
	ck_assert_int_eq(hd_registry_index(r, dns), 0);
	ck_assert_int_eq(hd_registry_index(r, smtp), 2);
	ck_assert_ptr_eq(hd_registry_port(r, PD_UDP, 53), dns);
	ck_assert_ptr_eq(hd_registry_port(r, PD_TCP, 53), dns);
	ck_assert_ptr_eq(hd_registry_port(r, PD_TCP, 25), smtp);
	ck_assert_ptr_eq(hd_registry_port(r, PD_TCP, 587), smtp);
	ck_assert_ptr_null(hd_registry_port(r, PD_UDP, 25));
	ck_assert_ptr_null(hd_registry_port(r, PD_UDP, 5353));
	ck_assert_ptr_null(hd_registry_port(r, PD_TCP, 0));
	ck_assert_ptr_null(hd_registry_port(r, 0, 53));
	ck_assert_ptr_null(hd_registry_port(r, PD_TCP | PD_UDP, 53));
	free(r);
}
END_TEST

struct bad_case {
	struct pd_handler h;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ { .api_version = 2, .name = "foo", .transports = PD_TCP, .on_data = fake_on_data },
	  "handler foo: API version 2, expected 1" },
	{ { .api_version = 0, .name = NULL, .transports = PD_TCP, .on_data = fake_on_data },
	  "handler (unnamed): API version 0, expected 1" },
	{ FAKE(NULL, PD_TCP, NULL), "handler with no name" },
	{ FAKE("", PD_TCP, NULL), "handler name \"\" is invalid (must match [a-z0-9_-]{1,31})" },
	{ FAKE("Foo", PD_TCP, NULL), "handler name \"Foo\" is invalid (must match [a-z0-9_-]{1,31})" },
	{ FAKE("a b", PD_TCP, NULL), "handler name \"a b\" is invalid (must match [a-z0-9_-]{1,31})" },
	{ FAKE("a.b", PD_TCP, NULL), "handler name \"a.b\" is invalid (must match [a-z0-9_-]{1,31})" },
	{ FAKE("abcdefghijklmnopqrstuvwxyz012345", PD_TCP, NULL),
	  "handler name \"abcdefghijklmnopqrstuvwxyz012345\" is invalid (must match [a-z0-9_-]{1,31})" },
	{ FAKE("none", PD_TCP, NULL), "handler name \"none\" is reserved" },
	{ FAKE("dns", PD_TCP, NULL), "handler name \"dns\" is already registered" },
	{ { .api_version = PD_API_VERSION, .name = "foo", .transports = PD_TCP },
	  "handler foo: on_data is required" },
	{ FAKE("foo", 0, NULL), "handler foo: no transport (PD_TCP and/or PD_UDP)" },
	{ FAKE("foo", PD_TCP | 4u, NULL), "handler foo: unknown transport bits 0x4" },
	{ FAKE("foo", PD_TCP, ports_25), "port 25/tcp claimed by both smtp and foo" },
	{ FAKE("foo", PD_UDP, ports_53), "port 53/udp claimed by both dns and foo" },
	{ FAKE("foo", PD_TCP | PD_UDP, ports_53), "port 53/tcp claimed by both dns and foo" },
};

START_TEST(test_add_rejects)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct hd_registry *r = reg_new();
	struct hd_registry *before = malloc(sizeof *before);
	char err[160] = "";
	ck_assert_ptr_nonnull(before);
	memcpy(before, r, sizeof *r);
	ck_assert_int_eq(hd_registry_add(r, &bc->h, err, sizeof err), -1);
	ck_assert_str_eq(err, bc->msg);
	/* A refused handler leaves no trace. */
	ck_assert_int_eq(memcmp(before, r, sizeof *r), 0);
	free(before);
	free(r);
}
END_TEST

START_TEST(test_add_null)
{
	struct hd_registry *r = reg_new();
	char err[160] = "";
	ck_assert_int_eq(hd_registry_add(r, NULL, err, sizeof err), -1);
	ck_assert_str_eq(err, "handler descriptor is NULL");
	free(r);
}
END_TEST

START_TEST(test_add_ok)
{
	static const struct pd_handler ok31 = FAKE("abcdefghijklmnopqrstuvwxyz_-123", PD_TCP, NULL);
	static const struct pd_handler foo = FAKE("foo", PD_UDP, ports_25);
	static const struct pd_handler bar = FAKE("bar", PD_TCP | PD_UDP, ports_free);
	struct hd_registry *r = reg_new();
	char err[160];
	ck_assert_msg(hd_registry_add(r, &ok31, err, sizeof err) == 0, "%s", err);
	/* 25/udp is free: smtp is TCP only. */
	ck_assert_msg(hd_registry_add(r, &foo, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(hd_registry_add(r, &bar, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(r->count, 8);
	ck_assert_ptr_eq(hd_registry_port(r, PD_UDP, 25), &foo);
	ck_assert_ptr_eq(hd_registry_port(r, PD_TCP, 25), hd_registry_find(r, "smtp"));
	ck_assert_ptr_eq(hd_registry_port(r, PD_TCP, 7000), &bar);
	ck_assert_ptr_eq(hd_registry_port(r, PD_UDP, 7001), &bar);
	ck_assert_int_eq(hd_registry_index(r, &bar), 7);
	free(r);
}
END_TEST

START_TEST(test_too_many)
{
	static char names[HD_MAX_HANDLERS + 1][8];
	static struct pd_handler hs[HD_MAX_HANDLERS + 1];
	struct hd_registry *r = reg_new();
	char err[160];
	unsigned i;
	for (i = 0; r->count < HD_MAX_HANDLERS; i++) {
		snprintf(names[i], sizeof names[i], "h%u", i);
		hs[i] = (struct pd_handler)FAKE(names[i], PD_TCP, NULL);
		ck_assert_msg(hd_registry_add(r, &hs[i], err, sizeof err) == 0, "%s", err);
	}
	snprintf(names[i], sizeof names[i], "h%u", i);
	hs[i] = (struct pd_handler)FAKE(names[i], PD_TCP, NULL);
	ck_assert_int_eq(hd_registry_add(r, &hs[i], err, sizeof err), -1);
	char want[80];
	snprintf(want, sizeof want, "too many handlers (max 64), cannot add %.7s", names[i]);
	ck_assert_str_eq(err, want);
	free(r);
}
END_TEST

struct remap_case {
	const char *spec;
	const char *msg;       /* NULL: accepted */
	uint16_t port;
	const char *tcp, *udp; /* expected owners afterwards ("-" = none) */
};

static const struct remap_case remap_cases[] = {
	{ "5353/udp=dns", NULL, 5353, "-", "dns" },
	{ "53/udp=none", NULL, 53, "dns", "-" },
	{ "53/tcp=none", NULL, 53, "-", "dns" },
	{ "53=none", NULL, 53, "-", "-" },
	{ "2525=smtp", NULL, 2525, "smtp", "-" },
	{ "2525/tcp=smtp", NULL, 2525, "smtp", "-" },
	{ "25=dns", NULL, 25, "dns", "dns" },
	{ "65535=dns", NULL, 65535, "dns", "dns" },
	{ "587=none", NULL, 587, "-", "-" },
	{ "25/udp=smtp", "handler smtp does not support udp (in \"25/udp=smtp\")", 25, "smtp", "-" },
	{ "25=foo", "unknown handler \"foo\" in \"25=foo\"", 25, "smtp", "-" },
	{ "25=", "bad port mapping \"25=\": expected PORT[/tcp|/udp]=HANDLER", 25, "smtp", "-" },
	{ "25", "bad port mapping \"25\": expected PORT[/tcp|/udp]=HANDLER", 25, "smtp", "-" },
	{ "", "bad port mapping \"\": expected PORT[/tcp|/udp]=HANDLER", 25, "smtp", "-" },
	{ "=smtp", "bad port in \"=smtp\": must be 1-65535", 25, "smtp", "-" },
	{ "0=smtp", "bad port in \"0=smtp\": must be 1-65535", 25, "smtp", "-" },
	{ "65536=smtp", "bad port in \"65536=smtp\": must be 1-65535", 25, "smtp", "-" },
	{ "100000=smtp", "bad port in \"100000=smtp\": must be 1-65535", 25, "smtp", "-" },
	{ "-25=smtp", "bad port in \"-25=smtp\": must be 1-65535", 25, "smtp", "-" },
	{ "+25=smtp", "bad port in \"+25=smtp\": must be 1-65535", 25, "smtp", "-" },
	{ " 25=smtp", "bad port in \" 25=smtp\": must be 1-65535", 25, "smtp", "-" },
	{ "smtp=25", "bad port in \"smtp=25\": must be 1-65535", 25, "smtp", "-" },
	{ "25/sctp=smtp", "bad transport in \"25/sctp=smtp\": must be tcp or udp", 25, "smtp", "-" },
	{ "25/=smtp", "bad transport in \"25/=smtp\": must be tcp or udp", 25, "smtp", "-" },
	{ "25/TCP=smtp", "bad transport in \"25/TCP=smtp\": must be tcp or udp", 25, "smtp", "-" },
};

static const char *owner(const struct hd_registry *r, unsigned tr, uint16_t port)
{
	const struct pd_handler *h = hd_registry_port(r, tr, port);
	return h == NULL ? "-" : h->name;
}

START_TEST(test_remap)
{
	const struct remap_case *rc = &remap_cases[_i];
	struct hd_registry *r = reg_new();
	char err[160] = "";
	int rv = hd_registry_remap(r, rc->spec, err, sizeof err);
	if (rc->msg == NULL) {
		ck_assert_msg(rv == 0, "%s: %s", rc->spec, err);
	} else {
		ck_assert_int_eq(rv, -1);
		ck_assert_str_eq(err, rc->msg);
	}
	ck_assert_str_eq(owner(r, PD_TCP, rc->port), rc->tcp);
	ck_assert_str_eq(owner(r, PD_UDP, rc->port), rc->udp);
	free(r);
}
END_TEST

struct listing {
	char text[512];
};

static void list_one(void *arg, const struct pd_handler *h, unsigned transport, uint16_t port)
{
	struct listing *l = arg;
	size_t n = strlen(l->text);
	snprintf(l->text + n, sizeof l->text - n, "%s:%u/%s ", h->name, (unsigned)port,
	         transport == PD_TCP ? "tcp" : "udp");
}

START_TEST(test_each_port)
{
	static const uint16_t a_ports[] = { 53, 0 };
	static const uint16_t b_ports[] = { 587, 25, 0 };
	static const struct pd_handler a = FAKE("alpha", PD_TCP | PD_UDP, a_ports);
	static const struct pd_handler b = FAKE("beta", PD_TCP, b_ports);
	struct hd_registry *r = calloc(1, sizeof *r);
	char err[160];
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(hd_registry_add(r, &a, err, sizeof err), 0);
	ck_assert_int_eq(hd_registry_add(r, &b, err, sizeof err), 0);
	ck_assert_int_eq(hd_registry_remap(r, "5353/udp=alpha", err, sizeof err), 0);
	ck_assert_int_eq(hd_registry_remap(r, "2525=beta", err, sizeof err), 0);
	ck_assert_int_eq(hd_registry_remap(r, "1/tcp=alpha", err, sizeof err), 0);
	ck_assert_int_eq(hd_registry_remap(r, "65535=alpha", err, sizeof err), 0);
	ck_assert_int_eq(hd_registry_remap(r, "587=alpha", err, sizeof err), 0);
	struct listing l = { "" };
	hd_registry_each_port(r, list_one, &l);
	/* Handler order, then port order, TCP before UDP on one port. */
	ck_assert_str_eq(l.text, "alpha:1/tcp alpha:53/tcp alpha:53/udp alpha:587/tcp "
	                         "alpha:587/udp alpha:5353/udp alpha:65535/tcp alpha:65535/udp "
	                         "beta:25/tcp beta:2525/tcp ");
	free(r);
}
END_TEST

static Suite *registry_suite(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_init_builtins);
	tcase_add_loop_test(tc, test_add_rejects, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(tc, test_add_null);
	tcase_add_test(tc, test_add_ok);
	tcase_add_test(tc, test_too_many);
	tcase_add_loop_test(tc, test_remap, 0, (int)(sizeof remap_cases / sizeof remap_cases[0]));
	tcase_add_test(tc, test_each_port);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(registry_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
