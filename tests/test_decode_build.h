/* SPDX-License-Identifier: BSD-2-Clause */
/* Test-only frame builder for the decoder suites: layers are built inside out
 * (payload, then L4, then IP, then link), each wrap prepending its header with
 * length fields computed from what it wraps. */
#ifndef PD_TEST_DECODE_BUILD_H
#define PD_TEST_DECODE_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsers/decode.h"

#define FB_MAX 4096

struct fb {
	uint8_t b[FB_MAX];
	size_t n;
};

void fb_reset(struct fb *f);
void fb_append(struct fb *f, const void *data, size_t len);
void fb_prepend(struct fb *f, const void *data, size_t len);
void fb_pad(struct fb *f, size_t len, uint8_t byte);
/* Appends bytes written as hex digits; spaces ignored. */
void fb_hex(struct fb *f, const char *hex);

/* L4: replaces f's contents (the payload) with a full segment/datagram. */
void fb_tcp(struct fb *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
            uint8_t flags, uint16_t window, size_t optlen);
void fb_udp(struct fb *f, uint16_t sport, uint16_t dport);

/* IP: frag is the 16-bit flags+offset field (offset in 8-byte units). */
void fb_ip4(struct fb *f, uint8_t proto, const uint8_t src[4], const uint8_t dst[4],
            uint8_t ttl, uint16_t id, uint16_t frag, size_t optlen);
void fb_ip6(struct fb *f, uint8_t nh, const uint8_t src[16], const uint8_t dst[16],
            uint8_t hlim);
/* A generic (0, 43, 60) or AH (51) extension header of size bytes. */
void fb_ext6(struct fb *f, uint8_t type, uint8_t nh, size_t size);
/* offset in bytes (multiple of 8). */
void fb_frag6(struct fb *f, uint8_t nh, uint32_t offset, bool more, uint32_t id);

/* Link layers. tpids/vids describe ntags VLAN tags, outermost first. */
void fb_eth(struct fb *f, uint16_t ethertype, const uint16_t *tpids, const uint16_t *vids,
            size_t ntags);
void fb_sll(struct fb *f, uint16_t ethertype);
void fb_sll2(struct fb *f, uint16_t ethertype);
void fb_null(struct fb *f, uint32_t family, bool little_endian);

/* Decodes every proper prefix of frame (0..len-1) from an exact-size heap
 * copy (so ASan sees any overread) and returns the first prefix length whose
 * status is not PD_TRUNCATED, or len when all were. */
size_t fb_sweep(const uint8_t *frame, size_t len, int linktype);
/* Same, for pd_decode_ip. */
size_t fb_sweep_ip(const uint8_t *data, size_t len);

extern const uint8_t fb_v4a[4], fb_v4b[4], fb_v6a[16], fb_v6b[16];

#endif
