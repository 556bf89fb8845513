/* SPDX-License-Identifier: BSD-2-Clause */
/* SSH handler (RFC 4253): descriptor, the per-direction walk over the
 * identification line (4.2) and the cleartext binary packets (6) up to
 * SSH_MSG_NEWKEYS (7.3), gaps and close. One "ssh" event per connection,
 * written once both sides are past their cleartext part, else at close. */
#include "handlers/builtin.h"
#include "handlers/ssh.h"

#include <stdio.h>
#include <string.h>

static const uint16_t ssh_ports[] = { 22, 0 };

static const char *const ssh_anomaly_names[SSH_A_COUNT] = {
#define SSH_A_NAME(id, name) [SSH_A_##id] = name,
	SSH_ANOMALIES(SSH_A_NAME)
#undef SSH_A_NAME
};

void ssh_anomaly(struct pd_session *s, struct ssh_state *st, enum ssh_anomaly a,
                 const char *detail)
{
	if ((unsigned)a >= SSH_A_COUNT)
		return;
	/* Each condition ends its direction, so a session raises few. */
	st->anomaly[a]++;
	pd_session_anomaly(s, ssh_anomaly_names[a], detail);
}

static void side_end(struct ssh_side *sd, enum ssh_end why)
{
	sd->state = SSH_P_DONE;
	sd->end = (uint8_t)why;
}

/* One line before the packets: the identification, or (server only) one of
 * the other lines RFC 4253 4.2 allows before it. */
static void banner_line(struct pd_session *s, struct ssh_state *st, enum pd_dir dir,
                        const struct ls_line *l)
{
	struct ssh_side *sd = &st->side[dir];
	const char *who = dir == PD_TO_SERVER ? "client" : "server";
	char detail[96];
	if (l->len < 4 || memcmp(l->text, "SSH-", 4) != 0) {
		if (dir == PD_TO_CLIENT && sd->prebanner < SSH_PREBANNER_MAX) {
			sd->prebanner++;
			return;
		}
		/* A stream picked up mid-way does not start with its banner. */
		if (!st->midstream) {
			snprintf(detail, sizeof(detail), "%s sent %s before its identification string", who,
			         dir == PD_TO_CLIENT ? "too many lines" : "a line");
			ssh_anomaly(s, st, SSH_A_BAD_BANNER, detail);
		}
		side_end(sd, SSH_END_ERROR);
		return;
	}
	if ((l->flags & LS_TOO_LONG) || l->consumed > SSH_BANNER_MAX) {
		snprintf(detail, sizeof(detail), "%s identification string longer than %u octets", who,
		         SSH_BANNER_MAX);
		ssh_anomaly(s, st, SSH_A_BANNER_TOO_LONG, detail);
	}
	if (!ssh_parse_banner(l->text, l->len, sd)) {
		snprintf(detail, sizeof(detail), "%s identification string has no version", who);
		ssh_anomaly(s, st, SSH_A_BAD_BANNER, detail);
		side_end(sd, SSH_END_ERROR);
		return;
	}
	/* "1.99" announces a server that also speaks 2.0 (RFC 4253 5.1). */
	if (strcmp(sd->proto, "2.0") == 0 || strcmp(sd->proto, "1.99") == 0)
		sd->state = SSH_P_PACKET;
	else
		side_end(sd, SSH_END_VERSION1);
}

/* At a packet boundary: uint32 packet_length, byte padding_length, payload
 * (its first byte the message number), padding. No MAC before NEWKEYS.
 * Returns false when more bytes are needed. */
static bool packet_step(struct pd_session *s, struct ssh_state *st, enum pd_dir dir,
                        struct pcur *c)
{
	struct ssh_side *sd = &st->side[dir];
	struct pcur h = *c;
	uint32_t plen = pcur_be32(&h);
	uint8_t pad = pcur_u8(&h);
	uint8_t msg = pcur_u8(&h);
	if (!pcur_ok(&h))
		return false;
	char detail[96];
	if (plen > SSH_PACKET_MAX || (uint32_t)pad + 1 >= plen) {
		snprintf(detail, sizeof(detail), "packet_length %u with padding_length %u",
		         (unsigned)plen, (unsigned)pad);
		ssh_anomaly(s, st, SSH_A_BAD_PACKET, detail);
		side_end(sd, SSH_END_ERROR);
		return true;
	}
	if (msg == SSH_MSG_KEXINIT && !sd->kexinit_seen) {
		if (plen > SSH_KEXINIT_MAX) {
			snprintf(detail, sizeof(detail), "KEXINIT of %u octets (at most %u read)",
			         (unsigned)plen, SSH_KEXINIT_MAX);
			ssh_anomaly(s, st, SSH_A_BAD_PACKET, detail);
			side_end(sd, SSH_END_ERROR);
			return true;
		}
		/* Read whole: the core keeps the bytes until the packet is complete. */
		if (!pcur_has(c, 4 + (size_t)plen))
			return false;
		const uint8_t *pkt = pcur_take(c, 4 + (size_t)plen);
		sd->packets++;
		if (!ssh_parse_kexinit(sd, dir, pkt + 5, plen - pad - 1u))
			ssh_anomaly(s, st, SSH_A_BAD_KEXINIT, "name-lists overrun the KEXINIT payload");
		return true;
	}
	sd->packets++;
	pcur_skip(c, 5);
	sd->skip_left = plen - 1u;
	sd->newkeys_after_skip = msg == SSH_MSG_NEWKEYS;
	sd->state = SSH_P_SKIP;
	return true;
}

static void skip_step(struct ssh_side *sd, struct pcur *c)
{
	size_t n = pcur_left(c);
	if (n > sd->skip_left)
		n = sd->skip_left;
	pcur_skip(c, n);
	sd->skip_left -= (uint32_t)n;
	if (sd->skip_left > 0)
		return;
	/* RFC 4253 7.3: after NEWKEYS the direction uses the new keys. */
	if (sd->newkeys_after_skip)
		side_end(sd, SSH_END_NEWKEYS);
	else
		sd->state = SSH_P_PACKET;
}

static void side_data(struct pd_session *s, struct ssh_state *st, enum pd_dir dir,
                      struct pcur *c)
{
	struct ssh_side *sd = &st->side[dir];
	while (pcur_left(c) > 0) {
		if (sd->state == SSH_P_DONE) {
			pcur_skip(c, pcur_left(c));
			return;
		}
		/* A banner cut at SSH_LINE_MAX is dropped up to its LF first. */
		if (sd->state == SSH_P_BANNER || !ls_at_line_start(&sd->ls)) {
			struct ls_line l;
			if (ls_next(&sd->ls, SSH_LINE_MAX, c, &l) == LS_NEED_MORE)
				return;
			if (!(l.flags & LS_TAIL))
				banner_line(s, st, dir, &l);
			continue;
		}
		if (sd->state == SSH_P_SKIP) {
			skip_step(sd, c);
			continue;
		}
		if (!packet_step(s, st, dir, c))
			return;
	}
}

static void maybe_emit(struct pd_session *s, struct ssh_state *st)
{
	if (st->emitted || st->side[0].state != SSH_P_DONE || st->side[1].state != SSH_P_DONE)
		return;
	st->emitted = true;
	ssh_event(s, st);
}

static void ssh_start(struct pd_session *s, struct ssh_state *st)
{
	st->started = true;
	st->midstream = pd_session_midstream(s);
}

static size_t ssh_on_data(struct pd_session *s, void *state, enum pd_dir dir,
                          const uint8_t *data, size_t len)
{
	struct ssh_state *st = state;
	if (!st->started)
		ssh_start(s, st);
	struct pcur c = pcur_make(data, len);
	side_data(s, st, dir, &c);
	size_t used = len - pcur_left(&c);
	st->side[dir].kept = len - used;
	maybe_emit(s, st);
	return used;
}

static void ssh_on_gap(struct pd_session *s, void *state, enum pd_dir dir, size_t lost)
{
	struct ssh_state *st = state;
	if (!st->started)
		ssh_start(s, st);
	struct ssh_side *sd = &st->side[dir];
	st->gaps++;
	/* The bytes the core kept for us are dropped with the gap. */
	uint64_t all = (uint64_t)lost + sd->kept;
	sd->kept = 0;
	if (sd->state == SSH_P_DONE)
		return;
	if (sd->state == SSH_P_SKIP && all <= sd->skip_left && ls_at_line_start(&sd->ls)) {
		/* Inside a packet that is skipped anyway: nothing is lost. */
		sd->skip_left -= (uint32_t)all;
		if (sd->skip_left == 0 && sd->newkeys_after_skip)
			side_end(sd, SSH_END_NEWKEYS);
		else if (sd->skip_left == 0)
			sd->state = SSH_P_PACKET;
	} else {
		/* Packet boundaries cannot be found again. */
		side_end(sd, SSH_END_GAP);
	}
	maybe_emit(s, st);
}

static void ssh_on_close(struct pd_session *s, void *state, enum pd_close why)
{
	struct ssh_state *st = state;
	if (!st->started || st->emitted)
		return;
	if (st->side[0].banner_seen || st->side[1].banner_seen) {
		st->emitted = true;
		ssh_event(s, st);
	}
}

_Static_assert(sizeof(struct ssh_state) <= 12 * 1024, "SSH per-session state budget");

const struct pd_handler pd_handler_ssh = {
	.api_version = PD_API_VERSION,
	.name = "ssh",
	.transports = PD_TCP,
	.default_ports = ssh_ports,
	.state_size = sizeof(struct ssh_state),
	.probe = ssh_probe,
	.on_data = ssh_on_data,
	.on_gap = ssh_on_gap,
	.on_close = ssh_on_close,
};
