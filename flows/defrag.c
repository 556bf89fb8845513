/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv4/IPv6 fragment reassembly (RFC 791 section 3.2, RFC 8200 section 4.5,
 * RFC 5722, RFC 1858): first-wins overlaps, timeouts, memory cap.
 *
 * Each datagram keeps its fragments as a sorted list of disjoint pieces
 * (only bytes not already held are stored, so "first wins" falls out of the
 * insertion), the first fragment's header, and the end once the last
 * fragment is known. Datagrams sit on an age list (creation order) that
 * serves both timeout expiry and eviction of the oldest under the memcap.
 */
#include <stdlib.h>
#include <string.h>

#include "flows/defrag.h"
#include "flows/hash.h"
#include "parsers/cursor.h"

#define DEFRAG_DEFAULT_MEMCAP (16ull << 20)
#define DEFRAG_DEFAULT_TIMEOUT 30u
#define DEFRAG_DEFAULT_MAX_FRAGS 256u
#define DEFRAG_IP6_HDR 40u
#define DEFRAG_IP4_MIN_HDR 20u
#define DEFRAG_TCP_MIN 20u
#define DEFRAG_UDP_MIN 8u
#define DEFRAG_PROTO_TCP 6u
#define DEFRAG_PROTO_UDP 17u
#define DEFRAG_PROTO_AH 51u
#define DEFRAG_OUT_MAX (DEFRAG_IP6_HDR + DEFRAG_MAX_DATAGRAM)

/* One stored piece: bytes [off, off + len) of the fragmentable part. */
struct dg_piece {
	struct dg_piece *next;
	uint32_t off, len;
	uint8_t data[];
};

struct dg {
	struct dg *hnext;          /* hash chain */
	struct dg *older, *newer;  /* age list */
	uint64_t hash;
	uint64_t created_us;
	struct pd_ip src, dst;
	uint32_t id;
	uint8_t version, proto, vlan_count;
	uint16_t vlan[PD_MAX_VLAN];
	bool has_end, has_first;
	uint8_t v6_next;           /* the fragment header's Next Header */
	uint32_t end;              /* length of the fragmentable part, if has_end */
	uint32_t held;             /* bytes held (pieces are disjoint) */
	uint32_t npieces;
	uint32_t hdr_len;          /* v4 header / v6 unfragmentable part, if has_first */
	uint8_t *hdr;
	struct dg_piece *pieces;   /* sorted by off, disjoint */
	size_t mem;                /* bytes charged to the memcap */
};

struct defrag {
	uint64_t memcap;
	uint64_t timeout_us;
	uint32_t max_frags;
	uint64_t seed;
	uint64_t now;
	struct dg **buckets;
	size_t nbuckets;           /* power of two */
	struct dg *oldest, *newest;
	unsigned flags;
	struct defrag_stats st;
	uint8_t out[DEFRAG_OUT_MAX];
};

/* What inserting one fragment would do, computed before anything changes. */
struct dg_plan {
	uint32_t pieces;
	size_t bytes;
	bool overlap, conflict;
};

static size_t piece_cost(size_t len) { return sizeof(struct dg_piece) + len; }

static void mem_add(struct defrag *d, size_t n)
{
	d->st.mem_in_use += n;
	if (d->st.mem_in_use > d->st.peak_mem)
		d->st.peak_mem = d->st.mem_in_use;
}

struct defrag *defrag_new(const struct defrag_config *cfg)
{
	struct defrag *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->memcap = cfg && cfg->memcap ? cfg->memcap : DEFRAG_DEFAULT_MEMCAP;
	d->timeout_us = (uint64_t)(cfg && cfg->timeout_s ? cfg->timeout_s : DEFRAG_DEFAULT_TIMEOUT) *
	                1000000u;
	d->max_frags = cfg && cfg->max_frags ? cfg->max_frags : DEFRAG_DEFAULT_MAX_FRAGS;
	d->seed = cfg ? cfg->hash_seed : 0;
	/* About one bucket per 2 KiB of memcap: chains stay short at any fill. */
	size_t n = 64;
	while (n < 65536 && (uint64_t)n * 2048 < d->memcap)
		n <<= 1;
	d->buckets = calloc(n, sizeof(*d->buckets));
	if (d->buckets == NULL) {
		free(d);
		return NULL;
	}
	d->nbuckets = n;
	return d;
}

static void dg_unlink(struct defrag *d, struct dg *g)
{
	struct dg **pp = &d->buckets[g->hash & (d->nbuckets - 1)];
	while (*pp != g)
		pp = &(*pp)->hnext;
	*pp = g->hnext;
	if (g->older)
		g->older->newer = g->newer;
	else
		d->oldest = g->newer;
	if (g->newer)
		g->newer->older = g->older;
	else
		d->newest = g->older;
}

static void dg_destroy(struct defrag *d, struct dg *g)
{
	dg_unlink(d, g);
	struct dg_piece *pc = g->pieces;
	while (pc) {
		struct dg_piece *next = pc->next;
		free(pc);
		pc = next;
	}
	free(g->hdr);
	d->st.mem_in_use -= g->mem;
	d->st.active--;
	free(g);
}

void defrag_free(struct defrag *d)
{
	if (d == NULL)
		return;
	while (d->oldest)
		dg_destroy(d, d->oldest);
	free(d->buckets);
	free(d);
}

static void advance(struct defrag *d, uint64_t now_us)
{
	if (now_us > d->now)
		d->now = now_us;
}

static void expire_due(struct defrag *d)
{
	while (d->oldest && d->now - d->oldest->created_us > d->timeout_us) {
		dg_destroy(d, d->oldest);
		d->st.timed_out++;
		d->flags |= DEFRAG_F_TIMED_OUT;
	}
}

void defrag_expire(struct defrag *d, uint64_t now_us)
{
	d->flags = 0;
	advance(d, now_us);
	expire_due(d);
	d->flags = 0;
}

static uint64_t key_hash(const struct defrag *d, const struct pd_packet *p, uint8_t proto)
{
	uint64_t h = fhash_mix(d->seed, ((uint64_t)p->ip_version << 40) | ((uint64_t)proto << 32) |
	                                    p->frag_id);
	h = fhash_addr(h, p->src.b);
	h = fhash_addr(h, p->dst.b);
	for (unsigned i = 0; i < p->vlan_count && i < PD_MAX_VLAN; i++)
		h = fhash_mix(h, 0x10000u | p->vlan[i]);
	return fhash_final(h);
}

static bool key_equal(const struct dg *g, const struct pd_packet *p, uint8_t proto, uint64_t h)
{
	if (g->hash != h || g->id != p->frag_id || g->version != p->ip_version ||
	    g->proto != proto || g->vlan_count != p->vlan_count)
		return false;
	if (memcmp(g->src.b, p->src.b, 16) != 0 || memcmp(g->dst.b, p->dst.b, 16) != 0)
		return false;
	for (unsigned i = 0; i < g->vlan_count && i < PD_MAX_VLAN; i++)
		if (g->vlan[i] != p->vlan[i])
			return false;
	return true;
}

/* Walks the pieces the way insertion will: counts the new pieces and bytes and
 * compares every overlapped byte with what is held. */
static struct dg_plan plan_insert(const struct dg *g, uint32_t s, const uint8_t *data, uint32_t n)
{
	struct dg_plan pl = { 0, 0, false, false };
	uint32_t e = s + n, pos = s;
	const struct dg_piece *cur = g ? g->pieces : NULL;
	while (pos < e) {
		while (cur && cur->off + cur->len <= pos)
			cur = cur->next;
		if (cur && cur->off <= pos) {
			uint32_t oe = cur->off + cur->len < e ? cur->off + cur->len : e;
			pl.overlap = true;
			if (memcmp(data + (pos - s), cur->data + (pos - cur->off), oe - pos) != 0)
				pl.conflict = true;
			pos = oe;
			continue;
		}
		uint32_t pe = cur && cur->off < e ? cur->off : e;
		pl.pieces++;
		pl.bytes += piece_cost(pe - pos);
		pos = pe;
	}
	return pl;
}

/* Stores the bytes of [s, s + n) not yet held. Memory was reserved. */
static int do_insert(struct defrag *d, struct dg *g, uint32_t s, const uint8_t *data, uint32_t n)
{
	uint32_t e = s + n, pos = s;
	struct dg_piece **link = &g->pieces;
	while (pos < e) {
		while (*link && (*link)->off + (*link)->len <= pos)
			link = &(*link)->next;
		struct dg_piece *cur = *link;
		if (cur && cur->off <= pos) {
			pos = cur->off + cur->len < e ? cur->off + cur->len : e;
			continue;
		}
		uint32_t pe = cur && cur->off < e ? cur->off : e;
		struct dg_piece *pc = malloc(piece_cost(pe - pos));
		if (pc == NULL)
			return -1;
		pc->off = pos;
		pc->len = pe - pos;
		memcpy(pc->data, data + (pos - s), pe - pos);
		pc->next = cur;
		*link = pc;
		link = &pc->next;
		g->npieces++;
		g->held += pc->len;
		g->mem += piece_cost(pc->len);
		mem_add(d, piece_cost(pc->len));
		pos = pe;
	}
	return 0;
}

/* Makes room for `need` bytes by evicting the oldest datagrams other than keep. */
static bool reserve(struct defrag *d, size_t need, const struct dg *keep)
{
	if (d->st.mem_in_use + need <= d->memcap)
		return true;
	d->st.memcap_hits++;
	d->flags |= DEFRAG_F_MEMCAP;
	struct dg *g = d->oldest;
	while (g && d->st.mem_in_use + need > d->memcap) {
		struct dg *next = g->newer;
		if (g != keep) {
			dg_destroy(d, g);
			d->st.evicted++;
			d->flags |= DEFRAG_F_EVICTED;
		}
		g = next;
	}
	return d->st.mem_in_use + need <= d->memcap;
}

static uint16_t ip4_checksum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put_be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* Offset of the Next Header byte that names the fragment header: byte 6 of
 * the fixed header, or the first byte of the last extension header before it. */
static size_t ip6_nh_field(const uint8_t *hdr, size_t unfrag)
{
	struct pcur c = pcur_make(hdr, unfrag);
	size_t field = 6;
	pcur_skip(&c, 6);
	uint8_t nh = pcur_u8(&c);
	pcur_skip(&c, DEFRAG_IP6_HDR - 7);
	while (pcur_ok(&c) && pcur_left(&c) >= 2) {
		field = (size_t)(pcur_ptr(&c) - hdr);
		uint8_t next = pcur_u8(&c);
		size_t len = pcur_u8(&c);
		size_t size = nh == DEFRAG_PROTO_AH ? (len + 2) * 4 : (len + 1) * 8;
		pcur_skip(&c, size - 2);
		nh = next;
	}
	return field;
}

static size_t assemble(struct defrag *d, const struct dg *g)
{
	uint8_t *o = d->out;
	memcpy(o, g->hdr, g->hdr_len);
	for (const struct dg_piece *pc = g->pieces; pc; pc = pc->next)
		memcpy(o + g->hdr_len + pc->off, pc->data, pc->len);
	size_t total = g->hdr_len + g->end;
	if (g->version == 4) {
		put_be16(o + 2, (uint16_t)total);
		o[6] &= 0xc0; /* keep reserved and DF, clear MF and the offset */
		o[7] = 0;
		o[10] = o[11] = 0;
		put_be16(o + 10, ip4_checksum(o, g->hdr_len));
	} else {
		put_be16(o + 4, (uint16_t)(total - DEFRAG_IP6_HDR));
		o[ip6_nh_field(o, g->hdr_len)] = g->v6_next;
	}
	return total;
}

/* One past the last byte held. */
static uint32_t dg_held_end(const struct dg *g)
{
	const struct dg_piece *last = g->pieces;
	if (last == NULL)
		return 0;
	while (last->next)
		last = last->next;
	return last->off + last->len;
}

/* Header bytes the finished datagram will count against the 65535 limit. */
static uint32_t extra_header(const struct dg *g, const struct pd_packet *p)
{
	if (g && g->has_first)
		return g->version == 4 ? g->hdr_len : g->hdr_len - DEFRAG_IP6_HDR;
	if (p->frag_offset == 0)
		return p->ip_version == 4 ? (uint32_t)p->l3_hdr_len :
		                            (uint32_t)(p->frag_unfrag_len - DEFRAG_IP6_HDR);
	return p->ip_version == 4 ? DEFRAG_IP4_MIN_HDR : 0;
}

static bool is_tiny(const struct pd_packet *p)
{
	if (p->frag_offset == 0 && p->more_fragments) {
		if (p->ip_proto == DEFRAG_PROTO_TCP && p->frag_len < DEFRAG_TCP_MIN)
			return true;
		if (p->ip_proto == DEFRAG_PROTO_UDP && p->frag_len < DEFRAG_UDP_MIN)
			return true;
	}
	/* RFC 1858 section 3.2: offset 8 can only serve to rewrite TCP flags. */
	return p->frag_offset == 8 && p->ip_proto == DEFRAG_PROTO_TCP;
}

static bool usable(const struct pd_packet *p)
{
	if (!p->is_fragment || p->l3 == NULL || (p->frag_data == NULL && p->frag_len != 0))
		return false;
	if (p->ip_version == 4)
		return p->l3_hdr_len >= DEFRAG_IP4_MIN_HDR && p->l3_hdr_len <= 60 &&
		       p->l3_hdr_len <= p->l3_len;
	if (p->ip_version == 6)
		return p->frag_unfrag_len >= DEFRAG_IP6_HDR && p->frag_unfrag_len <= p->l3_len &&
		       p->frag_hdr_offset == p->frag_unfrag_len;
	return false;
}

static enum defrag_result drop(struct defrag *d, unsigned flag, uint64_t *counter)
{
	d->flags |= flag;
	(*counter)++;
	return DEFRAG_DROPPED;
}

static struct dg *dg_create(struct defrag *d, const struct pd_packet *p, uint8_t proto, uint64_t h)
{
	struct dg *g = calloc(1, sizeof(*g));
	if (g == NULL)
		return NULL;
	g->hash = h;
	g->created_us = d->now;
	g->src = p->src;
	g->dst = p->dst;
	g->id = p->frag_id;
	g->version = p->ip_version;
	g->proto = proto;
	g->vlan_count = p->vlan_count;
	memcpy(g->vlan, p->vlan, sizeof(g->vlan));
	g->mem = sizeof(*g);
	mem_add(d, sizeof(*g));
	d->st.active++;
	size_t b = h & (d->nbuckets - 1);
	g->hnext = d->buckets[b];
	d->buckets[b] = g;
	g->older = d->newest;
	if (d->newest)
		d->newest->newer = g;
	else
		d->oldest = g;
	d->newest = g;
	return g;
}

/* Copies the first fragment's header (v4) or unfragmentable part (v6). */
static int keep_header(struct defrag *d, struct dg *g, const struct pd_packet *p)
{
	size_t n = p->ip_version == 4 ? p->l3_hdr_len : p->frag_unfrag_len;
	struct pcur c = pcur_make(p->l3, p->l3_len);
	g->hdr = malloc(n);
	if (g->hdr == NULL)
		return -1;
	pcur_copy(&c, g->hdr, n);
	g->hdr_len = (uint32_t)n;
	g->has_first = true;
	g->v6_next = p->ip_proto;
	g->mem += n;
	mem_add(d, n);
	return 0;
}

enum defrag_result defrag_add(struct defrag *d, const struct pd_packet *p, uint64_t now_us,
                              const uint8_t **datagram, size_t *len)
{
	*datagram = NULL;
	*len = 0;
	d->flags = 0;
	advance(d, now_us);
	expire_due(d);
	d->st.fragments++;

	if (!usable(p))
		return drop(d, DEFRAG_F_NOT_FRAGMENT, &d->st.not_fragment);
	uint32_t off = p->frag_offset, n = (uint32_t)p->frag_len;
	if ((uint64_t)off + n > DEFRAG_MAX_DATAGRAM)
		return drop(d, DEFRAG_F_OVERFLOW, &d->st.overflow);
	if (is_tiny(p))
		return drop(d, DEFRAG_F_TINY, &d->st.tiny);
	if (p->more_fragments && n % 8 != 0)
		return drop(d, DEFRAG_F_INVALID, &d->st.invalid);

	/* RFC 8200 keys IPv6 reassembly on addresses and id only. */
	uint8_t proto = p->ip_version == 4 ? p->ip_proto : 0;
	uint64_t h = key_hash(d, p, proto);
	struct dg *g = d->buckets[h & (d->nbuckets - 1)];
	while (g && !key_equal(g, p, proto, h))
		g = g->hnext;

	uint32_t held_end = g ? dg_held_end(g) : 0;
	uint32_t max_end = off + n > held_end ? off + n : held_end;
	if ((uint64_t)extra_header(g, p) + max_end > DEFRAG_MAX_DATAGRAM) {
		if (g)
			dg_destroy(d, g);
		return drop(d, DEFRAG_F_OVERSIZE, &d->st.oversize);
	}
	/* One end only, and nothing past it (RFC 8200 section 4.5). */
	if (g && g->has_end && (off + n > g->end || (!p->more_fragments && off + n != g->end)))
		return drop(d, DEFRAG_F_INVALID, &d->st.invalid);
	if (g && !p->more_fragments && !g->has_end && held_end > off + n)
		return drop(d, DEFRAG_F_INVALID, &d->st.invalid);

	struct pcur c = pcur_make(p->frag_data, p->frag_len);
	const uint8_t *data = pcur_take(&c, n);
	if (data == NULL)
		return drop(d, DEFRAG_F_NOT_FRAGMENT, &d->st.not_fragment);
	struct dg_plan pl = plan_insert(g, off, data, n);
	if (pl.overlap) {
		d->st.overlaps++;
		d->flags |= DEFRAG_F_OVERLAP;
	}
	if (pl.conflict) {
		d->st.overlap_conflicts++;
		d->flags |= DEFRAG_F_OVERLAP_CONFLICT;
	}
	if ((g ? g->npieces : 0) + pl.pieces > d->max_frags) {
		if (g)
			dg_destroy(d, g);
		return drop(d, DEFRAG_F_TOO_MANY, &d->st.too_many);
	}

	bool first = off == 0 && !(g && g->has_first);
	size_t need = pl.bytes + (g ? 0 : sizeof(struct dg)) +
	              (first ? (p->ip_version == 4 ? p->l3_hdr_len : p->frag_unfrag_len) : 0);
	if (!reserve(d, need, g))
		return DEFRAG_DROPPED;
	if (g == NULL && (g = dg_create(d, p, proto, h)) == NULL)
		return drop(d, DEFRAG_F_MEMCAP, &d->st.memcap_hits);
	if ((first && keep_header(d, g, p) != 0) || do_insert(d, g, off, data, n) != 0) {
		dg_destroy(d, g);
		return drop(d, DEFRAG_F_MEMCAP, &d->st.memcap_hits);
	}
	if (!p->more_fragments && !g->has_end) {
		g->has_end = true;
		g->end = off + n;
	}

	if (!(g->has_first && g->has_end && g->held == g->end))
		return DEFRAG_HELD;
	*len = assemble(d, g);
	*datagram = d->out;
	dg_destroy(d, g);
	d->st.reassembled++;
	return DEFRAG_COMPLETE;
}

unsigned defrag_last_flags(const struct defrag *d)
{
	return d->flags;
}

const struct defrag_stats *defrag_get_stats(const struct defrag *d)
{
	return &d->st;
}
