/* SPDX-License-Identifier: BSD-2-Clause */
/* IPv4 and IPv6 fragment reassembly (RFC 791 section 3.2, RFC 8200 section
 * 4.5, RFC 5722 overlaps, RFC 1858 tiny fragments), bounded by a memory cap.
 *
 * Datagrams are keyed by (IP version, src, dst, identification, VLAN ids,
 * and for IPv4 the protocol; RFC 8200 keys IPv6 on src/dst/id only).
 *
 * Policy (why: the capture sees what a host might see; we choose the most
 * common and least surprising reading and say so):
 *  - Overlaps: first wins. Bytes already held are kept; only new bytes of a
 *    later fragment are stored. Every overlap is counted, and an overlap
 *    whose bytes differ is counted as a conflict and flagged
 *    (DEFRAG_F_OVERLAP_CONFLICT) so the engine can emit "frag_overlap".
 *    RFC 5722 would drop the whole IPv6 datagram; we keep first-wins for both
 *    versions so the analysis sees the bytes most stacks accepted.
 *  - Tiny first fragment (RFC 1858): a fragment at offset 0 whose upper
 *    protocol is TCP (6) with fewer than 20 bytes or UDP (17) with fewer than
 *    8, or a TCP fragment at offset 8 (it would rewrite the TCP flags):
 *    dropped, counted `tiny`.
 *  - Offset overflow: offset + length > 65535: dropped, counted `overflow`.
 *  - Oversize: the reassembled datagram would exceed 65535 bytes (IPv4 total
 *    length, IPv6 payload length incl. the unfragmentable extension headers):
 *    the whole datagram is dropped, counted `oversize`.
 *  - Invalid: a non-last fragment whose length is not a multiple of 8, data
 *    past a known end, or two different ends: dropped, counted `invalid`
 *    (the datagram already held is kept).
 *  - Too many fragments for one datagram (max_frags): the datagram is
 *    dropped, counted `too_many`.
 *  - Timeout: a datagram not complete timeout_s after its first fragment is
 *    dropped (`timed_out`). Expiry runs at every defrag_add() and at
 *    defrag_expire(); time is packet time, clamped to be monotonic.
 *  - Memory: held bytes (fragment data plus bookkeeping) never exceed memcap;
 *    to make room the oldest datagram is evicted (`evicted`, `memcap_hits`).
 *    A fragment that cannot fit even after evicting everything else is
 *    dropped (`memcap_hits`).
 *
 * Output: a completed datagram is written into an internal buffer as one
 * whole IP datagram: IPv4 = the first fragment's header (options included)
 * with MF and offset cleared, total length and header checksum fixed; IPv6 =
 * the first fragment's unfragmentable part (fixed header + extension headers
 * before the fragment header) followed by the payload, the fragment header
 * removed, the preceding Next Header and the Payload Length fixed. The engine
 * re-enters it with pd_decode_ip().
 */
#ifndef PD_FLOWS_DEFRAG_H
#define PD_FLOWS_DEFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parsers/decode.h"

#define DEFRAG_MAX_DATAGRAM 65535u  /* IPv4 total length / IPv6 payload length */

struct defrag_config {
	uint64_t memcap;     /* bytes held; 0 = 16 MiB */
	uint32_t timeout_s;  /* from the first fragment; 0 = 30 s */
	uint32_t max_frags;  /* distinct fragments per datagram; 0 = 256 */
	uint64_t hash_seed;  /* keys the datagram hash (collision flooding); 0 is valid */
};

enum defrag_result {
	DEFRAG_HELD = 0,   /* kept (or a duplicate absorbed); nothing to do yet */
	DEFRAG_COMPLETE,   /* *datagram, *len hold a whole datagram */
	DEFRAG_DROPPED,    /* this fragment was rejected (see defrag_last_flags) */
};

/* Notes about the last defrag_add() call (bit mask). */
#define DEFRAG_F_OVERLAP          0x001u /* overlapped bytes already held */
#define DEFRAG_F_OVERLAP_CONFLICT 0x002u /* ... and the bytes differed */
#define DEFRAG_F_TINY             0x004u
#define DEFRAG_F_OVERFLOW         0x008u
#define DEFRAG_F_OVERSIZE         0x010u
#define DEFRAG_F_INVALID          0x020u
#define DEFRAG_F_TOO_MANY         0x040u
#define DEFRAG_F_MEMCAP           0x080u /* memcap hit (evicted or dropped) */
#define DEFRAG_F_EVICTED          0x100u /* another datagram was evicted */
#define DEFRAG_F_TIMED_OUT        0x200u /* some datagram expired during the call */
#define DEFRAG_F_NOT_FRAGMENT     0x400u /* p was not a usable fragment */

struct defrag_stats {
	uint64_t fragments;         /* fragments given to defrag_add */
	uint64_t reassembled;       /* datagrams completed */
	uint64_t timed_out;         /* datagrams dropped at timeout */
	uint64_t overlaps;          /* fragments overlapping held bytes */
	uint64_t overlap_conflicts; /* ... with different bytes */
	uint64_t evicted;           /* datagrams evicted for memory */
	uint64_t memcap_hits;
	uint64_t tiny, overflow, oversize, invalid, too_many;
	uint64_t not_fragment;      /* defrag_add on a non-fragment / bad packet */
	uint64_t active;            /* datagrams held now */
	uint64_t mem_in_use, peak_mem;
};

/* Returns NULL when out of memory (allocates the 64 KiB output buffer and
 * the hash buckets up front; fragments are allocated as they come, within
 * memcap). */
struct defrag *defrag_new(const struct defrag_config *cfg);
void defrag_free(struct defrag *d);  /* NULL-safe */

/* Adds one fragment (p->is_fragment, decoded at least to the fragment: l3,
 * l3_hdr_len, frag_*; IPv6 also frag_unfrag_len and frag_hdr_offset).
 * COMPLETE: *datagram and *len valid until the next defrag_ call on d.
 * Otherwise *datagram = NULL, *len = 0. */
enum defrag_result defrag_add(struct defrag *d, const struct pd_packet *p, uint64_t now_us,
                              const uint8_t **datagram, size_t *len);

/* DEFRAG_F_* notes of the last defrag_add() (0 after defrag_expire). */
unsigned defrag_last_flags(const struct defrag *d);

/* Drops datagrams older than the timeout at now_us. Cheap when none is due. */
void defrag_expire(struct defrag *d, uint64_t now_us);

const struct defrag_stats *defrag_get_stats(const struct defrag *d);

#endif
