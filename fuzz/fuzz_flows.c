/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: the whole packet path (daemon/engine.h) on a sequence of
 * frames: decode, IPv4/IPv6 defragmentation, the flow table, TCP reassembly,
 * session detection and every built-in handler, with small caps and short
 * timeouts so evictions, memcaps and expiries happen within one input.
 *
 * Input: [flags] then frames, each [time step][length hi][length lo][bytes].
 * flags bit 0: link type raw IP (LINKTYPE_RAW) instead of Ethernet; bit 1:
 * Community ID seed 1. Length bit 15 marks the frame as cut by a snaplen
 * (wirelen = caplen + 64). Time steps below 0xf0 advance the clock by
 * step * 10 ms, the others by (step - 0xef) * 10 s, past the timeouts.
 * Every event line written must be valid JSON (abort otherwise), and the
 * engine's counters must add up. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/engine.h"
#include "fuzz/fuzz.h"
#include "handlers/registry.h"
#include "output/sink.h"
#include "parsers/decode.h"

#define MAX_FRAMES 512

/* The registry is read-only once built; one per process is enough. */
static const struct hd_registry *registry(void)
{
	static struct hd_registry reg;
	static int state; /* 0 not built, 1 built, -1 failed */
	char err[160];

	if (state == 0)
		state = hd_registry_init(&reg, err, sizeof err) == 0 ? 1 : -1;
	if (state < 0)
		fz_fail("hd_registry_init failed", err);
	return &reg;
}

static const struct engine_config small_caps = {
	.max_flows = 8,
	.flow_memcap = 256 * 1024,
	.tcp_established_timeout = 60,
	.tcp_closing_timeout = 5,
	.tcp_syn_timeout = 10,
	.udp_timeout = 10,
	.rst_linger = 1,
	.reasm_flow_cap = 8 * 1024,
	.reasm_memcap = 32 * 1024,
	.defrag_memcap = 32 * 1024,
	.defrag_timeout = 5,
	.probe_budget_bytes = 1024,
	.probe_budget_pkts = 6,
	.tail_cap = 4096,
	.max_event_bytes = 16 * 1024,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct out_sink sink;
	struct pd_engine *e;
	char err[160];
	const struct hd_registry *reg = registry();

	uint8_t flags = fz_u8(&in);
	int link = (flags & 1) ? PD_LINK_RAW : PD_LINK_ETHERNET;
	struct engine_config cfg = small_caps;
	cfg.community_id_seed = (flags & 2) ? 1 : 0;

	if (out_sink_open(&sink, OUT_SINK_MEMORY, NULL, err, sizeof err) != 0)
		fz_fail("memory sink", err);
	if (engine_new(&e, &cfg, reg, &sink, err, sizeof err) != 0)
		fz_fail("engine_new with small caps", err);

	uint64_t now = 1700000000000000ull;
	unsigned frames = 0;
	while (in.n > 0 && frames < MAX_FRAMES) {
		uint8_t step = fz_u8(&in);
		now += step < 0xf0 ? step * 10000ull : (step - 0xefull) * 10000000ull;
		uint16_t lenf = fz_be16(&in);
		const uint8_t *b;
		size_t caplen = fz_take(&in, lenf & 0x7fff, &b);
		size_t wirelen = (lenf & 0x8000) ? caplen + 64 : caplen;
		/* A private copy of exactly caplen bytes: reads past it are ASan reports. */
		uint8_t *frame = malloc(caplen ? caplen : 1);
		if (frame == NULL)
			break;
		memcpy(frame, b, caplen);
		engine_packet(e, frame, caplen, wirelen, link, now);
		free(frame);
		frames++;
	}
	engine_finish(e);

	const struct engine_stats *st = engine_stats(e);
	if (st->packets != frames)
		fz_fail("packets counted differ from frames given", NULL);
	uint64_t by_status = 0;
	for (int i = 0; i < PD_STATUS_COUNT; i++)
		by_status += st->by_status[i];
	if (by_status != frames && !fz_known("status-sum"))
		fz_fail("by_status does not add up to the packets", NULL);
	if (st->flows_active != 0)
		fz_fail("flows left active after engine_finish", NULL);
	if (st->flows_ended != st->flows_created)
		fz_fail("a flow was created but never ended", NULL);
	uint64_t ended = 0;
	for (int i = 0; i < 5; i++)
		ended += st->flows_by_reason[i];
	if (ended != st->flows_ended)
		fz_fail("flows_by_reason does not add up", NULL);
	if (engine_handlers(e)->mem_in_use != 0)
		fz_fail("handler memory still in use after every flow ended", NULL);

	size_t lines = fz_check_lines(sink.mem ? sink.mem : "", sink.mem_len);
	if (lines != sink.lines)
		fz_fail("the sink's line count differs from the lines it holds", NULL);
	engine_free(e);
	out_sink_close(&sink);
	return 0;
}
