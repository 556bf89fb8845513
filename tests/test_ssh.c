/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite for the SSH handler: the probe, identification lines
 * (RFC 4253 4.2), KEXINIT parsing (7.1) and HASSH on Salesforce's published
 * vectors, and transcripts through the real session core (memory sink):
 * the real OpenSSH exchange of the d16 capture cut at every byte and at
 * every length, pre-banner lines, SSH-1, malformed packets, gaps. */
#include <check.h>
#include <md5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/ssh.h"
#include "tests/json_check.h"
#include "tests/test_http_run.h"
#include "tests/test_ssh_data.h"

static struct hd_harness H;

/* ---- packet builders ---- */

/* RFC 4253 6: uint32 packet_length, byte padding_length, payload, padding
 * (at least 4 octets, total a multiple of 8). */
static size_t packet(uint8_t *out, const uint8_t *payload, size_t n)
{
	size_t pad = 8 - (5 + n) % 8;
	if (pad < 4)
		pad += 8;
	uint32_t len = (uint32_t)(1 + n + pad);
	out[0] = (uint8_t)(len >> 24);
	out[1] = (uint8_t)(len >> 16);
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	out[4] = (uint8_t)pad;
	memcpy(out + 5, payload, n);
	memset(out + 5 + n, 0, pad);
	return 4 + len;
}

/* KEXINIT payload: message 20, cookie, ten name-lists, follows, reserved. */
static size_t kexinit_payload(uint8_t *out, const char *const lists[SSH_NAMELISTS], bool follows)
{
	size_t n = 0;
	out[n++] = SSH_MSG_KEXINIT;
	memset(out + n, 0x5a, 16);
	n += 16;
	for (unsigned i = 0; i < SSH_NAMELISTS; i++) {
		uint32_t l = (uint32_t)strlen(lists[i]);
		out[n++] = (uint8_t)(l >> 24);
		out[n++] = (uint8_t)(l >> 16);
		out[n++] = (uint8_t)(l >> 8);
		out[n++] = (uint8_t)l;
		memcpy(out + n, lists[i], l);
		n += l;
	}
	out[n++] = follows ? 1 : 0;
	memset(out + n, 0, 4);
	return n + 4;
}

static size_t kexinit_packet(uint8_t *out, const char *const lists[SSH_NAMELISTS])
{
	static uint8_t payload[40000];
	size_t n = kexinit_payload(payload, lists, false);
	return packet(out, payload, n);
}

static size_t newkeys_packet(uint8_t *out)
{
	static const uint8_t nk[] = { SSH_MSG_NEWKEYS };
	return packet(out, nk, 1);
}

/* ---- Salesforce's published HASSH examples (github.com/salesforce/hassh
 * README): the Cyberduck 6.7.1 client and an OpenSSH 5.3 server. ---- */

static const char cd_kex[] =
	"curve25519-sha256@libssh.org,diffie-hellman-group-exchange-sha256,ecdh-sha2-nistp521,"
	"ecdh-sha2-nistp384,ecdh-sha2-nistp256,diffie-hellman-group-exchange-sha1,"
	"diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group14-sha256,"
	"diffie-hellman-group15-sha512,diffie-hellman-group16-sha512,diffie-hellman-group17-sha512,"
	"diffie-hellman-group18-sha512,diffie-hellman-group14-sha256@ssh.com,"
	"diffie-hellman-group15-sha256,diffie-hellman-group15-sha256@ssh.com,"
	"diffie-hellman-group15-sha384@ssh.com,diffie-hellman-group16-sha256,"
	"diffie-hellman-group16-sha384@ssh.com,diffie-hellman-group16-sha512@ssh.com,"
	"diffie-hellman-group18-sha512@ssh.com";
static const char cd_enc[] =
	"aes128-cbc,aes128-ctr,aes192-cbc,aes192-ctr,aes256-cbc,aes256-ctr,blowfish-cbc,blowfish-ctr,"
	"cast128-cbc,cast128-ctr,idea-cbc,idea-ctr,serpent128-cbc,serpent128-ctr,serpent192-cbc,"
	"serpent192-ctr,serpent256-cbc,serpent256-ctr,3des-cbc,3des-ctr,twofish128-cbc,twofish128-ctr,"
	"twofish192-cbc,twofish192-ctr,twofish256-cbc,twofish256-ctr,twofish-cbc,arcfour,arcfour128,"
	"arcfour256";
static const char cd_mac[] = "hmac-sha1,hmac-sha1-96,hmac-md5,hmac-md5-96,hmac-sha2-256,hmac-sha2-512";
static const char cd_comp[] = "zlib@openssh.com,zlib,none";
#define CD_HASSH "8a8ae540028bf433cd68356c1b9e8d5b"

static const char o53_kex[] = "diffie-hellman-group-exchange-sha256,diffie-hellman-group-exchange-sha1,"
                              "diffie-hellman-group14-sha1,diffie-hellman-group1-sha1";
static const char o53_enc[] =
	"aes128-ctr,aes192-ctr,aes256-ctr,arcfour256,arcfour128,aes128-cbc,3des-cbc,blowfish-cbc,"
	"cast128-cbc,aes192-cbc,aes256-cbc,arcfour,rijndael-cbc@lysator.liu.se";
static const char o53_mac[] = "hmac-md5,hmac-sha1,umac-64@openssh.com,hmac-ripemd160,"
                              "hmac-ripemd160@openssh.com,hmac-sha1-96,hmac-md5-96";
static const char o53_comp[] = "none,zlib@openssh.com";
/* MD5 of the README's hasshServerAlgorithms; nDPI reports the same value
 * (HASSH-S) for the OpenSSH server of its ssh.pcap. */
#define O53_HASSH_SERVER "b1c6c0d56317555b85c7005a3de29325"

/* The client's lists are the *_client_to_server ones; the server-to-client
 * lists get other values so a wrong selection changes the hash. */
static const char *const cd_lists[SSH_NAMELISTS] = {
	cd_kex, "ssh-ed25519", cd_enc, "aes256-gcm@openssh.com", cd_mac, "hmac-sha2-512", cd_comp,
	"none", "", "",
};
static const char *const o53_lists[SSH_NAMELISTS] = {
	o53_kex, "ssh-rsa,ssh-dss", "aes128-ctr", o53_enc, "hmac-sha1", o53_mac, "none", o53_comp,
	"", "",
};

START_TEST(hassh_vectors)
{
	static uint8_t payload[8192];
	struct ssh_side side;
	char str[SSH_POOL + 4], want[SSH_POOL + 4];
	size_t len;

	memset(&side, 0, sizeof side);
	size_t n = kexinit_payload(payload, cd_lists, false);
	ck_assert(ssh_parse_kexinit(&side, PD_TO_SERVER, payload, n));
	ck_assert_str_eq(side.hassh, CD_HASSH);
	ck_assert(ssh_hassh_string(&side, PD_TO_SERVER, str, sizeof str, &len));
	snprintf(want, sizeof want, "%s;%s;%s;%s", cd_kex, cd_enc, cd_mac, cd_comp);
	ck_assert_str_eq(str, want);
	ck_assert_uint_eq(len, strlen(want));

	memset(&side, 0, sizeof side);
	n = kexinit_payload(payload, o53_lists, true);
	ck_assert(ssh_parse_kexinit(&side, PD_TO_CLIENT, payload, n));
	ck_assert_str_eq(side.hassh, O53_HASSH_SERVER);
	ck_assert(side.first_kex_follows);
	ck_assert_uint_eq(side.list[1].len, strlen("ssh-rsa,ssh-dss"));
}
END_TEST

/* Every proper prefix of a KEXINIT payload is refused (read past nothing). */
START_TEST(kexinit_truncation)
{
	static uint8_t payload[8192];
	size_t n = kexinit_payload(payload, cd_lists, false);
	for (size_t k = 0; k < n; k++) {
		struct ssh_side side;
		memset(&side, 0, sizeof side);
		uint8_t *p = malloc(k ? k : 1);
		memcpy(p, payload, k);
		ck_assert_msg(!ssh_parse_kexinit(&side, PD_TO_SERVER, p, k), "prefix %zu accepted", k);
		ck_assert(!side.kexinit_seen);
		free(p);
	}
}
END_TEST

START_TEST(banner_parse)
{
	static const struct {
		const char *line;
		bool ok;
		const char *proto, *soft, *comments;
	} t[] = {
		{ "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10", true, "2.0", "OpenSSH_9.2p1", "Debian-2+deb12u10" },
		{ "SSH-1.99-Cisco-1.25", true, "1.99", "Cisco-1.25", NULL },
		{ "SSH-2.0-", true, "2.0", "", NULL },
		{ "SSH-2.0-x y z", true, "2.0", "x", "y z" },
		{ "SSH-2.0", false, NULL, NULL, NULL },
		{ "SSH--x", false, NULL, NULL, NULL },
		{ "SSH-2 0-x", false, NULL, NULL, NULL },
		{ "ssh-2.0-x", false, NULL, NULL, NULL },
		{ "SSH", false, NULL, NULL, NULL },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ssh_side side;
		memset(&side, 0, sizeof side);
		bool ok = ssh_parse_banner((const uint8_t *)t[i].line, strlen(t[i].line), &side);
		ck_assert_msg(ok == t[i].ok, "%s", t[i].line);
		if (!ok)
			continue;
		ck_assert_str_eq(side.proto, t[i].proto);
		ck_assert_str_eq(side.software, t[i].soft);
		ck_assert_int_eq(side.has_comments, t[i].comments != NULL);
		if (t[i].comments != NULL)
			ck_assert_str_eq(side.comments, t[i].comments);
	}
}
END_TEST

START_TEST(probe_cases)
{
	static const struct {
		const char *data;
		enum pd_probe want;
	} t[] = {
		{ "SSH-2.0-OpenSSH_9.2p1\r\n", PD_PROBE_MATCH }, { "SSH-1.99-x", PD_PROBE_MATCH },
		{ "SSH-1.5-x", PD_PROBE_MATCH },                { "SSH-2.", PD_PROBE_NEED_MORE },
		{ "S", PD_PROBE_NEED_MORE },                    { "SSH-x", PD_PROBE_REJECT },
		{ "ssh-2.0-x", PD_PROBE_REJECT },               { "HTTP/1.1 200 OK\r\n", PD_PROBE_REJECT },
		{ "GET / HTTP/1.1\r\n", PD_PROBE_REJECT },      { "SSH-20-x", PD_PROBE_REJECT },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = strlen(t[i].data);
		for (int d = 0; d < 2; d++)
			ck_assert_msg(ssh_probe((enum pd_dir)d, (const uint8_t *)t[i].data, n) == t[i].want,
			              "%s", t[i].data);
		if (t[i].want != PD_PROBE_MATCH)
			continue;
		for (size_t k = 0; k < 7; k++)
			ck_assert_int_eq(ssh_probe(PD_TO_SERVER, (const uint8_t *)t[i].data, k),
			                 PD_PROBE_NEED_MORE);
	}
}
END_TEST

/* ---- the real capture ---- */

static const struct hr_chk d16_checks[] = {
	{ "#", NULL, 0, NULL, 1 },
	{ "0", "app_proto", 's', "ssh", 0 },
	{ "0", "ssh.client.proto_version", 's', "2.0", 0 },
	{ "0", "ssh.client.software_version", 's', "OpenSSH_9.2p1", 0 },
	{ "0", "ssh.client.comments", 's', "Debian-2+deb12u10", 0 },
	/* tshark 3.x (ssh.kex.hassh / ssh.kex.hasshserver) gives the same values. */
	{ "0", "ssh.client.hassh.hash", 's', "472b5de333ad665af5cbf10ff892c4df", 0 },
	{ "0", "ssh.server.hassh.hash", 's', "425d29fe50d8e4f5e37efb6e24bcf660", 0 },
	{ "0", "ssh.server.software_version", 's', "OpenSSH_9.2p1", 0 },
	{ "0", "ssh.client.kexinit.kex_algorithms", 'c', NULL, 13 },
	{ "0", "ssh.client.kexinit.kex_algorithms.0", 's', "sntrup761x25519-sha512", 0 },
	{ "0", "ssh.client.kexinit.server_host_key_algorithms", 'c', NULL, 16 },
	{ "0", "ssh.server.kexinit.server_host_key_algorithms", 'c', NULL, 1 },
	{ "0", "ssh.server.kexinit.server_host_key_algorithms.0", 's', "ssh-ed25519", 0 },
	{ "0", "ssh.server.kexinit.compression_algorithms_server_to_client", 'c', NULL, 2 },
	{ "0", "ssh.client.kexinit.languages_client_to_server", 'c', NULL, 0 },
	{ "0", "ssh.client.kexinit.first_kex_packet_follows", 'b', NULL, 0 },
	{ "0", "ssh.client.packets", 'u', NULL, 3 },
	{ "0", "ssh.server.packets", 'u', NULL, 3 },
	{ "0", "ssh.client.cleartext_end", 's', "newkeys", 0 },
	{ "0", "ssh.server.cleartext_end", 's', "newkeys", 0 },
	{ "0", "ssh.server.lines_before_banner", 'x', NULL, 0 },
	{ "0", "ssh.gaps", 'x', NULL, 0 },
	{ "!A", "ssh_bad_packet", 0, NULL, 0 },
};

START_TEST(d16_openssh)
{
	struct hr_opts o = { .dport = 22, .keep_open = true };
	hr_run_segs(&H, ssh_d16, ssh_d16_count, &o);
	/* Written when both sides passed NEWKEYS, before the end of the flow. */
	ck_assert_uint_eq(hr_events(&H, "ssh"), 1);
	hd_session_close(&H.s, PD_CLOSE_FIN, 0);
	hr_check(&H, "ssh", "d16", d16_checks, sizeof(d16_checks) / sizeof(d16_checks[0]));
	char *whole = strdup(hr_text(&H));
	hh_teardown(&H);
	static const size_t chunks[] = { 1, 3, 100 };
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		o.chunk = chunks[i];
		o.keep_open = false;
		hr_run_segs(&H, ssh_d16, ssh_d16_count, &o);
		ck_assert_msg(strcmp(hr_text(&H), whole) == 0, "chunk %zu differs", chunks[i]);
		hh_teardown(&H);
	}
	free(whole);
}
END_TEST

/* Every prefix: one event when a banner was complete, each hassh exactly
 * when its side's KEXINIT was complete. */
START_TEST(d16_truncation)
{
	size_t total = 0, end[16];
	for (size_t i = 0; i < ssh_d16_count; i++) {
		total += ssh_d16[i].len;
		end[i] = total;
	}
	/* Segments: 0 client banner, 1 server banner, 2-3 client KEXINIT,
	 * 4 server KEXINIT. */
	ck_assert_uint_ge(ssh_d16_count, 5);
	const size_t banner = ssh_d16[0].len;
	for (size_t k = 1; k <= total; k++) {
		struct hr_opts o = { .dport = 22, .limit = k };
		hr_run_segs(&H, ssh_d16, ssh_d16_count, &o);
		ck_assert_uint_eq(hr_events(&H, "ssh"), k >= banner ? 1 : 0);
		if (k >= banner) {
			const char *l = hh_line(&H, (size_t)hr_event(&H, "ssh", 0));
			char hash[40];
			bool c = jc_get_string(l, "ssh.client.hassh.hash", hash, sizeof hash) == 0;
			bool s = jc_get_string(l, "ssh.server.hassh.hash", hash, sizeof hash) == 0;
			ck_assert_msg(c == (k >= end[3]), "prefix %zu: client hassh %d", k, c);
			ck_assert_msg(s == (k >= end[4]), "prefix %zu: server hassh %d", k, s);
		}
		hh_teardown(&H);
	}
}
END_TEST

/* ---- transcripts ---- */

static uint8_t cd_pkt[4096], o53_pkt[4096], nk_pkt[64], big_pkt[40000], huge_pkt[40000];
static size_t cd_len, o53_len, nk_len, big_len, huge_len;
static char big_list[3000], huge_list[36000];
static char big_hassh[33];

static void build_packets(void)
{
	cd_len = kexinit_packet(cd_pkt, cd_lists);
	o53_len = kexinit_packet(o53_pkt, o53_lists);
	nk_len = newkeys_packet(nk_pkt);
	/* Name-lists longer than the pool: cut in the event, hashed whole. */
	memset(big_list, 'k', sizeof big_list - 1);
	for (size_t i = 50; i < sizeof big_list - 1; i += 50)
		big_list[i] = ',';
	const char *const big[SSH_NAMELISTS] = { big_list, big_list, "e", "e", "m", "m", "c", "c", "", "" };
	big_len = kexinit_packet(big_pkt, big);
	MD5_CTX ctx;
	uint8_t d[MD5_DIGEST_LENGTH];
	char s[sizeof big_list + 16];
	int n = snprintf(s, sizeof s, "%s;e;m;c", big_list);
	MD5Init(&ctx);
	MD5Update(&ctx, (const uint8_t *)s, (size_t)n);
	MD5Final(d, &ctx);
	for (int i = 0; i < MD5_DIGEST_LENGTH; i++)
		snprintf(big_hassh + 2 * i, 3, "%02x", d[i]);
	memset(huge_list, 'h', sizeof huge_list - 1);
	const char *const huge[SSH_NAMELISTS] = { huge_list, "", "", "", "", "", "", "", "", "" };
	huge_len = kexinit_packet(huge_pkt, huge);
}

#define B(p, n) (const char *)(p), (n)

struct tcase {
	const char *name;
	bool midstream;
	struct hr_step steps[8];
	size_t nsteps;
	struct hr_chk checks[12];
	size_t nchecks;
};

static struct tcase cases[16];
static size_t ncases;

/* Runs before the suite: a table that does not fit is caught by
 * case_count below. */
static void add_case(const struct tcase *c)
{
	if (ncases < sizeof(cases) / sizeof(cases[0]))
		cases[ncases] = *c;
	ncases++;
}

static void build_cases(void)
{
	static const uint8_t bad_pad[] = { 0, 0, 0, 12, 12, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static uint8_t bad_kex[64];
	static size_t bad_kex_len;
	/* A KEXINIT whose first name-list claims 1000 octets. */
	static const uint8_t kex_overrun[] = { SSH_MSG_KEXINIT, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
		                                   14, 15, 16, 0, 0, 3, 232, 'a', 'b' };
	bad_kex_len = packet(bad_kex, kex_overrun, sizeof kex_overrun);
	static char long_banner[400];
	memcpy(long_banner, "SSH-2.0-", 8);
	memset(long_banner + 8, 'L', 300);
	memcpy(long_banner + 308, "\r\n", 3);

	ncases = 0;
	add_case(&(struct tcase){ "known vectors through the core", false,
		{ { 'C', "SSH-2.0-Cyberduck/6.7.1.28683 (Mac OS X/10.13.6) (x86_64)\r\n", 0 },
		  { 'S', "SSH-2.0-OpenSSH_5.3\r\n", 0 },
		  { 'C', B(cd_pkt, cd_len) }, { 'S', B(o53_pkt, o53_len) },
		  { 'S', B(nk_pkt, nk_len) }, { 'C', B(nk_pkt, nk_len) },
		  { 'C', "\x01\x02\x03 encrypted bytes, never parsed", 0 } }, 7,
		{ { "#", NULL, 0, NULL, 1 },
		  { "0", "ssh.client.software_version", 's', "Cyberduck/6.7.1.28683", 0 },
		  { "0", "ssh.client.comments", 's', "(Mac OS X/10.13.6) (x86_64)", 0 },
		  { "0", "ssh.client.hassh.hash", 's', CD_HASSH, 0 },
		  { "0", "ssh.server.hassh.hash", 's', O53_HASSH_SERVER, 0 },
		  { "0", "ssh.server.kexinit.encryption_algorithms_server_to_client", 'c', NULL, 13 },
		  { "0", "ssh.client.cleartext_end", 's', "newkeys", 0 },
		  { "0", "ssh.client.packets", 'u', NULL, 2 } }, 8 });
	add_case(&(struct tcase){ "lines before the server banner", false,
		{ { 'S', "Welcome to the box\r\nauthorised users only\r\nSSH-1.99-srv_1.0\r\n", 0 },
		  { 'C', "SSH-2.0-cli\n", 0 },
		  { 'S', B(o53_pkt, o53_len) }, { 'C', B(cd_pkt, cd_len) } }, 4,
		{ { "#", NULL, 0, NULL, 1 },
		  { "0", "ssh.server.lines_before_banner", 'u', NULL, 2 },
		  { "0", "ssh.server.proto_version", 's', "1.99", 0 },
		  { "0", "ssh.server.hassh.hash", 's', O53_HASSH_SERVER, 0 },
		  { "0", "ssh.client.software_version", 's', "cli", 0 },
		  { "0", "ssh.client.cleartext_end", 's', "closed", 0 },
		  { "!A", "ssh_bad_banner", 0, NULL, 0 } }, 7 });
	add_case(&(struct tcase){ "SSH-1 stops after the banners", false,
		{ { 'C', "SSH-1.5-old\r\n", 0 }, { 'S', "SSH-1.5-1.2.27\r\n", 0 },
		  { 'S', B(o53_pkt, o53_len) } }, 3,
		{ { "#", NULL, 0, NULL, 1 },
		  { "0", "ssh.client.cleartext_end", 's', "version1", 0 },
		  { "0", "ssh.server.cleartext_end", 's', "version1", 0 },
		  { "0", "ssh.server.hassh", 'x', NULL, 0 } }, 4 });
	add_case(&(struct tcase){ "malformed packets", false,
		{ { 'C', "SSH-2.0-a\r\n", 0 }, { 'S', "SSH-2.0-b\r\n", 0 },
		  { 'C', B(bad_pad, sizeof bad_pad) }, { 'S', B(bad_kex, bad_kex_len) },
		  { 'S', B(nk_pkt, nk_len) } }, 5,
		{ { "#", NULL, 0, NULL, 1 },
		  { "A", "ssh_bad_packet", 0, NULL, 0 },
		  { "A", "ssh_bad_kexinit", 0, NULL, 0 },
		  { "0", "ssh.client.cleartext_end", 's', "error", 0 },
		  { "0", "ssh.server.cleartext_end", 's', "newkeys", 0 },
		  { "0", "ssh.server.hassh", 'x', NULL, 0 },
		  { "0", "ssh.server.packets", 'u', NULL, 2 } }, 7 });
	add_case(&(struct tcase){ "banner too long, client not SSH", false,
		{ { 'S', long_banner, 0 }, { 'C', "GET / HTTP/1.1\r\n", 0 } }, 2,
		{ { "#", NULL, 0, NULL, 1 },
		  { "A", "ssh_banner_too_long", 0, NULL, 0 },
		  { "A", "ssh_bad_banner", 0, NULL, 0 },
		  { "0", "ssh.server.banner_truncated", 'b', NULL, 1 },
		  { "0", "ssh.client.cleartext_end", 's', "error", 0 } }, 5 });
	add_case(&(struct tcase){ "gaps", false,
		{ { 'C', "SSH-2.0-a\r\n", 0 }, { 'S', "SSH-2.0-b\r\n", 0 },
		  { 'C', B(nk_pkt, 8) }, { 'c', NULL, 8 },
		  { 'S', B(o53_pkt, 20) }, { 's', NULL, 5 }, { 'S', B(o53_pkt, o53_len) } }, 7,
		{ { "#", NULL, 0, NULL, 1 },
		  { "0", "ssh.client.cleartext_end", 's', "newkeys", 0 },
		  { "0", "ssh.server.cleartext_end", 's', "gap", 0 },
		  { "0", "ssh.gaps", 'u', NULL, 2 },
		  { "!A", "ssh_bad_packet", 0, NULL, 0 } }, 5 });
	add_case(&(struct tcase){ "name-lists beyond the pool", false,
		{ { 'C', "SSH-2.0-a\r\n", 0 }, { 'C', B(big_pkt, big_len) },
		  { 'S', "SSH-2.0-b\r\n", 0 }, { 'S', B(huge_pkt, huge_len) } }, 4,
		{ { "0", "ssh.client.hassh.hash", 's', big_hassh, 0 },
		  { "0", "ssh.client.hassh.string", 'x', NULL, 0 },
		  { "0", "ssh.client.kexinit.truncated.0", 's', "server_host_key_algorithms", 0 },
		  { "A", "ssh_bad_packet", 0, NULL, 0 },
		  { "0", "ssh.server.cleartext_end", 's', "error", 0 } }, 5 });
	add_case(&(struct tcase){ "picked up mid-stream", true,
		{ { 'S', "SSH-2.0-srv\r\n", 0 }, { 'C', "\x9c\x11 mid-packet bytes\r\n", 0 } }, 2,
		{ { "#", NULL, 0, NULL, 1 },
		  { "0", "ssh.client.cleartext_end", 's', "error", 0 },
		  { "!A", "ssh_bad_banner", 0, NULL, 0 } }, 3 });
}

START_TEST(transcripts)
{
	const struct tcase *c = &cases[_i];
	struct hr_opts o = { .dport = 22, .midstream = c->midstream };
	hr_run(&H, c->steps, c->nsteps, &o);
	hr_check(&H, "ssh", c->name, c->checks, c->nchecks);
	char *whole = strdup(hr_text(&H));
	hh_teardown(&H);
	static const size_t chunks[] = { 1, 5, 333 };
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		o.chunk = chunks[i];
		hr_run(&H, c->steps, c->nsteps, &o);
		ck_assert_msg(strcmp(hr_text(&H), whole) == 0, "%s: chunk %zu differs:\n%s\nvs\n%s",
		              c->name, chunks[i], hr_text(&H), whole);
		hh_teardown(&H);
	}
	free(whole);
}
END_TEST

START_TEST(transcripts_truncated)
{
	const struct tcase *c = &cases[_i];
	size_t total = hr_total(c->steps, c->nsteps);
	/* Long transcripts: every length near the ends, a stride between. */
	size_t stride = total > 4000 ? 97 : 1;
	for (size_t k = 1; k < total; k += (k < 200 || total - k < 200) ? 1 : stride) {
		struct hr_opts o = { .dport = 22, .midstream = c->midstream, .limit = k };
		hr_run(&H, c->steps, c->nsteps, &o);
		size_t lines = hh_count(&H);
		for (size_t i = 0; i < lines; i++)
			(void)hh_line(&H, i);
		ck_assert_uint_le(hr_events(&H, "ssh"), 1);
		hh_teardown(&H);
	}
}
END_TEST

START_TEST(case_count)
{
	ck_assert_uint_eq(ncases, 8);
}
END_TEST

START_TEST(ports)
{
	hh_setup(&H, NULL, 0);
	const struct pd_handler *h = hd_registry_find(&H.reg, "ssh");
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_eq(hd_registry_port(&H.reg, PD_TCP, 22), h);
	int idx = hd_registry_index(&H.reg, h);
	hh_teardown(&H);
	/* SSH on HTTP's 8000 (as in nDPI's ssh.pcap): claimed by content. */
	const struct hr_step steps[] = { { 'C', "SSH-2.0-OpenSSH_8.2p1\r\n", 0 },
		                             { 'S', "SSH-2.0-APACHE-SSHD-2.5.0\r\n", 0 } };
	struct hr_opts o = { .dport = 8000 };
	hr_run(&H, steps, 2, &o);
	ck_assert_uint_eq(H.ctx.stats[idx].flows_by_content, 1);
	ck_assert_uint_eq(hr_anomalies(&H, "app_proto_mismatch"), 1);
	static const struct hr_chk chk[] = {
		{ "0", "app_proto", 's', "ssh", 0 },
		{ "0", "ssh.server.software_version", 's', "APACHE-SSHD-2.5.0", 0 },
	};
	hr_check(&H, "ssh", "port 8000", chk, 2);
	hh_teardown(&H);
}
END_TEST

static Suite *ssh_suite(void)
{
	Suite *s = suite_create("ssh");
	TCase *tc = tcase_create("units");
	tcase_add_test(tc, hassh_vectors);
	tcase_add_test(tc, kexinit_truncation);
	tcase_add_test(tc, banner_parse);
	tcase_add_test(tc, probe_cases);
	tcase_add_test(tc, ports);
	tcase_add_test(tc, case_count);
	suite_add_tcase(s, tc);
	tc = tcase_create("d16");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, d16_openssh);
	tcase_add_test(tc, d16_truncation);
	suite_add_tcase(s, tc);
	tc = tcase_create("transcripts");
	tcase_set_timeout(tc, 120);
	int n = ncases < sizeof(cases) / sizeof(cases[0]) ? (int)ncases : 0;
	tcase_add_loop_test(tc, transcripts, 0, n);
	tcase_add_loop_test(tc, transcripts_truncated, 0, n);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	build_packets();
	build_cases();
	SRunner *sr = srunner_create(ssh_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
