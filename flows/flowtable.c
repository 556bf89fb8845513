/* SPDX-License-Identifier: BSD-2-Clause */
/* Bidirectional flow table (RFC 9293 section 3.3.2 states, coarsened):
 * symmetric keyed hash with chained buckets, slab of preallocated records,
 * per-class idle timeouts in packet time, LRU eviction under caps.
 *
 * Layout: records live in chunks that are allocated lazily (256 records,
 * doubling) until max_flows or the memcap; a free list recycles them, so the
 * steady state allocates nothing. Each record sits on exactly one of six
 * timeout-class lists kept in last-seen order (see flowtable.h for why this
 * gives O(1) expiry checks and an O(1) LRU victim).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "flows/flowtable.h"
#include "flows/hash.h"

#define FLOW_DEFAULT_MAX 1000000u
#define FLOW_DEFAULT_MEMCAP (512ull << 20)
#define FLOW_FIRST_CHUNK 256u
#define FLOW_MIN_CHUNK_MAX 65536u
#define FLOW_FIRST_BUCKETS 256u
#define FLOW_PROTO_TCP 6u
#define FLOW_PROTO_UDP 17u
#define FLOW_US 1000000ull
/* List moves happen at most once per slice (2^20 us, about 1 s) per flow. */
#define FLOW_SLICE_SHIFT 20

/* One record header stays within four cache lines. */
_Static_assert(sizeof(struct flow) <= 256, "struct flow grew past its budget");

/* The user area starts at the first 16-byte boundary after the header. */
#define FLOW_HDR_SIZE ((sizeof(struct flow) + 15u) & ~(size_t)15u)

struct flowtable {
	struct flow_config cfg;
	uint64_t timeout_us[FLOW_CLASS_COUNT];
	size_t rec_size;
	uint32_t max_flows;
	uint64_t memcap;
	uint64_t now;

	struct flow **buckets;
	size_t buckets_len;     /* bytes mapped (huge_map) */
	size_t nbuckets;        /* power of two */
	size_t max_buckets;

	uint8_t **chunks;
	size_t *chunk_len;      /* bytes mapped for each chunk (huge_map) */
	size_t nchunks, chunks_cap;
	uint8_t *bump;          /* next never-used record in the newest chunk */
	size_t bump_left;
	size_t next_chunk, max_chunk;
	uint64_t allocated;     /* records in all chunks */
	struct flow *free;

	struct flow *head[FLOW_CLASS_COUNT], *tail[FLOW_CLASS_COUNT];
	struct flow_stats st;
};

static void mem_add(struct flowtable *ft, uint64_t n)
{
	ft->st.mem_in_use += n;
	if (ft->st.mem_in_use > ft->st.peak_mem)
		ft->st.peak_mem = ft->st.mem_in_use;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

static uint64_t secs(uint32_t v, uint32_t dflt)
{
	return (uint64_t)(v ? v : dflt) * FLOW_US;
}

/* Flow records and buckets are read at random, one of each per packet. On
 * this kind of load a TLB miss costs more than the cache miss (a dependent
 * load over 32 MiB: 190 ns on 4 KiB pages, 48 ns on 2 MiB pages, measured
 * in a KVM guest): both are mapped in whole, aligned 2 MiB units that the
 * kernel is advised to back with transparent huge pages, and come zeroed.
 * The memcap counts what is asked for; the rest of the last 2 MiB is only
 * address space until touched. Below FLOW_HUGE_MIN (small tables: the first
 * record chunks, buckets of a quiet link) a huge page would mostly be waste:
 * those come zeroed from calloc (*mapped = 0). */
#define FLOW_HUGE_PAGE (2u * 1024u * 1024u)
#define FLOW_HUGE_MIN (512u * 1024u)
static void *huge_map(size_t len, size_t *mapped)
{
	*mapped = 0;
	if (len < FLOW_HUGE_MIN)
		return calloc(1, len);
	size_t n = (len + FLOW_HUGE_PAGE - 1) & ~(size_t)(FLOW_HUGE_PAGE - 1);
	uint8_t *raw = mmap(NULL, n + FLOW_HUGE_PAGE, PROT_READ | PROT_WRITE,
	                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	uintptr_t a = ((uintptr_t)raw + FLOW_HUGE_PAGE - 1) & ~(uintptr_t)(FLOW_HUGE_PAGE - 1);
	size_t head = a - (uintptr_t)raw; /* < FLOW_HUGE_PAGE: the tail is never empty */
	if (head > 0)
		munmap(raw, head);
	munmap((uint8_t *)a + n, FLOW_HUGE_PAGE - head);
	/* Advice only: without transparent huge pages the memory still works. */
	(void)madvise((void *)a, n, MADV_HUGEPAGE);
	*mapped = n;
	return (void *)a;
}

static void huge_unmap(void *p, size_t mapped)
{
	if (mapped == 0)
		free(p);
	else if (p != NULL)
		munmap(p, mapped);
}

struct flowtable *flow_new(const struct flow_config *cfg, char *err, size_t errlen)
{
	if (cfg == NULL || cfg->on_end == NULL) {
		set_err(err, errlen, "flow table: on_end callback required");
		return NULL;
	}
	struct flowtable *ft = calloc(1, sizeof(*ft));
	if (ft == NULL) {
		set_err(err, errlen, "flow table: out of memory");
		return NULL;
	}
	ft->cfg = *cfg;
	ft->max_flows = cfg->max_flows ? cfg->max_flows : FLOW_DEFAULT_MAX;
	ft->memcap = cfg->memcap ? cfg->memcap : FLOW_DEFAULT_MEMCAP;
	ft->timeout_us[FLOW_CLASS_SYN] = secs(cfg->tcp_syn_s, 30);
	ft->timeout_us[FLOW_CLASS_EST] = secs(cfg->tcp_established_s, 600);
	ft->timeout_us[FLOW_CLASS_CLOSING] = secs(cfg->tcp_closing_s, 10);
	ft->timeout_us[FLOW_CLASS_LINGER] = secs(cfg->rst_linger_s, 2);
	ft->timeout_us[FLOW_CLASS_UDP] = secs(cfg->udp_s, 60);
	ft->timeout_us[FLOW_CLASS_OTHER] = secs(cfg->other_s, 60);
	ft->rec_size = (FLOW_HDR_SIZE + cfg->user_size + 15u) & ~(size_t)15u;

	ft->max_buckets = FLOW_FIRST_BUCKETS;
	while (ft->max_buckets < ft->max_flows && ft->max_buckets < ((size_t)1 << 31))
		ft->max_buckets <<= 1;
	ft->nbuckets = FLOW_FIRST_BUCKETS;
	ft->next_chunk = FLOW_FIRST_CHUNK;
	ft->max_chunk = ft->max_flows / 64 > FLOW_MIN_CHUNK_MAX ? ft->max_flows / 64 : FLOW_MIN_CHUNK_MAX;

	uint64_t bucket_bytes = ft->nbuckets * sizeof(*ft->buckets);
	if (bucket_bytes + ft->rec_size > ft->memcap) {
		set_err(err, errlen, "flow table: memcap below one flow record");
		free(ft);
		return NULL;
	}
	ft->buckets = huge_map(bucket_bytes, &ft->buckets_len);
	if (ft->buckets == NULL) {
		set_err(err, errlen, "flow table: out of memory");
		free(ft);
		return NULL;
	}
	mem_add(ft, bucket_bytes);
	return ft;
}

void flow_free(struct flowtable *ft)
{
	if (ft == NULL)
		return;
	/* Flows never ended still own reassembly buffers. */
	for (unsigned c = 0; ft->cfg.reasm && c < FLOW_CLASS_COUNT; c++)
		for (struct flow *f = ft->head[c]; f; f = f->next)
			if (f->ip_proto == FLOW_PROTO_TCP)
				reasm_flow_discard(ft->cfg.reasm, f);
	for (size_t i = 0; i < ft->nchunks; i++)
		huge_unmap(ft->chunks[i], ft->chunk_len[i]);
	free(ft->chunks);
	free(ft->chunk_len);
	huge_unmap(ft->buckets, ft->buckets_len);
	free(ft);
}

void *flow_user(struct flow *f)
{
	return (uint8_t *)f + FLOW_HDR_SIZE;
}

struct flow *flow_from_user(void *user)
{
	return (struct flow *)(void *)((uint8_t *)user - FLOW_HDR_SIZE);
}

size_t flow_record_size(const struct flowtable *ft)
{
	return ft->rec_size;
}

uint64_t flow_timeout_us(const struct flowtable *ft, const struct flow *f)
{
	return ft->timeout_us[f->cls];
}

const struct flow_stats *flow_get_stats(const struct flowtable *ft)
{
	return &ft->st;
}

const char *flow_end_name(enum flow_end why)
{
	static const char *const names[FLOW_END_COUNT] = {
		"fin", "rst", "timeout", "eviction", "shutdown",
	};
	return (unsigned)why < FLOW_END_COUNT ? names[why] : "unknown";
}

const char *flow_state_name(enum flow_state s)
{
	static const char *const names[] = { "new", "established", "closing", "closed" };
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* ---- timeout-class lists ---- */

static void cls_unlink(struct flowtable *ft, struct flow *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		ft->head[f->cls] = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		ft->tail[f->cls] = f->prev;
	f->prev = f->next = NULL;
}

static void cls_append(struct flowtable *ft, struct flow *f, uint8_t cls)
{
	f->cls = cls;
	f->slice = (uint32_t)(ft->now >> FLOW_SLICE_SHIFT);
	f->next = NULL;
	f->prev = ft->tail[cls];
	if (ft->tail[cls])
		ft->tail[cls]->next = f;
	else
		ft->head[cls] = f;
	ft->tail[cls] = f;
}

/* The least recently used flow (to a slice): the oldest of the class heads. */
static struct flow *lru_victim(const struct flowtable *ft)
{
	struct flow *v = NULL;
	for (unsigned c = 0; c < FLOW_CLASS_COUNT; c++) {
		struct flow *h = ft->head[c];
		if (h && (v == NULL || h->last_us < v->last_us))
			v = h;
	}
	return v;
}

/* ---- hash ---- */

static void bucket_unlink(struct flowtable *ft, struct flow *f)
{
	struct flow **pp = &ft->buckets[f->hash & (ft->nbuckets - 1)];
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	f->hnext = NULL;
}

/* Doubles the bucket array toward `want` buckets when the memcap allows;
 * a full cap just leaves chains longer. */
static void grow_buckets(struct flowtable *ft, uint64_t want)
{
	size_t n = ft->nbuckets;
	while (n < want && n < ft->max_buckets)
		n <<= 1;
	if (n == ft->nbuckets)
		return;
	uint64_t bytes = (uint64_t)n * sizeof(*ft->buckets);
	if (ft->st.mem_in_use + bytes > ft->memcap)
		return;
	size_t nb_len;
	struct flow **nb = huge_map(n * sizeof(*nb), &nb_len);
	if (nb == NULL)
		return;
	for (size_t i = 0; i < ft->nbuckets; i++) {
		struct flow *f = ft->buckets[i];
		while (f) {
			struct flow *next = f->hnext;
			size_t b = f->hash & (n - 1);
			f->hnext = nb[b];
			nb[b] = f;
			f = next;
		}
	}
	mem_add(ft, bytes);
	ft->st.mem_in_use -= (uint64_t)ft->nbuckets * sizeof(*ft->buckets);
	huge_unmap(ft->buckets, ft->buckets_len);
	ft->buckets = nb;
	ft->buckets_len = nb_len;
	ft->nbuckets = n;
}

/* ---- slab ---- */

/* Adds a chunk of records if max_flows and the memcap allow. Returns false
 * when the table is full (*by_memcap tells which limit stopped it). */
static bool add_chunk(struct flowtable *ft, bool *by_memcap)
{
	*by_memcap = false;
	if (ft->allocated >= ft->max_flows)
		return false;
	uint64_t n = ft->next_chunk;
	if (n > ft->max_flows - ft->allocated)
		n = ft->max_flows - ft->allocated;
	grow_buckets(ft, ft->allocated + n);
	uint64_t room = ft->memcap > ft->st.mem_in_use ? ft->memcap - ft->st.mem_in_use : 0;
	if (n * ft->rec_size > room)
		n = room / ft->rec_size;
	if (n == 0) {
		*by_memcap = true;
		return false;
	}
	if (ft->nchunks == ft->chunks_cap) {
		size_t cap = ft->chunks_cap ? ft->chunks_cap * 2 : 16;
		uint8_t **nc = realloc(ft->chunks, cap * sizeof(*nc));
		if (nc == NULL)
			return false;
		ft->chunks = nc;
		size_t *nl = realloc(ft->chunk_len, cap * sizeof(*nl));
		if (nl == NULL)
			return false;
		ft->chunk_len = nl;
		ft->chunks_cap = cap;
	}
	size_t len;
	uint8_t *chunk = huge_map(n * ft->rec_size, &len);
	if (chunk == NULL)
		return false;
	ft->chunk_len[ft->nchunks] = len;
	ft->chunks[ft->nchunks++] = chunk;
	ft->bump = chunk;
	ft->bump_left = n;
	ft->allocated += n;
	mem_add(ft, n * ft->rec_size);
	if (ft->next_chunk < ft->max_chunk)
		ft->next_chunk *= 2;
	return true;
}

static struct flow *rec_take(struct flowtable *ft, bool *by_memcap)
{
	*by_memcap = false;
	if (ft->free) {
		struct flow *f = ft->free;
		ft->free = f->hnext;
		return f;
	}
	if (ft->bump_left == 0 && !add_chunk(ft, by_memcap))
		return NULL;
	struct flow *f = (struct flow *)(void *)ft->bump;
	ft->bump += ft->rec_size;
	ft->bump_left--;
	return f;
}

/* ---- ending flows ---- */

/* A closed (lingering) flow keeps the reason that closed it. */
static enum flow_end end_reason(const struct flow *f, enum flow_end why)
{
	if (f->cls == FLOW_CLASS_LINGER)
		return f->rst_seen ? FLOW_END_RST : FLOW_END_FIN;
	return why;
}

static void end_flow(struct flowtable *ft, struct flow *f, enum flow_end why)
{
	why = end_reason(f, why);
	bucket_unlink(ft, f);
	cls_unlink(ft, f);
	if (ft->cfg.reasm && f->ip_proto == FLOW_PROTO_TCP)
		reasm_flow_end(ft->cfg.reasm, f);
	ft->cfg.on_end(ft->cfg.arg, f, why);
	f->in_use = 0;
	f->hnext = ft->free;
	ft->free = f;
	ft->st.active--;
	ft->st.ended++;
	ft->st.ended_by_reason[why]++;
	if (why == FLOW_END_EVICTION)
		ft->st.evictions++;
}

static bool is_due(const struct flowtable *ft, const struct flow *f)
{
	return ft->now - f->last_us > ft->timeout_us[f->cls];
}

void flow_expire(struct flowtable *ft, uint64_t now_us)
{
	if (now_us > ft->now)
		ft->now = now_us;
	for (unsigned c = 0; c < FLOW_CLASS_COUNT; c++)
		while (ft->head[c] && is_due(ft, ft->head[c]))
			end_flow(ft, ft->head[c], FLOW_END_TIMEOUT);
}

void flow_expire_exact(struct flowtable *ft, uint64_t now_us)
{
	flow_expire(ft, now_us);
	for (unsigned c = 0; c < FLOW_CLASS_COUNT; c++) {
		struct flow *f = ft->head[c];
		/* Lists are in slice order and a flow's last packet is in the
		 * slice of its move: past a flow whose slice began within the
		 * timeout, none is due. */
		while (f && ft->now - ((uint64_t)f->slice << FLOW_SLICE_SHIFT) > ft->timeout_us[c]) {
			struct flow *next = f->next;
			if (is_due(ft, f))
				end_flow(ft, f, FLOW_END_TIMEOUT);
			f = next;
		}
	}
}

void flow_end_all(struct flowtable *ft, enum flow_end why)
{
	struct flow *f;
	while ((f = lru_victim(ft)) != NULL)
		end_flow(ft, f, why);
}

/* ---- lookup ---- */

struct flow_key {
	uint64_t hash;
	bool src_is_lo;  /* source endpoint sorts first */
};

static int addr_len(uint8_t version)
{
	return version == 4 ? 4 : 16;
}

/* memcmp of two addresses (4 or 16 bytes) as whole words: the sign of a
 * lexicographic byte comparison is that of the big-endian words. Inline,
 * because two of these run for every packet. */
static uint64_t be64_at(const uint8_t *b)
{
	uint64_t v;
	memcpy(&v, b, 8);
	return __builtin_bswap64(v);
}

static int addr_cmp(const uint8_t *a, const uint8_t *b, size_t n)
{
	if (n == 4) {
		uint32_t x, y;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		x = __builtin_bswap32(x);
		y = __builtin_bswap32(y);
		return (x > y) - (x < y);
	}
	uint64_t x = be64_at(a), y = be64_at(b);
	if (x == y) {
		x = be64_at(a + 8);
		y = be64_at(b + 8);
	}
	return (x > y) - (x < y);
}

static bool addr_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t x[2], y[2];
	if (n == 4) {
		uint32_t u, v;
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		return u == v;
	}
	memcpy(x, a, 16);
	memcpy(y, b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

static struct flow_key make_key(const struct flowtable *ft, const struct pd_packet *p)
{
	struct flow_key k;
	int c = addr_cmp(p->src.b, p->dst.b, (size_t)addr_len(p->ip_version));
	if (c == 0)
		c = (int)p->sport - (int)p->dport;
	k.src_is_lo = c <= 0;
	const struct pd_ip *lo = k.src_is_lo ? &p->src : &p->dst;
	const struct pd_ip *hi = k.src_is_lo ? &p->dst : &p->src;
	uint16_t lport = k.src_is_lo ? p->sport : p->dport;
	uint16_t hport = k.src_is_lo ? p->dport : p->sport;

	uint64_t h = fhash_mix(ft->cfg.hash_seed,
	                       ((uint64_t)p->ip_version << 56) | ((uint64_t)p->ip_proto << 48) |
	                       ((uint64_t)p->vlan_count << 32) | ((uint64_t)lport << 16) | hport);
	if (p->ip_version == 4) {
		uint32_t a, b;
		memcpy(&a, lo->b, 4);
		memcpy(&b, hi->b, 4);
		h = fhash_mix(h, ((uint64_t)a << 32) | b);
	} else {
		h = fhash_addr(fhash_addr(h, lo->b), hi->b);
	}
	for (unsigned i = 0; i < p->vlan_count && i < PD_MAX_VLAN; i++)
		h = fhash_mix(h, p->vlan[i]);
	k.hash = fhash_final(h);
	return k;
}

/* Returns the direction of p in f (0/1), or -1 when f is another flow. */
static int match(const struct flow *f, const struct pd_packet *p, uint64_t hash)
{
	if (f->hash != hash || f->ip_proto != p->ip_proto || f->ip_version != p->ip_version ||
	    f->vlan_count != p->vlan_count)
		return -1;
	for (unsigned i = 0; i < f->vlan_count && i < PD_MAX_VLAN; i++)
		if (f->vlan[i] != p->vlan[i])
			return -1;
	size_t n = (size_t)addr_len(p->ip_version);
	if (f->port[0] == p->sport && f->port[1] == p->dport &&
	    addr_eq(f->addr[0].b, p->src.b, n) && addr_eq(f->addr[1].b, p->dst.b, n))
		return FLOW_TO_SERVER;
	if (f->port[0] == p->dport && f->port[1] == p->sport &&
	    addr_eq(f->addr[0].b, p->dst.b, n) && addr_eq(f->addr[1].b, p->src.b, n))
		return FLOW_TO_CLIENT;
	return -1;
}

/* True when the destination of the first packet p is the server. */
static bool dst_is_server(const struct flowtable *ft, const struct pd_packet *p)
{
	if (p->ip_proto == FLOW_PROTO_TCP) {
		uint8_t sa = p->tcp_flags & (PD_TCP_SYN | PD_TCP_ACK);
		if (sa == PD_TCP_SYN)
			return true;
		if (sa == (PD_TCP_SYN | PD_TCP_ACK))
			return false;
	}
	if (ft->cfg.is_handler_port &&
	    (p->ip_proto == FLOW_PROTO_TCP || p->ip_proto == FLOW_PROTO_UDP)) {
		bool hd = ft->cfg.is_handler_port(ft->cfg.arg, p->ip_proto, p->dport);
		bool hs = ft->cfg.is_handler_port(ft->cfg.arg, p->ip_proto, p->sport);
		if (hd != hs)
			return hd;
	}
	if (p->dport != p->sport)
		return p->dport < p->sport;
	return true;
}

static struct flow *create(struct flowtable *ft, const struct pd_packet *p, uint64_t hash,
                           int *dir)
{
	bool by_memcap;
	struct flow *f = rec_take(ft, &by_memcap);
	if (f == NULL) {
		struct flow *victim = lru_victim(ft);
		if (victim == NULL) {
			ft->st.no_room++;
			return NULL;
		}
		if (by_memcap)
			ft->st.memcap_hits++;
		end_flow(ft, victim, FLOW_END_EVICTION);
		f = rec_take(ft, &by_memcap);
		if (f == NULL) {
			ft->st.no_room++;
			return NULL;
		}
	}
	memset(f, 0, ft->rec_size);
	f->hash = hash;
	f->in_use = 1;
	f->ip_version = p->ip_version;
	f->ip_proto = p->ip_proto;
	f->vlan_count = p->vlan_count;
	memcpy(f->vlan, p->vlan, sizeof(f->vlan));
	f->first_us = ft->now;
	bool dst_srv = dst_is_server(ft, p);
	f->addr[0] = dst_srv ? p->src : p->dst;
	f->addr[1] = dst_srv ? p->dst : p->src;
	f->port[0] = dst_srv ? p->sport : p->dport;
	f->port[1] = dst_srv ? p->dport : p->sport;
	*dir = dst_srv ? FLOW_TO_SERVER : FLOW_TO_CLIENT;
	if (p->ip_proto == FLOW_PROTO_TCP && (p->tcp_flags & PD_TCP_SYN))
		f->syn_seen = 1;
	f->state = FLOW_STATE_NEW;
	f->cls = p->ip_proto == FLOW_PROTO_TCP ? FLOW_CLASS_SYN :
	         p->ip_proto == FLOW_PROTO_UDP ? FLOW_CLASS_UDP : FLOW_CLASS_OTHER;

	size_t b = hash & (ft->nbuckets - 1);
	f->hnext = ft->buckets[b];
	ft->buckets[b] = f;
	cls_append(ft, f, f->cls);
	ft->st.created++;
	if (++ft->st.active > ft->st.peak_active)
		ft->st.peak_active = ft->st.active;
	return f;
}

/* Per-packet state for TCP (coarse RFC 9293 section 3.3.2 view). */
static void tcp_update(struct flow *f, int dir, uint8_t fl)
{
	f->tcp_flags[dir] |= fl;
	if (fl & PD_TCP_RST)
		f->rst_seen = 1;
	if (fl & PD_TCP_FIN)
		f->fin_seen |= (uint8_t)(1u << dir);
	if (f->rst_seen || f->fin_seen == 3)
		f->state = FLOW_STATE_CLOSED;
	else if (f->fin_seen)
		f->state = FLOW_STATE_CLOSING;
	else if ((fl & PD_TCP_ACK) && f->state == FLOW_STATE_NEW)
		f->state = FLOW_STATE_ESTABLISHED;
}

static uint8_t class_of(const struct flow *f)
{
	if (f->ip_proto == FLOW_PROTO_UDP)
		return FLOW_CLASS_UDP;
	if (f->ip_proto != FLOW_PROTO_TCP)
		return FLOW_CLASS_OTHER;
	switch (f->state) {
	case FLOW_STATE_ESTABLISHED:
		return FLOW_CLASS_EST;
	case FLOW_STATE_CLOSING:
		return FLOW_CLASS_CLOSING;
	case FLOW_STATE_CLOSED:
		return FLOW_CLASS_LINGER;
	default:
		return FLOW_CLASS_SYN;
	}
}

/* A SYN without ACK on a tuple whose connection is closing or closed starts
 * a new connection (port reuse). */
static bool is_reuse(const struct flow *f, const struct pd_packet *p)
{
	return f->ip_proto == FLOW_PROTO_TCP &&
	       (p->tcp_flags & (PD_TCP_SYN | PD_TCP_ACK)) == PD_TCP_SYN &&
	       (f->state == FLOW_STATE_CLOSING || f->state == FLOW_STATE_CLOSED);
}

struct flow *flow_lookup(struct flowtable *ft, const struct pd_packet *p, size_t wire_len,
                         uint64_t now_us, int *dir, bool *created)
{
	int d = FLOW_TO_SERVER;
	bool made = false;
	if (dir)
		*dir = d;
	if (created)
		*created = false;
	if (!p->has_l4 || (p->ip_version != 4 && p->ip_version != 6)) {
		ft->st.no_l4++;
		return NULL;
	}
	if (now_us > ft->now)
		ft->now = now_us;

	struct flow_key k = make_key(ft, p);
	struct flow *f = ft->buckets[k.hash & (ft->nbuckets - 1)];
	while (f && (d = match(f, p, k.hash)) < 0)
		f = f->hnext;

	if (f && (is_due(ft, f) || is_reuse(f, p))) {
		if (!is_due(ft, f))
			ft->st.reused++;
		end_flow(ft, f, FLOW_END_TIMEOUT);
		f = NULL;
	}
	if (f == NULL) {
		f = create(ft, p, k.hash, &d);
		if (f == NULL)
			return NULL;
		made = true;
	}

	f->last_us = ft->now;
	f->pkts[d]++;
	f->bytes[d] += wire_len;
	if (f->ip_proto == FLOW_PROTO_TCP)
		tcp_update(f, d, p->tcp_flags);
	else if (f->state == FLOW_STATE_NEW && f->pkts[0] && f->pkts[1])
		f->state = FLOW_STATE_ESTABLISHED;
	uint8_t cls = class_of(f);
	/* Lazy LRU: moving to the tail costs two cache misses (the list
	 * neighbours), so a flow already moved in this slice stays put. */
	if (cls != f->cls || f->slice != (uint32_t)(ft->now >> FLOW_SLICE_SHIFT)) {
		cls_unlink(ft, f);
		cls_append(ft, f, cls);
	}
	if (dir)
		*dir = d;
	if (created)
		*created = made;
	return f;
}
