/* SPDX-License-Identifier: BSD-2-Clause */
/* Byte builders for the TLS tests (see test_tls_build.h). */
#include <check.h>
#include <string.h>

#include "tests/test_tls_build.h"
#include "tests/test_tls_data.h"

void tb_init(struct tb *t)
{
	memset(t, 0, sizeof(*t));
}

void tb_u8(struct tb *t, uint8_t v)
{
	ck_assert_uint_lt(t->n, TB_CAP);
	t->b[t->n++] = v;
}

void tb_u16(struct tb *t, uint16_t v)
{
	tb_u8(t, (uint8_t)(v >> 8));
	tb_u8(t, (uint8_t)v);
}

void tb_u24(struct tb *t, uint32_t v)
{
	tb_u8(t, (uint8_t)(v >> 16));
	tb_u16(t, (uint16_t)v);
}

void tb_bytes(struct tb *t, const void *p, size_t n)
{
	ck_assert_uint_le(t->n + n, TB_CAP);
	memcpy(t->b + t->n, p, n);
	t->n += n;
}

void tb_str(struct tb *t, const char *s)
{
	tb_bytes(t, s, strlen(s));
}

void tb_open(struct tb *t, unsigned width)
{
	ck_assert_uint_lt(t->depth, TB_DEPTH);
	t->open[t->depth] = t->n;
	t->width[t->depth] = (uint8_t)width;
	t->depth++;
	for (unsigned i = 0; i < width; i++)
		tb_u8(t, 0);
}

void tb_close(struct tb *t)
{
	ck_assert_uint_gt(t->depth, 0);
	t->depth--;
	size_t at = t->open[t->depth], w = t->width[t->depth];
	size_t len = t->n - at - w;
	for (size_t i = 0; i < w; i++)
		t->b[at + i] = (uint8_t)(len >> (8 * (w - 1 - i)));
}

static void ext_u16_list(struct tb *t, uint16_t type, const uint16_t *v, size_t n)
{
	tb_u16(t, type);
	tb_open(t, 2);
	tb_open(t, 2);
	for (size_t i = 0; i < n; i++)
		tb_u16(t, v[i]);
	tb_close(t);
	tb_close(t);
}

void tb_client_hello(struct tb *t, const struct ch_spec *s)
{
	tb_u8(t, 1);
	tb_open(t, 3);
	tb_u16(t, s->version);
	for (int i = 0; i < 32; i++)
		tb_u8(t, (uint8_t)i);
	tb_u8(t, s->sid_len);
	for (unsigned i = 0; i < s->sid_len; i++)
		tb_u8(t, 0xee);
	tb_open(t, 2);
	for (size_t i = 0; i < s->n_ciphers; i++)
		tb_u16(t, s->ciphers[i]);
	tb_close(t);
	tb_u8(t, 1);
	tb_u8(t, 0);
	if (!s->no_extensions) {
		tb_open(t, 2);
		for (size_t i = 0; i < s->n_extra; i++) {
			tb_u16(t, s->extra_exts[i]);
			tb_u16(t, 0);
		}
		if (s->sni != NULL) {
			tb_u16(t, 0);
			tb_open(t, 2);
			tb_open(t, 2);
			tb_u8(t, 0);
			tb_open(t, 2);
			tb_str(t, s->sni);
			tb_close(t);
			tb_close(t);
			tb_close(t);
		}
		if (s->alpn != NULL) {
			tb_u16(t, 16);
			tb_open(t, 2);
			tb_open(t, 2);
			for (size_t i = 0; i < s->n_alpn; i++) {
				tb_open(t, 1);
				tb_str(t, s->alpn[i]);
				tb_close(t);
			}
			tb_close(t);
			tb_close(t);
		}
		if (s->groups != NULL)
			ext_u16_list(t, 10, s->groups, s->n_groups);
		if (s->sigalgs != NULL)
			ext_u16_list(t, 13, s->sigalgs, s->n_sigalgs);
		if (s->versions != NULL) {
			tb_u16(t, 43);
			tb_open(t, 2);
			tb_open(t, 1);
			for (size_t i = 0; i < s->n_versions; i++)
				tb_u16(t, s->versions[i]);
			tb_close(t);
			tb_close(t);
		}
		tb_close(t);
	}
	tb_close(t);
}

static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

void tb_server_hello(struct tb *t, uint16_t legacy, uint16_t cipher, int hrr,
                     uint16_t selected_version, const char *alpn)
{
	tb_u8(t, 2);
	tb_open(t, 3);
	tb_u16(t, legacy);
	if (hrr) {
		tb_bytes(t, hrr_random, sizeof(hrr_random));
	} else {
		for (int i = 0; i < 32; i++)
			tb_u8(t, 0x11);
	}
	tb_u8(t, 0);
	tb_u16(t, cipher);
	tb_u8(t, 0);
	tb_open(t, 2);
	if (selected_version != 0) {
		tb_u16(t, 43);
		tb_u16(t, 2);
		tb_u16(t, selected_version);
	}
	if (alpn != NULL) {
		tb_u16(t, 16);
		tb_open(t, 2);
		tb_open(t, 2);
		tb_open(t, 1);
		tb_str(t, alpn);
		tb_close(t);
		tb_close(t);
		tb_close(t);
	}
	tb_u16(t, 0xff01); /* renegotiation_info, empty list */
	tb_u16(t, 1);
	tb_u8(t, 0);
	tb_close(t);
	tb_close(t);
}

void tb_records(struct tb *out, uint8_t ctype, const uint8_t *p, size_t n, size_t recsize)
{
	size_t off = 0;
	do {
		size_t k = n - off < recsize ? n - off : recsize;
		tb_u8(out, ctype);
		tb_u16(out, 0x0303);
		tb_u16(out, (uint16_t)k);
		tb_bytes(out, p + off, k);
		off += k;
	} while (off < n);
}

size_t tb_dir_bytes(const struct tls_seg *segs, size_t n, int dir, uint8_t *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if ((int)segs[i].dir != dir)
			continue;
		ck_assert_uint_le(k + segs[i].len, cap);
		memcpy(out + k, segs[i].data, segs[i].len);
		k += segs[i].len;
	}
	return k;
}

size_t tb_hs_stream(const struct tls_seg *segs, size_t n, int dir, uint8_t *out, size_t cap,
                    size_t *end)
{
	static uint8_t all[TB_CAP];
	size_t len = tb_dir_bytes(segs, n, dir, all, sizeof(all)), k = 0, off = 0;
	while (off + 5 <= len && all[off] == 22) {
		size_t rlen = ((size_t)all[off + 3] << 8) | all[off + 4];
		ck_assert_uint_le(off + 5 + rlen, len);
		ck_assert_uint_le(k + rlen, cap);
		memcpy(out + k, all + off + 5, rlen);
		k += rlen;
		off += 5 + rlen;
	}
	if (end != NULL)
		*end = off;
	return k;
}

const uint8_t *tb_find_msg(const uint8_t *hs, size_t n, uint8_t type, size_t *len)
{
	size_t off = 0;
	while (off + 4 <= n) {
		size_t blen = ((size_t)hs[off + 1] << 16) | ((size_t)hs[off + 2] << 8) | hs[off + 3];
		if (off + 4 + blen > n)
			return NULL;
		if (hs[off] == type) {
			*len = blen;
			return hs + off + 4;
		}
		off += 4 + blen;
	}
	return NULL;
}
