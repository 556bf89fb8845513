/* SPDX-License-Identifier: BSD-2-Clause */
/* The core side of struct pd_session: one per flow, embedded in the flow's
 * user area by the engine. Runs detection (port hint, then probes), keeps the
 * unconsumed tail per direction, forwards data/gaps/close to the handler and
 * builds events with the flow's top-level facts. */
#ifndef PD_HD_SESSION_H
#define PD_HD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portdemux/handler.h"
#include "handlers/registry.h"
#include "handlers/slab.h"
#include "output/event.h"
#include "output/meta.h"

/* Per-handler bookkeeping (index = registry index). */
struct hd_handler_stats {
	uint64_t flows_by_port;     /* claimed on its port (probe matched or no probe) */
	uint64_t flows_by_content;  /* claimed by probe on another port */
	uint64_t bytes;             /* bytes delivered to on_data */
	uint64_t events;
	uint64_t anomalies;
	uint64_t mismatches;        /* its port, but its probe rejected */
};

/* Shared by all sessions of one engine (one per worker). Not global. */
struct hd_ctx {
	const struct hd_registry *reg;
	struct pd_event *ev;            /* the one event builder */
	size_t probe_budget_bytes;      /* per direction, default 4096 */
	unsigned probe_budget_pkts;     /* per direction, default 10 */
	size_t tail_cap;                /* kept unconsumed bytes per direction, default 65536 */
	uint64_t mem_in_use;            /* handler state + tails, bytes */
	uint64_t mem_cap;               /* 0 = unlimited */
	uint64_t memcap_hits;
	struct hd_handler_stats stats[HD_MAX_HANDLERS];
	uint64_t events;                /* all events written through sessions */
	uint64_t anomalies;
	uint64_t tail_drops;            /* unconsumed tails dropped at tail_cap (or mem_cap) */
	uint64_t tail_drop_bytes;
	uint64_t mismatches;            /* app_proto_mismatch events */
	/* Handlers whose probes this context's sessions asked, in first-asked order:
	 * bit i of hd_dirbuf.rejected stands for seen[i]. Unlike registry indexes,
	 * these stay valid when a reload switches the registry (session_detect.c). */
	const struct pd_handler *seen[HD_MAX_HANDLERS];
	unsigned n_seen;
	struct hd_slabs slabs;          /* handler states by size (slab.h) */
};

enum hd_phase {
	HD_DETECTING = 0,  /* collecting first bytes, asking probes */
	HD_ACTIVE,         /* a handler owns the session */
	HD_FAILED,         /* the port's handler rejected and nothing else matched */
	HD_UNKNOWN,        /* no handler matched within the budget */
};

struct hd_dirbuf {
	uint8_t *buf;      /* detection bytes, then the unconsumed tail */
	size_t len, cap;
	unsigned pkts;     /* data deliveries seen while detecting */
	bool probe_done;   /* this direction gave its verdict */
	uint64_t rejected; /* bit i: handler hd_ctx.seen[i] rejected this direction */
	uint64_t lost;     /* bytes not buffered while detecting (a hole after buf) */
};

struct pd_session {
	struct hd_ctx *ctx;
	struct out_flow_meta meta;      /* src = client, dest = server */
	unsigned transport;             /* PD_TCP or PD_UDP */
	bool midstream;
	uint64_t now_us;
	enum hd_phase phase;
	const char *app_proto;          /* label in events; NULL until claimed */
	const struct pd_handler *port_handler; /* candidate from the server port, if any
	                                        * (NULL once a reload disabled it) */
	const struct pd_handler *h;     /* active handler */
	void *state;
	const struct pd_handler *outer; /* handler that upgraded to h (gets on_close too) */
	void *outer_state;
	const struct pd_handler *pending_upgrade; /* set by pd_session_upgrade during on_data */
	bool claimed_by_content;
	bool in_callback;
	bool port_rejected;             /* port_handler's probe rejected a direction */
	bool closed;
	int8_t first_dir;               /* direction that spoke first (-1: none yet) */
	const struct pd_handler *cur;   /* handler whose callback is running (event counts) */
	struct hd_dirbuf dir[2];
};

/* Defaults: probe budget 4096 bytes / 10 deliveries per direction, tail cap
 * 65536, no memory cap. ev is the event builder all sessions write through. */
void hd_ctx_init(struct hd_ctx *c, const struct hd_registry *reg, struct pd_event *ev);

/* Gives back the memory kept for handler states (slab.h) once no session of
 * c is left; c can be used again. */
void hd_ctx_release(struct hd_ctx *c);

/* Starts a session for a new flow; meta must be finished (out_meta_finish). */
void hd_session_init(struct pd_session *s, struct hd_ctx *c, const struct out_flow_meta *meta,
                     unsigned transport, bool midstream);

/* In-order bytes of one direction (TCP) or one datagram (UDP) at packet time now_us. */
void hd_session_data(struct pd_session *s, enum pd_dir dir, const uint8_t *data, size_t len,
                     uint64_t now_us);
/* A hole of `lost` bytes in one direction (TCP only). While detecting, the
 * direction stops being probed; once active, the handler's on_gap is called. */
void hd_session_gap(struct pd_session *s, enum pd_dir dir, size_t lost, uint64_t now_us);
/* Ends the session: handler on_close (the active one, then the one it upgraded
 * from), frees state and buffers. A session still detecting is resolved first
 * (failed + app_proto_mismatch when the port's handler rejected). Idempotent. */
void hd_session_close(struct pd_session *s, enum pd_close why, uint64_t now_us);

/* app_proto for the flow event: the label, "unknown", or "failed". */
const char *hd_session_flow_app_proto(const struct pd_session *s);

#endif
