/* SPDX-License-Identifier: BSD-2-Clause */
/* Test-only frame builder (see test_decode_build.h): RFC 791/8200/9293/768 headers by hand. */

#include <stdlib.h>
#include <string.h>

#include "tests/test_decode_build.h"

const uint8_t fb_v4a[4] = { 192, 0, 2, 10 };
const uint8_t fb_v4b[4] = { 198, 51, 100, 77 };
const uint8_t fb_v6a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a };
const uint8_t fb_v6b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34 };

void fb_reset(struct fb *f) { f->n = 0; }

void fb_append(struct fb *f, const void *data, size_t len)
{
	if (f->n + len > FB_MAX)
		abort();
	memcpy(f->b + f->n, data, len);
	f->n += len;
}

void fb_prepend(struct fb *f, const void *data, size_t len)
{
	if (f->n + len > FB_MAX)
		abort();
	memmove(f->b + len, f->b, f->n);
	memcpy(f->b, data, len);
	f->n += len;
}

void fb_pad(struct fb *f, size_t len, uint8_t byte)
{
	if (f->n + len > FB_MAX)
		abort();
	memset(f->b + f->n, byte, len);
	f->n += len;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void fb_hex(struct fb *f, const char *hex)
{
	int hi = -1;
	for (; *hex; hex++) {
		int v = hexval(*hex);
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			uint8_t b = (uint8_t)(hi << 4 | v);
			fb_append(f, &b, 1);
			hi = -1;
		}
	}
	if (hi >= 0)
		abort(); /* odd digit count: a typo in a test table */
}

static void be16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, v >> 16); be16(p + 2, v & 0xffff); }

void fb_tcp(struct fb *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
            uint8_t flags, uint16_t window, size_t optlen)
{
	uint8_t h[60];
	size_t hl = 20 + optlen;
	memset(h, 0, sizeof(h));
	be16(h, sport);
	be16(h + 2, dport);
	be32(h + 4, seq);
	be32(h + 8, ack);
	h[12] = (uint8_t)((hl / 4) << 4);
	h[13] = flags;
	be16(h + 14, window);
	be16(h + 16, 0xbeef);
	for (size_t i = 20; i < hl; i++)
		h[i] = 1; /* NOP options */
	fb_prepend(f, h, hl);
}

void fb_udp(struct fb *f, uint16_t sport, uint16_t dport)
{
	uint8_t h[8];
	be16(h, sport);
	be16(h + 2, dport);
	be16(h + 4, (uint32_t)(f->n + 8));
	be16(h + 6, 0);
	fb_prepend(f, h, sizeof(h));
}

void fb_ip4(struct fb *f, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
            uint8_t ttl, uint16_t id, uint16_t frag, size_t optlen)
{
	uint8_t h[60];
	size_t hl = 20 + optlen;
	memset(h, 0, sizeof(h));
	h[0] = (uint8_t)(0x40 | (hl / 4));
	h[1] = 0x10;
	be16(h + 2, (uint32_t)(hl + f->n));
	be16(h + 4, id);
	be16(h + 6, frag);
	h[8] = ttl;
	h[9] = proto;
	be16(h + 10, 0xabcd);
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	for (size_t i = 20; i < hl; i++)
		h[i] = 1; /* NOP options */
	fb_prepend(f, h, hl);
}

void fb_ip6(struct fb *f, uint8_t nh, const uint8_t src[16], const uint8_t dst[16], uint8_t hlim)
{
	uint8_t h[40];
	be32(h, 0x60012345u);
	be16(h + 4, (uint32_t)f->n);
	h[6] = nh;
	h[7] = hlim;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
	fb_prepend(f, h, sizeof(h));
}

void fb_ext6(struct fb *f, uint8_t type, uint8_t nh, size_t size)
{
	uint8_t h[2048];
	if (size > sizeof(h))
		abort();
	memset(h, 0, size);
	h[0] = nh;
	h[1] = (uint8_t)(type == 51 ? size / 4 - 2 : size / 8 - 1);
	if (size > 2)
		h[2] = 1; /* PadN-ish filler, content is not interpreted */
	fb_prepend(f, h, size);
}

void fb_frag6(struct fb *f, uint8_t nh, uint32_t offset, bool more, uint32_t id)
{
	uint8_t h[8];
	h[0] = nh;
	h[1] = 0;
	be16(h + 2, (offset & 0xfff8u) | (more ? 1u : 0u));
	be32(h + 4, id);
	fb_prepend(f, h, sizeof(h));
}

void fb_eth(struct fb *f, uint16_t ethertype, const uint16_t *tpids, const uint16_t *vids,
            size_t ntags)
{
	uint8_t h[14 + 4 * 8];
	size_t n = 12;
	if (ntags > 8)
		abort();
	for (size_t i = 0; i < 6; i++) {
		h[i] = (uint8_t)(0x02 + i);      /* dst */
		h[6 + i] = (uint8_t)(0x52 + i);  /* src */
	}
	for (size_t i = 0; i < ntags; i++) {
		be16(h + n, tpids[i]);
		be16(h + n + 2, (uint32_t)(0xa000 | vids[i])); /* PCP 5, DEI 0 */
		n += 4;
	}
	be16(h + n, ethertype);
	n += 2;
	fb_prepend(f, h, n);
}

void fb_sll(struct fb *f, uint16_t ethertype)
{
	uint8_t h[16] = { 0, 0, 0, 1, 0, 6, 0x02, 0x42, 0xac, 0x11, 0, 2, 0, 0 };
	be16(h + 14, ethertype);
	fb_prepend(f, h, sizeof(h));
}

void fb_sll2(struct fb *f, uint16_t ethertype)
{
	uint8_t h[20] = { 0, 0, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 0x02, 0x42, 0xac, 0x11, 0, 2, 0, 0 };
	be16(h, ethertype);
	fb_prepend(f, h, sizeof(h));
}

void fb_null(struct fb *f, uint32_t family, bool little_endian)
{
	uint8_t h[4];
	if (little_endian) {
		h[0] = (uint8_t)family;
		h[1] = (uint8_t)(family >> 8);
		h[2] = (uint8_t)(family >> 16);
		h[3] = (uint8_t)(family >> 24);
	} else {
		be32(h, family);
	}
	fb_prepend(f, h, sizeof(h));
}

static size_t sweep(const uint8_t *frame, size_t len, int linktype, bool ip)
{
	for (size_t k = 0; k < len; k++) {
		uint8_t *copy = k ? malloc(k) : NULL;
		if (k && copy == NULL)
			abort();
		if (k)
			memcpy(copy, frame, k);
		struct pd_packet pkt;
		enum pd_status st;
		if (ip) {
			memset(&pkt, 0, sizeof(pkt));
			st = pd_decode_ip(&pkt, copy, k);
		} else {
			st = pd_decode(&pkt, copy, k, linktype);
		}
		free(copy);
		if (st != PD_TRUNCATED || pkt.status != PD_TRUNCATED)
			return k;
	}
	return len;
}

size_t fb_sweep(const uint8_t *frame, size_t len, int linktype)
{
	return sweep(frame, len, linktype, false);
}

size_t fb_sweep_ip(const uint8_t *data, size_t len)
{
	return sweep(data, len, 0, true);
}
