/* SPDX-License-Identifier: BSD-2-Clause */
/* Handler states by size: free lists carved from 2 MiB blocks that the kernel
 * is asked to back with transparent huge pages (madvise(2) MADV_HUGEPAGE).
 *
 * Why: a packet touches its flow's handler state (14-21 KiB for SMTP and
 * HTTP), somewhere among tens of megabytes of them; with 4 KiB pages that is
 * a TLB miss and, the first time, a page fault per state. Blocks of huge
 * pages turn both into one per 2 MiB. States are reused by their size class
 * and the blocks are kept until hd_slabs_release: memory stays what the peak
 * of live states needed (plus at most one block per size), as the handler
 * memory cap already bounds. One set per engine, never shared. */
#ifndef PD_HD_SLAB_H
#define PD_HD_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HD_SLAB_CLASSES 8              /* distinct state sizes served */
#define HD_SLAB_BLOCK (2u * 1024u * 1024u)
#define HD_SLAB_MAX_SIZE (256u * 1024u) /* larger states use calloc */

struct hd_slab {
	size_t size;        /* state size served, as asked */
	size_t stride;      /* size rounded up to 64 */
	void *free;         /* freed states, linked through their first word */
	uint8_t *bump;      /* never used rest of the newest block */
	size_t left;        /* states left at bump */
	void *blocks;       /* blocks, linked through their first word */
};

struct hd_slabs {
	struct hd_slab s[HD_SLAB_CLASSES];
	unsigned n;
};

/* A zeroed state of `size` bytes. NULL with *served false when no class can
 * take this size (the caller uses calloc and free for it); NULL with *served
 * true when a new block could not be mapped. */
void *hd_slab_alloc(struct hd_slabs *sl, size_t size, bool *served);

/* Returns a state of `size` bytes to its class. False (nothing done) when
 * that size has no class: the state came from calloc. */
bool hd_slab_free(struct hd_slabs *sl, void *p, size_t size);

/* Unmaps every block; the set is empty and usable again. */
void hd_slabs_release(struct hd_slabs *sl);

#endif
