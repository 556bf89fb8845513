/* SPDX-License-Identifier: BSD-2-Clause */
/* Test-only rig for the flood suites (issue 7 item 3): builds Ethernet/IPv4/
 * IPv6 frames in memory (RFC 894, RFC 791, RFC 8200, RFC 9293, RFC 768), drives
 * the real engine with them, drains its memory sink into a tally of event
 * types and anomaly names, and measures memory two ways: the modules' own
 * accounting (sampled after every frame) and the process's peak RSS growth. */
#ifndef PD_TEST_FLOOD_RIG_H
#define PD_TEST_FLOOD_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/engine.h"
#include "flows/defrag.h"
#include "flows/flowtable.h"
#include "flows/reasm.h"
#include "handlers/registry.h"
#include "handlers/session.h"
#include "output/sink.h"

#define FL_FRAME_MAX 1514u   /* Ethernet II without FCS */
#define FL_MSS 1448u         /* TCP payload per segment */
#define FL_TALLY_KEYS 48u

/* Event counts by key: "flow", "flow/<reason>", "anomaly/<event>", "<event_type>". */
struct fl_tally {
	char key[FL_TALLY_KEYS][64];
	uint64_t n[FL_TALLY_KEYS];
	unsigned used;
	uint64_t lines;
	uint64_t overflow;        /* keys that found no free slot (a test failure) */
	uint64_t invalid;         /* sampled lines that were not valid JSON */
	char *kept;               /* the first FL_KEPT_MAX bytes of lines, newline-separated */
	size_t kept_len, kept_cap;
	uint64_t kept_dropped;    /* lines beyond FL_KEPT_MAX (only counted) */
};
#define FL_KEPT_MAX (1u << 20)

struct fl_rig {
	struct hd_registry reg;
	struct out_sink sink;
	struct pd_engine *e;
	const struct flow_stats *fs;     /* the engine's own accounting */
	const struct reasm_stats *rs;
	const struct defrag_stats *ds;
	const struct hd_ctx *hc;
	size_t flow_record;              /* bytes per flow record (flow_record_size) */
	uint64_t hd_peak;                /* highest hc->mem_in_use after any frame */
	size_t sink_peak;                /* highest undrained sink size */
	uint64_t rss0;                   /* peak RSS (bytes) when the rig opened */
	bool rss_reset;                  /* the kernel's high-water mark was reset then */
	uint64_t ts;                     /* packet time of the next frame, microseconds */
	uint64_t frames;
	struct fl_tally t;
};

/* ---- frames: each returns the frame length (<= FL_FRAME_MAX) ---- */

/* Ethernet + IPv4 (20 bytes, DF clear, id 0) + TCP (20 bytes). */
size_t fl_tcp4(uint8_t *out, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
               uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, const void *payload,
               size_t len);
/* Ethernet + IPv4 + UDP. */
size_t fl_udp4(uint8_t *out, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
               uint16_t dport, const void *payload, size_t len);
/* A first IPv4 fragment (offset 0, MF) of a UDP datagram: UDP header and
 * data_len bytes of data (8 + data_len a multiple of 8); the UDP length claims
 * more than the fragment holds, so the datagram can never complete alone. */
size_t fl_frag4(uint8_t *out, const uint8_t src[4], const uint8_t dst[4], uint16_t id,
                size_t data_len);
/* The same over IPv6: fixed header + Fragment header (RFC 8200 4.5, offset 0, M). */
size_t fl_frag6(uint8_t *out, const uint8_t src[16], const uint8_t dst[16], uint32_t id,
                size_t data_len);

/* ---- the engine ---- */

/* Opens the engine with cfg (NULL: defaults) and a memory sink; resets the
 * process's RSS high-water mark where the kernel allows it (Linux >= 4.0,
 * /proc/self/clear_refs) and records the baseline. */
void fl_open(struct fl_rig *r, const struct engine_config *cfg);
/* One frame at the rig's packet time (which then moves dt_us on). */
void fl_frame(struct fl_rig *r, const uint8_t *frame, size_t len, uint64_t dt_us);
/* engine_finish + a final drain. */
void fl_finish(struct fl_rig *r);
/* Frees the engine and the tally. */
void fl_close(struct fl_rig *r);

/* Peak RSS growth in bytes since fl_open. */
uint64_t fl_rss_growth(const struct fl_rig *r);
/* Slack allowed on top of the configured caps for the RSS check: allocator
 * arenas, the engine's per-port counters (4 MiB), the event builder, the sink
 * and the tally; more under ASan (shadow memory and the quarantine, limited to
 * 8 MiB for this program). one_flow: a single connection, where the slack is
 * kept below the size of the flood (10 to 100 MB) so that buffering it would
 * show: 4 MiB plain, 16 MiB under ASan. */
uint64_t fl_rss_slack(bool one_flow);

uint64_t fl_count(const struct fl_rig *r, const char *key);
/* The first kept line containing every one of the (NULL-terminated) needles,
 * copied NUL-terminated into out; false when none. */
bool fl_find(const struct fl_rig *r, char *out, size_t outlen, const char *const *needles);

/* ---- a TCP connection over IPv4 ---- */

struct fl_conn {
	uint8_t cli[4], srv[4];
	uint16_t cport, sport;
	uint32_t seq[2];            /* next sequence number: [0] client, [1] server */
};

/* SYN, SYN-ACK, ACK. */
void fl_conn_open(struct fl_rig *r, struct fl_conn *c);
/* Bytes from one side (0 client, 1 server), in FL_MSS segments with ACK|PSH. */
void fl_conn_send(struct fl_rig *r, struct fl_conn *c, int side, const void *data, size_t len);
/* len bytes of one repeated byte, without building them in memory first. */
void fl_conn_fill(struct fl_rig *r, struct fl_conn *c, int side, uint8_t byte, uint64_t len);
/* One segment from one side at sequence number seq (acknowledging all the
 * other side sent); c's sequence numbers do not move. */
void fl_conn_segment_at(struct fl_rig *r, const struct fl_conn *c, int side, uint32_t seq,
                        uint8_t flags, const void *data, size_t len);
/* FIN|ACK from one side. */
void fl_conn_fin(struct fl_rig *r, struct fl_conn *c, int side);

#endif
