/* SPDX-License-Identifier: BSD-2-Clause */
/* TCP reassembly per direction (RFC 9293 section 3.4 sequence numbers, RFC 1982
 * serial arithmetic): in-order delivery, bounded out-of-order buffer, first-wins
 * overlaps, gaps reported (caps, ACKs of unseen data, flow end).
 *
 * Invariant per direction: buffered segments are sorted, disjoint and all
 * start after next_seq (anything reaching next_seq is delivered at once).
 */
#include <stdlib.h>
#include <string.h>

#include "flows/flowtable.h"
#include "flows/reasm.h"
#include "parsers/cursor.h"

#define REASM_DEFAULT_FLOW_CAP (1ull << 20)
#define REASM_DEFAULT_MEMCAP (256ull << 20)
#define REASM_MAX_FLOW_CAP (1ull << 30)
#define REASM_PROTO_TCP 6u
/* An ACK further ahead than this is not evidence of loss but garbage (or a
 * mid-stream pickup we cannot relate): ignore it rather than invent a gap. */
#define REASM_MAX_ACK_JUMP 0x40000000u

struct reasm_seg {
	struct reasm_seg *next;
	uint32_t seq, len;
	size_t cost;      /* bytes charged to the memcap (len may shrink) */
	uint8_t data[];
};

struct reasm {
	struct reasm_config cfg;
	struct reasm_stats st;
	unsigned notes;   /* REASM_F_* of the current call */
};

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}
static inline bool seq_lt(uint32_t a, uint32_t b) { return seq_diff(a, b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return seq_diff(a, b) <= 0; }

struct reasm *reasm_new(const struct reasm_config *cfg)
{
	if (cfg == NULL || cfg->deliver == NULL)
		return NULL;
	struct reasm *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->cfg = *cfg;
	if (r->cfg.flow_cap == 0)
		r->cfg.flow_cap = REASM_DEFAULT_FLOW_CAP;
	if (r->cfg.flow_cap > REASM_MAX_FLOW_CAP)
		r->cfg.flow_cap = REASM_MAX_FLOW_CAP; /* ooo_bytes are 32-bit */
	if (r->cfg.memcap == 0)
		r->cfg.memcap = REASM_DEFAULT_MEMCAP;
	return r;
}

void reasm_free(struct reasm *r)
{
	free(r);
}

const struct reasm_stats *reasm_get_stats(const struct reasm *r)
{
	return &r->st;
}

/* ---- delivery primitives ---- */

static void deliver(struct reasm *r, struct flow *f, int dir, const uint8_t *data, uint32_t n)
{
	struct reasm_dir *rd = &f->reasm.d[dir];
	if (n == 0)
		return;
	rd->next_seq += n;
	rd->delivered += n;
	r->cfg.deliver(r->cfg.arg, f, dir, data, n);
}

/* Declares [next_seq, to) lost and moves past it. */
static void give_up(struct reasm *r, struct flow *f, int dir, uint32_t to)
{
	struct reasm_dir *rd = &f->reasm.d[dir];
	uint32_t lost = to - rd->next_seq;
	if (!seq_lt(rd->next_seq, to))
		return;
	rd->next_seq = to;
	rd->gap_bytes += lost;
	rd->gaps++;
	r->st.gaps++;
	r->st.gap_bytes += lost;
	r->notes |= REASM_F_GAP;
	if (r->cfg.gap)
		r->cfg.gap(r->cfg.arg, f, dir, lost);
}

static void seg_free(struct reasm *r, struct reasm_dir *rd, struct reasm_seg *s)
{
	rd->ooo_bytes -= s->len;
	r->st.mem_in_use -= s->cost;
	free(s);
}

/* The FIN is reached in order: it takes one sequence number, then nothing. */
static void check_fin(struct reasm_dir *rd)
{
	if (rd->fin && !rd->closed && rd->next_seq == rd->fin_seq) {
		rd->closed = 1;
		rd->next_seq++;
	}
}

/* Delivers buffered segments that now start at or before next_seq. */
static void drain(struct reasm *r, struct flow *f, int dir)
{
	struct reasm_dir *rd = &f->reasm.d[dir];
	struct reasm_seg *s;
	while ((s = rd->ooo) != NULL && seq_le(s->seq, rd->next_seq)) {
		uint32_t end = s->seq + s->len;
		if (seq_lt(rd->next_seq, end)) {
			uint32_t skip = rd->next_seq - s->seq;
			deliver(r, f, dir, s->data + skip, s->len - skip);
		}
		rd->ooo = s->next;
		seg_free(r, rd, s);
	}
	check_fin(rd);
}

/* In-order bytes [seq = next_seq, seq + n). Where a buffered segment covers
 * part of them, the buffered bytes (which came first) are delivered instead,
 * and differing bytes are counted as a conflicting overlap. */
static void deliver_merge(struct reasm *r, struct flow *f, int dir, uint32_t seq,
                          const uint8_t *data, uint32_t n)
{
	struct reasm_dir *rd = &f->reasm.d[dir];
	uint32_t end = seq + n;
	while (seq_lt(rd->next_seq, end)) {
		struct reasm_seg *s = rd->ooo;
		uint32_t pos = rd->next_seq;
		if (s == NULL || !seq_lt(s->seq, end)) {
			deliver(r, f, dir, data + (pos - seq), end - pos);
			break;
		}
		deliver(r, f, dir, data + (pos - seq), s->seq - pos);
		uint32_t s_end = s->seq + s->len;
		uint32_t ov_end = seq_lt(s_end, end) ? s_end : end;
		r->st.overlaps++;
		r->notes |= REASM_F_OVERLAP;
		if (memcmp(data + (s->seq - seq), s->data, ov_end - s->seq) != 0) {
			r->st.overlaps_conflicting++;
			r->notes |= REASM_F_OVERLAP_CONFLICT;
		}
		drain(r, f, dir);
	}
	drain(r, f, dir);
}

/* ---- out-of-order buffer ---- */

struct ins_plan {
	uint64_t bytes, cost;
	bool overlap, conflict;
};

/* Same walk as seg_insert() without changing anything. */
static struct ins_plan plan(const struct reasm_dir *rd, uint32_t seq, const uint8_t *data,
                            uint32_t n)
{
	struct ins_plan pl = { 0, 0, false, false };
	uint32_t end = seq + n, pos = seq;
	const struct reasm_seg *cur = rd->ooo;
	while (seq_lt(pos, end)) {
		while (cur && seq_le(cur->seq + cur->len, pos))
			cur = cur->next;
		if (cur && seq_le(cur->seq, pos)) {
			uint32_t c_end = cur->seq + cur->len;
			uint32_t oe = seq_lt(c_end, end) ? c_end : end;
			pl.overlap = true;
			if (memcmp(data + (pos - seq), cur->data + (pos - cur->seq), oe - pos) != 0)
				pl.conflict = true;
			pos = oe;
			continue;
		}
		uint32_t pe = cur && seq_lt(cur->seq, end) ? cur->seq : end;
		pl.bytes += pe - pos;
		pl.cost += sizeof(struct reasm_seg) + (pe - pos);
		pos = pe;
	}
	return pl;
}

static void seg_insert(struct reasm *r, struct reasm_dir *rd, uint32_t seq, const uint8_t *data,
                       uint32_t n)
{
	uint32_t end = seq + n, pos = seq;
	struct reasm_seg **link = &rd->ooo;
	while (seq_lt(pos, end)) {
		while (*link && seq_le((*link)->seq + (*link)->len, pos))
			link = &(*link)->next;
		struct reasm_seg *cur = *link;
		if (cur && seq_le(cur->seq, pos)) {
			uint32_t c_end = cur->seq + cur->len;
			pos = seq_lt(c_end, end) ? c_end : end;
			continue;
		}
		uint32_t pe = cur && seq_lt(cur->seq, end) ? cur->seq : end;
		size_t cost = sizeof(struct reasm_seg) + (pe - pos);
		struct reasm_seg *s = malloc(cost);
		if (s == NULL)
			return; /* the hole stays; the flow end reports it */
		s->seq = pos;
		s->len = pe - pos;
		s->cost = cost;
		memcpy(s->data, data + (pos - seq), s->len);
		s->next = cur;
		*link = s;
		link = &s->next;
		rd->ooo_bytes += s->len;
		r->st.mem_in_use += cost;
		if (r->st.mem_in_use > r->st.peak_mem)
			r->st.peak_mem = r->st.mem_in_use;
		pos = pe;
	}
}

/* Drops buffered bytes at or past the FIN: a peer cannot send after it. */
static void prune_after_fin(struct reasm *r, struct reasm_dir *rd)
{
	struct reasm_seg **link = &rd->ooo;
	while (*link) {
		struct reasm_seg *s = *link;
		if (seq_le(rd->fin_seq, s->seq)) {
			*link = s->next;
			r->st.after_fin++;
			seg_free(r, rd, s);
			continue;
		}
		if (seq_lt(rd->fin_seq, s->seq + s->len)) {
			uint32_t keep = rd->fin_seq - s->seq;
			rd->ooo_bytes -= s->len - keep;
			s->len = keep;
			r->st.after_fin++;
		}
		link = &s->next;
	}
}

/* ---- one segment's payload ---- */

static void data_seg(struct reasm *r, struct flow *f, int dir, uint32_t seq, const uint8_t *data,
                     uint32_t n)
{
	struct reasm_dir *rd = &f->reasm.d[dir];
	bool counted_ooo = false;
	for (;;) {
		uint32_t end = seq + n;
		if (rd->closed || (rd->fin && seq_le(rd->fin_seq, seq))) {
			if (seq_le(end, rd->next_seq)) {
				r->st.retransmissions++;
				r->notes |= REASM_F_RETRANSMISSION;
			} else {
				r->st.after_fin++;
			}
			return;
		}
		if (rd->fin && seq_lt(rd->fin_seq, end)) {
			r->st.after_fin++;
			n = rd->fin_seq - seq;
			end = rd->fin_seq;
		}
		if (seq_le(end, rd->next_seq)) {
			r->st.retransmissions++;
			r->notes |= REASM_F_RETRANSMISSION;
			return;
		}
		if (seq_lt(seq, rd->next_seq)) {
			uint32_t skip = rd->next_seq - seq;
			r->st.retransmissions++;
			r->notes |= REASM_F_RETRANSMISSION;
			data += skip;
			n -= skip;
			seq = rd->next_seq;
		}
		if (seq == rd->next_seq) {
			r->st.in_order++;
			deliver_merge(r, f, dir, seq, data, n);
			return;
		}

		if (!counted_ooo) {
			counted_ooo = true;
			r->st.ooo_segments++;
			rd->ooo_segments++;
			r->notes |= REASM_F_OOO;
		}
		struct ins_plan pl = plan(rd, seq, data, n);
		if (pl.overlap) {
			r->st.overlaps++;
			r->notes |= REASM_F_OVERLAP;
		}
		if (pl.conflict) {
			r->st.overlaps_conflicting++;
			r->notes |= REASM_F_OVERLAP_CONFLICT;
		}
		if (pl.bytes == 0) {
			r->st.retransmissions++;
			r->notes |= REASM_F_RETRANSMISSION;
			return;
		}
		uint64_t flow_bytes = (uint64_t)f->reasm.d[0].ooo_bytes + f->reasm.d[1].ooo_bytes;
		bool flow_full = flow_bytes + pl.bytes > r->cfg.flow_cap;
		bool mem_full = r->st.mem_in_use + pl.cost > r->cfg.memcap;
		if (!flow_full && !mem_full) {
			seg_insert(r, rd, seq, data, n);
			return;
		}
		/* Cannot buffer: the hole before the first buffered byte (or before
		 * this segment) will never be filled within our bounds. Give it up,
		 * deliver what follows, and look at this segment again. */
		if (flow_full)
			r->st.flow_cap_hits++;
		else
			r->st.memcap_hits++;
		r->notes |= REASM_F_MEMCAP;
		uint32_t to = rd->ooo && seq_lt(rd->ooo->seq, seq) ? rd->ooo->seq : seq;
		give_up(r, f, dir, to);
		drain(r, f, dir);
	}
}

/* The peer acknowledged bytes of direction o up to ack: any of them we never
 * saw were lost before the capture point. */
static void ack_gap(struct reasm *r, struct flow *f, int o, uint32_t ack)
{
	struct reasm_dir *od = &f->reasm.d[o];
	if (!od->init || od->closed)
		return;
	uint32_t limit = ack;
	if (od->fin && seq_lt(od->fin_seq, limit))
		limit = od->fin_seq;
	if (!seq_lt(od->next_seq, limit) || limit - od->next_seq > REASM_MAX_ACK_JUMP)
		return;
	while (seq_lt(od->next_seq, limit)) {
		struct reasm_seg *s = od->ooo;
		uint32_t to = s && seq_lt(s->seq, limit) ? s->seq : limit;
		if (seq_lt(od->next_seq, to)) {
			r->st.ack_gaps++;
			give_up(r, f, o, to);
		}
		drain(r, f, o);
	}
}

unsigned reasm_packet(struct reasm *r, struct flow *f, int dir, const struct pd_packet *p)
{
	if (p->ip_proto != REASM_PROTO_TCP || !p->has_l4 || (dir != 0 && dir != 1))
		return 0;
	r->notes = 0;
	struct reasm_dir *rd = &f->reasm.d[dir];
	struct reasm_dir *od = &f->reasm.d[dir ^ 1];
	uint8_t fl = p->tcp_flags;
	uint32_t seq = p->seq;
	uint32_t n = (uint32_t)p->payload_len;
	struct pcur c = pcur_make(p->payload, p->payload_len);
	const uint8_t *data = pcur_take(&c, n);
	if (data == NULL)
		n = 0;

	/* A RST's ACK and payload are not part of the stream. */
	if (fl & PD_TCP_RST)
		return 0;
	if (fl & PD_TCP_ACK)
		ack_gap(r, f, dir ^ 1, p->ack);

	if (n || (fl & (PD_TCP_SYN | PD_TCP_FIN)))
		r->st.segments++;
	if (fl & PD_TCP_SYN) {
		if (!rd->init) {
			rd->init = 1;
			rd->syn = 1;
			rd->isn = seq;
			rd->next_seq = seq + 1;
		}
		/* The SYN-ACK's ACK names the client's first data byte. */
		if ((fl & PD_TCP_ACK) && !od->init) {
			od->init = 1;
			od->next_seq = p->ack;
		}
		seq++;
	}
	if (n) {
		if (!rd->init) {
			rd->init = 1;
			rd->next_seq = seq;
		}
		data_seg(r, f, dir, seq, data, n);
	}
	if (fl & PD_TCP_FIN) {
		uint32_t fin_seq = seq + n;
		if (!rd->init) {
			rd->init = 1;
			rd->next_seq = fin_seq;
		}
		if (!rd->fin && !rd->closed && seq_le(rd->next_seq, fin_seq)) {
			rd->fin = 1;
			rd->fin_seq = fin_seq;
			prune_after_fin(r, rd);
			check_fin(rd);
		}
	}
	return r->notes;
}

void reasm_flow_end(struct reasm *r, struct flow *f)
{
	r->notes = 0;
	for (int dir = 0; dir < 2; dir++) {
		struct reasm_dir *rd = &f->reasm.d[dir];
		while (rd->ooo) {
			give_up(r, f, dir, rd->ooo->seq);
			drain(r, f, dir);
		}
		if (rd->fin && !rd->closed) {
			give_up(r, f, dir, rd->fin_seq);
			check_fin(rd);
		}
	}
}

void reasm_flow_discard(struct reasm *r, struct flow *f)
{
	for (int dir = 0; dir < 2; dir++) {
		struct reasm_dir *rd = &f->reasm.d[dir];
		while (rd->ooo) {
			struct reasm_seg *s = rd->ooo;
			rd->ooo = s->next;
			seg_free(r, rd, s);
		}
	}
}
