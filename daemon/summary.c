/* SPDX-License-Identifier: BSD-2-Clause */
/* End-of-run summary: one line per counter group (the same tree as the stats
 * event) and a table of the busiest server ports with their handler. */
#include "daemon/summary.h"

#include <stdlib.h>
#include <string.h>

#include "daemon/stats_event.h"
#include "handlers/registry.h"
#include "handlers/session.h"

#define LINE_MAX_LEN 1024

/* Text visitor: a group's values go on one line "name: key N, key N"; nested
 * groups start indented lines of their own. */
struct text {
	FILE *out;
	unsigned depth;
	char line[LINE_MAX_LEN];
	size_t len;
	unsigned values;  /* values on the pending line */
};

static void text_flush(struct text *t, bool even_empty)
{
	if (t->len && (t->values || even_empty))
		fprintf(t->out, "%s\n", t->line);
	t->len = 0;
	t->values = 0;
}

static void text_start(struct text *t, const char *name)
{
	int n = snprintf(t->line, sizeof t->line, "%*s%s%s", (int)(t->depth ? 2 * t->depth : 2), "",
	                 name ? name : "", name ? ":" : "");
	t->len = n > 0 && (size_t)n < sizeof t->line ? (size_t)n : sizeof t->line - 1;
}

static void text_open(void *arg, const char *name)
{
	struct text *t = arg;

	text_flush(t, true); /* a header line for a group that holds only groups */
	t->depth++;
	text_start(t, name);
}

static void text_value(void *arg, const char *name, uint64_t v)
{
	struct text *t = arg;
	int n;

	if (!t->len)
		text_start(t, NULL);
	n = snprintf(t->line + t->len, sizeof t->line - t->len, "%s%s %llu",
	             t->values ? ", " : (t->depth ? " " : ""), name, (unsigned long long)v);
	if (n > 0 && (size_t)n < sizeof t->line - t->len)
		t->len += (size_t)n;
	t->values++;
}

static void text_close(void *arg)
{
	struct text *t = arg;

	text_flush(t, false);
	if (t->depth)
		t->depth--;
}

struct port_row {
	uint64_t pkts, bytes, unclaimed;
	uint16_t port;
	uint8_t t; /* 0 TCP, 1 UDP */
};

static int by_pkts_desc(const void *a, const void *b)
{
	const struct port_row *x = a, *y = b;

	if (x->pkts != y->pkts)
		return x->pkts < y->pkts ? 1 : -1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

/* The busiest server ports; the rest summed on one line. */
static void print_ports(FILE *out, const struct engine_stats *st, const struct hd_registry *reg)
{
	static const char *const tname[2] = {"tcp", "udp"};
	static const unsigned tbit[2] = {PD_TCP, PD_UDP};
	struct port_row *rows;
	size_t n = 0;
	uint64_t rest_pkts = 0;

	if (!st->port_pkts[0] || !st->port_pkts[1])
		return;
	rows = malloc(2 * 65536 * sizeof *rows);
	if (!rows)
		return;
	for (uint8_t t = 0; t < 2; t++)
		for (unsigned p = engine_port_next(st, t, 0); p < 65536; p = engine_port_next(st, t, p + 1))
			if (st->port_pkts[t][p])
				rows[n++] = (struct port_row){st->port_pkts[t][p], st->port_bytes[t][p],
				                              st->unclaimed_port_pkts[t][p], (uint16_t)p, t};
	qsort(rows, n, sizeof *rows, by_pkts_desc);
	if (n)
		fprintf(out, "  server ports (top %d of %zu): packets, bytes, handler\n",
		        SUMMARY_TOP_PORTS, n);
	for (size_t i = 0; i < n; i++) {
		const struct port_row *r = &rows[i];
		const struct pd_handler *h;

		if (i >= SUMMARY_TOP_PORTS) {
			rest_pkts += r->pkts;
			continue;
		}
		h = hd_registry_port(reg, tbit[r->t], r->port);
		fprintf(out, "    %s/%-5u %12llu %14llu  %s", tname[r->t], r->port,
		        (unsigned long long)r->pkts, (unsigned long long)r->bytes, h ? h->name : "none");
		if (r->unclaimed)
			fprintf(out, " (%llu packets in flows no handler claimed)",
			        (unsigned long long)r->unclaimed);
		fputc('\n', out);
	}
	if (n > SUMMARY_TOP_PORTS)
		fprintf(out, "    %zu other ports: %llu packets\n", n - SUMMARY_TOP_PORTS,
		        (unsigned long long)rest_pkts);
	free(rows);
}

void summary_print(FILE *out, struct pd_engine *e, const struct capture_counts *cap,
                   double elapsed_s)
{
	static const struct stats_visitor text_visitor = {text_open, text_value, text_close};
	const struct engine_stats *st = engine_stats(e);
	struct text t = {.out = out};

	fprintf(out, "portdemuxd: summary (%.2f s", elapsed_s);
	if (elapsed_s > 0.0)
		fprintf(out, ", %.0f packets/s", (double)st->packets / elapsed_s);
	fprintf(out, ")\n");
	stats_walk(e, cap, &text_visitor, &t);
	text_flush(&t, false);
	print_ports(out, st, engine_handlers(e)->reg);
	fflush(out);
}
