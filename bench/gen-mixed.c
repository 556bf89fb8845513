/* SPDX-License-Identifier: BSD-2-Clause */
/* gen-mixed.c — writes a large synthetic pcap (libpcap file format, LINKTYPE_ETHERNET) for
 * the throughput benchmark: many interleaved flows over IPv4 and IPv6 (RFC 791, RFC 8200)
 * — TCP (RFC 9293) with handshakes, ACKs and FIN closes carrying bulk transfers, short
 * HTTP/1.1 exchanges and SMTP sessions (RFC 5321), and UDP DNS queries and answers
 * (RFC 1035). Deterministic for a given seed; checksums are correct.
 *
 * Usage: gen-mixed [-o FILE] [-m MIB] [-c CONCURRENT] [-s SEED] [-d]
 *   -o output (default mixed.pcap, "-" for stdout), -m size in MiB (default 1024),
 *   -c flows open at once (default 2000), -s seed (default 1),
 *   -d flow churn: DNS only, one flow per query (a new client address for each,
 *      as resolvers produce), two packets per flow: millions of short flows.
 * The file is written directly, record by record: no libpcap needed. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MSS 1448
#define MAX_MSGS 24
#define ARENA 2048
#define CYCLE 65536          /* bytes of filler text/binary reused for bodies */
#define FRAME_MAX 1600

enum kind { K_DNS, K_HTTP, K_SMTP, K_BULK };

/* One application message: head (arena text) + body_len filler bytes + tail (text). */
struct msg {
	uint8_t dir;        /* 0 client->server, 1 server->client */
	bool binary;        /* filler from the binary buffer rather than text */
	uint16_t head_off, head_len;
	uint32_t body_len;
	const char *tail;
	uint16_t tail_len;
};

struct flow {
	enum kind kind;
	bool v6;
	uint8_t cli[16], srv[16];
	uint16_t cport, sport;
	uint32_t seq[2];    /* next sequence number per direction */
	uint32_t ack_due;   /* data segments not yet acknowledged by the receiver */
	int step;           /* 0..2 handshake, 3 data, 4.. close */
	unsigned nmsg, cur;
	uint32_t off;       /* offset within msgs[cur] */
	struct msg msgs[MAX_MSGS];
	uint16_t arena_len;
	char arena[ARENA];
};

struct gen {
	FILE *out;
	bool churn;         /* -d: every flow a DNS transaction from a new client */
	uint64_t rng;
	uint64_t ts_ns;
	uint64_t bytes, packets, flows, target;
	uint64_t per_kind[4];
	uint8_t text[CYCLE], bin[CYCLE];
	uint8_t frame[FRAME_MAX];
};

static uint64_t rnd(struct gen *g)
{
	/* xorshift64*: fast, deterministic, good enough for traffic shapes */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545F4914F6CDD1DULL;
}

static uint32_t rnd_range(struct gen *g, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd(g) % (uint64_t)(hi - lo + 1));
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	}
	if (n & 1) {
		acc += (uint32_t)p[n - 1] << 8;
	}
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16) {
		acc = (acc & 0xffff) + (acc >> 16);
	}
	return (uint16_t)~acc;
}

/* Appends printf text to the flow's arena and returns a message for it. */
static struct msg *add_msg(struct flow *f, uint8_t dir, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct msg *add_msg(struct flow *f, uint8_t dir, const char *fmt, ...)
{
	struct msg *m = &f->msgs[f->nmsg++];
	va_list ap;
	int n;

	memset(m, 0, sizeof *m);
	m->dir = dir;
	m->head_off = f->arena_len;
	va_start(ap, fmt);
	n = vsnprintf(f->arena + f->arena_len, (size_t)(ARENA - f->arena_len), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= ARENA - f->arena_len) {
		n = 0; /* the scripts below stay far under ARENA */
	}
	m->head_len = (uint16_t)n;
	f->arena_len = (uint16_t)(f->arena_len + n);
	return m;
}

static void addresses(struct gen *g, struct flow *f, uint64_t id)
{
	memset(f->cli, 0, sizeof f->cli);
	memset(f->srv, 0, sizeof f->srv);
	f->v6 = rnd(g) % 5 == 0;
	uint32_t srv = rnd_range(g, 1, 60);
	if (g->churn) {
		/* A client per transaction: 4 M addresses before one repeats. */
		uint32_t host = (uint32_t)(id % 4194303) + 1;
		if (f->v6) {
			static const uint8_t pfx_c[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c };
			static const uint8_t pfx_s[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x05 };
			memcpy(f->cli, pfx_c, 6);
			memcpy(f->srv, pfx_s, 6);
			put32(f->cli + 12, host);
			f->srv[15] = (uint8_t)srv;
		} else {
			put32(f->cli, 0x0a400000u | host);
			put32(f->srv, 0xc6336400u | srv);
		}
		f->cport = (uint16_t)rnd_range(g, 32768, 60999);
		return;
	}
	if (f->v6) {
		/* 2001:db8::/32 (RFC 3849): clients 2001:db8:c::/48, servers 2001:db8:5::/48 */
		static const uint8_t pfx_c[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c };
		static const uint8_t pfx_s[6] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x05 };
		memcpy(f->cli, pfx_c, 6);
		memcpy(f->srv, pfx_s, 6);
		put32(f->cli + 12, (uint32_t)(id % 50000) + 1);
		f->srv[15] = (uint8_t)srv;
	} else {
		/* clients 10.64.0.0/10, servers 198.51.100.0/24 (RFC 5737) */
		put32(f->cli, 0x0a400000u | (uint32_t)(id % 200000 + 1));
		put32(f->srv, 0xc6336400u | srv);
	}
	f->cport = (uint16_t)rnd_range(g, 32768, 60999);
}

static void script_dns(struct gen *g, struct flow *f, uint64_t id)
{
	static const char *const zones[] = { "example.test", "corp.test", "cdn.test", "mail.test" };
	const char *zone = zones[rnd(g) % 4];
	uint16_t qid = (uint16_t)rnd(g);
	bool aaaa = rnd(g) % 3 == 0;
	uint8_t wire[300];
	size_t n = 0, qstart;

	f->sport = 53;
	/* header: id, RD, one question */
	put16(wire, qid);
	put16(wire + 2, 0x0100);
	put16(wire + 4, 1);
	memset(wire + 6, 0, 6);
	n = 12;
	qstart = n;
	char host[32];
	int hl = snprintf(host, sizeof host, "host%" PRIu64, id % 100000);
	wire[n++] = (uint8_t)hl;
	memcpy(wire + n, host, (size_t)hl);
	n += (size_t)hl;
	for (const char *p = zone; *p;) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		wire[n++] = (uint8_t)l;
		memcpy(wire + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	wire[n++] = 0;
	put16(wire + n, aaaa ? 28 : 1);
	put16(wire + n + 2, 1);
	n += 4;
	size_t qlen = n;

	/* The query, then the answer: same question, one record by compression pointer. */
	struct msg *q = &f->msgs[f->nmsg++];
	memset(q, 0, sizeof *q);
	q->dir = 0;
	q->head_off = f->arena_len;
	q->head_len = (uint16_t)qlen;
	memcpy(f->arena + f->arena_len, wire, qlen);
	f->arena_len = (uint16_t)(f->arena_len + qlen);

	put16(wire + 2, 0x8580);   /* QR AA RD RA, NOERROR */
	put16(wire + 6, 1);        /* one answer */
	put16(wire + n, (uint16_t)(0xc000 | qstart));
	put16(wire + n + 2, aaaa ? 28 : 1);
	put16(wire + n + 4, 1);
	put32(wire + n + 6, 300);
	n += 10;
	if (aaaa) {
		static const uint8_t a6[14] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0 };
		put16(wire + n, 16);
		memcpy(wire + n + 2, a6, 14);
		put16(wire + n + 16, (uint16_t)id);
		n += 18;
	} else {
		put16(wire + n, 4);
		put32(wire + n + 2, 0xcb007100u | (uint32_t)(id & 0xff)); /* 203.0.113.x */
		n += 6;
	}
	struct msg *a = &f->msgs[f->nmsg++];
	memset(a, 0, sizeof *a);
	a->dir = 1;
	a->head_off = f->arena_len;
	a->head_len = (uint16_t)n;
	memcpy(f->arena + f->arena_len, wire, n);
	f->arena_len = (uint16_t)(f->arena_len + n);
}

static void script_http(struct gen *g, struct flow *f, uint64_t id)
{
	uint32_t body = rnd_range(g, 200, 40000);
	f->sport = 80;
	add_msg(f, 0, "GET /static/item%" PRIu64 ".html HTTP/1.1\r\nHost: www.example.test\r\n"
	              "User-Agent: bench/1.0\r\nAccept: */*\r\n\r\n", id % 5000);
	struct msg *m = add_msg(f, 1, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
	                              "Content-Length: %" PRIu32 "\r\n\r\n", body);
	m->body_len = body;
}

static void script_smtp(struct gen *g, struct flow *f, uint64_t id)
{
	unsigned rcpts = rnd_range(g, 1, 3);
	uint32_t body = rnd_range(g, 500, 60000);
	f->sport = rnd(g) % 2 ? 25 : 587;
	add_msg(f, 1, "220 mx%u.example.test ESMTP\r\n", (unsigned)(id % 7));
	add_msg(f, 0, "EHLO client%" PRIu64 ".corp.test\r\n", id % 9000);
	add_msg(f, 1, "250-mx.example.test\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n"
	              "250-8BITMIME\r\n250 SMTPUTF8\r\n");
	add_msg(f, 0, "MAIL FROM:<user%" PRIu64 "@corp.test> SIZE=%" PRIu32 "\r\n", id % 3000,
	        body);
	add_msg(f, 1, "250 2.1.0 Ok\r\n");
	for (unsigned i = 0; i < rcpts; i++) {
		add_msg(f, 0, "RCPT TO:<rcpt%u.%" PRIu64 "@example.test>\r\n", i, id % 4000);
		add_msg(f, 1, i == 2 ? "550 5.1.1 User unknown\r\n" : "250 2.1.5 Ok\r\n");
	}
	add_msg(f, 0, "DATA\r\n");
	add_msg(f, 1, "354 End data with <CR><LF>.<CR><LF>\r\n");
	struct msg *m = add_msg(f, 0, "From: user@corp.test\r\nTo: rcpt@example.test\r\n"
	                              "Subject: report %" PRIu64 "\r\n\r\n", id);
	m->body_len = body;
	m->tail = "\r\n.\r\n";
	m->tail_len = 5;
	add_msg(f, 1, "250 2.0.0 Ok: queued as %08" PRIX64 "\r\n", id);
	add_msg(f, 0, "QUIT\r\n");
	add_msg(f, 1, "221 2.0.0 Bye\r\n");
}

static void script_bulk(struct gen *g, struct flow *f, uint64_t id)
{
	uint32_t size = rnd_range(g, 20000, 1000000);
	f->sport = 5001;
	struct msg *m = add_msg(f, 0, "SEND %" PRIu32 " %" PRIu64 "\n", size, id);
	m = add_msg(f, 1, "%s", "");
	m->binary = true;
	m->body_len = size;
}

static void new_flow(struct gen *g, struct flow *f)
{
	uint64_t id = g->flows++;
	uint32_t r = (uint32_t)(rnd(g) % 100);

	f->nmsg = f->cur = 0;
	f->off = 0;
	f->arena_len = 0;
	f->step = 0;
	f->ack_due = 0;
	f->seq[0] = (uint32_t)rnd(g);
	f->seq[1] = (uint32_t)rnd(g);
	addresses(g, f, id);
	f->kind = g->churn ? K_DNS : r < 70 ? K_DNS : r < 85 ? K_HTTP : r < 95 ? K_SMTP : K_BULK;
	g->per_kind[f->kind]++;
	switch (f->kind) {
	case K_DNS:
		script_dns(g, f, id);
		f->step = 3; /* UDP: no handshake */
		break;
	case K_HTTP:
		script_http(g, f, id);
		break;
	case K_SMTP:
		script_smtp(g, f, id);
		break;
	case K_BULK:
		script_bulk(g, f, id);
		break;
	}
}

static uint32_t msg_len(const struct msg *m)
{
	return m->head_len + m->body_len + m->tail_len;
}

/* Copies bytes [off, off+n) of message m into dst. */
static void msg_copy(const struct gen *g, const struct flow *f, const struct msg *m,
                     uint32_t off, uint8_t *dst, uint32_t n)
{
	const uint8_t *filler = m->binary ? g->bin : g->text;
	while (n > 0) {
		uint32_t take;
		if (off < m->head_len) {
			take = m->head_len - off;
			take = take < n ? take : n;
			memcpy(dst, f->arena + m->head_off + off, take);
		} else if (off < (uint32_t)m->head_len + m->body_len) {
			uint32_t b = (off - m->head_len) % CYCLE;
			take = (uint32_t)m->head_len + m->body_len - off;
			take = take < n ? take : n;
			take = take < CYCLE - b ? take : CYCLE - b;
			memcpy(dst, filler + b, take);
		} else {
			uint32_t t = off - m->head_len - m->body_len;
			take = m->tail_len - t;
			take = take < n ? take : n;
			memcpy(dst, m->tail + t, take);
		}
		dst += take;
		off += take;
		n -= take;
	}
}

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_PSH 0x08
#define TH_ACK 0x10

/* Builds and writes one frame of flow f in direction dir. */
static int emit(struct gen *g, struct flow *f, int dir, uint8_t flags, const struct msg *m,
                uint32_t off, uint32_t plen)
{
	static const uint8_t mac_c[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	static const uint8_t mac_s[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02 };
	bool tcp = f->kind != K_DNS;
	uint8_t *p = g->frame;
	size_t l3 = f->v6 ? 40 : 20, l4 = tcp ? (flags & TH_SYN ? 24 : 20) : 8;
	size_t total = 14 + l3 + l4 + plen;
	const uint8_t *src = dir ? f->srv : f->cli, *dst = dir ? f->cli : f->srv;
	uint16_t sport = dir ? f->sport : f->cport, dport = dir ? f->cport : f->sport;

	memcpy(p, dir ? mac_c : mac_s, 6);
	memcpy(p + 6, dir ? mac_s : mac_c, 6);
	put16(p + 12, f->v6 ? 0x86dd : 0x0800);
	uint8_t *ip = p + 14, *th = ip + l3, *payload = th + l4;
	uint32_t pseudo;
	if (f->v6) {
		put32(ip, 0x60000000u);
		put16(ip + 4, (uint16_t)(l4 + plen));
		ip[6] = tcp ? 6 : 17;
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		pseudo = sum16(ip + 8, 32, 0) + (uint32_t)(l4 + plen) + ip[6];
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint16_t)(l3 + l4 + plen));
		put16(ip + 4, (uint16_t)g->packets);
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = tcp ? 6 : 17;
		put16(ip + 10, 0);
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		put16(ip + 10, fold(sum16(ip, 20, 0)));
		pseudo = sum16(ip + 12, 8, 0) + (uint32_t)(l4 + plen) + ip[9];
	}
	put16(th, sport);
	put16(th + 2, dport);
	if (plen > 0) {
		msg_copy(g, f, m, off, payload, plen);
	}
	if (tcp) {
		put32(th + 4, f->seq[dir]);
		put32(th + 8, (flags & TH_ACK) ? f->seq[!dir] : 0);
		th[12] = (uint8_t)((l4 / 4) << 4);
		th[13] = flags;
		put16(th + 14, 64240);
		put16(th + 16, 0);
		put16(th + 18, 0);
		if (flags & TH_SYN) {
			th[20] = 2; /* MSS option */
			th[21] = 4;
			put16(th + 22, MSS);
		}
		put16(th + 16, fold(sum16(th, l4 + plen, pseudo)));
		f->seq[dir] += plen + ((flags & (TH_SYN | TH_FIN)) ? 1 : 0);
	} else {
		put16(th + 4, (uint16_t)(l4 + plen));
		put16(th + 6, 0);
		uint16_t c = fold(sum16(th, l4 + plen, pseudo));
		put16(th + 6, c ? c : 0xffff);
	}

	uint8_t rec[16];
	g->ts_ns += 200 + rnd(g) % 9800; /* ~200k packets/s of capture time */
	le32(rec, (uint32_t)(g->ts_ns / 1000000000u));
	le32(rec + 4, (uint32_t)(g->ts_ns % 1000000000u / 1000u));
	le32(rec + 8, (uint32_t)total);
	le32(rec + 12, (uint32_t)total);
	if (fwrite(rec, 1, 16, g->out) != 16 || fwrite(p, 1, total, g->out) != total) {
		return -1;
	}
	g->bytes += 16 + total;
	g->packets++;
	return 0;
}

/* Emits the flow's next packet; returns 1 when the flow has finished, -1 on error. */
static int step(struct gen *g, struct flow *f)
{
	switch (f->step) {
	case 0:
		f->step = 1;
		return emit(g, f, 0, TH_SYN, NULL, 0, 0);
	case 1:
		f->step = 2;
		return emit(g, f, 1, TH_SYN | TH_ACK, NULL, 0, 0);
	case 2:
		f->step = 3;
		return emit(g, f, 0, TH_ACK, NULL, 0, 0);
	case 3: {
		if (f->cur >= f->nmsg) {
			if (f->kind == K_DNS) {
				return 1;
			}
			f->step = 4;
			return step(g, f);
		}
		struct msg *m = &f->msgs[f->cur];
		uint32_t len = msg_len(m), left = len - f->off;
		/* The receiver acknowledges every second full segment (RFC 9293 3.8.6.3). */
		if (f->kind != K_DNS && f->ack_due >= 2) {
			f->ack_due = 0;
			return emit(g, f, !m->dir, TH_ACK, NULL, 0, 0);
		}
		uint32_t n = f->kind == K_DNS ? left : (left < MSS ? left : MSS);
		uint8_t flags = TH_ACK | (n == left ? TH_PSH : 0);
		int rc = emit(g, f, m->dir, flags, m, f->off, n);
		f->off += n;
		f->ack_due++;
		if (f->off >= len) {
			f->cur++;
			f->off = 0;
			f->ack_due = f->kind == K_DNS ? 0 : 2; /* the reply or a pure ACK follows */
			if (f->cur < f->nmsg && f->msgs[f->cur].dir != m->dir) {
				f->ack_due = 0; /* the reply carries the acknowledgement */
			}
		}
		return rc;
	}
	case 4:
		f->step = 5;
		return emit(g, f, 0, TH_FIN | TH_ACK, NULL, 0, 0);
	case 5:
		f->step = 6;
		return emit(g, f, 1, TH_FIN | TH_ACK, NULL, 0, 0);
	default: {
		int rc = emit(g, f, 0, TH_ACK, NULL, 0, 0);
		return rc < 0 ? rc : 1;
	}
	}
}

static void fill_buffers(struct gen *g)
{
	static const char *const words[] = { "the", "quarterly", "report", "is", "attached",
		"please", "review", "numbers", "before", "Friday", "meeting", "budget", "and",
		"network", "capacity", "for", "next", "year", "regards", "team" };
	size_t n = 0, col = 0;
	while (n < CYCLE) {
		const char *w = words[rnd(g) % 20];
		size_t wl = strlen(w);
		if (col + wl + 1 > 72) {
			/* CRLF line ends; a line never starts with '.', so no dot-stuffing is due */
			if (n + 2 > CYCLE) {
				break;
			}
			g->text[n++] = '\r';
			g->text[n++] = '\n';
			col = 0;
			continue;
		}
		for (size_t i = 0; i <= wl && n < CYCLE; i++) {
			g->text[n++] = (uint8_t)(i < wl ? w[i] : ' ');
		}
		col += wl + 1;
	}
	while (n < CYCLE) {
		g->text[n++] = ' ';
	}
	for (size_t i = 0; i < CYCLE; i += 8) {
		uint64_t r = rnd(g);
		memcpy(g->bin + i, &r, 8);
	}
}

int main(int argc, char **argv)
{
	const char *path = "mixed.pcap";
	unsigned long mib = 1024, conc = 2000, seed = 1;
	bool churn = false;
	int opt;

	while ((opt = getopt(argc, argv, "o:m:c:s:dh")) != -1) {
		switch (opt) {
		case 'o': path = optarg; break;
		case 'm': mib = strtoul(optarg, NULL, 10); break;
		case 'c': conc = strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoul(optarg, NULL, 10); break;
		case 'd': churn = true; break;
		default:
			fprintf(stderr, "usage: gen-mixed [-o FILE] [-m MIB] [-c CONCURRENT] [-s SEED] [-d]\n");
			return 2;
		}
	}
	if (mib == 0 || conc == 0 || conc > 1000000) {
		fprintf(stderr, "gen-mixed: -m and -c must be positive (-c at most 1000000)\n");
		return 2;
	}

	struct gen *g = calloc(1, sizeof *g);
	struct flow *flows = calloc(conc, sizeof *flows);
	if (g == NULL || flows == NULL) {
		fprintf(stderr, "gen-mixed: out of memory\n");
		return 1;
	}
	g->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	g->churn = churn;
	g->ts_ns = 1767225600ULL * 1000000000ULL; /* 2026-01-01T00:00:00Z */
	g->target = (uint64_t)mib << 20;
	g->out = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	if (g->out == NULL) {
		fprintf(stderr, "gen-mixed: %s: %s\n", path, strerror(errno));
		return 1;
	}
	setvbuf(g->out, NULL, _IOFBF, 1 << 20);
	fill_buffers(g);

	uint8_t hdr[24];
	le32(hdr, 0xa1b2c3d4u);
	hdr[4] = 2; hdr[5] = 0; hdr[6] = 4; hdr[7] = 0; /* version 2.4, little-endian */
	memset(hdr + 8, 0, 8);
	le32(hdr + 16, 262144);
	le32(hdr + 20, 1); /* LINKTYPE_ETHERNET */
	if (fwrite(hdr, 1, sizeof hdr, g->out) != sizeof hdr) {
		fprintf(stderr, "gen-mixed: %s: write failed\n", path);
		return 1;
	}
	g->bytes = sizeof hdr;

	for (unsigned long i = 0; i < conc; i++) {
		new_flow(g, &flows[i]);
	}
	while (g->bytes < g->target) {
		struct flow *f = &flows[rnd(g) % conc];
		int rc = step(g, f);
		if (rc < 0) {
			fprintf(stderr, "gen-mixed: %s: %s\n", path, strerror(errno));
			return 1;
		}
		if (rc == 1) {
			new_flow(g, f);
		}
	}
	if (fflush(g->out) != 0 || (g->out != stdout && fclose(g->out) != 0)) {
		fprintf(stderr, "gen-mixed: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(stderr,
	        "gen-mixed: %s: %" PRIu64 " bytes, %" PRIu64 " packets, %" PRIu64
	        " flows started (dns %" PRIu64 ", http %" PRIu64 ", smtp %" PRIu64 ", bulk %" PRIu64
	        ")\n",
	        path, g->bytes, g->packets, g->flows, g->per_kind[K_DNS], g->per_kind[K_HTTP],
	        g->per_kind[K_SMTP], g->per_kind[K_BULK]);
	free(flows);
	free(g);
	return 0;
}
