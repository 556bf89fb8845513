/* SPDX-License-Identifier: BSD-2-Clause */
/* Check suite: IPv4/IPv6 defragmentation (RFC 791, RFC 8200, RFC 5722, RFC 1858)
 * through the real decoder: fragments are built as frames, decoded with
 * pd_decode, reassembled, and the result re-decoded with pd_decode_ip. */

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "flows/defrag.h"
#include "parsers/decode.h"

#define SEC 1000000ull
#define T0 (1700000000ull * SEC)
#define MAXF 2048

static const uint8_t v4a[4] = { 10, 0, 0, 1 }, v4b[4] = { 10, 0, 0, 2 };
static const uint8_t v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

struct frame {
	uint8_t b[MAXF];
	size_t n;
};

static void be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, (uint16_t)(v >> 16)); be16(p + 2, (uint16_t)v); }

static uint16_t csum(const uint8_t *h, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The datagram to fragment: a UDP or TCP header followed by a patterned payload. */
static size_t make_l4(uint8_t *out, uint8_t proto, size_t payload_len, uint8_t salt)
{
	size_t h = proto == 6 ? 20 : 8;
	memset(out, 0, h);
	be16(out, 40000);
	be16(out + 2, proto == 6 ? 587 : 53);
	if (proto == 6) {
		be32(out + 4, 1000);
		out[12] = 5 << 4;
		out[13] = 0x18; /* PSH ACK */
		be16(out + 14, 65535);
	} else {
		be16(out + 4, (uint16_t)(8 + payload_len));
	}
	for (size_t i = 0; i < payload_len; i++)
		out[h + i] = (uint8_t)(i * 7 + salt);
	return h + payload_len;
}

/* One IPv4 fragment as a raw-IP frame (LINKTYPE_RAW). */
static void frag4(struct frame *f, uint8_t proto, uint16_t id, uint32_t off, bool mf,
                  const uint8_t *data, size_t len, size_t optlen)
{
	size_t hl = 20 + optlen;
	ck_assert_uint_le(hl + len, MAXF);
	memset(f->b, 0, hl);
	f->b[0] = (uint8_t)(0x40 | (hl / 4));
	be16(f->b + 2, (uint16_t)(hl + len));
	be16(f->b + 4, id);
	be16(f->b + 6, (uint16_t)((mf ? 0x2000 : 0) | (off / 8)));
	f->b[8] = 64;
	f->b[9] = proto;
	memcpy(f->b + 12, v4a, 4);
	memcpy(f->b + 16, v4b, 4);
	for (size_t i = 20; i < hl; i++)
		f->b[i] = 1; /* NOP options */
	be16(f->b + 10, csum(f->b, hl));
	memcpy(f->b + hl, data, len);
	f->n = hl + len;
}

/* One IPv6 fragment: fixed header, `next` extension headers of 8 bytes
 * (types in exts), the fragment header, then data. */
static void frag6(struct frame *f, const uint8_t *exts, size_t nexts, uint8_t proto, uint32_t id,
                  uint32_t off, bool m, const uint8_t *data, size_t len)
{
	size_t unfrag = 40 + 8 * nexts;
	ck_assert_uint_le(unfrag + 8 + len, MAXF);
	memset(f->b, 0, unfrag + 8);
	f->b[0] = 0x60;
	be16(f->b + 4, (uint16_t)(unfrag - 40 + 8 + len));
	f->b[6] = nexts ? exts[0] : 44;
	f->b[7] = 64;
	memcpy(f->b + 8, v6a, 16);
	memcpy(f->b + 24, v6b, 16);
	for (size_t i = 0; i < nexts; i++) {
		uint8_t *e = f->b + 40 + 8 * i;
		e[0] = i + 1 < nexts ? exts[i + 1] : 44;
		e[1] = 0;     /* 8 bytes */
		e[2] = 1;     /* PadN over the rest */
		e[3] = 4;
	}
	uint8_t *fh = f->b + unfrag;
	fh[0] = proto;
	be16(fh + 2, (uint16_t)(off | (m ? 1 : 0)));
	be32(fh + 4, id);
	memcpy(f->b + unfrag + 8, data, len);
	f->n = unfrag + 8 + len;
}

/* Decodes a frame that must be a fragment. */
static void decode_frag(struct pd_packet *p, const struct frame *f)
{
	ck_assert_int_eq(pd_decode(p, f->b, f->n, PD_LINK_RAW), PD_OK);
	ck_assert(p->is_fragment);
}

static struct defrag *mk(uint64_t memcap, uint32_t timeout_s, uint32_t max_frags)
{
	struct defrag_config c = { .memcap = memcap, .timeout_s = timeout_s, .max_frags = max_frags };
	struct defrag *d = defrag_new(&c);
	ck_assert_ptr_nonnull(d);
	return d;
}

static enum defrag_result add(struct defrag *d, const struct frame *f, uint64_t now,
                              const uint8_t **dg, size_t *len)
{
	struct pd_packet p;
	decode_frag(&p, f);
	return defrag_add(d, &p, now, dg, len);
}

/* Checks a reassembled datagram against the original L4 bytes. */
static void check_datagram(const uint8_t *dg, size_t len, int version, uint8_t proto,
                           const uint8_t *l4, size_t l4len)
{
	struct pd_packet p;
	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(pd_decode_ip(&p, dg, len), PD_OK);
	ck_assert(!p.is_fragment);
	ck_assert(p.has_l4);
	ck_assert_uint_eq(p.ip_version, version);
	ck_assert_uint_eq(p.ip_proto, proto);
	ck_assert_uint_eq(p.sport, 40000);
	ck_assert_uint_eq(p.dport, proto == 6 ? 587 : 53);
	size_t h = proto == 6 ? 20 : 8;
	ck_assert_uint_eq(p.payload_len, l4len - h);
	ck_assert_mem_eq(p.payload, l4 + h, l4len - h);
	ck_assert_uint_eq(p.l3_len, len);
	if (version == 4) {
		ck_assert_uint_eq(csum(dg, p.l3_hdr_len), 0); /* header checksum valid */
		ck_assert_uint_eq(dg[6] & 0x3f, 0);            /* MF and offset clear */
		ck_assert_uint_eq(dg[7], 0);
	}
}

/* ---- IPv4 orders: in order, reversed, shuffled ------------------------- */

static const struct order_case {
	const char *name;
	unsigned order[5];
	uint8_t proto;
	size_t optlen;
} orders[] = {
	{ "in order udp", { 0, 1, 2, 3, 4 }, 17, 0 },
	{ "reversed udp", { 4, 3, 2, 1, 0 }, 17, 0 },
	{ "shuffled udp", { 2, 4, 0, 3, 1 }, 17, 0 },
	{ "last first tcp", { 4, 0, 1, 2, 3 }, 6, 0 },
	{ "shuffled tcp with options", { 1, 3, 0, 4, 2 }, 6, 8 },
};

START_TEST(test_v4_orders)
{
	const struct order_case *c = &orders[_i];
	uint8_t l4[256];
	size_t n = make_l4(l4, c->proto, 200, 3);
	struct defrag *d = mk(0, 0, 0);
	/* 5 fragments: 4 x 48 bytes and the rest */
	for (unsigned k = 0; k < 5; k++) {
		unsigned i = c->order[k];
		size_t off = i * 48, len = i == 4 ? n - 4 * 48 : 48;
		struct frame f;
		frag4(&f, c->proto, 0x1234, (uint32_t)off, i != 4, l4 + off, len,
		      i == 0 ? c->optlen : 0);
		const uint8_t *dg;
		size_t dlen;
		enum defrag_result r = add(d, &f, T0 + k, &dg, &dlen);
		if (k < 4) {
			ck_assert_msg(r == DEFRAG_HELD, "%s: step %u", c->name, k);
			ck_assert_ptr_null(dg);
			continue;
		}
		ck_assert_msg(r == DEFRAG_COMPLETE, "%s", c->name);
		ck_assert_uint_eq(dlen, 20 + c->optlen + n);
		check_datagram(dg, dlen, 4, c->proto, l4, n);
	}
	const struct defrag_stats *st = defrag_get_stats(d);
	ck_assert_uint_eq(st->fragments, 5);
	ck_assert_uint_eq(st->reassembled, 1);
	ck_assert_uint_eq(st->active, 0);
	ck_assert_uint_eq(st->mem_in_use, 0);
	ck_assert_uint_gt(st->peak_mem, n);
	ck_assert_uint_eq(st->overlaps, 0);
	defrag_free(d);
}
END_TEST

/* ---- overlaps: first wins -----------------------------------------------
 * Each case is a sequence of fragments over a 72-byte UDP datagram; a byte
 * model (first writer of each byte wins) gives the expected datagram and the
 * expected overlap/conflict notes of every step. */

struct ov_frag {
	uint32_t off, len;
	bool evil;   /* carries inverted bytes */
};

static const struct overlap_case {
	const char *name;
	struct ov_frag f[5];
	unsigned nf;
} overlaps[] = {
	{ "tail overlap same bytes", { { 0, 32, 0 }, { 24, 32, 0 }, { 48, 24, 0 } }, 3 },
	{ "tail overlap conflicting", { { 0, 32, 0 }, { 24, 32, 1 }, { 56, 16, 0 } }, 3 },
	{ "exact duplicate conflicting", { { 0, 32, 0 }, { 0, 32, 1 }, { 32, 40, 0 } }, 3 },
	{ "inside conflicting", { { 0, 32, 0 }, { 8, 16, 1 }, { 32, 40, 0 } }, 3 },
	{ "later covers two holes", { { 0, 16, 0 }, { 32, 8, 1 }, { 0, 64, 0 }, { 64, 8, 0 } }, 4 },
	{ "last fragment overlapping", { { 0, 40, 1 }, { 32, 40, 0 } }, 2 },
	{ "adjacent pieces, no overlap", { { 0, 24, 1 }, { 24, 24, 0 }, { 48, 24, 1 } }, 3 },
};

START_TEST(test_v4_overlap_first_wins)
{
	const struct overlap_case *c = &overlaps[_i];
	uint8_t l4[128], evil[128], model[128];
	bool have[128] = { false };
	size_t n = make_l4(l4, 17, 64, 1); /* 72 bytes */
	for (size_t i = 0; i < sizeof(evil); i++)
		evil[i] = (uint8_t)~l4[i];
	struct defrag *d = mk(0, 0, 0);
	uint64_t want_ov = 0, want_conf = 0;
	for (unsigned k = 0; k < c->nf; k++) {
		const struct ov_frag *q = &c->f[k];
		const uint8_t *src = q->evil ? evil : l4;
		bool ov = false, conf = false;
		for (uint32_t i = q->off; i < q->off + q->len; i++) {
			if (have[i]) {
				ov = true;
				conf |= model[i] != src[i];
			} else {
				have[i] = true;
				model[i] = src[i];
			}
		}
		want_ov += ov;
		want_conf += conf;
		bool last = q->off + q->len == n;
		struct frame f;
		frag4(&f, 17, 7, q->off, !last, src + q->off, q->len, 0);
		const uint8_t *dg;
		size_t dlen;
		enum defrag_result r = add(d, &f, T0, &dg, &dlen);
		unsigned want = (ov ? DEFRAG_F_OVERLAP : 0) | (conf ? DEFRAG_F_OVERLAP_CONFLICT : 0);
		ck_assert_msg(defrag_last_flags(d) == want, "%s step %u: flags %#x want %#x", c->name,
		              k, defrag_last_flags(d), want);
		if (k + 1 < c->nf) {
			ck_assert_msg(r == DEFRAG_HELD, "%s step %u", c->name, k);
			continue;
		}
		ck_assert_msg(r == DEFRAG_COMPLETE, "%s", c->name);
		ck_assert_uint_eq(dlen, 20 + n);
		ck_assert_mem_eq(dg + 20, model, n);
	}
	const struct defrag_stats *st = defrag_get_stats(d);
	ck_assert_uint_eq(st->overlaps, want_ov);
	ck_assert_uint_eq(st->overlap_conflicts, want_conf);
	ck_assert_uint_eq(st->mem_in_use, 0);
	defrag_free(d);
}
END_TEST

/* ---- timeout ------------------------------------------------------------ */

START_TEST(test_v4_missing_last_times_out)
{
	uint8_t l4[128];
	size_t n = make_l4(l4, 17, 80, 2);
	struct defrag *d = mk(0, 30, 0);
	struct frame f;
	const uint8_t *dg;
	size_t dlen;
	frag4(&f, 17, 9, 0, true, l4, 32, 0);
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_HELD);
	frag4(&f, 17, 9, 32, true, l4 + 32, 32, 0);
	ck_assert_int_eq(add(d, &f, T0 + 5 * SEC, &dg, &dlen), DEFRAG_HELD);

	defrag_expire(d, T0 + 30 * SEC); /* exactly the timeout: still held */
	ck_assert_uint_eq(defrag_get_stats(d)->active, 1);
	defrag_expire(d, T0 + 30 * SEC + 1);
	const struct defrag_stats *st = defrag_get_stats(d);
	ck_assert_uint_eq(st->timed_out, 1);
	ck_assert_uint_eq(st->active, 0);
	ck_assert_uint_eq(st->mem_in_use, 0);

	/* The late last fragment starts a new datagram that cannot complete. */
	frag4(&f, 17, 9, 64, false, l4 + 64, n - 64, 0);
	ck_assert_int_eq(add(d, &f, T0 + 31 * SEC, &dg, &dlen), DEFRAG_HELD);
	ck_assert_uint_eq(st->active, 1);
	/* ...and expires on its own inside defrag_add, time going backwards ignored */
	frag4(&f, 17, 10, 0, true, l4, 32, 0);
	ck_assert_int_eq(add(d, &f, T0 + 62 * SEC, &dg, &dlen), DEFRAG_HELD);
	ck_assert(defrag_last_flags(d) & DEFRAG_F_TIMED_OUT);
	ck_assert_uint_eq(st->timed_out, 2);
	frag4(&f, 17, 10, 32, false, l4 + 32, 8, 0);
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_COMPLETE);
	defrag_free(d);
}
END_TEST

/* ---- rejected fragments -------------------------------------------------- */

struct rej_case {
	const char *name;
	uint8_t proto;
	uint32_t off;
	size_t len;
	bool mf;
	unsigned flag;
	size_t stat_off; /* offsetof the counter in struct defrag_stats */
};

static const struct rej_case rejects[] = {
	{ "offset overflow", 17, 65528, 16, false, DEFRAG_F_OVERFLOW,
	  offsetof(struct defrag_stats, overflow) },
	{ "oversize with header (ping of death)", 17, 65520, 8, false, DEFRAG_F_OVERSIZE,
	  offsetof(struct defrag_stats, oversize) },
	{ "tiny tcp first", 6, 0, 16, true, DEFRAG_F_TINY, offsetof(struct defrag_stats, tiny) },
	{ "tiny udp first", 17, 0, 4, true, DEFRAG_F_TINY, offsetof(struct defrag_stats, tiny) },
	{ "tcp offset 8 rewrites flags", 6, 8, 16, true, DEFRAG_F_TINY,
	  offsetof(struct defrag_stats, tiny) },
	{ "non-last length not multiple of 8", 17, 16, 20, true, DEFRAG_F_INVALID,
	  offsetof(struct defrag_stats, invalid) },
};

START_TEST(test_v4_rejects)
{
	const struct rej_case *c = &rejects[_i];
	uint8_t data[64];
	memset(data, 0x5a, sizeof(data));
	struct defrag *d = mk(0, 0, 0);
	struct frame f;
	const uint8_t *dg;
	size_t dlen;
	/* a held neighbour with the same key, to see the datagram dropped or kept */
	frag4(&f, c->proto, 77, 32, true, data, 32, 0);
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_HELD);
	frag4(&f, c->proto, 77, c->off, c->mf, data, c->len, 0);
	ck_assert_msg(add(d, &f, T0, &dg, &dlen) == DEFRAG_DROPPED, "%s", c->name);
	ck_assert_ptr_null(dg);
	ck_assert_msg(defrag_last_flags(d) & c->flag, "%s: %#x", c->name, defrag_last_flags(d));
	const struct defrag_stats *st = defrag_get_stats(d);
	uint64_t v;
	memcpy(&v, (const uint8_t *)st + c->stat_off, sizeof(v));
	ck_assert_uint_eq(v, 1);
	/* oversize drops the whole datagram; the others only the fragment */
	ck_assert_uint_eq(st->active, c->flag == DEFRAG_F_OVERSIZE ? 0 : 1);
	defrag_free(d);
	if (c->flag == DEFRAG_F_OVERSIZE)
		return;
	/* the same rejection as the very first fragment of a datagram */
	d = mk(0, 0, 0);
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_DROPPED);
	ck_assert_uint_eq(defrag_get_stats(d)->active, 0);
	ck_assert_uint_eq(defrag_get_stats(d)->mem_in_use, 0);
	defrag_free(d);
}
END_TEST

START_TEST(test_v4_inconsistent_end)
{
	uint8_t data[64] = { 0 };
	struct defrag *d = mk(0, 0, 0);
	struct frame f;
	const uint8_t *dg;
	size_t dlen;
	frag4(&f, 17, 5, 32, false, data, 16, 0); /* end = 48 */
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_HELD);
	frag4(&f, 17, 5, 32, false, data, 24, 0); /* a second, different end */
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_DROPPED);
	frag4(&f, 17, 5, 40, true, data, 16, 0);  /* data past the end */
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_DROPPED);
	frag4(&f, 17, 6, 64, true, data, 16, 0);  /* other datagram: held up to 80 */
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_HELD);
	frag4(&f, 17, 6, 32, false, data, 16, 0); /* an end before held data */
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_DROPPED);
	ck_assert_uint_eq(defrag_get_stats(d)->invalid, 3);
	ck_assert_uint_eq(defrag_get_stats(d)->active, 2);
	defrag_free(d);
}
END_TEST

START_TEST(test_not_fragment)
{
	uint8_t l4[64];
	size_t n = make_l4(l4, 17, 20, 0);
	struct frame f;
	frag4(&f, 17, 1, 0, false, l4, n, 0); /* offset 0, MF 0: a whole datagram */
	struct pd_packet p;
	ck_assert_int_eq(pd_decode(&p, f.b, f.n, PD_LINK_RAW), PD_OK);
	ck_assert(!p.is_fragment);
	struct defrag *d = mk(0, 0, 0);
	const uint8_t *dg;
	size_t dlen;
	ck_assert_int_eq(defrag_add(d, &p, T0, &dg, &dlen), DEFRAG_DROPPED);
	ck_assert_uint_eq(defrag_last_flags(d), DEFRAG_F_NOT_FRAGMENT);
	ck_assert_uint_eq(defrag_get_stats(d)->not_fragment, 1);
	defrag_free(d);
}
END_TEST

START_TEST(test_too_many_fragments)
{
	uint8_t l4[128];
	size_t n = make_l4(l4, 17, 40, 0); /* 48 bytes: 6 fragments of 8 */
	struct defrag *d = mk(0, 0, 4);
	struct frame f;
	const uint8_t *dg;
	size_t dlen;
	for (unsigned i = 0; i < 4; i++) {
		frag4(&f, 17, 3, i * 8, true, l4 + i * 8, 8, 0);
		ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_HELD);
	}
	frag4(&f, 17, 3, 32, true, l4 + 32, 8, 0);
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_DROPPED);
	ck_assert(defrag_last_flags(d) & DEFRAG_F_TOO_MANY);
	ck_assert_uint_eq(defrag_get_stats(d)->too_many, 1);
	ck_assert_uint_eq(defrag_get_stats(d)->active, 0);
	ck_assert_uint_eq(defrag_get_stats(d)->mem_in_use, 0);
	(void)n;
	defrag_free(d);
}
END_TEST

/* ---- keys: VLAN, protocol, id ------------------------------------------- */

static void frag4_vlan(struct frame *f, uint16_t vid, uint8_t proto, uint32_t off, bool mf,
                       const uint8_t *data, size_t len)
{
	struct frame ip;
	frag4(&ip, proto, 42, off, mf, data, len, 0);
	memset(f->b, 0, 12);
	f->b[0] = 2;
	f->b[6] = 2;
	f->b[5] = 1;
	be16(f->b + 12, 0x8100);
	be16(f->b + 14, vid);
	be16(f->b + 16, 0x0800);
	memcpy(f->b + 18, ip.b, ip.n);
	f->n = 18 + ip.n;
}

START_TEST(test_keys_separate)
{
	uint8_t l4[128];
	size_t n = make_l4(l4, 17, 40, 0); /* 48 bytes */
	struct defrag *d = mk(0, 0, 0);
	struct frame f;
	struct pd_packet p;
	const uint8_t *dg;
	size_t dlen;
	/* first halves on VLAN 10 and 20 */
	frag4_vlan(&f, 10, 17, 0, true, l4, 24);
	ck_assert_int_eq(pd_decode(&p, f.b, f.n, PD_LINK_ETHERNET), PD_OK);
	ck_assert_int_eq(defrag_add(d, &p, T0, &dg, &dlen), DEFRAG_HELD);
	frag4_vlan(&f, 20, 17, 0, true, l4, 24);
	ck_assert_int_eq(pd_decode(&p, f.b, f.n, PD_LINK_ETHERNET), PD_OK);
	ck_assert_int_eq(defrag_add(d, &p, T0, &dg, &dlen), DEFRAG_HELD);
	/* same id, other protocol: its own datagram */
	frag4_vlan(&f, 10, 6, 24, false, l4 + 24, n - 24);
	ck_assert_int_eq(pd_decode(&p, f.b, f.n, PD_LINK_ETHERNET), PD_OK);
	ck_assert_int_eq(defrag_add(d, &p, T0, &dg, &dlen), DEFRAG_HELD);
	ck_assert_uint_eq(defrag_get_stats(d)->active, 3);
	/* VLAN 20's second half completes VLAN 20 only */
	frag4_vlan(&f, 20, 17, 24, false, l4 + 24, n - 24);
	ck_assert_int_eq(pd_decode(&p, f.b, f.n, PD_LINK_ETHERNET), PD_OK);
	ck_assert_int_eq(defrag_add(d, &p, T0, &dg, &dlen), DEFRAG_COMPLETE);
	check_datagram(dg, dlen, 4, 17, l4, n);
	ck_assert_uint_eq(defrag_get_stats(d)->active, 2);
	ck_assert_uint_eq(defrag_get_stats(d)->overlaps, 0);
	defrag_free(d);
}
END_TEST

/* ---- memcap: the oldest datagram goes ----------------------------------- */

START_TEST(test_memcap_evicts_oldest)
{
	uint8_t l4[1200];
	size_t n = make_l4(l4, 17, 1000, 4);
	const uint64_t cap = 4096;
	struct defrag *d = mk(cap, 0, 0);
	struct frame f;
	const uint8_t *dg;
	size_t dlen;
	/* first halves (504 bytes each) of datagrams 1..8: only a few fit */
	for (uint16_t id = 1; id <= 8; id++) {
		frag4(&f, 17, id, 0, true, l4, 504, 0);
		ck_assert_int_eq(add(d, &f, T0 + id, &dg, &dlen), DEFRAG_HELD);
		ck_assert_uint_le(defrag_get_stats(d)->mem_in_use, cap);
	}
	const struct defrag_stats *st = defrag_get_stats(d);
	ck_assert_uint_gt(st->evicted, 0);
	ck_assert_uint_eq(st->evicted + st->active, 8);
	ck_assert_uint_gt(st->memcap_hits, 0);
	ck_assert_uint_le(st->peak_mem, cap);
	/* the newest completes; the oldest lost its first half */
	frag4(&f, 17, 8, 504, false, l4 + 504, n - 504, 0);
	ck_assert_int_eq(add(d, &f, T0 + 9, &dg, &dlen), DEFRAG_COMPLETE);
	check_datagram(dg, dlen, 4, 17, l4, n);
	frag4(&f, 17, 1, 504, false, l4 + 504, n - 504, 0);
	ck_assert_int_eq(add(d, &f, T0 + 10, &dg, &dlen), DEFRAG_HELD);
	/* a fragment larger than the whole cap is dropped, counted */
	uint64_t hits = st->memcap_hits;
	struct defrag *small = mk(512, 0, 0);
	frag4(&f, 17, 1, 0, true, l4, 1000, 0);
	ck_assert_int_eq(add(small, &f, T0, &dg, &dlen), DEFRAG_DROPPED);
	ck_assert(defrag_last_flags(small) & DEFRAG_F_MEMCAP);
	ck_assert_uint_eq(defrag_get_stats(small)->active, 0);
	ck_assert_uint_eq(defrag_get_stats(small)->mem_in_use, 0);
	ck_assert_uint_eq(st->memcap_hits, hits);
	defrag_free(small);
	defrag_free(d);
}
END_TEST

/* ---- IPv6 ------------------------------------------------------------------ */

static const struct v6_case {
	const char *name;
	uint8_t exts[3];
	size_t nexts;
	uint8_t proto;
	unsigned order[3];
} v6cases[] = {
	{ "no extension headers udp", { 0 }, 0, 17, { 0, 1, 2 } },
	{ "hop-by-hop then fragment, reversed", { 0 }, 1, 17, { 2, 1, 0 } },
	{ "hop-by-hop, dest-options then fragment", { 0, 60 }, 2, 17, { 1, 2, 0 } },
	{ "hop-by-hop, routing, dest-options tcp", { 0, 43, 60 }, 3, 6, { 2, 0, 1 } },
};

START_TEST(test_v6)
{
	const struct v6_case *c = &v6cases[_i];
	uint8_t l4[512];
	size_t n = make_l4(l4, c->proto, 300, 9);
	struct defrag *d = mk(0, 0, 0);
	for (unsigned k = 0; k < 3; k++) {
		unsigned i = c->order[k];
		size_t off = i * 128, len = i == 2 ? n - 256 : 128;
		struct frame f;
		frag6(&f, c->exts, c->nexts, c->proto, 0xdeadbeef, (uint32_t)off, i != 2, l4 + off, len);
		struct pd_packet p;
		decode_frag(&p, &f);
		ck_assert_uint_eq(p.frag_unfrag_len, 40 + 8 * c->nexts);
		const uint8_t *dg;
		size_t dlen;
		enum defrag_result r = defrag_add(d, &p, T0, &dg, &dlen);
		if (k < 2) {
			ck_assert_msg(r == DEFRAG_HELD, "%s step %u", c->name, k);
			continue;
		}
		ck_assert_msg(r == DEFRAG_COMPLETE, "%s", c->name);
		ck_assert_uint_eq(dlen, 40 + 8 * c->nexts + n);
		check_datagram(dg, dlen, 6, c->proto, l4, n);
		/* payload length covers the extension headers and the whole payload */
		ck_assert_uint_eq((unsigned)(dg[4] << 8 | dg[5]), 8 * c->nexts + n);
		ck_assert_uint_eq(dg[6], c->nexts ? c->exts[0] : c->proto);
	}
	ck_assert_uint_eq(defrag_get_stats(d)->mem_in_use, 0);
	defrag_free(d);
}
END_TEST

START_TEST(test_v6_tiny_and_oversize)
{
	uint8_t data[64];
	memset(data, 1, sizeof(data));
	static const uint8_t hbh[1] = { 0 };
	struct defrag *d = mk(0, 0, 0);
	struct frame f;
	const uint8_t *dg;
	size_t dlen;
	frag6(&f, hbh, 1, 6, 1, 0, true, data, 16);
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_DROPPED);
	ck_assert_uint_eq(defrag_get_stats(d)->tiny, 1);
	/* payload after reassembly = 8 (hop-by-hop) + 65528 + 8 > 65535 */
	frag6(&f, hbh, 1, 17, 2, 65528 - 8, false, data, 8);
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_HELD);
	frag6(&f, hbh, 1, 17, 2, 0, true, data, 16);
	ck_assert_int_eq(add(d, &f, T0, &dg, &dlen), DEFRAG_DROPPED);
	ck_assert(defrag_last_flags(d) & DEFRAG_F_OVERSIZE);
	ck_assert_uint_eq(defrag_get_stats(d)->oversize, 1);
	ck_assert_uint_eq(defrag_get_stats(d)->active, 0);
	defrag_free(d);
}
END_TEST

/* ---- truncation sweep: prefixes of fragments never reach a datagram ----- */

START_TEST(test_truncation_sweep)
{
	uint8_t l4[128];
	size_t n = make_l4(l4, 17, 60, 5);
	static const uint8_t exts[2] = { 0, 60 };
	struct frame fr[4];
	frag4(&fr[0], 17, 11, 0, true, l4, 32, 4);
	frag4(&fr[1], 17, 11, 32, false, l4 + 32, n - 32, 0);
	frag6(&fr[2], exts, 2, 17, 11, 0, true, l4, 32);
	frag6(&fr[3], exts, 2, 17, 11, 32, false, l4 + 32, n - 32);
	struct defrag *d = mk(0, 0, 0);
	for (unsigned k = 0; k < 4; k++) {
		for (size_t len = 0; len < fr[k].n; len++) {
			uint8_t *copy = malloc(len ? len : 1);
			memcpy(copy, fr[k].b, len);
			struct pd_packet p;
			pd_decode(&p, copy, len, PD_LINK_RAW);
			ck_assert_msg(!p.is_fragment, "prefix %zu of frame %u", len, k);
			const uint8_t *dg;
			size_t dlen;
			ck_assert_int_eq(defrag_add(d, &p, T0, &dg, &dlen), DEFRAG_DROPPED);
			free(copy);
		}
	}
	ck_assert_uint_eq(defrag_get_stats(d)->active, 0);
	/* the whole frames still reassemble afterwards */
	const uint8_t *dg;
	size_t dlen;
	ck_assert_int_eq(add(d, &fr[1], T0, &dg, &dlen), DEFRAG_HELD);
	ck_assert_int_eq(add(d, &fr[0], T0, &dg, &dlen), DEFRAG_COMPLETE);
	check_datagram(dg, dlen, 4, 17, l4, n);
	ck_assert_int_eq(add(d, &fr[2], T0, &dg, &dlen), DEFRAG_HELD);
	ck_assert_int_eq(add(d, &fr[3], T0, &dg, &dlen), DEFRAG_COMPLETE);
	check_datagram(dg, dlen, 6, 17, l4, n);
	defrag_free(d);
}
END_TEST

static Suite *defrag_suite(void)
{
	Suite *s = suite_create("defrag");
	TCase *tc = tcase_create("ipv4");
	tcase_add_loop_test(tc, test_v4_orders, 0, sizeof(orders) / sizeof(orders[0]));
	tcase_add_loop_test(tc, test_v4_overlap_first_wins, 0, sizeof(overlaps) / sizeof(overlaps[0]));
	tcase_add_test(tc, test_v4_missing_last_times_out);
	tcase_add_loop_test(tc, test_v4_rejects, 0, sizeof(rejects) / sizeof(rejects[0]));
	tcase_add_test(tc, test_v4_inconsistent_end);
	tcase_add_test(tc, test_not_fragment);
	tcase_add_test(tc, test_too_many_fragments);
	tcase_add_test(tc, test_keys_separate);
	tcase_add_test(tc, test_memcap_evicts_oldest);
	suite_add_tcase(s, tc);
	tc = tcase_create("ipv6");
	tcase_add_loop_test(tc, test_v6, 0, sizeof(v6cases) / sizeof(v6cases[0]));
	tcase_add_test(tc, test_v6_tiny_and_oversize);
	tcase_add_test(tc, test_truncation_sweep);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(defrag_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
