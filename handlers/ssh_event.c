/* SPDX-License-Identifier: BSD-2-Clause */
/* SSH event: one "ssh" event per connection with Suricata's EVE names
 * (client/server proto_version, software_version, hassh.hash/string) plus
 * the comments of the identification line (RFC 4253 4.2) and the KEXINIT
 * name-lists (RFC 4253 7.1). Field reference: docs/events.d/ssh.md. */
#include "handlers/ssh.h"

#include <string.h>

static const char *const end_name[] = {
	[SSH_END_NONE] = "closed",     [SSH_END_NEWKEYS] = "newkeys",
	[SSH_END_VERSION1] = "version1", [SSH_END_ERROR] = "error",
	[SSH_END_GAP] = "gap",
};

/* A name-list as an array of its names (RFC 4251 5: comma-separated). */
static void names_array(struct pd_event *e, const char *key, const char *p, size_t n)
{
	pd_event_array_open(e, key);
	size_t start = 0;
	for (size_t i = 0; n > 0 && i <= n; i++) {
		if (i == n || p[i] == ',') {
			pd_event_bytes(e, NULL, (const uint8_t *)p + start, i - start);
			start = i + 1;
		}
	}
	pd_event_array_close(e);
}

static void kexinit_object(struct pd_event *e, const struct ssh_side *sd)
{
	bool cut = false;
	pd_event_object_open(e, "kexinit");
	for (unsigned i = 0; i < SSH_NAMELISTS; i++) {
		const struct ssh_list *l = &sd->list[i];
		names_array(e, ssh_list_names[i], sd->pool + l->off, l->len);
		cut |= l->trunc;
	}
	pd_event_bool(e, "first_kex_packet_follows", sd->first_kex_follows);
	if (cut) {
		pd_event_array_open(e, "truncated");
		for (unsigned i = 0; i < SSH_NAMELISTS; i++)
			if (sd->list[i].trunc)
				pd_event_str(e, NULL, ssh_list_names[i]);
		pd_event_array_close(e);
	}
	pd_event_object_close(e);
}

static void side_object(struct pd_event *e, const char *key, const struct ssh_side *sd,
                        enum pd_dir dir)
{
	pd_event_object_open(e, key);
	if (sd->banner_seen) {
		pd_event_bytes(e, "proto_version", (const uint8_t *)sd->proto, sd->proto_len);
		pd_event_bytes(e, "software_version", (const uint8_t *)sd->software, sd->software_len);
		if (sd->has_comments)
			pd_event_bytes(e, "comments", (const uint8_t *)sd->comments, sd->comments_len);
		if (sd->banner_trunc)
			pd_event_bool(e, "banner_truncated", true);
	}
	if (dir == PD_TO_CLIENT && sd->prebanner > 0)
		pd_event_uint(e, "lines_before_banner", sd->prebanner);
	if (sd->hassh_ok) {
		char buf[SSH_POOL + 4];
		size_t n;
		pd_event_object_open(e, "hassh");
		pd_event_str(e, "hash", sd->hassh);
		if (ssh_hassh_string(sd, dir, buf, sizeof(buf), &n))
			pd_event_bytes(e, "string", (const uint8_t *)buf, n);
		pd_event_object_close(e);
	}
	if (sd->kexinit_seen)
		kexinit_object(e, sd);
	pd_event_uint(e, "packets", sd->packets);
	pd_event_str(e, "cleartext_end", end_name[sd->end]);
	pd_event_object_close(e);
}

void ssh_event(struct pd_session *s, const struct ssh_state *st)
{
	struct pd_event *e = pd_event_begin(s, "ssh");
	if (e == NULL)
		return;
	side_object(e, "client", &st->side[PD_TO_SERVER], PD_TO_SERVER);
	side_object(e, "server", &st->side[PD_TO_CLIENT], PD_TO_CLIENT);
	if (st->gaps > 0)
		pd_event_uint(e, "gaps", st->gaps);
	pd_event_emit(e);
}
