/* SPDX-License-Identifier: BSD-2-Clause */
/* Fuzz target: the JSON writer (output/json.h, RFC 8259 with RFC 3629 UTF-8)
 * and the event builder (output/event.h) built on it.
 *
 * Input: [mode][limit hi][limit lo] then operations, one byte each followed
 * by their operands. Mode bit 0 picks the raw writer or the event builder.
 * Keys are "kNNNN:" + input bytes, NNNN unique per input, so a duplicate key
 * can only come from the writer; in event mode the caller is honest and also
 * uses the EVE top-level names once per object, so a member that lands in
 * the wrong object shows up as a duplicate key. The result must validate
 * with tests/json_check.c (jc_validate), stay under its limit and hold no NUL;
 * anything else aborts. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "output/event.h"
#include "output/json.h"
#include "output/meta.h"
#include "output/sink.h"
#include "tests/json_check.h"

#define MAX_SHADOW 24   /* deeper than OUT_JSON_MAX_DEPTH, to hit its limit */
#define MAX_OPS 4096

/* Names a handler could legitimately use that also exist at the top level. */
static const char *const reserved[] = {
	"timestamp", "flow_id", "community_id", "event_type", "src_ip", "src_port",
	"dest_ip", "dest_port", "proto", "app_proto", "vlan", "smtp", "dns",
};
#define N_RESERVED (sizeof reserved / sizeof reserved[0])

static const char *const event_types[] = { "smtp", "dns", "tls", "flow", "anomaly", "stats" };

/* What the harness believes is open (its own view, kept apart from the
 * writer's so that a writer mistake cannot hide itself). */
struct shadow {
	unsigned depth;
	bool array[MAX_SHADOW];
	uint32_t used[MAX_SHADOW];   /* reserved names written in this object */
	unsigned counter;            /* unique key numbers */
};

/* A key for the next member: NULL at the top level and inside arrays (no
 * input consumed); in objects a unique
 * "kNNNN:..." or (allow_reserved) a reserved name not yet used here. */
static const char *make_key(struct shadow *sh, struct fz_in *in, bool allow_reserved,
                            char *buf, size_t buflen)
{
	if (sh->depth == 0 || sh->array[sh->depth - 1])
		return NULL;
	uint8_t sel = fz_u8(in);
	if (allow_reserved && sel >= 0xc0) {
		unsigned r = sel % N_RESERVED;
		uint32_t bit = 1u << r;
		if (!(sh->used[sh->depth - 1] & bit)) {
			sh->used[sh->depth - 1] |= bit;
			return reserved[r];
		}
	}
	const uint8_t *kb;
	size_t kn = fz_take(in, sel % 24u, &kb);
	int n = snprintf(buf, buflen, "k%04u:", sh->counter++ % 10000u);
	size_t room = buflen - (size_t)n - 1;
	if (kn > room)
		kn = room;
	memcpy(buf + n, kb, kn);
	buf[(size_t)n + kn] = '\0';   /* an embedded NUL just ends the key early */
	return buf;
}

static void shadow_push(struct shadow *sh, bool array)
{
	sh->array[sh->depth] = array;
	sh->used[sh->depth] = 0;
	sh->depth++;
}

/* The writer must keep its documented invariants after every call. */
static void check_writer(const struct out_json *j)
{
	if (j->buf == NULL)
		fz_fail("buffer lost", NULL);
	if (j->len >= j->limit || j->cap > j->limit || j->len >= j->cap)
		fz_fail("length beyond the capacity or the limit", NULL);
	if (j->buf[j->len] != '\0' || strlen(j->buf) != j->len)
		fz_fail("text not NUL-terminated at len, or holding a NUL", NULL);
	if (j->depth > OUT_JSON_MAX_DEPTH)
		fz_fail("depth beyond OUT_JSON_MAX_DEPTH", NULL);
}

static void check_document(const struct out_json *j)
{
	char err[128];
	check_writer(j);
	if (j->depth != 0)
		fz_fail("close_all left containers open", NULL);
	if (j->len > 0 && jc_validate(j->buf, j->len, err, sizeof err) != 0) {
		fprintf(stderr, "document: %s\n", j->buf);
		fz_fail("writer output is not valid JSON", err);
	}
}

/* Raw writer: any sequence of calls, misuse included. */
static void fuzz_writer(struct fz_in *in, size_t limit)
{
	struct out_json j;
	struct shadow sh;
	char key[64];

	if (out_json_init(&j, fz_u8(in), limit) != 0)
		return;
	memset(&sh, 0, sizeof sh);
	for (unsigned ops = 0; in->n > 0 && ops < MAX_OPS; ops++) {
		uint8_t op = fz_u8(in);
		/* Bit 7: misuse on purpose (a key where none belongs, or none
		 * where one does; a close of the other kind). Keys stay unique
		 * per input, so only the syntax of the result is judged. */
		bool misuse = op & 0x80;
		const char *k = make_key(&sh, in, false, key, sizeof key);
		if (misuse && k != NULL) {
			k = NULL;
		} else if (misuse) {
			snprintf(key, sizeof key, "m%04u", sh.counter++ % 10000u);
			k = key;
		}
		const uint8_t *s;
		size_t n;
		uint64_t v;
		double d;
		switch (op & 0x0f) {
		case 0:
		case 1:
			out_json_object_open(&j, k);
			if (sh.depth < MAX_SHADOW)
				shadow_push(&sh, false);
			break;
		case 2:
			out_json_array_open(&j, k);
			if (sh.depth < MAX_SHADOW)
				shadow_push(&sh, true);
			break;
		case 3: {
			bool arr = sh.depth > 0 && sh.array[sh.depth - 1];
			if (misuse)
				arr = !arr;
			if (arr)
				out_json_array_close(&j);
			else
				out_json_object_close(&j);
			if (!misuse && sh.depth > 0)
				sh.depth--;
			break;
		}
		case 4:
			n = fz_take(in, fz_u8(in), &s);
			/* out_json_str takes a C string: copy, NUL-terminate. */
			{
				char tmp[256];
				memcpy(tmp, s, n);
				tmp[n] = '\0';
				out_json_str(&j, k, (op & 0x40) ? NULL : tmp);
			}
			break;
		case 5:
			n = fz_take(in, fz_be16(in) % 2048u, &s);
			out_json_strn(&j, k, s, n);
			break;
		case 6:
			v = (uint64_t)fz_be16(in) << 48 | (uint64_t)fz_be16(in) << 32 |
			    (uint64_t)fz_be16(in) << 16 | fz_be16(in);
			out_json_uint(&j, k, v);
			break;
		case 7:
			v = (uint64_t)fz_be16(in) << 48 | (uint64_t)fz_be16(in) << 32 |
			    (uint64_t)fz_be16(in) << 16 | fz_be16(in);
			out_json_int(&j, k, (int64_t)v);
			break;
		case 8:
			out_json_bool(&j, k, op & 0x40);
			break;
		case 9:
			out_json_null(&j, k);
			break;
		case 10:
			v = (uint64_t)fz_be16(in) << 48 | (uint64_t)fz_be16(in) << 32 |
			    (uint64_t)fz_be16(in) << 16 | fz_be16(in);
			memcpy(&d, &v, sizeof d);
			out_json_double(&j, k, d);
			break;
		case 11: {
			/* Escape into the buffer directly, as json.c's callers may:
			 * afterwards only the length bookkeeping is checked. */
			size_t before = j.len;
			n = fz_take(in, fz_u8(in), &s);
			out_json_escape(&j, s, n);
			check_writer(&j);
			j.len = before;
			j.buf[before] = '\0';
			break;
		}
		default:
			/* Finish this document and start another in the same buffer. */
			out_json_close_all(&j);
			check_document(&j);
			out_json_reset(&j);
			sh.depth = 0;
			break;
		}
		check_writer(&j);
	}
	out_json_close_all(&j);
	check_document(&j);
	out_json_free(&j);
}

static void fuzz_meta(struct fz_in *in, struct out_flow_meta *m)
{
	const uint8_t *b;
	memset(m, 0, sizeof *m);
	uint8_t v = fz_u8(in);
	m->ip_version = (v & 3) == 0 ? 0 : (v & 3) == 1 ? 4 : 6;
	m->ip_proto = fz_u8(in);
	size_t n = fz_take(in, 16, &b);
	memcpy(m->src_addr, b, n);
	n = fz_take(in, 16, &b);
	memcpy(m->dest_addr, b, n);
	m->src_port = fz_be16(in);
	m->dest_port = fz_be16(in);
	m->vlan_count = (uint8_t)(fz_u8(in) % (OUT_MAX_VLAN + 2));
	for (unsigned i = 0; i < OUT_MAX_VLAN; i++)
		m->vlan[i] = fz_be16(in);
	uint64_t start = (uint64_t)fz_be16(in) << 32 | (uint64_t)fz_be16(in) << 16 | fz_be16(in);
	out_meta_finish(m, fz_be16(in), start);
	if (m->ip_version != 0 && (m->flow_id == 0 || m->flow_id >= (1ull << OUT_FLOW_ID_BITS)))
		fz_fail("flow_id outside [1, 2^51)", NULL);
	if (m->ip_version != 0 && strlen(m->community_id) != OUT_COMMUNITY_ID_LEN - 1)
		fz_fail("community_id of the wrong length", NULL);
}

/* Event builder: an honest caller (keys where they belong, closes that match
 * its opens); the lines must be valid whatever the strings and the limit. */
static void fuzz_events(struct fz_in *in, size_t limit)
{
	struct out_sink sink;
	struct pd_event ev;
	struct out_flow_meta meta;
	struct shadow sh;
	char key[64], err[128], app[64];
	uint64_t begun = 0, emitted_open = 0;

	if (out_sink_open(&sink, OUT_SINK_MEMORY, NULL, err, sizeof err) != 0)
		return;
	if (out_event_init(&ev, &sink, limit) != 0) {
		out_sink_close(&sink);
		return;
	}
	fuzz_meta(in, &meta);
	memset(&sh, 0, sizeof sh);
	for (unsigned ops = 0; in->n > 0 && ops < MAX_OPS; ops++) {
		uint8_t op = fz_u8(in);
		const uint8_t *s;
		size_t n;
		if ((op & 0x0f) == 0 || !ev.open) {
			/* begin (again: the open event is abandoned) */
			n = fz_take(in, fz_u8(in) % 32u, &s);
			memcpy(app, s, n);
			app[n] = '\0';
			uint64_t ts = (uint64_t)fz_be16(in) << 48 | (uint64_t)fz_be16(in) << 32 |
			              (uint64_t)fz_be16(in) << 16 | fz_be16(in);
			if (ev.open)
				emitted_open++;
			out_event_begin(&ev, (op & 0x10) ? NULL : &meta, (op & 0x20) ? NULL : app, ts,
			                event_types[op % 6u]);
			begun++;
			memset(&sh, 0, sizeof sh);
			shadow_push(&sh, false);  /* the event_type object */
			continue;
		}
		const char *k = make_key(&sh, in, true, key, sizeof key);
		switch (op & 0x0f) {
		case 1:
			if (sh.depth < MAX_SHADOW) {
				pd_event_object_open(&ev, k);
				shadow_push(&sh, false);
			}
			break;
		case 2:
			if (sh.depth < MAX_SHADOW) {
				pd_event_array_open(&ev, k);
				shadow_push(&sh, true);
			}
			break;
		case 3:
			if (sh.depth > 1) {
				if (sh.array[sh.depth - 1])
					pd_event_array_close(&ev);
				else
					pd_event_object_close(&ev);
				sh.depth--;
			} else {
				/* Closing the event_type object is refused. */
				pd_event_object_close(&ev);
			}
			break;
		case 4:
			n = fz_take(in, fz_be16(in) % 4096u, &s);
			pd_event_bytes(&ev, k, s, n);
			break;
		case 5: {
			char tmp[256];
			n = fz_take(in, fz_u8(in), &s);
			memcpy(tmp, s, n);
			tmp[n] = '\0';
			pd_event_str(&ev, k, tmp);
			break;
		}
		case 6:
			pd_event_uint(&ev, k, (uint64_t)fz_be16(in) << 32 | fz_be16(in));
			break;
		case 7:
			pd_event_int(&ev, k, -(int64_t)fz_be16(in));
			break;
		case 8:
			pd_event_bool(&ev, k, op & 0x40);
			break;
		case 9:
			pd_event_null(&ev, k);
			break;
		default:
			pd_event_emit(&ev);
			sh.depth = 0;
			break;
		}
		check_writer(&ev.j);
	}
	if (ev.open)
		pd_event_emit(&ev);
	size_t lines = fz_check_lines(sink.mem ? sink.mem : "", sink.mem_len);
	if (lines != ev.lines)
		fz_fail("lines in the sink differ from the builder's count", NULL);
	if (ev.abandoned != emitted_open)
		fz_fail("abandoned events miscounted", NULL);
	if (ev.lines + ev.abandoned != begun)
		fz_fail("an event was neither written nor counted as abandoned", NULL);
	out_event_free(&ev);
	out_sink_close(&sink);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t mode = fz_u8(&in);
	size_t limit = fz_be16(&in);   /* below 64 is raised to 64 by the writer */
	if (mode & 1)
		fuzz_events(&in, limit);
	else
		fuzz_writer(&in, limit);
	return 0;
}
