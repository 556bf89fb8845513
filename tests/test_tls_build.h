/* SPDX-License-Identifier: BSD-2-Clause */
/* Byte builders for the TLS tests: length-prefixed vectors (RFC 8446
 * section 3.4), hello messages and handshake records. */
#ifndef PD_TEST_TLS_BUILD_H
#define PD_TEST_TLS_BUILD_H

#include <stddef.h>
#include <stdint.h>

#define TB_CAP 65536
#define TB_DEPTH 8

struct tb {
	uint8_t b[TB_CAP];
	size_t n;
	size_t open[TB_DEPTH];   /* offsets of open length fields */
	uint8_t width[TB_DEPTH]; /* their sizes in bytes */
	unsigned depth;
};

void tb_init(struct tb *t);
void tb_u8(struct tb *t, uint8_t v);
void tb_u16(struct tb *t, uint16_t v);
void tb_u24(struct tb *t, uint32_t v);
void tb_bytes(struct tb *t, const void *p, size_t n);
void tb_str(struct tb *t, const char *s);
/* Opens a vector with a width-byte length (1, 2 or 3); tb_close patches it. */
void tb_open(struct tb *t, unsigned width);
void tb_close(struct tb *t);

/* A ClientHello description; lists end at their count. */
struct ch_spec {
	uint16_t version;
	uint8_t sid_len;
	const uint16_t *ciphers;
	size_t n_ciphers;
	const char *sni;            /* NULL: no server_name */
	const char *const *alpn;    /* NULL: no ALPN */
	size_t n_alpn;
	const uint16_t *groups;
	size_t n_groups;
	const uint16_t *sigalgs;
	size_t n_sigalgs;
	const uint16_t *versions;   /* NULL: no supported_versions */
	size_t n_versions;
	const uint16_t *extra_exts; /* empty extensions of these types, written first */
	size_t n_extra;
	int no_extensions;          /* omit the extensions block */
};

/* Handshake message (4-byte header + body) of a ClientHello into t. */
void tb_client_hello(struct tb *t, const struct ch_spec *spec);
/* ServerHello: random all 0x11 (or the HRR value), extensions as given. */
void tb_server_hello(struct tb *t, uint16_t legacy, uint16_t cipher, int hrr,
                     uint16_t selected_version, const char *alpn);
/* Wraps handshake bytes into records of at most recsize body bytes. */
void tb_records(struct tb *out, uint8_t ctype, const uint8_t *p, size_t n, size_t recsize);


/* The handshake bytes of one direction of a segment list: record bodies of
 * the leading handshake records, concatenated (stops at the first other
 * record). Returns the length written to out (at most cap); *end (if not
 * NULL) gets the offset in the direction's bytes where it stopped. */
struct tls_seg;
size_t tb_hs_stream(const struct tls_seg *segs, size_t n, int dir, uint8_t *out, size_t cap,
                    size_t *end);
/* The body of the first handshake message of `type` in hs[0..n); NULL if none. */
const uint8_t *tb_find_msg(const uint8_t *hs, size_t n, uint8_t type, size_t *len);
/* All bytes of one direction, concatenated. */
size_t tb_dir_bytes(const struct tls_seg *segs, size_t n, int dir, uint8_t *out, size_t cap);

#endif
