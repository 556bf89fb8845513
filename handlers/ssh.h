/* SPDX-License-Identifier: BSD-2-Clause */
/* SSH handler internals shared by handlers/ssh*.c (RFC 4253: 4.2 protocol
 * version exchange, 6 binary packet protocol, 7.1 SSH_MSG_KEXINIT, 7.3
 * SSH_MSG_NEWKEYS; Salesforce HASSH fingerprints).
 *
 * Each direction reads its identification line, then the cleartext binary
 * packets up to SSH_MSG_NEWKEYS; everything after it is encrypted and only
 * skipped. One zeroed struct ssh_state per session, fixed size.
 */
#ifndef PD_HD_SSH_H
#define PD_HD_SSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portdemux/cursor.h"
#include "portdemux/event.h"
#include "portdemux/handler.h"
#include "handlers/linesplit.h"

/* RFC 4253 4.2: the identification line is at most 255 octets with CR LF.
 * Longer lines are accepted up to SSH_LINE_MAX and flagged. */
#define SSH_BANNER_MAX 255u
#define SSH_LINE_MAX 1024u
#define SSH_PREBANNER_MAX 32u    /* server lines before its identification */
/* RFC 4253 6.1: every implementation handles packets of 35000 octets; a
 * KEXINIT is read whole, so it may not be longer. */
#define SSH_KEXINIT_MAX 35000u
#define SSH_PACKET_MAX 262144u   /* longer lengths are taken as garbage */
#define SSH_POOL 4096u           /* name-list octets kept per side */
#define SSH_NAMELISTS 10u        /* RFC 4253 7.1 */
#define SSH_PROTO_MAX 16u
#define SSH_SOFTWARE_MAX 255u
#define SSH_HASSH_LEN 33u        /* 32 hex digits + NUL */

/* RFC 4253 12 message numbers used here. */
#define SSH_MSG_KEXINIT 20
#define SSH_MSG_NEWKEYS 21

#define SSH_ANOMALIES(X)                                 \
	X(BAD_BANNER, "ssh_bad_banner")                  \
	X(BANNER_TOO_LONG, "ssh_banner_too_long")        \
	X(BAD_PACKET, "ssh_bad_packet")                  \
	X(BAD_KEXINIT, "ssh_bad_kexinit")

enum ssh_anomaly {
#define SSH_A_ENUM(id, name) SSH_A_##id,
	SSH_ANOMALIES(SSH_A_ENUM)
#undef SSH_A_ENUM
	SSH_A_COUNT
};

enum ssh_pstate {
	SSH_P_BANNER = 0, /* identification line (server: maybe after other lines) */
	SSH_P_PACKET,     /* at a binary packet boundary */
	SSH_P_SKIP,       /* inside a packet that is not read */
	SSH_P_DONE,       /* encrypted, SSH-1, or lost: nothing more is read */
};

/* Why a side stopped being read (enum ssh_pstate SSH_P_DONE). */
enum ssh_end {
	SSH_END_NONE = 0,
	SSH_END_NEWKEYS,  /* SSH_MSG_NEWKEYS: the rest is encrypted */
	SSH_END_VERSION1, /* SSH-1.x: another packet format */
	SSH_END_ERROR,    /* a malformed banner or packet */
	SSH_END_GAP,      /* bytes were lost */
};

struct ssh_list {
	uint16_t off, len;  /* in the side's pool */
	uint32_t wire_len;  /* as sent */
	bool trunc;         /* the pool could not hold all of it */
};

struct ssh_side {
	uint8_t state;          /* enum ssh_pstate */
	uint8_t end;            /* enum ssh_end */
	bool banner_seen;
	bool kexinit_seen;
	bool first_kex_follows;
	bool hassh_ok;          /* hassh holds the fingerprint of the KEXINIT */
	bool newkeys_after_skip;
	uint16_t prebanner;     /* lines before the identification */
	uint32_t skip_left;     /* octets of the packet being skipped */
	uint32_t packets;       /* cleartext binary packets */
	size_t kept;            /* bytes left unconsumed by the last call */
	struct ls_state ls;
	char proto[SSH_PROTO_MAX + 1];
	char software[SSH_SOFTWARE_MAX + 1];
	char comments[SSH_SOFTWARE_MAX + 1];
	uint16_t proto_len, software_len, comments_len; /* may hold NUL bytes */
	bool has_comments;
	bool banner_trunc;
	struct ssh_list list[SSH_NAMELISTS];
	uint16_t pool_used;
	char pool[SSH_POOL];
	char hassh[SSH_HASSH_LEN];
};

struct ssh_state {
	bool started;
	bool midstream;
	bool emitted;
	struct ssh_side side[2]; /* index enum pd_dir: 0 client, 1 server */
	uint32_t gaps;
	uint32_t anomaly[SSH_A_COUNT];
};

/* ssh.c */
void ssh_anomaly(struct pd_session *s, struct ssh_state *st, enum ssh_anomaly a,
                 const char *detail);

/* ssh_banner.c: RFC 4253 4.2 "SSH-protoversion-softwareversion SP comments".
 * Returns false when the line is not an identification string. */
bool ssh_parse_banner(const uint8_t *p, size_t n, struct ssh_side *side);
enum pd_probe ssh_probe(enum pd_dir dir, const uint8_t *data, size_t len);

/* ssh_kex.c: the payload of one SSH_MSG_KEXINIT (message number included).
 * dir selects which lists make the HASSH (client: *_client_to_server).
 * Returns false when the name-lists overrun the payload. */
bool ssh_parse_kexinit(struct ssh_side *side, enum pd_dir dir, const uint8_t *p, size_t n);
/* The HASSH string of a side ("kex;enc;mac;comp") into out (NUL-terminated,
 * its length in *len: names may hold any byte); false when there is no
 * KEXINIT, a list was cut, or out is too small. */
bool ssh_hassh_string(const struct ssh_side *side, enum pd_dir dir, char *out, size_t cap,
                      size_t *len);
extern const char *const ssh_list_names[SSH_NAMELISTS];

/* ssh_event.c */
void ssh_event(struct pd_session *s, const struct ssh_state *st);

#endif
