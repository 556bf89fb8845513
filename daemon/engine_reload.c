/* SPDX-License-Identifier: BSD-2-Clause */
/* Switching the engine's handler table at run time (SIGHUP reload of the
 * drop-in configuration, docs/handler-guide.md "Reloading"). One thread runs
 * the engine and acts on signals between packets, so the switch is two
 * pointer stores; no flow is in the middle of a callback.
 *
 * Sessions keep pointers to handler descriptors the new table may no longer
 * hold (their active handler, the one they upgraded from, their port
 * candidate, hd_ctx.seen). None dangles: a disabled handler is only left out
 * of the table, and plug-ins are unloaded by htable_free, after engine_free
 * has closed every session (daemon/main.c). Sessions still in detection drop
 * a disabled candidate themselves (handlers/session_detect.c). */
#include <string.h>

#include "daemon/engine_int.h"

_Static_assert(sizeof ((struct hd_ctx *)0)->stats ==
               HD_MAX_HANDLERS * sizeof(struct hd_handler_stats),
               "hd_ctx.stats has one entry per possible registry index");

void engine_set_registry(struct pd_engine *e, const struct hd_registry *reg)
{
	struct hd_handler_stats moved[HD_MAX_HANDLERS];

	/* Counters are kept per registry index: carry each handler's to its new
	 * index, so a reload that adds or removes a handler does not shift them
	 * onto another handler's name. */
	memset(moved, 0, sizeof moved);
	for (unsigned i = 0; i < reg->count; i++) {
		int old = hd_registry_index(e->reg, reg->h[i]);
		if (old >= 0)
			moved[i] = e->hctx.stats[old];
	}
	memcpy(e->hctx.stats, moved, sizeof moved);
	/* e->reg decides the server side of new flows (is_handler_port), hctx.reg
	 * the port handler and probes of new sessions. */
	e->reg = reg;
	e->hctx.reg = reg;
	for (unsigned i = 0; i < e->nparts; i++)
		engine_set_registry(e->parts[i], reg);
}
