/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: one session (handlers/session.h) driven directly: detection,
 * the handler's on_data/on_gap/on_close with both directions interleaved,
 * upgrades (STARTTLS, implicit TLS) and the capped tails, for each built-in
 * handler of the registry (dns, smtp, tls, ...).
 *
 * Input: [handler][settings] then chunks [op][length hi][length lo][bytes].
 *  handler  bits 0-3 registry index (modulo the count, registry order);
 *           bits 4-5 server port: the handler's 1st/2nd/3rd default port, or
 *           3 = port 40000 (no handler: detection by content);
 *           bit 6 UDP (when the handler takes UDP); bit 7 mid-stream.
 *  settings bits 0-1 tail cap 65536/4096/256/64; bits 2-3 probe budget
 *           4096/512/64/16 bytes; bit 4 handler memory cap 4096 bytes;
 *           bit 5 IPv6 addresses.
 *  op       bit 0 direction (1 = to client); bit 1 gap of `length` bytes (TCP;
 *           no bytes follow); bit 2 close now with reason (op >> 3) % 5.
 * Every event line must be valid JSON, and all handler memory must be
 * returned once the session is closed; anything else aborts. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "handlers/registry.h"
#include "handlers/session.h"
#include "output/event.h"
#include "output/meta.h"
#include "output/sink.h"

#define MAX_CHUNKS 1024

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

static uint16_t server_port(const struct pd_handler *h, unsigned choice)
{
	if (choice == 3 || h->default_ports == NULL || h->default_ports[0] == 0)
		return 40000;
	unsigned n = 0;
	while (h->default_ports[n] != 0)
		n++;
	return h->default_ports[choice < n ? choice : n - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t tail_caps[] = { 65536, 4096, 256, 64 };
	static const size_t budgets[] = { 4096, 512, 64, 16 };
	const struct hd_registry *reg = registry();
	struct fz_in in = { data, size };
	struct out_sink sink;
	struct pd_event ev;
	struct hd_ctx ctx;
	struct pd_session s;
	struct out_flow_meta m;
	char err[160];

	if (reg->count == 0)
		return 0;
	uint8_t hb = fz_u8(&in), set = fz_u8(&in);
	const struct pd_handler *h = reg->h[(hb & 0x0f) % reg->count];
	unsigned transport = PD_TCP;
	if ((h->transports & PD_UDP) && ((hb & 0x40) || !(h->transports & PD_TCP)))
		transport = PD_UDP;

	if (out_sink_open(&sink, OUT_SINK_MEMORY, NULL, err, sizeof err) != 0)
		fz_fail("memory sink", err);
	if (out_event_init(&ev, &sink, 0) != 0)
		fz_fail("out_event_init", NULL);
	hd_ctx_init(&ctx, reg, &ev);
	ctx.tail_cap = tail_caps[set & 3];
	ctx.probe_budget_bytes = budgets[(set >> 2) & 3];
	ctx.mem_cap = (set & 0x10) ? 4096 : 0;

	memset(&m, 0, sizeof m);
	m.ip_version = (set & 0x20) ? 6 : 4;
	m.ip_proto = transport == PD_TCP ? 6 : 17;
	m.src_addr[0] = 10;
	m.src_addr[3] = 1;
	m.dest_addr[0] = 10;
	m.dest_addr[3] = 2;
	m.src_port = 40001;
	m.dest_port = server_port(h, (hb >> 4) & 3);
	uint64_t now = 1700000000000000ull;
	out_meta_finish(&m, 0, now);
	hd_session_init(&s, &ctx, &m, transport, hb & 0x80);

	for (unsigned chunks = 0; in.n > 0 && chunks < MAX_CHUNKS; chunks++) {
		uint8_t op = fz_u8(&in);
		uint16_t len = fz_be16(&in);
		enum pd_dir dir = (op & 1) ? PD_TO_CLIENT : PD_TO_SERVER;
		now += 1000;
		if (op & 2) {
			if (transport == PD_TCP)
				hd_session_gap(&s, dir, len, now);
		} else {
			const uint8_t *b;
			size_t n = fz_take(&in, len, &b);
			/* Exactly n bytes, so reads past the chunk are ASan reports. */
			uint8_t *copy = malloc(n ? n : 1);
			if (copy == NULL)
				break;
			memcpy(copy, b, n);
			hd_session_data(&s, dir, copy, n, now);
			free(copy);
		}
		if (op & 4) {
			hd_session_close(&s, (enum pd_close)((op >> 3) % 5), now);
			break;
		}
	}
	hd_session_close(&s, PD_CLOSE_SHUTDOWN, now);   /* idempotent */
	if (hd_session_flow_app_proto(&s) == NULL)
		fz_fail("no app_proto for the flow event", NULL);
	if (ctx.mem_in_use != 0)
		fz_fail("handler memory still charged after close", NULL);

	size_t lines = fz_check_lines(sink.mem ? sink.mem : "", sink.mem_len);
	if (lines != ev.lines)
		fz_fail("lines in the sink differ from the builder's count", NULL);
	out_event_free(&ev);
	out_sink_close(&sink);
	return 0;
}
