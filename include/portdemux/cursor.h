/* SPDX-License-Identifier: BSD-2-Clause */
/* Bounds-checked reader over untrusted bytes: the only way code reads a packet.
 * Public: the core's decoders and every handler (plug-ins too) use it.
 *
 * A short read sets a sticky error and returns zero, so a decoder can read a
 * whole header and check pcur_ok() once. Sub-cursors are limited by a length
 * field and never reach past their parent.
 */
#ifndef PORTDEMUX_CURSOR_H
#define PORTDEMUX_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct pcur {
	const uint8_t *p;   /* next byte */
	const uint8_t *end; /* one past the last readable byte */
	bool err;           /* sticky: a read went past end */
};

static inline struct pcur pcur_make(const uint8_t *data, size_t len)
{
	/* NULL + len is undefined behaviour (C11 6.5.6p8): test before adding. */
	struct pcur c = { (const uint8_t *)"", (const uint8_t *)"", false };
	if (data != NULL) {
		c.p = data;
		c.end = data + len;
	}
	return c;
}

static inline size_t pcur_left(const struct pcur *c) { return c->err ? 0 : (size_t)(c->end - c->p); }
static inline bool pcur_ok(const struct pcur *c) { return !c->err; }
static inline const uint8_t *pcur_ptr(const struct pcur *c) { return c->p; }

/* True (and nothing consumed) when n bytes are available. */
static inline bool pcur_has(const struct pcur *c, size_t n) { return !c->err && (size_t)(c->end - c->p) >= n; }

static inline bool pcur_need(struct pcur *c, size_t n)
{
	if (!pcur_has(c, n)) {
		c->err = true;
		return false;
	}
	return true;
}

static inline uint8_t pcur_u8(struct pcur *c)
{
	if (!pcur_need(c, 1)) return 0;
	return *c->p++;
}

static inline uint16_t pcur_be16(struct pcur *c)
{
	if (!pcur_need(c, 2)) return 0;
	uint16_t v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	return v;
}

static inline uint16_t pcur_le16(struct pcur *c)
{
	if (!pcur_need(c, 2)) return 0;
	uint16_t v = (uint16_t)((c->p[1] << 8) | c->p[0]);
	c->p += 2;
	return v;
}

static inline uint32_t pcur_be24(struct pcur *c)
{
	if (!pcur_need(c, 3)) return 0;
	uint32_t v = ((uint32_t)c->p[0] << 16) | ((uint32_t)c->p[1] << 8) | c->p[2];
	c->p += 3;
	return v;
}

static inline uint32_t pcur_be32(struct pcur *c)
{
	if (!pcur_need(c, 4)) return 0;
	uint32_t v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) |
	             ((uint32_t)c->p[2] << 8) | c->p[3];
	c->p += 4;
	return v;
}

static inline uint32_t pcur_le32(struct pcur *c)
{
	if (!pcur_need(c, 4)) return 0;
	uint32_t v = ((uint32_t)c->p[3] << 24) | ((uint32_t)c->p[2] << 16) |
	             ((uint32_t)c->p[1] << 8) | c->p[0];
	c->p += 4;
	return v;
}

/* Copies n bytes into dst (zero-filled on error). */
static inline bool pcur_copy(struct pcur *c, void *dst, size_t n)
{
	if (!pcur_need(c, n)) {
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, c->p, n);
	c->p += n;
	return true;
}

static inline bool pcur_skip(struct pcur *c, size_t n)
{
	if (!pcur_need(c, n)) return false;
	c->p += n;
	return true;
}

/* Returns a pointer to the next n bytes and consumes them, or NULL. */
static inline const uint8_t *pcur_take(struct pcur *c, size_t n)
{
	if (!pcur_need(c, n)) return NULL;
	const uint8_t *r = c->p;
	c->p += n;
	return r;
}

/* A sub-cursor over the next n bytes (consumed from the parent). On a short
 * parent both get the error. */
static inline struct pcur pcur_sub(struct pcur *c, size_t n)
{
	struct pcur s;
	if (!pcur_need(c, n)) {
		s.p = s.end = c->end;
		s.err = true;
		return s;
	}
	s.p = c->p;
	s.end = c->p + n;
	s.err = false;
	c->p += n;
	return s;
}

/* Peek at byte i ahead without consuming; sets no error, returns -1 if absent. */
static inline int pcur_peek(const struct pcur *c, size_t i)
{
	if (!pcur_has(c, i + 1)) return -1;
	return c->p[i];
}

#endif
