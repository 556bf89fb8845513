/* SPDX-License-Identifier: BSD-2-Clause */
/* HTTP/1.x handler internals shared by handlers/http*.c (RFC 9112 message
 * syntax and framing, RFC 9110 semantics, RFC 9110 9.3.6 CONNECT).
 *
 * One zeroed struct http_state per session. Each direction is a state
 * machine (enum http_pstate) over lines (the shared splitter) and counted
 * body octets; bodies are skipped, never stored. Every request opens a
 * transaction (struct http_txn) and joins the FIFO of requests waiting for
 * their response (RFC 9112 9.3.2 pipelining); a response belongs to the
 * oldest waiting request. Capacities are fixed: requests past them are still
 * framed correctly (their kind is kept in the FIFO) but only counted.
 *
 * Privacy: Authorization, Proxy-Authorization and Cookie are never read,
 * and the userinfo of an absolute-form target is replaced in the URL.
 */
#ifndef PD_HD_HTTP_H
#define PD_HD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portdemux/cursor.h"
#include "portdemux/event.h"
#include "portdemux/handler.h"
#include "handlers/linesplit.h"

/* Start and header lines accepted whole (terminator included); longer ones
 * are cut and flagged. Servers commonly refuse 8 KiB request lines. */
#define HTTP_LINE_MAX 8192u
/* A chunk-size line with its extensions (RFC 9112 7.1.1). */
#define HTTP_CHUNK_LINE_MAX 1024u
#define HTTP_HEADERS_MAX 100u   /* fields per message before http_header_too_many */
/* Transactions kept in detail at once: nmap's http-pipeline sends 40
 * requests before reading a response. */
#define HTTP_TXN_MAX 48u
#define HTTP_PIPE_MAX 64u       /* requests waiting for a response, framing only */
#define HTTP_ARENA 12288u       /* string bytes of all kept transactions */
#define HTTP_ANOMALY_EVENTS 8u  /* events per anomaly name per session; all are counted */

/* Anomaly names (pd_session_anomaly reasons), listed once. */
#define HTTP_ANOMALIES(X)                                       \
	X(LINE_TOO_LONG, "http_line_too_long")                  \
	X(BAD_CHUNK, "http_bad_chunk")                          \
	X(UNEXPECTED_RESPONSE, "http_unexpected_response")      \
	X(HEADER_TOO_MANY, "http_header_too_many")              \
	X(BAD_START_LINE, "http_bad_start_line")                \
	X(BAD_HEADER, "http_bad_header")                        \
	X(BAD_FRAMING, "http_bad_framing")                      \
	X(TE_AND_CL, "http_te_and_cl")                          \
	X(PIPELINE_OVERFLOW, "http_pipeline_overflow")         \
	X(TARGET_WHITESPACE, "http_target_whitespace")

enum http_anomaly {
#define HTTP_A_ENUM(id, name) HTTP_A_##id,
	HTTP_ANOMALIES(HTTP_A_ENUM)
#undef HTTP_A_ENUM
	HTTP_A_COUNT
};

/* Strings kept per transaction (offsets into its pool). */
enum http_fld {
	HTTP_F_METHOD = 0,
	HTTP_F_URL,
	HTTP_F_HOST,
	HTTP_F_PROTOCOL,
	HTTP_F_UA,
	HTTP_F_REFERER,
	HTTP_F_XFF,
	HTTP_F_REQ_CTYPE,
	HTTP_F_RESP_PROTOCOL,
	HTTP_F_REASON,
	HTTP_F_RESP_CTYPE,
	HTTP_F_LOCATION,
	HTTP_F_UPGRADE,
	HTTP_F_COUNT
};

/* What a request implies for the framing of its response (RFC 9112 6.3). */
enum http_kind { HTTP_K_PLAIN = 0, HTTP_K_HEAD, HTTP_K_CONNECT };

/* How a message body is delimited (RFC 9112 6.3). */
enum http_framing {
	HTTP_FR_NONE = 0, /* no body: HEAD, 1xx, 204, 304, a request without CL/TE */
	HTTP_FR_LENGTH,   /* Content-Length */
	HTTP_FR_CHUNKED,  /* Transfer-Encoding ending in chunked */
	HTTP_FR_CLOSE,    /* until the connection closes (responses only) */
	HTTP_FR_TUNNEL,   /* 2xx to CONNECT: the rest is the tunnel */
	HTTP_FR_SWITCH,   /* 101 Switching Protocols: the rest is another protocol */
	HTTP_FR_BAD,      /* invalid framing: the direction stops being parsed */
};

/* What an accepted CONNECT carried. */
enum http_tunnel {
	HTTP_TUN_NONE = 0,
	HTTP_TUN_TLS,     /* handed to the TLS handler */
	HTTP_TUN_OPAQUE,  /* something else: not parsed */
	HTTP_TUN_UNUSED,  /* nothing before the connection ended */
	HTTP_TUN_HTTP,    /* plain HTTP requests, parsed on */
};

enum http_incomplete {
	HTTP_INC_NONE = 0,
	HTTP_INC_NO_RESPONSE, /* the connection ended before a response */
	HTTP_INC_CLOSED,      /* the connection ended inside a message */
	HTTP_INC_GAP,         /* bytes of a message were lost and framing with them */
	HTTP_INC_BAD_FRAMING, /* the message could not be delimited */
};

/* Per-direction parser state; the table in http.c dispatches on it. */
enum http_pstate {
	HTTP_P_START = 0,     /* a request or status line (empty lines skipped) */
	HTTP_P_HEADERS,       /* header fields up to the empty line */
	HTTP_P_BODY_LEN,      /* Content-Length octets */
	HTTP_P_CHUNK_SIZE,    /* chunk-size [chunk-ext] line */
	HTTP_P_CHUNK_DATA,    /* chunk-data octets */
	HTTP_P_CHUNK_END,     /* the CRLF after chunk-data */
	HTTP_P_TRAILERS,      /* trailer fields up to the empty line */
	HTTP_P_BODY_CLOSE,    /* octets up to the end of the connection */
	HTTP_P_CONNECT_WAIT,  /* client: CONNECT sent, bytes held until its response */
	HTTP_P_TUNNEL,        /* CONNECT accepted: the first tunnel bytes decide */
	HTTP_P_STOPPED,       /* nothing more is parsed in this direction */
	HTTP_P_COUNT
};

struct http_str {
	uint16_t off, len;
	bool set;
	bool trunc;         /* cut at its cap or when the pool was full */
};

/* Body facts of one message. */
struct http_body {
	bool have_clen;
	bool chunked;
	bool done;
	uint8_t framing;    /* enum http_framing */
	uint16_t headers;   /* header fields */
	uint32_t chunks;    /* chunks with data */
	uint64_t clen;      /* Content-Length value */
	uint64_t len;       /* body octets (chunk data only), missed ones included */
	uint64_t missed;    /* of len, lost to capture gaps */
};

struct http_txn {
	bool used;
	bool pipelined;     /* sent before the previous response was complete */
	bool orphan;        /* a response for which no request was seen */
	bool has_response;  /* a final status line was seen */
	uint8_t kind;       /* enum http_kind */
	uint8_t incomplete; /* enum http_incomplete */
	uint8_t tunnel;     /* enum http_tunnel (CONNECT 2xx) */
	uint16_t status;    /* 0: none, or a code that is not a number (status_str) */
	char status_str[4]; /* a code that is not 3 digits, NUL-terminated */
	uint16_t interim;   /* 1xx responses before the final one */
	int32_t port;       /* port of the Host / authority, -1 none */
	uint32_t id;        /* 1-based order in the session */
	struct http_body req, resp;
	struct http_str f[HTTP_F_COUNT]; /* in the session's arena */
};

/* One request waiting for its response. */
struct http_pending {
	uint8_t kind;   /* enum http_kind */
	int8_t slot;    /* transaction slot, -1 when only counted */
	uint32_t id;
};

/* Facts of the message being parsed in one direction. */
struct http_dir {
	uint8_t state;        /* enum http_pstate */
	bool hunting;         /* skip lines until a valid start line (mid-stream, gaps) */
	bool synced;          /* a start line was parsed since the start or the last gap */
	bool too_many;        /* http_header_too_many raised for this message */
	bool clen_seen, clen_bad, te_seen, te_chunked;
	uint8_t kind;         /* kind of the request the message belongs to */
	uint8_t last_field;   /* field of the previous header line (obs-fold), or HTTP_F_COUNT */
	int8_t slot;          /* transaction of the message, -1 none */
	uint16_t status;      /* responses: status code of the message */
	uint16_t headers;
	uint32_t id;
	uint64_t clen;
	uint64_t left;        /* octets of the body or chunk still to come */
	size_t kept;          /* bytes left unconsumed in the last call */
	struct ls_state ls;
};

struct http_state {
	bool started;
	bool upgraded;        /* the rest belongs to the TLS handler */
	bool midstream;
	bool resp_active;     /* a final response is being parsed */
	bool client_lost;     /* client bytes were lost: orphan responses are expected */
	int8_t tunnel_slot;   /* CONNECT transaction waiting for the tunnel's first bytes */
	uint32_t tunnel_id;
	struct http_dir d[2]; /* index enum pd_dir */
	struct http_txn txn[HTTP_TXN_MAX];
	/* Strings of the kept transactions, allocated at arena_used and
	 * compacted when the end is reached (http_txn.c). */
	uint16_t arena_used;
	char arena[HTTP_ARENA];
	struct http_pending pipe[HTTP_PIPE_MAX];
	uint16_t pipe_head, pipe_len;
	uint32_t next_id;
	uint32_t untracked;   /* requests counted but not kept in detail */
	uint32_t pipe_lost;   /* requests not even queued (FIFO full) */
	uint32_t gaps;
	uint32_t anomaly[HTTP_A_COUNT];
};

/* ---- http.c ---- */
/* Counts an anomaly and emits the first few of each name. */
void http_anomaly(struct pd_session *s, struct http_state *st, enum http_anomaly a,
                  const char *detail);

/* ---- http_probe.c ---- */
enum pd_probe http_probe(enum pd_dir dir, const uint8_t *data, size_t len);
/* True when [p, p+n) is a method of the probe's table (case-sensitive,
 * RFC 9110 9.1). */
bool http_method_known(const uint8_t *p, size_t n);

/* ---- http_line.c: start lines and header fields (RFC 9112 3, 4, 5) ---- */
struct http_request_line {
	const uint8_t *method, *target, *version;
	size_t method_len, target_len, version_len;
	bool target_ws;     /* the target holds whitespace (invalid, accepted) */
};
struct http_status_line {
	const uint8_t *version, *reason;
	size_t version_len, reason_len;
	uint16_t status;    /* 0 when the code is not 3 digits */
	char code[3];       /* the code as sent */
};
/* Parse a request line / status line (terminator removed). A request line
 * cut by the line limit (cut = true) may lack its version. */
bool http_parse_request_line(const uint8_t *p, size_t n, bool cut, struct http_request_line *out);
bool http_parse_status_line(const uint8_t *p, size_t n, struct http_status_line *out);
/* "HTTP/" DIGIT "." DIGIT */
bool http_version_valid(const uint8_t *p, size_t n);
/* One header line of the message in direction dir (may be an obs-fold
 * continuation); updates the direction's framing facts and the transaction. */
void http_header_line(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                      const uint8_t *p, size_t n);
/* Parses a Content-Length value (RFC 9110 8.6: digits, or a list of equal
 * values). False when invalid. */
bool http_parse_clen(const uint8_t *p, size_t n, uint64_t *out);
/* Parses a chunk-size line (RFC 9112 7.1): hex digits, then nothing or BWS
 * and chunk extensions. False when invalid or over 2^60. */
bool http_parse_chunk_size(const uint8_t *p, size_t n, uint64_t *out);
/* Host and port from the request target: the authority of an absolute-form
 * target (RFC 9112 3.2.2, userinfo skipped) or CONNECT's authority-form. */
void http_request_authority(struct http_state *st, struct http_txn *t, const uint8_t *p,
                            size_t n);
/* The authority of an absolute-form target "scheme://authority/..." as
 * [*start, *end) (RFC 3986 3); false for any other form. */
bool http_target_authority(const uint8_t *p, size_t n, size_t *start, size_t *end);
/* ASCII case-insensitive comparison of a byte range with a C string. */
bool http_ieq(const uint8_t *p, size_t n, const char *s);

/* ---- http_txn.c: transactions and the pending FIFO ---- */
struct http_txn *http_txn_get(struct http_state *st, int slot, uint32_t id);
/* A new transaction for a request (or an orphan response): slot, or -1
 * when none is free. */
int http_txn_open(struct http_state *st);
/* Stores a string of t (the first value wins), cut at the field's cap or
 * when the arena is full (flagged trunc). */
void http_txn_set(struct http_state *st, struct http_txn *t, enum http_fld f, const uint8_t *p,
                  size_t n);
/* Appends to f when it is the last string of the arena (obs-fold). */
void http_txn_append(struct http_state *st, struct http_txn *t, enum http_fld f,
                     const uint8_t *p, size_t n);
/* The bytes of a string (NULL when not set) and their number in *n. */
const char *http_txn_str(const struct http_state *st, const struct http_txn *t, enum http_fld f,
                         size_t *n);
char *http_txn_str_rw(struct http_state *st, struct http_txn *t, enum http_fld f, size_t *n);
bool http_pipe_push(struct http_state *st, const struct http_pending *p);
struct http_pending *http_pipe_head(struct http_state *st);
void http_pipe_pop(struct http_state *st);
/* Writes the transaction's event and frees its slot. */
void http_txn_finish(struct pd_session *s, struct http_state *st, int slot, uint32_t id);
/* At close: every transaction still kept, in order. */
void http_txn_flush(struct pd_session *s, struct http_state *st);

/* ---- http_body.c: framing (RFC 9112 6, 7) ---- */
/* The empty line ended the header section of the message in direction dir. */
void http_headers_done(struct pd_session *s, struct http_state *st, enum pd_dir dir);
/* The message in direction dir is complete. */
void http_message_done(struct pd_session *s, struct http_state *st, enum pd_dir dir);
size_t http_body_bytes(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                       struct pcur *c);
void http_chunk_size_line(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                          const struct ls_line *l);
void http_chunk_end_line(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                         const struct ls_line *l);
void http_trailer_line(struct pd_session *s, struct http_state *st, enum pd_dir dir,
                       const struct ls_line *l);
/* A gap of `lost` bytes: absorbed by a counted body when it fits; returns
 * false when the direction lost its framing. */
bool http_body_gap(struct pd_session *s, struct http_state *st, enum pd_dir dir, uint64_t lost);
/* Stops parsing one direction after a framing error. */
void http_dir_stop(struct pd_session *s, struct http_state *st, enum pd_dir dir);
/* Forgets the framing facts of the previous message of a direction. */
void http_msg_reset(struct http_dir *d);
/* The body facts of the direction's message in t (request or response). */
struct http_body *http_body_of(struct http_txn *t, enum pd_dir dir);

/* ---- http_event.c ---- */
void http_event_txn(struct pd_session *s, const struct http_state *st, const struct http_txn *t);

#endif
