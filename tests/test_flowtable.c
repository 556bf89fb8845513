/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite: flow table — symmetric keys, server choice, per-class idle
 * timeouts, LRU eviction under max_flows and memcap, port reuse, and every
 * flow ending exactly once. Packets are struct pd_packet values as the
 * decoder would produce them. */

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flows/flowtable.h"

#define SEC 1000000ull
#define T0 (1700000000ull * SEC)
#define MAX_IDS 4096

/* What the tests see of the table's callbacks. */
struct harness {
	unsigned ends;
	unsigned by_reason[FLOW_END_COUNT];
	unsigned ended_id[MAX_IDS];       /* on_end calls per flow id */
	unsigned next_id;
	uint32_t last_ids[16];            /* ids of the latest ends, in order */
	enum flow_end last_why[16];
	unsigned nlast;
	const uint16_t *handler_ports;    /* zero-terminated */
};

struct user {
	uint32_t id;
	uint8_t pad[44];
};

static void on_end(void *arg, struct flow *f, enum flow_end why)
{
	struct harness *h = arg;
	struct user *u = flow_user(f);
	ck_assert_uint_lt(u->id, MAX_IDS);
	ck_assert_msg(h->ended_id[u->id] == 0, "flow %u ended twice", u->id);
	ck_assert(f->in_use);
	h->ended_id[u->id]++;
	h->ends++;
	h->by_reason[why]++;
	if (h->nlast < 16) {
		h->last_ids[h->nlast] = u->id;
		h->last_why[h->nlast++] = why;
	}
}

static bool is_handler_port(void *arg, unsigned transport, uint16_t port)
{
	struct harness *h = arg;
	ck_assert(transport == 6 || transport == 17);
	for (const uint16_t *p = h->handler_ports; p && *p; p++)
		if (*p == port)
			return true;
	return false;
}

static struct flowtable *mk(struct harness *h, struct flow_config *c)
{
	memset(h, 0, sizeof(*h));
	h->next_id = 1;
	c->on_end = on_end;
	c->is_handler_port = is_handler_port;
	c->arg = h;
	if (c->user_size == 0)
		c->user_size = sizeof(struct user);
	char err[128];
	struct flowtable *ft = flow_new(c, err, sizeof(err));
	ck_assert_msg(ft != NULL, "%s", err);
	return ft;
}

/* An IPv4 TCP/UDP/other packet 10.0.0.a:sp -> 10.0.0.b:dp. */
static struct pd_packet pk(uint8_t proto, uint8_t a, uint16_t sp, uint8_t b, uint16_t dp,
                           uint8_t flags)
{
	struct pd_packet p;
	memset(&p, 0, sizeof(p));
	p.status = PD_OK;
	p.ip_version = 4;
	p.ip_proto = proto;
	p.src.b[0] = 10;
	p.src.b[3] = a;
	p.dst.b[0] = 10;
	p.dst.b[3] = b;
	p.has_l4 = true;
	p.sport = sp;
	p.dport = dp;
	p.tcp_flags = proto == 6 ? flags : 0;
	return p;
}

/* Looks up p and tags a new flow with the next id. */
static struct flow *look(struct flowtable *ft, struct harness *h, const struct pd_packet *p,
                         uint64_t now, int *dir, bool *created)
{
	int d;
	bool c;
	struct flow *f = flow_lookup(ft, p, 100, now, &d, &c);
	if (f && c) {
		struct user *u = flow_user(f);
		ck_assert_uint_eq(u->id, 0); /* user area zeroed */
		u->id = h->next_id++;
	}
	if (dir)
		*dir = d;
	if (created)
		*created = c;
	return f;
}

static uint32_t id_of(struct flow *f)
{
	return ((struct user *)flow_user(f))->id;
}

/* Ends everything and checks that every flow ended exactly once. */
static void finish(struct flowtable *ft, struct harness *h)
{
	flow_end_all(ft, FLOW_END_SHUTDOWN);
	const struct flow_stats *st = flow_get_stats(ft);
	ck_assert_uint_eq(st->active, 0);
	ck_assert_uint_eq(st->created, h->next_id - 1);
	ck_assert_uint_eq(st->ended, st->created);
	ck_assert_uint_eq(h->ends, st->created);
	for (unsigned r = 0; r < FLOW_END_COUNT; r++)
		ck_assert_uint_eq(st->ended_by_reason[r], h->by_reason[r]);
	for (unsigned i = 1; i < h->next_id; i++)
		ck_assert_msg(h->ended_id[i] == 1, "flow %u ended %u times", i, h->ended_id[i]);
	flow_free(ft);
}

#define SYN PD_TCP_SYN
#define ACK PD_TCP_ACK
#define FIN PD_TCP_FIN
#define RST PD_TCP_RST
#define PSH PD_TCP_PSH

/* ---- keys --------------------------------------------------------------- */

START_TEST(test_symmetric_key)
{
	struct harness h;
	struct flow_config c = { 0 };
	struct flowtable *ft = mk(&h, &c);
	struct pd_packet a = pk(6, 1, 40000, 2, 587, SYN);
	struct pd_packet b = pk(6, 2, 587, 1, 40000, SYN | ACK);
	struct pd_packet a2 = pk(6, 1, 40000, 2, 587, ACK | PSH);
	int dir;
	bool created;
	struct flow *f1 = look(ft, &h, &a, T0, &dir, &created);
	ck_assert_ptr_nonnull(f1);
	ck_assert(created);
	ck_assert_int_eq(dir, FLOW_TO_SERVER);
	struct flow *f2 = look(ft, &h, &b, T0 + 1, &dir, &created);
	ck_assert_ptr_eq(f1, f2);
	ck_assert(!created);
	ck_assert_int_eq(dir, FLOW_TO_CLIENT);
	ck_assert_ptr_eq(look(ft, &h, &a2, T0 + 2, &dir, NULL), f1);
	ck_assert_int_eq(dir, FLOW_TO_SERVER);
	ck_assert_uint_eq(f1->pkts[0], 2);
	ck_assert_uint_eq(f1->pkts[1], 1);
	ck_assert_uint_eq(f1->bytes[0], 200);
	ck_assert_uint_eq(f1->bytes[1], 100);
	ck_assert_uint_eq(f1->tcp_flags[0], SYN | ACK | PSH);
	ck_assert_uint_eq(f1->tcp_flags[1], SYN | ACK);
	ck_assert_uint_eq(f1->first_us, T0);
	ck_assert_uint_eq(f1->last_us, T0 + 2);
	ck_assert_uint_eq(f1->state, FLOW_STATE_ESTABLISHED);
	ck_assert(f1->syn_seen);
	ck_assert_uint_eq(f1->port[0], 40000);
	ck_assert_uint_eq(f1->port[1], 587);
	ck_assert_uint_eq(f1->addr[1].b[3], 2);
	ck_assert_uint_eq((uintptr_t)flow_user(f1) % 16, 0);
	ck_assert_ptr_eq(flow_from_user(flow_user(f1)), f1);
	ck_assert_uint_eq(flow_get_stats(ft)->created, 1);
	finish(ft, &h);
}
END_TEST

/* Variants of one tuple that must all be distinct flows. */
START_TEST(test_distinct_keys)
{
	struct harness h;
	struct flow_config c = { 0 };
	struct flowtable *ft = mk(&h, &c);
	struct pd_packet v[8];
	v[0] = pk(6, 1, 1000, 2, 80, ACK);
	v[1] = v[0];
	v[1].vlan_count = 1;
	v[1].vlan[0] = 10;
	v[2] = v[1];
	v[2].vlan[0] = 20;
	v[3] = v[1];
	v[3].vlan_count = 2;
	v[3].vlan[1] = 30;
	v[4] = pk(17, 1, 1000, 2, 80, 0);
	v[5] = v[0];
	v[5].ip_version = 6; /* same leading bytes, other version */
	v[6] = pk(6, 1, 1001, 2, 80, ACK);
	v[7] = pk(6, 3, 1000, 2, 80, ACK);
	struct flow *f[8];
	for (int i = 0; i < 8; i++) {
		bool created;
		f[i] = look(ft, &h, &v[i], T0, NULL, &created);
		ck_assert_msg(created, "variant %d", i);
		for (int j = 0; j < i; j++)
			ck_assert_ptr_ne(f[i], f[j]);
	}
	/* and each finds itself again, both ways */
	for (int i = 0; i < 8; i++) {
		struct pd_packet r = v[i];
		r.src = v[i].dst;
		r.dst = v[i].src;
		r.sport = v[i].dport;
		r.dport = v[i].sport;
		int dir;
		ck_assert_ptr_eq(look(ft, &h, &r, T0 + 1, &dir, NULL), f[i]);
		ck_assert_ptr_eq(look(ft, &h, &v[i], T0 + 1, NULL, NULL), f[i]);
	}
	ck_assert_uint_eq(flow_get_stats(ft)->active, 8);
	struct pd_packet none = v[0];
	none.has_l4 = false;
	ck_assert_ptr_null(flow_lookup(ft, &none, 60, T0, NULL, NULL));
	ck_assert_uint_eq(flow_get_stats(ft)->no_l4, 1);
	finish(ft, &h);
}
END_TEST

/* ---- server choice ------------------------------------------------------- */

static const uint16_t handlers_8080[] = { 8080, 0 };
static const uint16_t handlers_both[] = { 2000, 3000, 0 };

static const struct server_case {
	const char *name;
	uint8_t proto;
	uint8_t a;
	uint16_t sp;
	uint8_t b;
	uint16_t dp;
	uint8_t flags;
	const uint16_t *handlers;
	int want_dir;          /* direction of the first packet */
	uint16_t server_port;
	bool syn_seen;
} servers[] = {
	{ "SYN to low port", 6, 1, 40000, 2, 587, SYN, NULL, 0, 587, true },
	{ "SYN to high port", 6, 2, 25, 1, 50000, SYN, NULL, 0, 50000, true },
	{ "SYN-ACK only", 6, 2, 587, 1, 40000, SYN | ACK, NULL, 1, 587, true },
	{ "SYN-ACK from high port", 6, 1, 50000, 2, 25, SYN | ACK, NULL, 1, 50000, true },
	{ "mid-stream, handler on source", 6, 1, 8080, 2, 45, ACK, handlers_8080, 1, 8080, false },
	{ "mid-stream, handler on destination", 6, 1, 45, 2, 8080, ACK, handlers_8080, 0, 8080, false },
	{ "mid-stream, both handlers: lower port", 6, 1, 3000, 2, 2000, ACK, handlers_both, 0, 2000,
	  false },
	{ "mid-stream, no handler: lower port", 6, 1, 80, 2, 50000, ACK, NULL, 1, 80, false },
	{ "udp to lower port", 17, 1, 53000, 2, 53, 0, NULL, 0, 53, false },
	{ "udp from lower port", 17, 2, 53, 1, 53000, 0, NULL, 1, 53, false },
	{ "udp handler beats lower port", 17, 1, 100, 2, 8080, 0, handlers_8080, 0, 8080, false },
	{ "equal ports: destination", 17, 2, 500, 1, 500, 0, NULL, 0, 500, false },
};

START_TEST(test_server_choice)
{
	const struct server_case *s = &servers[_i];
	struct harness h;
	struct flow_config c = { 0 };
	struct flowtable *ft = mk(&h, &c);
	h.handler_ports = s->handlers;
	struct pd_packet p = pk(s->proto, s->a, s->sp, s->b, s->dp, s->flags);
	int dir;
	struct flow *f = look(ft, &h, &p, T0, &dir, NULL);
	ck_assert_ptr_nonnull(f);
	ck_assert_msg(dir == s->want_dir, "%s: dir %d", s->name, dir);
	ck_assert_msg(f->port[1] == s->server_port, "%s: server port %u", s->name, f->port[1]);
	ck_assert_uint_eq(f->port[0], s->want_dir == 0 ? s->sp : s->dp);
	ck_assert_uint_eq(f->addr[1].b[3], s->want_dir == 0 ? s->b : s->a);
	ck_assert_uint_eq(f->addr[0].b[3], s->want_dir == 0 ? s->a : s->b);
	ck_assert_uint_eq(f->syn_seen, s->syn_seen);
	ck_assert_uint_eq(f->pkts[s->want_dir], 1);
	ck_assert_uint_eq(f->pkts[!s->want_dir], 0);
	finish(ft, &h);
}
END_TEST

/* ---- timeouts per class --------------------------------------------------- */

struct tpkt {
	bool reply;     /* from the server */
	uint8_t flags;
};

static const struct timeout_case {
	const char *name;
	uint8_t proto;
	struct tpkt p[6];
	unsigned np;
	enum flow_class cls;
	enum flow_state state;
	uint32_t secs;
	enum flow_end why;
} timeouts[] = {
	{ "syn only", 6, { { 0, SYN } }, 1, FLOW_CLASS_SYN, FLOW_STATE_NEW, 31, FLOW_END_TIMEOUT },
	{ "established", 6, { { 0, SYN }, { 1, SYN | ACK }, { 0, ACK } }, 3, FLOW_CLASS_EST,
	  FLOW_STATE_ESTABLISHED, 601, FLOW_END_TIMEOUT },
	{ "mid-stream established", 6, { { 0, ACK | PSH } }, 1, FLOW_CLASS_EST,
	  FLOW_STATE_ESTABLISHED, 601, FLOW_END_TIMEOUT },
	{ "fin one way", 6, { { 0, SYN }, { 1, SYN | ACK }, { 0, ACK }, { 0, FIN | ACK } }, 4,
	  FLOW_CLASS_CLOSING, FLOW_STATE_CLOSING, 11, FLOW_END_TIMEOUT },
	{ "fin both ways", 6,
	  { { 0, SYN }, { 1, SYN | ACK }, { 0, ACK }, { 0, FIN | ACK }, { 1, FIN | ACK }, { 0, ACK } },
	  6, FLOW_CLASS_LINGER, FLOW_STATE_CLOSED, 3, FLOW_END_FIN },
	{ "rst", 6, { { 0, SYN }, { 1, RST | ACK } }, 2, FLOW_CLASS_LINGER, FLOW_STATE_CLOSED, 3,
	  FLOW_END_RST },
	{ "rst after fin", 6, { { 0, ACK }, { 0, FIN | ACK }, { 1, RST } }, 3, FLOW_CLASS_LINGER,
	  FLOW_STATE_CLOSED, 3, FLOW_END_RST },
	{ "udp one way", 17, { { 0, 0 }, { 0, 0 } }, 2, FLOW_CLASS_UDP, FLOW_STATE_NEW, 61,
	  FLOW_END_TIMEOUT },
	{ "udp both ways", 17, { { 0, 0 }, { 1, 0 } }, 2, FLOW_CLASS_UDP, FLOW_STATE_ESTABLISHED, 61,
	  FLOW_END_TIMEOUT },
	{ "other protocol", 132, { { 0, 0 } }, 1, FLOW_CLASS_OTHER, FLOW_STATE_NEW, 62,
	  FLOW_END_TIMEOUT },
};

START_TEST(test_timeouts)
{
	const struct timeout_case *tc = &timeouts[_i];
	struct harness h;
	struct flow_config c = { .tcp_syn_s = 31, .tcp_established_s = 601, .tcp_closing_s = 11,
	                         .rst_linger_s = 3, .udp_s = 61, .other_s = 62 };
	struct flowtable *ft = mk(&h, &c);
	struct flow *f = NULL;
	uint64_t t = T0;
	for (unsigned i = 0; i < tc->np; i++) {
		struct pd_packet p = tc->p[i].reply ? pk(tc->proto, 2, 80, 1, 40000, tc->p[i].flags) :
		                                      pk(tc->proto, 1, 40000, 2, 80, tc->p[i].flags);
		t = T0 + i * SEC;
		struct flow *g = look(ft, &h, &p, t, NULL, NULL);
		ck_assert_ptr_nonnull(g);
		if (f)
			ck_assert_ptr_eq(f, g);
		f = g;
	}
	ck_assert_msg(f->cls == tc->cls, "%s: class %u", tc->name, f->cls);
	ck_assert_msg(f->state == tc->state, "%s: state %u", tc->name, f->state);
	ck_assert_uint_eq(flow_timeout_us(ft, f), tc->secs * SEC);
	/* an unrelated older flow in another class must not block expiry */
	flow_expire(ft, t + tc->secs * SEC);
	ck_assert_uint_eq(h.ends, 0);
	flow_expire(ft, t + tc->secs * SEC + 1);
	ck_assert_uint_eq(h.ends, 1);
	ck_assert_msg(h.last_why[0] == tc->why, "%s: reason %s", tc->name,
	              flow_end_name(h.last_why[0]));
	ck_assert_uint_eq(flow_get_stats(ft)->evictions, 0);
	finish(ft, &h);
}
END_TEST

/* A flow idle past its timeout is replaced at lookup even if expiry never ran. */
START_TEST(test_timeout_at_lookup)
{
	struct harness h;
	struct flow_config c = { .udp_s = 60 };
	struct flowtable *ft = mk(&h, &c);
	struct pd_packet p = pk(17, 1, 5000, 2, 53, 0);
	struct flow *f = look(ft, &h, &p, T0, NULL, NULL);
	uint32_t id = id_of(f);
	bool created;
	ck_assert_ptr_eq(look(ft, &h, &p, T0 + 60 * SEC, NULL, &created), f);
	ck_assert(!created);
	f = look(ft, &h, &p, T0 + 120 * SEC + 1, NULL, &created);
	ck_assert(created);
	ck_assert_uint_ne(id_of(f), id);
	ck_assert_uint_eq(h.ends, 1);
	ck_assert_uint_eq(h.last_why[0], FLOW_END_TIMEOUT);
	ck_assert_uint_eq(f->first_us, T0 + 120 * SEC + 1);
	/* time going backwards is clamped: no negative idle time, no early expiry */
	ck_assert_ptr_eq(look(ft, &h, &p, T0, NULL, &created), f);
	ck_assert_uint_eq(f->last_us, T0 + 120 * SEC + 1);
	finish(ft, &h);
}
END_TEST

/* flow_expire may leave a due flow for up to a slice behind a head that had
 * packets after its move (the lazy order); flow_expire_exact ends exactly the
 * due flows, so a stats snapshot does not depend on which flows share the
 * table (--workers). */
START_TEST(test_expire_exact)
{
	struct harness h;
	struct flow_config c = { .udp_s = 10 };
	struct flowtable *ft = mk(&h, &c);
	uint64_t s = ((T0 >> 20) + 1) << 20; /* a slice's start */
	struct pd_packet a = pk(17, 1, 5000, 2, 53, 0), b = pk(17, 3, 5001, 2, 53, 0);
	struct flow *fa = look(ft, &h, &a, s + 1000, NULL, NULL);
	uint32_t idb = id_of(look(ft, &h, &b, s + 2000, NULL, NULL));
	ck_assert_ptr_eq(look(ft, &h, &a, s + 500000, NULL, NULL), fa); /* same slice: not moved */
	flow_expire_exact(ft, s + 2000 + 10 * SEC);
	ck_assert_uint_eq(h.ends, 0); /* never early */
	flow_expire(ft, s + 2000 + 10 * SEC + 1);
	ck_assert_uint_eq(h.ends, 0); /* b is due, behind a, which is not */
	flow_expire_exact(ft, s + 2000 + 10 * SEC + 1);
	ck_assert_uint_eq(h.ends, 1);
	ck_assert_uint_eq(h.last_ids[0], idb);
	ck_assert_uint_eq(h.last_why[0], FLOW_END_TIMEOUT);
	flow_expire_exact(ft, s + 500000 + 10 * SEC);
	ck_assert_uint_eq(h.ends, 1);
	flow_expire_exact(ft, s + 500000 + 10 * SEC + 1);
	ck_assert_uint_eq(h.ends, 2);
	finish(ft, &h);
}
END_TEST

/* ---- eviction --------------------------------------------------------------- */

START_TEST(test_lru_eviction_order)
{
	struct harness h;
	struct flow_config c = { .max_flows = 3 };
	struct flowtable *ft = mk(&h, &c);
	struct pd_packet a = pk(17, 1, 1000, 2, 53, 0);       /* UDP class */
	struct pd_packet b = pk(6, 1, 1001, 2, 80, SYN);      /* SYN class */
	struct pd_packet cc = pk(6, 1, 1002, 2, 80, ACK);     /* EST class */
	struct pd_packet d = pk(6, 1, 1003, 2, 80, ACK);
	struct pd_packet e = pk(17, 1, 1004, 2, 53, 0);
	uint32_t ia = id_of(look(ft, &h, &a, T0 + 1, NULL, NULL));
	uint32_t ib = id_of(look(ft, &h, &b, T0 + 2, NULL, NULL));
	uint32_t ic = id_of(look(ft, &h, &cc, T0 + 3, NULL, NULL));
	look(ft, &h, &a, T0 + 4, NULL, NULL);                 /* a is fresh again */
	ck_assert_uint_eq(h.ends, 0);
	look(ft, &h, &d, T0 + 5, NULL, NULL);                 /* evicts b */
	ck_assert_uint_eq(h.ends, 1);
	ck_assert_uint_eq(h.last_ids[0], ib);
	ck_assert_uint_eq(h.last_why[0], FLOW_END_EVICTION);
	look(ft, &h, &e, T0 + 6, NULL, NULL);                 /* evicts c */
	ck_assert_uint_eq(h.last_ids[1], ic);
	look(ft, &h, &b, T0 + 7, NULL, NULL);                 /* evicts a */
	ck_assert_uint_eq(h.last_ids[2], ia);
	const struct flow_stats *st = flow_get_stats(ft);
	ck_assert_uint_eq(st->evictions, 3);
	ck_assert_uint_eq(st->ended_by_reason[FLOW_END_EVICTION], 3);
	ck_assert_uint_eq(st->memcap_hits, 0);
	ck_assert_uint_eq(st->active, 3);
	ck_assert_uint_eq(st->peak_active, 3);
	/* shutdown ends the rest oldest first: d, e, b */
	h.nlast = 0;
	flow_end_all(ft, FLOW_END_SHUTDOWN);
	ck_assert_uint_eq(h.nlast, 3);
	ck_assert_uint_eq(h.last_ids[0], 4);
	ck_assert_uint_eq(h.last_ids[1], 5);
	ck_assert_uint_eq(h.last_ids[2], 6);
	ck_assert_uint_eq(h.last_why[2], FLOW_END_SHUTDOWN);
	finish(ft, &h);
}
END_TEST

START_TEST(test_memcap)
{
	struct harness h;
	struct flow_config probe = { 0 };
	struct flowtable *ft = mk(&h, &probe);
	size_t rec = flow_record_size(ft);
	uint64_t base = flow_get_stats(ft)->mem_in_use; /* the initial buckets */
	flow_free(ft);
	ck_assert_uint_ge(rec, sizeof(struct flow) + sizeof(struct user));

	struct flow_config c = { .memcap = base + 5 * rec + rec / 2 };
	ft = mk(&h, &c);
	for (uint16_t i = 0; i < 8; i++) {
		struct pd_packet p = pk(17, 1, (uint16_t)(2000 + i), 2, 53, 0);
		ck_assert_ptr_nonnull(look(ft, &h, &p, T0 + i, NULL, NULL));
		ck_assert_uint_le(flow_get_stats(ft)->mem_in_use, c.memcap);
	}
	const struct flow_stats *st = flow_get_stats(ft);
	ck_assert_uint_eq(st->active, 5);
	ck_assert_uint_eq(st->evictions, 3);
	ck_assert_uint_eq(st->memcap_hits, 3);
	ck_assert_uint_le(st->peak_mem, c.memcap);
	ck_assert_uint_eq(h.last_ids[0], 1);
	ck_assert_uint_eq(h.last_ids[2], 3);
	finish(ft, &h);

	/* below one record: refused */
	struct flow_config tiny = { .memcap = 64, .on_end = on_end };
	char err[128] = "";
	ck_assert_ptr_null(flow_new(&tiny, err, sizeof(err)));
	ck_assert_str_ne(err, "");
	struct flow_config noend = { 0 };
	ck_assert_ptr_null(flow_new(&noend, err, sizeof(err)));
}
END_TEST

/* ---- port reuse ------------------------------------------------------------ */

static const struct reuse_case {
	const char *name;
	struct tpkt p[6];
	unsigned np;
	enum flow_end why;   /* reason the old flow ends with */
} reuses[] = {
	{ "after FIN both ways",
	  { { 0, SYN }, { 1, SYN | ACK }, { 0, ACK }, { 0, FIN | ACK }, { 1, FIN | ACK }, { 0, ACK } },
	  6, FLOW_END_FIN },
	{ "after RST", { { 0, SYN }, { 1, SYN | ACK }, { 0, ACK }, { 1, RST } }, 4, FLOW_END_RST },
	{ "after one FIN", { { 0, SYN }, { 1, SYN | ACK }, { 0, FIN | ACK } }, 3, FLOW_END_TIMEOUT },
};

START_TEST(test_port_reuse)
{
	const struct reuse_case *rc = &reuses[_i];
	struct harness h;
	struct flow_config c = { 0 };
	struct flowtable *ft = mk(&h, &c);
	struct flow *f = NULL;
	for (unsigned i = 0; i < rc->np; i++) {
		struct pd_packet p = rc->p[i].reply ? pk(6, 2, 25, 1, 40000, rc->p[i].flags) :
		                                      pk(6, 1, 40000, 2, 25, rc->p[i].flags);
		f = look(ft, &h, &p, T0 + i, NULL, NULL);
	}
	uint32_t old = id_of(f);
	struct pd_packet syn = pk(6, 1, 40000, 2, 25, SYN);
	bool created;
	int dir;
	struct flow *g = look(ft, &h, &syn, T0 + 100, &dir, &created);
	ck_assert_msg(created, "%s", rc->name);
	ck_assert_uint_ne(id_of(g), old);
	ck_assert_int_eq(dir, FLOW_TO_SERVER);
	ck_assert_uint_eq(g->pkts[0], 1);
	ck_assert_uint_eq(g->state, FLOW_STATE_NEW);
	ck_assert_uint_eq(h.ends, 1);
	ck_assert_uint_eq(h.last_ids[0], old);
	ck_assert_msg(h.last_why[0] == rc->why, "%s: %s", rc->name, flow_end_name(h.last_why[0]));
	ck_assert_uint_eq(flow_get_stats(ft)->reused, 1);
	/* a retransmitted SYN stays in the new flow */
	ck_assert_ptr_eq(look(ft, &h, &syn, T0 + 101, NULL, &created), g);
	ck_assert(!created);
	finish(ft, &h);
}
END_TEST

/* FIN both ways: the final ACK and retransmitted FINs stay in the flow; at
 * shutdown the lingering flow still ends as FIN. */
START_TEST(test_linger_keeps_reason)
{
	struct harness h;
	struct flow_config c = { .max_flows = 2 };
	struct flowtable *ft = mk(&h, &c);
	struct pd_packet fa = pk(6, 1, 40000, 2, 25, FIN | ACK);
	struct pd_packet fb = pk(6, 2, 25, 1, 40000, FIN | ACK);
	struct pd_packet ack = pk(6, 1, 40000, 2, 25, ACK);
	struct flow *f = look(ft, &h, &fa, T0, NULL, NULL);
	look(ft, &h, &fb, T0 + 1, NULL, NULL);
	bool created;
	ck_assert_ptr_eq(look(ft, &h, &ack, T0 + 2, NULL, &created), f);
	ck_assert(!created);
	ck_assert_ptr_eq(look(ft, &h, &fb, T0 + 3, NULL, &created), f);
	ck_assert(!created);
	ck_assert_uint_eq(f->state, FLOW_STATE_CLOSED);
	/* eviction of a closed flow keeps its reason and is not an eviction */
	struct pd_packet x = pk(17, 1, 1, 2, 2, 0), y = pk(17, 1, 3, 2, 4, 0);
	look(ft, &h, &x, T0 + 4, NULL, NULL);
	look(ft, &h, &y, T0 + 5, NULL, NULL);
	ck_assert_uint_eq(h.last_why[0], FLOW_END_FIN);
	ck_assert_uint_eq(flow_get_stats(ft)->evictions, 0);
	struct pd_packet rst = pk(6, 1, 40000, 2, 25, RST);
	look(ft, &h, &rst, T0 + 6, NULL, NULL); /* evicts x (a real eviction) */
	ck_assert_uint_eq(h.last_why[1], FLOW_END_EVICTION);
	h.nlast = 0;
	flow_end_all(ft, FLOW_END_SHUTDOWN);
	ck_assert_uint_eq(h.last_why[0], FLOW_END_SHUTDOWN); /* y */
	ck_assert_uint_eq(h.last_why[1], FLOW_END_RST);      /* the RST flow lingers */
	finish(ft, &h);
}
END_TEST

/* ---- exactly once under churn -------------------------------------------- */

START_TEST(test_exactly_once_churn)
{
	struct harness h;
	struct flow_config c = { .max_flows = 50, .tcp_syn_s = 2, .udp_s = 3, .tcp_closing_s = 2,
	                         .rst_linger_s = 1, .tcp_established_s = 5 };
	struct flowtable *ft = mk(&h, &c);
	static const uint8_t flags[] = { SYN, SYN | ACK, ACK, ACK | PSH, FIN | ACK, RST, 0 };
	uint64_t x = 88172645463325252ull; /* xorshift: deterministic pseudo-random packets */
	uint64_t t = T0;
	for (unsigned i = 0; i < 3000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint16_t port = (uint16_t)(1000 + x % 200);
		bool rev = (x >> 10) & 1;
		uint8_t proto = ((x >> 11) & 3) == 0 ? 17 : 6;
		uint8_t fl = flags[(x >> 13) % sizeof(flags)];
		struct pd_packet p = rev ? pk(proto, 2, 80, 1, port, fl) : pk(proto, 1, port, 2, 80, fl);
		t += (x >> 20) % 50000;
		if (h.next_id >= MAX_IDS)
			break;
		ck_assert_ptr_nonnull(look(ft, &h, &p, t, NULL, NULL));
		if (i % 7 == 0)
			flow_expire(ft, t);
		ck_assert_uint_le(flow_get_stats(ft)->active, 50);
	}
	const struct flow_stats *st = flow_get_stats(ft);
	ck_assert_uint_gt(st->evictions, 0);
	ck_assert_uint_gt(st->ended_by_reason[FLOW_END_TIMEOUT], 0);
	ck_assert_uint_gt(st->ended_by_reason[FLOW_END_RST], 0);
	ck_assert_uint_gt(st->reused, 0);
	finish(ft, &h);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(flow_end_name(FLOW_END_FIN), "fin");
	ck_assert_str_eq(flow_end_name(FLOW_END_SHUTDOWN), "shutdown");
	ck_assert_str_eq(flow_end_name((enum flow_end)9), "unknown");
	ck_assert_str_eq(flow_state_name(FLOW_STATE_CLOSING), "closing");
}
END_TEST

static Suite *flowtable_suite(void)
{
	Suite *s = suite_create("flowtable");
	TCase *tc = tcase_create("keys");
	tcase_add_test(tc, test_symmetric_key);
	tcase_add_test(tc, test_distinct_keys);
	tcase_add_loop_test(tc, test_server_choice, 0, sizeof(servers) / sizeof(servers[0]));
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("lifetime");
	tcase_add_loop_test(tc, test_timeouts, 0, sizeof(timeouts) / sizeof(timeouts[0]));
	tcase_add_test(tc, test_timeout_at_lookup);
	tcase_add_test(tc, test_expire_exact);
	tcase_add_test(tc, test_lru_eviction_order);
	tcase_add_test(tc, test_memcap);
	tcase_add_loop_test(tc, test_port_reuse, 0, sizeof(reuses) / sizeof(reuses[0]));
	tcase_add_test(tc, test_linger_keeps_reason);
	tcase_add_test(tc, test_exactly_once_churn);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(flowtable_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
