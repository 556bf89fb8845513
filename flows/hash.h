/* SPDX-License-Identifier: BSD-2-Clause */
/* Keyed 64-bit mixing for the flow and fragment hash tables (internal to flows/).
 *
 * A multiply-xorshift round per 64-bit word, seeded by configuration: cheap
 * enough for millions of lookups per second, and with a secret seed an
 * outsider cannot aim many keys at one bucket. Not a cryptographic MAC.
 */
#ifndef PD_FLOWS_HASH_H
#define PD_FLOWS_HASH_H

#include <stdint.h>
#include <string.h>

static inline uint64_t fhash_mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ull;
	h ^= h >> 29;
	return h;
}

static inline uint64_t fhash_final(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	h ^= h >> 32;
	return h;
}

/* Mixes 16 bytes (an address) as two words. */
static inline uint64_t fhash_addr(uint64_t h, const uint8_t b[16])
{
	uint64_t w[2];
	memcpy(w, b, sizeof(w));
	return fhash_mix(fhash_mix(h, w[0]), w[1]);
}

#endif
