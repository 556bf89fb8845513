/* SPDX-License-Identifier: BSD-2-Clause */
/* Size-class free lists of handler states in huge-page blocks (slab.h;
 * madvise(2) MADV_HUGEPAGE, Linux transparent huge pages). */
#include "handlers/slab.h"

#include <string.h>
#include <sys/mman.h>

#define SLAB_HDR 64u   /* start of a block: the link to the previous block */

/* Under AddressSanitizer every state comes from calloc, so that overflows
 * of a state still hit a redzone. */
#if defined(__SANITIZE_ADDRESS__)
#define SLAB_OFF 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_OFF 1
#endif
#endif
#ifndef SLAB_OFF
#define SLAB_OFF 0
#endif

static struct hd_slab *class_of(struct hd_slabs *sl, size_t size, bool create)
{
	for (unsigned i = 0; i < sl->n; i++)
		if (sl->s[i].size == size)
			return &sl->s[i];
	if (SLAB_OFF || !create || sl->n == HD_SLAB_CLASSES || size == 0 || size > HD_SLAB_MAX_SIZE)
		return NULL;
	struct hd_slab *s = &sl->s[sl->n++];
	memset(s, 0, sizeof *s);
	s->size = size;
	s->stride = (size + 63u) & ~(size_t)63u;
	return s;
}

/* A block aligned to its size, so that the kernel can back it with one huge
 * page: twice the size is mapped and the unaligned ends are given back. */
static void *map_block(void)
{
	size_t len = 2u * HD_SLAB_BLOCK;
	uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	uintptr_t a = ((uintptr_t)p + HD_SLAB_BLOCK - 1) & ~(uintptr_t)(HD_SLAB_BLOCK - 1);
	uint8_t *b = (uint8_t *)a;
	if (b > p)
		munmap(p, (size_t)(b - p));
	if (b + HD_SLAB_BLOCK < p + len)
		munmap(b + HD_SLAB_BLOCK, (size_t)(p + len - (b + HD_SLAB_BLOCK)));
	/* Advice only: without transparent huge pages the block still works. */
	(void)madvise(b, HD_SLAB_BLOCK, MADV_HUGEPAGE);
	return b;
}

void *hd_slab_alloc(struct hd_slabs *sl, size_t size, bool *served)
{
	struct hd_slab *s = class_of(sl, size, true);

	*served = s != NULL;
	if (s == NULL)
		return NULL;
	if (s->free != NULL) {
		void *p = s->free;
		memcpy(&s->free, p, sizeof s->free);
		memset(p, 0, s->size);
		return p;
	}
	if (s->left == 0) {
		uint8_t *b = map_block();
		if (b == NULL)
			return NULL;
		memcpy(b, &s->blocks, sizeof s->blocks);
		s->blocks = b;
		s->bump = b + SLAB_HDR;
		s->left = (HD_SLAB_BLOCK - SLAB_HDR) / s->stride;
	}
	void *p = s->bump; /* never used: still zero from mmap */
	s->bump += s->stride;
	s->left--;
	return p;
}

bool hd_slab_free(struct hd_slabs *sl, void *p, size_t size)
{
	struct hd_slab *s = class_of(sl, size, false);

	if (s == NULL)
		return false;
	memcpy(p, &s->free, sizeof s->free);
	s->free = p;
	return true;
}

void hd_slabs_release(struct hd_slabs *sl)
{
	for (unsigned i = 0; i < sl->n; i++) {
		void *b = sl->s[i].blocks;
		while (b != NULL) {
			void *prev;
			memcpy(&prev, b, sizeof prev);
			munmap(b, HD_SLAB_BLOCK);
			b = prev;
		}
	}
	memset(sl, 0, sizeof *sl);
}
