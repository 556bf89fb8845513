/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP handler internals shared by handlers/smtp*.c (RFC 5321 mail
 * transactions, RFC 3207 STARTTLS, RFC 4954 AUTH, RFC 2920 PIPELINING,
 * RFC 3030 CHUNKING, RFC 6409 submission, RFC 8314 implicit TLS).
 *
 * One zeroed struct smtp_state per session (the core allocates state_size);
 * every list in it has a fixed capacity and counts what did not fit, so the
 * state never grows. The client direction is a state machine (enum
 * smtp_cstate) dispatched through a table; each client command the server
 * will answer is queued (struct smtp_queue, the RFC 2920 pipeline) and every
 * complete server reply is matched to the head of that queue.
 *
 * Privacy: AUTH initial responses and continuation lines are consumed and
 * dropped, never stored; no field or anomaly detail ever holds client text
 * that could be a credential.
 */
#ifndef PD_HD_SMTP_H
#define PD_HD_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portdemux/cursor.h"
#include "portdemux/event.h"
#include "portdemux/handler.h"
#include "handlers/linesplit.h"

/* RFC 5321 section 4.5.3.1: line limits, terminator included. */
#define SMTP_CMD_LINE_MAX 512u
#define SMTP_REPLY_LINE_MAX 512u
#define SMTP_TEXT_LINE_MAX 1000u
/* RFC 4954 section 4: AUTH continuation lines may reach 12288 octets. */
#define SMTP_AUTH_LINE_MAX 12288u

#define SMTP_DOMAIN_MAX 255u   /* RFC 5321 4.5.3.1.2 */
#define SMTP_PATH_MAX 256u     /* RFC 5321 4.5.3.1.3 */
#define SMTP_TEXT_MAX 200u     /* reply text kept (greeting) */
#define SMTP_PARAMS_MAX 255u   /* MAIL parameters kept, raw */
#define SMTP_ENH_MAX 12u       /* "5.999.999" + NUL, rounded */
#define SMTP_MECH_MAX 21u      /* RFC 4422: 20 characters + NUL */

#define SMTP_HELO_MAX 4u       /* HELO/EHLO kept; later ones replace the last */
#define SMTP_EXT_MAX 32u
#define SMTP_EXT_POOL 768u
#define SMTP_AUTH_MAX 4u
#define SMTP_TXN_SLOTS 3u      /* transactions in flight (pipelined across MAIL) */
#define SMTP_RCPT_MAX 32u      /* recipients kept per transaction; all are counted */
#define SMTP_RCPT_POOL 2048u
#define SMTP_CHUNK_MAX 16u     /* BDAT chunk sizes kept; all are counted */
#define SMTP_QUEUE_MAX 64u     /* pending commands tracked one by one */
#define SMTP_ANOMALY_EVENTS 8u /* events per anomaly name per session; all are counted */

/* Anomaly names (pd_session_anomaly reasons), listed once. */
#define SMTP_ANOMALIES(X)                                          \
	X(BARE_LF, "smtp_bare_lf")                                 \
	X(BARE_CR, "smtp_bare_cr")                                 \
	X(SMUGGLING_EOD, "smtp_smuggling_eod")                     \
	X(LINE_TOO_LONG, "smtp_line_too_long")                     \
	X(UNEXPECTED_REPLY, "smtp_unexpected_reply")               \
	X(UNKNOWN_COMMAND, "smtp_unknown_command")                 \
	X(STARTTLS_INJECTION, "starttls_injection")                \
	X(SUBMISSION_WITHOUT_AUTH, "submission_without_auth")      \
	X(REPLY_MALFORMED, "smtp_reply_malformed")                 \
	X(DATA_BEFORE_REPLY, "smtp_data_before_reply")             \
	X(NESTED_MAIL, "smtp_nested_mail")                         \
	X(PIPELINE_OVERFLOW, "smtp_pipeline_overflow")

enum smtp_anomaly {
#define SMTP_A_ENUM(id, name) SMTP_A_##id,
	SMTP_ANOMALIES(SMTP_A_ENUM)
#undef SMTP_A_ENUM
	SMTP_A_COUNT
};

const char *smtp_anomaly_name(enum smtp_anomaly a);

/* What a queued command waits for; also the reply dispatch index. */
enum smtp_kind {
	SMTP_K_GREETING = 0, /* the server's opening reply (pseudo-command) */
	SMTP_K_HELO,
	SMTP_K_EHLO,
	SMTP_K_MAIL,
	SMTP_K_RCPT,
	SMTP_K_DATA,         /* the DATA command itself: 354 or a refusal */
	SMTP_K_DATA_END,     /* the final "." of a message */
	SMTP_K_BDAT,
	SMTP_K_RSET,
	SMTP_K_QUIT,
	SMTP_K_STARTTLS,
	SMTP_K_AUTH,
	SMTP_K_OTHER,        /* NOOP, VRFY, EXPN, HELP, ETRN, XCLIENT, ... */
	SMTP_K_UNKNOWN,      /* not a command we know: the server answers 500/502 */
	SMTP_K_COUNT
};

/* Client direction state (the command table dispatches in SMTP_C_CMD). */
enum smtp_cstate {
	SMTP_C_CMD = 0,       /* command lines */
	SMTP_C_DATA_WAIT,     /* DATA sent, its reply not seen yet */
	SMTP_C_DATA_BODY,     /* message lines up to CRLF.CRLF */
	SMTP_C_BDAT,          /* counting the octets of a BDAT chunk */
	SMTP_C_AUTH,          /* AUTH exchange: continuation lines are dropped */
	SMTP_C_STARTTLS_WAIT, /* STARTTLS sent, its reply not seen yet */
	SMTP_C_COUNT
};

/* ---- RFC 2920 pipeline of pending commands (smtp_queue.c) ---- */

/* One queue entry stands for `count` identical commands in a row (a run of
 * RCPTs takes one entry): with `seq`, idx grows by one per command. */
struct smtp_pending {
	uint8_t kind;   /* enum smtp_kind */
	uint8_t slot;   /* transaction slot, or SMTP_NO_SLOT */
	uint16_t idx;   /* recipient / chunk / helo / auth index */
	uint32_t gen;   /* generation of the slot when queued */
	uint16_t count; /* commands in this run (>= 1) */
	bool seq;       /* idx is a sequence (recipients, chunks) */
};
#define SMTP_NO_SLOT 0xffu

struct smtp_queue {
	struct smtp_pending e[SMTP_QUEUE_MAX];
	uint16_t head, count;        /* entries */
	uint32_t commands;           /* commands in the entries */
	uint32_t overflow;           /* commands past the tracked ones (answered last) */
	struct smtp_pending untracked;
};

/* Appends (p->count and p->seq as given; count 0 means 1); false when the
 * command could only be counted (queue full). */
bool smtp_queue_push(struct smtp_queue *q, const struct smtp_pending *p);
/* The oldest pending command, or NULL. */
struct smtp_pending *smtp_queue_head(struct smtp_queue *q);
/* The i-th entry (0 = head) among the tracked ones, or NULL. */
struct smtp_pending *smtp_queue_at(struct smtp_queue *q, size_t i);
void smtp_queue_pop(struct smtp_queue *q);
size_t smtp_queue_len(const struct smtp_queue *q);

/* ---- Reply lines (smtp_reply.c), RFC 5321 4.2 and RFC 3463/2034 ---- */

struct smtp_reply_line {
	uint16_t code;          /* 200..599 */
	bool last;              /* "250 " (or bare "250") rather than "250-" */
	const uint8_t *text;    /* after the separator */
	size_t len;
	char enhanced[SMTP_ENH_MAX]; /* "2.1.5" or "" */
};

/* Parses one reply line (terminator removed). Returns false when the line
 * does not start with a reply code. */
bool smtp_reply_parse(const uint8_t *line, size_t len, struct smtp_reply_line *out);

/* Parses an RFC 3463 status code at the start of text (followed by SP or
 * the end) into out; returns the bytes used, 0 when there is none. */
size_t smtp_enhanced_parse(const uint8_t *text, size_t len, char out[SMTP_ENH_MAX]);

/* ---- EHLO extensions (smtp_ext.c), RFC 5321 4.1.1.1 ---- */

enum smtp_ext_flag {
	SMTP_X_PIPELINING = 1u << 0,
	SMTP_X_SIZE = 1u << 1,
	SMTP_X_8BITMIME = 1u << 2,
	SMTP_X_SMTPUTF8 = 1u << 3,
	SMTP_X_CHUNKING = 1u << 4,
	SMTP_X_STARTTLS = 1u << 5,
	SMTP_X_AUTH = 1u << 6,
	SMTP_X_ENHANCEDSTATUSCODES = 1u << 7,
	SMTP_X_DSN = 1u << 8,
	SMTP_X_BINARYMIME = 1u << 9,
};

struct smtp_ext {
	uint16_t off;    /* keyword at pool[off], params right after */
	uint8_t klen;
	uint16_t plen;
	uint16_t flag;   /* enum smtp_ext_flag of a known keyword, else 0 */
};

struct smtp_exts {
	struct smtp_ext e[SMTP_EXT_MAX];
	char pool[SMTP_EXT_POOL];
	uint16_t n, used;
	uint32_t dropped;    /* keywords that did not fit */
	uint32_t flags;      /* union of enum smtp_ext_flag */
	uint64_t size;       /* SIZE parameter (0: none or no limit) */
	bool size_known;     /* SIZE had a number */
};

void smtp_exts_clear(struct smtp_exts *x);
/* Adds one EHLO reply line's text ("SIZE 4194304", "AUTH PLAIN LOGIN",
 * "AUTH=LOGIN"). Empty lines are ignored. */
void smtp_exts_add(struct smtp_exts *x, const uint8_t *text, size_t len);
/* True when mech (upper-case, NUL-terminated) is listed in an AUTH keyword. */
bool smtp_exts_has_mech(const struct smtp_exts *x, const char *mech);

/* ---- Paths and parameters (smtp_addr.c), RFC 5321 4.1.2, 4.1.1.2-3 ---- */

struct smtp_path {
	const uint8_t *addr;   /* inside the brackets, as sent ("" for <>) */
	size_t addr_len;
	const uint8_t *params; /* after the path, leading spaces skipped */
	size_t params_len;
	bool bracketed;
};

/* Parses the argument of MAIL or RCPT: "FROM:<a@b> SIZE=1" with keyword
 * "FROM" (or "TO"), case-insensitive, tolerating spaces after the colon and
 * a missing bracket. Returns false when the keyword is missing. */
bool smtp_path_parse(const uint8_t *arg, size_t len, const char *keyword, struct smtp_path *out);

/* Iterates over "KEY[=VALUE]" parameters separated by spaces: on each call
 * fills key/value (value NULL without '='), returns false at the end. */
struct smtp_param_iter { struct pcur c; };
void smtp_params_begin(struct smtp_param_iter *it, const uint8_t *p, size_t len);
bool smtp_params_next(struct smtp_param_iter *it, const uint8_t **key, size_t *klen,
                      const uint8_t **val, size_t *vlen);

/* ASCII case-insensitive equality of a byte range and a C string. */
bool smtp_ieq(const uint8_t *p, size_t n, const char *s);

/* Parses a decimal number (1-20 digits, no overflow). */
bool smtp_parse_u64(const uint8_t *p, size_t n, uint64_t *out);

/* ---- Per-session state ---- */

struct smtp_helo {
	char command[5];             /* as sent: "EHLO", "ehlo", "HELO" */
	char name[SMTP_DOMAIN_MAX + 1];
	uint16_t name_len;
	uint16_t reply;              /* 0 = no reply seen */
};

enum smtp_auth_result {
	SMTP_AUTH_PENDING = 0,       /* no final reply (yet) */
	SMTP_AUTH_SUCCESS,
	SMTP_AUTH_FAILURE,
	SMTP_AUTH_CANCELLED,
};

struct smtp_auth {
	char mechanism[SMTP_MECH_MAX]; /* "PLAIN", or "other" when unknown */
	bool initial_response;
	bool cancel_sent;            /* the client answered "*" */
	uint16_t rounds;             /* 334 challenges */
	uint16_t reply;
	char enhanced[SMTP_ENH_MAX];
	uint8_t result;              /* enum smtp_auth_result */
};

struct smtp_rcpt {
	uint16_t addr_off, addr_len; /* in the transaction pool */
	uint16_t par_off, par_len;
	uint16_t reply;
	char enhanced[SMTP_ENH_MAX];
};

enum smtp_data_cmd { SMTP_DATA_NONE = 0, SMTP_DATA_DATA, SMTP_DATA_BDAT };

enum smtp_incomplete {
	SMTP_INC_NONE = 0,
	SMTP_INC_GAP,      /* bytes of the transaction were lost */
	SMTP_INC_CLOSED,   /* the connection ended first */
	SMTP_INC_TLS,      /* the rest went encrypted */
	SMTP_INC_NO_REPLY, /* replies never came (evicted from the pipeline) */
};

struct smtp_txn {
	bool used;
	bool client_done;      /* no more commands of the client belong to it */
	bool have_mail;        /* started by MAIL (not by a stray BDAT) */
	bool pipelined;        /* a command of it went out before the previous reply */
	bool without_auth;     /* RFC 6409 4.3: MAIL accepted on 587 without AUTH */
	bool from_truncated;
	uint8_t incomplete;    /* enum smtp_incomplete */
	uint16_t pending;      /* queued commands that refer to it */
	uint32_t gen;
	uint32_t id;           /* 1-based in the session */
	int8_t helo_idx;       /* -1: none */
	int8_t auth_idx;       /* -1: none */

	char mail_from[SMTP_PATH_MAX + 1];
	uint16_t mail_from_len;
	char mail_params[SMTP_PARAMS_MAX + 1];
	uint16_t mail_params_len;
	uint16_t mail_reply;
	char mail_enhanced[SMTP_ENH_MAX];

	struct smtp_rcpt rcpt[SMTP_RCPT_MAX];
	char pool[SMTP_RCPT_POOL];
	uint16_t pool_used;
	uint16_t rcpt_kept;
	uint32_t rcpt_count;       /* all RCPT commands */
	uint32_t rcpt_accepted;    /* 2xx among all */

	uint8_t data_cmd;          /* enum smtp_data_cmd */
	bool data_started;         /* message octets may follow (354 or BDAT) */
	bool data_ended;           /* "." seen or BDAT LAST sent */
	uint16_t data_reply;       /* reply to DATA (354 or refusal) */
	uint16_t final_reply;
	char final_enhanced[SMTP_ENH_MAX];
	uint64_t message_size;     /* RFC 5321 4.5.2 octets after dot-unstuffing */
	uint64_t wire_bytes;       /* as sent, dot-stuffing and final ".CRLF" included */
	uint64_t lost_bytes;       /* lost to capture gaps */
	uint32_t stuffed_lines;
	uint64_t chunk[SMTP_CHUNK_MAX];
	uint16_t chunk_reply[SMTP_CHUNK_MAX];
	uint32_t chunks;           /* all BDAT commands */
	bool bdat_last;
};

enum smtp_starttls {
	SMTP_TLS_NONE = 0,   /* not attempted */
	SMTP_TLS_WAITING,    /* STARTTLS sent, no reply */
	SMTP_TLS_ACCEPTED,   /* 220 */
	SMTP_TLS_REFUSED,    /* 454, 501, ... */
};

struct smtp_state {
	bool started;          /* first on_data seen */
	bool partial;          /* picked up mid-stream */
	bool upgraded;         /* the rest belongs to the TLS handler */
	bool implicit_tls;
	bool not_smtp;         /* TLS claimed by content off the SMTP ports */
	bool submission;       /* server port 587: RFC 6409 rules */
	bool client_hunting;   /* skip client lines until a known command */
	bool server_hunting;   /* ignore replies until the client is in sync */
	bool client_first;     /* client bytes before the greeting */
	bool client_seen;      /* the client direction delivered bytes */
	bool greeting_seen;
	bool pipelining_used;
	bool quit_sent;
	bool auth_ok;          /* a successful AUTH happened */
	bool data_speculative; /* message bytes arrived before the 354 */
	bool data_prev_crlf;   /* the previous message line ended with CRLF */
	bool in_reply;         /* inside a multi-line reply */
	bool server_after_gap; /* the next server line may be a fragment */
	bool reply_bad;        /* current multi-line reply had a malformed line */

	uint8_t cstate;        /* enum smtp_cstate */
	struct ls_state ls[2]; /* index enum pd_dir */
	size_t kept[2];        /* bytes left unconsumed (the core drops them at a gap) */
	uint64_t bdat_left;    /* octets of the current chunk still to come */
	uint8_t bdat_slot;     /* transaction of that chunk (slot, generation) */
	uint32_t bdat_gen;
	int8_t cur_txn;        /* slot taking client commands, -1 none */
	int8_t auth_cur;       /* attempt of the running AUTH, -1 none */
	uint32_t txn_gen;

	/* current reply (first line facts) and the command it answers */
	bool reply_matched;    /* reply_to is valid */
	struct smtp_pending reply_to;
	uint16_t reply_code;
	uint16_t reply_lines;
	char reply_enhanced[SMTP_ENH_MAX];

	struct smtp_queue q;

	uint16_t greeting_code;
	uint16_t greeting_lines;
	char greeting_text[SMTP_TEXT_MAX + 1];
	uint16_t greeting_len;

	struct smtp_helo helo[SMTP_HELO_MAX];
	uint8_t helo_n;
	uint32_t helo_count;
	int8_t helo_cur;       /* last HELO/EHLO, -1 none */

	struct smtp_exts ext;
	bool ext_seen;         /* an EHLO reply filled ext */
	bool starttls_offered;

	uint8_t starttls;      /* enum smtp_starttls */
	uint16_t starttls_reply;
	uint64_t injected;     /* client bytes between STARTTLS and its reply */

	struct smtp_auth auth[SMTP_AUTH_MAX];
	uint8_t auth_n;
	uint32_t auth_count;

	struct smtp_txn txn[SMTP_TXN_SLOTS];
	uint32_t txn_count;

	uint32_t commands;
	uint32_t unexpected_replies;
	uint32_t gaps;
	uint16_t quit_reply;
	uint16_t closing_reply; /* 421 seen */
	uint32_t anomaly_total;
	uint32_t anomaly[SMTP_A_COUNT];
};

/* ---- Cross-file entry points ---- */

/* smtp.c: counts an anomaly and emits the first few of each name. */
void smtp_anomaly(struct pd_session *s, struct smtp_state *st, enum smtp_anomaly a,
                  const char *detail);
/* smtp.c: flags LS_BARE_LF / LS_BARE_CR / LS_TOO_LONG of a line. */
void smtp_line_anomalies(struct pd_session *s, struct smtp_state *st, const struct ls_line *l,
                         const char *where);

/* smtp_cmd.c: one client command line (SMTP_C_CMD). */
void smtp_cmd_line(struct pd_session *s, struct smtp_state *st, const struct ls_line *l);
/* smtp_cmd.c: queues a command and notes pipelining; slot may be SMTP_NO_SLOT. */
void smtp_cmd_queue(struct pd_session *s, struct smtp_state *st, enum smtp_kind kind,
                    unsigned slot, unsigned idx);
/* smtp_cmd.c: one line of an AUTH exchange (dropped). */
void smtp_auth_line(struct pd_session *s, struct smtp_state *st, const struct ls_line *l);

/* smtp_server.c: one server line. Returns true when the session was handed
 * to TLS (the caller stops at once). */
bool smtp_reply_line_in(struct pd_session *s, struct smtp_state *st, const struct ls_line *l);

/* smtp_txn.c: transactions and message data. */
int smtp_txn_open(struct pd_session *s, struct smtp_state *st);
struct smtp_txn *smtp_txn_get(struct smtp_state *st, unsigned slot, uint32_t gen);
void smtp_txn_client_done(struct pd_session *s, struct smtp_state *st);
void smtp_txn_settle(struct pd_session *s, struct smtp_state *st, unsigned slot);
void smtp_txn_flush_all(struct pd_session *s, struct smtp_state *st, enum smtp_incomplete why);
void smtp_data_line(struct pd_session *s, struct smtp_state *st, const struct ls_line *l);
void smtp_data_begin(struct smtp_state *st);
/* Octets of an over-long message line dropped by the splitter. */
void smtp_data_dropped(struct smtp_state *st, size_t n);
size_t smtp_bdat_take(struct smtp_state *st, size_t avail);
void smtp_txn_gap(struct smtp_state *st, size_t lost);

/* smtp_event.c */
void smtp_event_txn(struct pd_session *s, const struct smtp_state *st, const struct smtp_txn *t);
void smtp_event_session(struct pd_session *s, const struct smtp_state *st, enum pd_close why);

/* smtp_probe.c */
enum pd_probe smtp_probe(enum pd_dir dir, const uint8_t *data, size_t len);

/* Bounded copy of bytes into a NUL-terminated buffer; returns bytes copied. */
size_t smtp_copy(char *dst, size_t cap, const uint8_t *src, size_t n);

#endif
