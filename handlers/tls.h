/* SPDX-License-Identifier: BSD-2-Clause */
/* TLS handshake decoding shared by the tls_*.c files: hello parsers (RFC 8446
 * section 4.1, RFC 5246 section 7.4.1, RFC 6066, RFC 7301), the first
 * certificate of a cleartext Certificate message (RFC 5280), JA4/JA3 client
 * fingerprints and the per-connection record/handshake state machine.
 *
 * Everything here is a pure function of its arguments except tls_conn_*,
 * which keep per-connection state (one bounded allocation per direction for a
 * handshake message that spans records, freed by tls_conn_free) and report
 * through callbacks: the session glue in tls.c turns them into events.
 */
#ifndef PD_HD_TLS_H
#define PD_HD_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portdemux/handler.h"

/* Caps of what one hello keeps. A list longer than its cap sets `overflow`
 * (the lists are then incomplete and no JA3/JA4 is computed). */
#define TLS_MAX_CIPHERS 256
#define TLS_MAX_EXTS 64
#define TLS_MAX_GROUPS 64
#define TLS_MAX_SIGALGS 64
#define TLS_MAX_VERSIONS 16
#define TLS_MAX_POINT_FORMATS 16
#define TLS_MAX_COMPRESSION 16
#define TLS_MAX_ALPN 16
#define TLS_ALPN_POOL 256       /* bytes of ALPN names kept, all entries together */
#define TLS_SNI_MAX 255         /* bytes of host_name kept (DNS names are <= 253) */

/* Record layer (RFC 8446 section 5.1 / 5.2): largest TLSCiphertext fragment. */
#define TLS_RECORD_MAX (16384 + 2048)
/* Largest handshake message reassembled per direction (bounded allocation). */
#define TLS_HS_MAX 65536

enum tls_ctype {
	TLS_CT_CCS = 20,
	TLS_CT_ALERT = 21,
	TLS_CT_HANDSHAKE = 22,
	TLS_CT_APPDATA = 23,
	TLS_CT_HEARTBEAT = 24,
};

enum tls_hs_type {
	TLS_HS_CLIENT_HELLO = 1,
	TLS_HS_SERVER_HELLO = 2,
	TLS_HS_CERTIFICATE = 11,
	TLS_HS_SERVER_HELLO_DONE = 14,
};

enum tls_ext {
	TLS_EXT_SERVER_NAME = 0,
	TLS_EXT_SUPPORTED_GROUPS = 10,
	TLS_EXT_EC_POINT_FORMATS = 11,
	TLS_EXT_SIGNATURE_ALGORITHMS = 13,
	TLS_EXT_ALPN = 16,
	TLS_EXT_SUPPORTED_VERSIONS = 43,
};

/* Parser verdicts: truncated (a length field points past the end) is kept
 * apart from malformed (a value that no valid hello has). */
enum tls_status { TLS_OK = 0, TLS_TRUNCATED = -1, TLS_MALFORMED = -2 };

struct tls_client_hello {
	uint16_t legacy_version;
	uint8_t session_id_len;
	uint16_t n_ciphers, n_exts, n_groups, n_sigalgs;
	uint8_t n_versions, n_point_formats, n_compression, n_alpn;
	bool has_sni;            /* server_name extension present (JA4 "d") */
	bool has_versions;       /* supported_versions present */
	bool has_alpn, has_groups, has_sigalgs, has_point_formats;
	bool grease;             /* a GREASE value (RFC 8701) in any list */
	bool overflow;           /* some list exceeded its cap */
	uint16_t sni_len;        /* bytes in sni (host_name, truncated to TLS_SNI_MAX) */
	uint16_t alpn_pool_len;
	uint16_t ciphers[TLS_MAX_CIPHERS];
	uint16_t exts[TLS_MAX_EXTS];
	uint16_t groups[TLS_MAX_GROUPS];
	uint16_t sigalgs[TLS_MAX_SIGALGS];
	uint16_t versions[TLS_MAX_VERSIONS];
	uint8_t point_formats[TLS_MAX_POINT_FORMATS];
	uint8_t compression[TLS_MAX_COMPRESSION];
	uint16_t alpn_off[TLS_MAX_ALPN];   /* entry i: alpn_pool[alpn_off[i]..+alpn_len[i]) */
	uint8_t alpn_len[TLS_MAX_ALPN];
	uint8_t alpn_pool[TLS_ALPN_POOL];
	uint8_t sni[TLS_SNI_MAX];
};

struct tls_server_hello {
	uint16_t legacy_version;
	uint16_t selected_version;   /* supported_versions extension, if has_selected */
	uint16_t cipher;
	uint8_t compression;
	uint8_t session_id_len;
	bool has_selected;
	bool hrr;                    /* HelloRetryRequest (special random, RFC 8446 4.1.3) */
	bool overflow;
	uint16_t n_exts;
	uint8_t alpn_len;            /* the protocol the server chose, if has_alpn */
	bool has_alpn;
	uint16_t exts[TLS_MAX_EXTS];
	uint8_t alpn[255];
};

/* The negotiated version: supported_versions when present, else legacy. */
uint16_t tls_server_version(const struct tls_server_hello *sh);

/* Body of a ClientHello / ServerHello handshake message (after the 4-byte
 * handshake header). out is overwritten. Returns TLS_OK, TLS_TRUNCATED or
 * TLS_MALFORMED; on error `*why` names the failing field (static string). */
int tls_parse_client_hello(const uint8_t *body, size_t len, struct tls_client_hello *out,
                           const char **why);
int tls_parse_server_hello(const uint8_t *body, size_t len, struct tls_server_hello *out,
                           const char **why);

/* GREASE (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa. */
static inline bool tls_is_grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* ---- fingerprints (tls_ja4.c) ---- */

#define TLS_JA4_LEN 37   /* "t13d1516h2_8daaf6152771_e5627efa2ab1" + NUL */
#define TLS_JA3_HASH_LEN 33
#define TLS_JA3_STR_MAX 4096 /* fits every list at its cap */

/* JA4 (FoxIO, technical_details/JA4.md) of a TCP ClientHello into out.
 * Returns 0, or -1 (out empty) when the hello overflowed a list cap. */
int tls_ja4(const struct tls_client_hello *ch, char out[TLS_JA4_LEN]);

/* JA3 string (version,ciphers,extensions,groups,point formats; decimal,
 * GREASE removed) into str and its MD5 in lowercase hex into hash.
 * Returns 0, or -1 on overflow or when str is too small. */
int tls_ja3(const struct tls_client_hello *ch, char *str, size_t strsz,
            char hash[TLS_JA3_HASH_LEN]);
/* JA3S: version,cipher,extensions of a ServerHello. */
int tls_ja3s(const struct tls_server_hello *sh, char *str, size_t strsz,
             char hash[TLS_JA3_HASH_LEN]);

/* ---- names (tls_names.c) ---- */

/* IANA names, or NULL when not in the table. */
const char *tls_cipher_name(uint16_t id);
const char *tls_group_name(uint16_t id);
const char *tls_sigalg_name(uint16_t id);
/* Suricata's strings: "TLS 1.3", "TLS 1.2", "TLS 1.1", "TLSv1", "SSLv3",
 * "SSLv2", "TLS 1.3 draft-28", "DTLS 1.2", ... or NULL. */
const char *tls_version_name(uint16_t v, char buf[24]);
/* name when non-NULL, else "0x%04x" of v into buf. */
const char *tls_name_or_hex(const char *name, uint16_t v, char buf[8]);

/* ---- the first certificate (tls_x509.c) ---- */

#define TLS_DN_MAX 512
#define TLS_TIME_LEN 20          /* "2026-11-26T21:51:12" + NUL */
#define TLS_SERIAL_MAX 64        /* bytes of serialNumber kept (RFC 5280 allows 20) */

struct tls_cert_info {
	char subject[TLS_DN_MAX];    /* "CN=www.corp.test, O=Corpus Test", in RDN order */
	char issuer[TLS_DN_MAX];
	uint16_t subject_len, issuer_len; /* bytes used (values may hold any byte, even NUL) */
	char notbefore[TLS_TIME_LEN];
	char notafter[TLS_TIME_LEN];
	uint8_t serial[TLS_SERIAL_MAX];
	uint8_t serial_len;
	uint8_t sha1[20];            /* of the whole DER certificate, when has_sha1 */
	bool has_sha1;
	uint32_t chain_len;          /* certificates in the message (counted while they fit) */
};

/* Subject, issuer, serial and validity of one DER X.509 certificate
 * (RFC 5280 section 4.1). Returns TLS_OK, TLS_TRUNCATED or TLS_MALFORMED. */
int tls_x509_parse(const uint8_t *der, size_t len, struct tls_cert_info *out, const char **why);

/* Body of a TLS 1.2 Certificate message (RFC 5246 section 7.4.2): parses the
 * first certificate. `complete` is false when body is only a prefix of the
 * message (it was larger than TLS_HS_MAX): the first certificate may still be
 * whole. */
int tls_parse_certificate_msg(const uint8_t *body, size_t len, bool complete,
                              struct tls_cert_info *out, const char **why);

/* ---- per-connection state (tls_conn.c) ---- */

struct tls_cb {
	/* An anomaly: reason [a-z0-9_] and detail, both static or valid for the call. */
	void (*anomaly)(void *arg, const char *reason, const char *detail);
	/* The cleartext part of the handshake is over (or cannot go on): the
	 * hellos and certificate seen so far are final. Called at most once. */
	void (*ready)(void *arg);
};

struct tls_dir {
	uint8_t ctype;           /* content type of the current record */
	bool in_record;          /* inside a record body (rec_left bytes to go) */
	bool encrypted;          /* after ChangeCipherSpec / TLS 1.3 ServerHello */
	bool dead;               /* a bad record or a gap: nothing more is parsed */
	bool rec_enc;            /* the current record counts as encrypted */
	bool hs_keep;            /* the current handshake message is one we decode */
	uint16_t rec_left;
	uint8_t hs_hdr[4];       /* handshake header being collected */
	uint8_t hs_hdr_len;
	uint8_t alert[2];        /* first cleartext alert: level, description */
	uint8_t alert_len;
	bool have_alert;
	uint32_t hs_body_len;    /* length of the current handshake message */
	uint32_t hs_skip;        /* bytes of the current message not kept */
	uint8_t *hs;             /* kept body bytes of the current message */
	uint32_t hs_len;         /* bytes in hs */
	uint32_t hs_want;        /* bytes to keep (min(body_len, TLS_HS_MAX)) */
	uint64_t records;        /* records whose header was read */
	uint64_t enc_records;    /* of them: encrypted (application data, after CCS) */
	uint64_t enc_bytes;      /* their body bytes */
};

struct tls_conn {
	const struct tls_cb *cb;
	void *cb_arg;
	struct tls_dir d[2];     /* index enum pd_dir */
	bool have_ch, have_sh, have_cert, hrr_seen, ready_sent;
	struct tls_client_hello ch;
	struct tls_server_hello sh;
	struct tls_cert_info cert;
};

void tls_conn_init(struct tls_conn *c, const struct tls_cb *cb, void *arg);
/* In-order bytes of one direction; returns how many were consumed (a record
 * header split over calls is left unconsumed: at most 4 bytes). */
size_t tls_conn_feed(struct tls_conn *c, enum pd_dir dir, const uint8_t *data, size_t len);
/* Bytes lost in one direction: its parsing stops. */
void tls_conn_gap(struct tls_conn *c, enum pd_dir dir);
/* Frees the reassembly buffers. Idempotent. */
void tls_conn_free(struct tls_conn *c);

/* ---- the event (tls_event.c) ---- */

/* Writes the one "tls" event of a connection (needs have_ch or have_sh). */
void tls_event_write(struct pd_session *s, const struct tls_conn *c);

#endif
