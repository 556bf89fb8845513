/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite for the daemon front end besides option parsing: configuration
 * files, the capture reader (truncation sweep over every prefix of a pcap),
 * the stats event and summary, progress, privilege target and exit ordering. */
#include <check.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/capture.h"
#include "daemon/config.h"
#include "daemon/engine.h"
#include "daemon/options.h"
#include "daemon/privdrop.h"
#include "daemon/progress.h"
#include "daemon/run.h"
#include "daemon/stats_event.h"
#include "daemon/summary.h"
#include "handlers/registry.h"
#include "output/sink.h"

static char *write_temp(const void *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof path, "/tmp/pd-test-daemon.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

/* ---- configuration files ---- */

struct cfg_case {
	const char *text;
	int rc;
	const char *args[6];   /* expected "--name=value" arguments (rc 0) */
	unsigned lines[6];     /* their line numbers */
	const char *msg;       /* message substring (rc != 0) */
};

static const struct cfg_case cfg_cases[] = {
	{"# comment\n\nread = a.pcap\n  quiet  \nport=25/tcp=smtp\n"
	 "filter = tcp port 25 and host 10.0.0.1\n",
	 0, {"--read=a.pcap", "--quiet", "--port=25/tcp=smtp",
	     "--filter=tcp port 25 and host 10.0.0.1"}, {3, 4, 5, 6}, NULL},
	{"quiet\r\nwrite = /var/log/e.json\r\n", 0, {"--quiet", "--write=/var/log/e.json"}, {1, 2},
	 NULL},
	{"\t# indented comment\nmax-flows = 10", 0, {"--max-flows=10"}, {2}, NULL},
	{"", 0, {NULL}, {0}, NULL},
	{"quiet = yes\n", 78, {NULL}, {0}, ":1: 'quiet' takes no value"},
	{"\nread\n", 78, {NULL}, {0}, ":2: 'read' needs a value"},
	{"read =   \n", 78, {NULL}, {0}, ":1: 'read' needs a value"},
	{"= x\n", 78, {NULL}, {0}, ":1: missing option name"},
	{"config = other.conf\n", 78, {NULL}, {0}, ":1: 'config' is not an option"},
	{"help\n", 78, {NULL}, {0}, "'help' is not an option"},
	{"list-handlers\n", 78, {NULL}, {0}, "'list-handlers' is not an option"},
	{"-r = x\n", 78, {NULL}, {0}, "'-r' is not an option"},
	{"quiet\nreed = x\n", 78, {NULL}, {0}, ":2: 'reed' is not an option"},
};

START_TEST(test_config_cases)
{
	const struct cfg_case *c = &cfg_cases[_i];
	char *path = write_temp(c->text, strlen(c->text));
	struct config_args a;
	char err[512] = "";
	int rc = config_load(path, &a, err, sizeof err);

	ck_assert_msg(rc == c->rc, "case %d: rc %d (%s)", _i, rc, err);
	if (rc == 0) {
		int n = 0;
		while (n < 6 && c->args[n])
			n++;
		ck_assert_int_eq(a.argc, n);
		for (int i = 0; i < n; i++) {
			char origin[128];
			snprintf(origin, sizeof origin, "%s:%u", path, c->lines[i]);
			ck_assert_str_eq(a.argv[i], c->args[i]);
			ck_assert_str_eq(a.origin[i], origin);
		}
		config_free(&a);
	} else {
		ck_assert_msg(strstr(err, c->msg) != NULL, "case %d: '%s' lacks '%s'", _i, err,
		              c->msg);
		ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "case %d: no file name", _i);
	}
	unlink(path);
}
END_TEST

START_TEST(test_config_long_line)
{
	size_t n = CONFIG_MAX_LINE + 100;
	char *text = malloc(n + 1);
	char *path;
	struct config_args a;
	char err[256];

	memset(text, 'x', n);
	memcpy(text, "filter = ", 9);
	text[n] = '\0';
	path = write_temp(text, n);
	ck_assert_int_eq(config_load(path, &a, err, sizeof err), 78);
	ck_assert_ptr_nonnull(strstr(err, ":1: line longer than 4096 bytes"));
	unlink(path);
	free(text);
}
END_TEST

START_TEST(test_config_missing)
{
	struct config_args a;
	char err[256];

	ck_assert_int_eq(config_load("/nonexistent/pd.conf", &a, err, sizeof err), 78);
	ck_assert_str_eq(err, "/nonexistent/pd.conf: No such file or directory");
}
END_TEST

/* The file's settings come first: the command line wins for single values,
 * lists add up, and errors in file values name FILE:LINE with status 78. */
START_TEST(test_config_merge)
{
	static const char text[] = "write = from-file.json\nread = f1.pcap\nstats-interval = 60\n";
	char *path = write_temp(text, sizeof text - 1);
	char *argv[] = {(char *)"portdemuxd", (char *)"-w", (char *)"cli.json", (char *)"-r",
	                (char *)"c1.pcap", NULL};
	struct config_args a;
	char **mv;
	const char **mo;
	int mc;
	struct opts o;
	char err[256];

	ck_assert_int_eq(config_load(path, &a, err, sizeof err), 0);
	ck_assert_int_eq(config_merge(&a, 5, argv, &mv, &mo, &mc), 0);
	ck_assert_int_eq(mc, 8);
	ck_assert_ptr_null(mo[0]);
	ck_assert_ptr_nonnull(mo[1]);
	ck_assert_ptr_null(mo[4]);
	ck_assert_int_eq(opts_parse(&o, mc, mv, mo, err, sizeof err), 0);
	ck_assert_str_eq(o.write, "cli.json");
	ck_assert_ptr_null(opts_origin(&o, "write"));
	ck_assert_uint_eq(o.stats_interval, 60);
	ck_assert_ptr_nonnull(opts_origin(&o, "stats-interval"));
	ck_assert_uint_eq(o.read.n, 2);
	ck_assert_str_eq(o.read.v[0].val, "f1.pcap");
	ck_assert_ptr_nonnull(o.read.v[0].origin);
	ck_assert_str_eq(o.read.v[1].val, "c1.pcap");
	ck_assert_ptr_null(o.read.v[1].origin);
	opts_free(&o);
	free(mv);
	free(mo);
	config_free(&a);
	unlink(path);
}
END_TEST

/* ---- the capture reader ---- */

/* Ethernet + IPv4 + UDP 10.0.0.1:40000 -> 10.0.0.2:dport, payload "ping" (46 bytes) */
static void udp_frame(uint8_t f[46], uint16_t dport)
{
	static const uint8_t tmpl[46] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
		0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x9c, 0x40, 0, 0, 0, 12, 0, 0, 'p', 'i', 'n', 'g'};
	memcpy(f, tmpl, sizeof tmpl);
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#define NREC 3
#define REC_LEN (16 + 46)
#define PCAP_LEN (24 + NREC * REC_LEN)

static void build_pcap(uint8_t out[PCAP_LEN])
{
	static const uint8_t hdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
	                                0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0};
	memcpy(out, hdr, sizeof hdr);
	for (int i = 0; i < NREC; i++) {
		uint8_t *r = out + 24 + i * REC_LEN;
		put32(r, 1000 + (uint32_t)i);
		put32(r + 4, 250000u * (uint32_t)i);
		put32(r + 8, 46);
		put32(r + 12, 60);
		udp_frame(r + 16, (uint16_t)(9001 + i));
	}
}

/* Every prefix: shorter than the file header fails to open (input error);
 * otherwise every whole record is delivered, then END exactly at a record
 * boundary, else one ERROR naming the packets read before it. */
START_TEST(test_capture_truncation_sweep)
{
	uint8_t pcap[PCAP_LEN];

	build_pcap(pcap);
	for (size_t len = 0; len <= PCAP_LEN; len++) {
		char *path = write_temp(pcap, len);
		FILE *fp = capture_preopen(path);
		struct capture *c;
		struct capture_packet p;
		enum capture_next_result r;
		char err[512] = "", want[64];
		size_t whole = len < 24 ? 0 : (len - 24) / REC_LEN;
		bool boundary = len >= 24 && (len - 24) % REC_LEN == 0;
		size_t got = 0;
		int rc;

		ck_assert_ptr_nonnull(fp);
		rc = capture_open_file(&c, path, fp, NULL, err, sizeof err);
		if (len < 24) {
			ck_assert_msg(rc == 1, "len %zu: rc %d", len, rc);
			ck_assert_ptr_null(c);
			ck_assert_msg(strncmp(err, path, strlen(path)) == 0, "len %zu: %s", len, err);
			unlink(path);
			continue;
		}
		ck_assert_msg(rc == 0, "len %zu: %s", len, err);
		while ((r = capture_next(c, &p)) == CAPTURE_PACKET) {
			ck_assert_uint_eq(p.caplen, 46);
			ck_assert_uint_eq(p.wirelen, 60);
			ck_assert_int_eq(p.linktype, 1);
			ck_assert_uint_eq(p.ts_us, (1000 + got) * 1000000u + 250000u * got);
			ck_assert_uint_eq(p.data[37], 0x29 + got); /* 9001 = 0x2329 */
			got++;
		}
		ck_assert_msg(got == whole, "len %zu: %zu packets, want %zu", len, got, whole);
		ck_assert_msg(r == (boundary ? CAPTURE_END : CAPTURE_ERROR), "len %zu: result %d", len,
		              r);
		if (!boundary) {
			snprintf(want, sizeof want, "(after %zu packets, %zu bytes)", whole, whole * 46);
			ck_assert_msg(strstr(capture_error(c), want) != NULL, "len %zu: %s", len,
			              capture_error(c));
			ck_assert_ptr_null(strchr(capture_error(c), '\n'));
		}
		capture_close(c);
		unlink(path);
	}
}
END_TEST

START_TEST(test_capture_filter)
{
	uint8_t pcap[PCAP_LEN];
	char *path;
	struct capture *c;
	struct capture_packet p;
	char err[512];

	ck_assert_int_eq(capture_check_filter("udp port 9002 or tcp", err, sizeof err), 0);
	ck_assert_int_eq(capture_check_filter("udp prot 9002", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "syntax error"));

	build_pcap(pcap);
	path = write_temp(pcap, sizeof pcap);
	ck_assert_int_eq(capture_open_file(&c, path, capture_preopen(path), "udp dst port 9002", err,
	                                   sizeof err), 0);
	ck_assert_int_eq(capture_next(c, &p), CAPTURE_PACKET);
	ck_assert_uint_eq(p.data[37], 0x2a);
	ck_assert_int_eq(capture_next(c, &p), CAPTURE_END);
	capture_close(c);
	unlink(path);
	/* compiles for Ethernet, not for a raw IP file (DLT_RAW): a usage error */
	pcap[20] = 12;
	path = write_temp(pcap, 24);
	ck_assert_int_eq(capture_check_filter("ether host 1:2:3:4:5:6", err, sizeof err), 0);
	ck_assert_int_eq(capture_open_file(&c, path, capture_preopen(path), "ether host 1:2:3:4:5:6",
	                                   err, sizeof err), 64);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(err, ": filter: "));
	unlink(path);
}
END_TEST

/* ---- stats event and summary ---- */

struct rig {
	struct hd_registry reg;
	struct out_sink sink;
	struct pd_engine *e;
};

static void rig_open(struct rig *r)
{
	char err[256];

	ck_assert_int_eq(hd_registry_init(&r->reg, err, sizeof err), 0);
	ck_assert_int_eq(out_sink_open(&r->sink, OUT_SINK_MEMORY, NULL, err, sizeof err), 0);
	struct engine_config cfg = {0};
	ck_assert_int_eq(engine_new(&r->e, &cfg, &r->reg, &r->sink, err, sizeof err), 0);
}

static void rig_close(struct rig *r)
{
	engine_finish(r->e); /* engine_free does not end flows */
	engine_free(r->e);
	out_sink_close(&r->sink);
}

static void feed(struct rig *r, uint16_t dport, unsigned n, uint64_t ts)
{
	uint8_t f[46];

	udp_frame(f, dport);
	for (unsigned i = 0; i < n; i++)
		engine_packet(r->e, f, sizeof f, sizeof f, 1, ts + i);
}

START_TEST(test_stats_event)
{
	static struct rig r;
	struct capture_counts cc = {.received = 7, .dropped = 1, .ifdropped = 0};
	static const char *const want[] = {
		"\"timestamp\":\"1970-01-01T00:16:40.000001+0000\",\"event_type\":\"stats\","
		"\"stats\":{\"packets\":3,\"bytes\":138,",
		"\"decoder\":{\"ok\":3,\"truncated\":0,\"malformed\":0,\"unsupported\":0,",
		"\"udp\":3,", "\"reasons\":{}",
		"\"flows\":{\"created\":2,", "\"by_reason\":{\"fin\":0,",
		"\"tcp\":{\"ooo_segments\":0,", "\"defrag\":{\"fragments\":0,",
		"\"handlers\":{\"dns\":{\"flows_by_port\":0,", "\"smtp\":{", "\"tls\":{",
		"\"unclaimed\":{\"tcp\":{\"packets\":0,\"bytes\":0,\"server_ports\":0},"
		"\"udp\":{\"packets\":0,",
		"\"capture\":{\"received\":7,\"dropped\":1,\"ifdropped\":0}}}\n"};

	rig_open(&r);
	feed(&r, 9001, 2, 1000000000);
	feed(&r, 9002, 1, 1000000001);
	stats_event_emit(r.e, &cc, 1000000001);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(r.sink.mem, want[i]) != NULL, "lacks %s in %s", want[i],
		              r.sink.mem);
	/* offline: no capture group */
	r.sink.mem_len = 0;
	r.sink.mem[0] = '\0';
	stats_event_emit(r.e, NULL, 5);
	ck_assert_ptr_null(strstr(r.sink.mem, "\"capture\""));
	ck_assert_ptr_nonnull(strstr(r.sink.mem, "\"timestamp\":\"1970-01-01T00:00:00.000005+0000\""));
	rig_close(&r);
}
END_TEST

START_TEST(test_summary)
{
	static struct rig r;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	rig_open(&r);
	/* 12 server ports, the busiest first: 9001 x13 ... 9012 x2; then DNS's port
	 * with traffic that is not DNS */
	for (unsigned i = 0; i < 12; i++)
		feed(&r, (uint16_t)(9001 + i), 13 - i, 1000000000 + i * 100);
	feed(&r, 53, 20, 1000005000);
	engine_finish(r.e);
	mem = open_memstream(&text, &len);
	summary_print(mem, r.e, NULL, 1.0);
	fclose(mem);
	ck_assert_ptr_nonnull(strstr(text, "portdemuxd: summary (1.00 s, 110 packets/s)\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n  packets 110, bytes 5060,"));
	ck_assert_ptr_nonnull(strstr(text, "\n  decoder: ok 110, truncated 0,"));
	ck_assert_ptr_nonnull(strstr(text, "\n    by_reason: fin 0, rst 0, timeout 0, eviction 0, "
	                                   "shutdown 13\n"));
	ck_assert_ptr_nonnull(strstr(text, "\n  handlers:\n    dns: flows_by_port "));
	ck_assert_ptr_null(strstr(text, "reasons:")); /* no decode failures: no empty line */
	ck_assert_ptr_nonnull(strstr(text, "server ports (top 10 of 13)"));
	ck_assert_ptr_nonnull(strstr(text, "\n    udp/53              20            920  dns"));
	ck_assert_ptr_nonnull(strstr(text, "\n    udp/9001            13            598  none"));
	ck_assert_ptr_nonnull(strstr(text, "\n    udp/9009             5"));
	ck_assert_ptr_null(strstr(text, "udp/9010"));
	ck_assert_ptr_nonnull(strstr(text, "\n    3 other ports: 9 packets\n"));
	free(text);
	rig_close(&r);
}
END_TEST

/* Reports and sums read only the port ranges with counts: the first and the
 * last range, nothing between. */
START_TEST(test_port_ranges)
{
	struct engine_stats st = {.port_chunks = {1ull | 1ull << 63, 0}};

	ck_assert_uint_eq(engine_port_next(&st, 0, 0), 0);
	ck_assert_uint_eq(engine_port_next(&st, 0, 1023), 1023);
	ck_assert_uint_eq(engine_port_next(&st, 0, 1024), 63 * 1024);
	ck_assert_uint_eq(engine_port_next(&st, 0, 65535), 65535);
	ck_assert_uint_eq(engine_port_next(&st, 0, 65536), 65536);
	ck_assert_uint_eq(engine_port_next(&st, 1, 0), 65536);
}
END_TEST

/* ---- progress, privilege target, exit ordering ---- */

START_TEST(test_progress)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), tty = -1;
	int devnull = open("/dev/null", O_WRONLY);
	struct progress p;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	ck_assert(progress_wanted(OPTS_PROGRESS_ON, true, devnull, 0));
	ck_assert(!progress_wanted(OPTS_PROGRESS_OFF, false, devnull, 1ull << 40));
	ck_assert(!progress_wanted(OPTS_PROGRESS_AUTO, false, devnull, 1ull << 30));
	if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0)
		tty = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (tty >= 0) {
		ck_assert(progress_wanted(OPTS_PROGRESS_AUTO, false, tty, PROGRESS_MIN_SIZE + 1));
		ck_assert(!progress_wanted(OPTS_PROGRESS_AUTO, false, tty, PROGRESS_MIN_SIZE));
		ck_assert(!progress_wanted(OPTS_PROGRESS_AUTO, true, tty, 1ull << 30));
		ck_assert(!progress_wanted(OPTS_PROGRESS_AUTO, false, tty, 0));
		close(tty);
	}
	if (master >= 0)
		close(master);
	close(devnull);

	mem = open_memstream(&text, &len);
	progress_start(&p, mem, true, "capture.pcap");
	progress_update(&p, 10, 100, 5);     /* too soon after the start: nothing */
	fflush(mem);
	ck_assert_uint_eq(len, 0);
	p.start -= 10.0;                     /* as if 10 s had passed */
	p.last -= 10.0;
	progress_update(&p, 25000000, 100000000, 500000);
	progress_end(&p);
	fclose(mem);
	ck_assert_ptr_nonnull(strstr(text, "\rcapture.pcap:  25.0% 25.0 of 100.0 MB, 50000 packets/s, "
	                                   "ETA 0:00:30\033[K"));
	ck_assert_ptr_nonnull(strstr(text, "\r\033[K"));
	free(text);
}
END_TEST

START_TEST(test_privdrop_resolve)
{
	struct privdrop_target t;
	const struct passwd *nobody = getpwnam("nobody");
	uid_t nobody_uid = nobody ? nobody->pw_uid : 0; /* getpwnam's buffer is reused */
	char err[256];

	ck_assert_int_eq(privdrop_resolve("root", &t, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "refusing to run as uid 0"));
	ck_assert_int_eq(privdrop_resolve("pd-no-such-user", &t, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "-u pd-no-such-user: "));
	if (nobody) {
		ck_assert_int_eq(privdrop_resolve("nobody", &t, err, sizeof err), 0);
		ck_assert_uint_eq(t.uid, nobody_uid);
		ck_assert_str_eq(t.name, "nobody");
		ck_assert_int_eq(privdrop_resolve(NULL, &t, err, sizeof err), 0);
		ck_assert_str_eq(t.name, getpwnam("portdemux") ? "portdemux" : "nobody");
	}
}
END_TEST

START_TEST(test_run_worse)
{
	static const int cases[][3] = {
		{0, 0, 0}, {0, 1, 1}, {1, 0, 1}, {1, 2, 2}, {2, 1, 2}, {2, 64, 64},
		{64, 2, 64}, {78, 64, 64}, {78, 2, 78}, {1, 78, 78}, {64, 0, 64},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(run_worse(cases[i][0], cases[i][1]) == cases[i][2], "case %zu", i);
}
END_TEST

static Suite *daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("front end");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_config_cases, 0,
	                    (int)(sizeof cfg_cases / sizeof cfg_cases[0]));
	tcase_add_test(tc, test_config_long_line);
	tcase_add_test(tc, test_config_missing);
	tcase_add_test(tc, test_config_merge);
	tcase_add_test(tc, test_capture_truncation_sweep);
	tcase_add_test(tc, test_capture_filter);
	tcase_add_test(tc, test_stats_event);
	tcase_add_test(tc, test_summary);
	tcase_add_test(tc, test_port_ranges);
	tcase_add_test(tc, test_progress);
	tcase_add_test(tc, test_privdrop_resolve);
	tcase_add_test(tc, test_run_worse);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(daemon_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
