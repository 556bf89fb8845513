/* SPDX-License-Identifier: BSD-2-Clause */
/* Real TLS handshake segments for the TLS tests (see tests/test_tls_data.c). */
#ifndef PD_TEST_TLS_DATA_H
#define PD_TEST_TLS_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "portdemux/handler.h"

struct tls_seg {
	enum pd_dir dir;
	const uint8_t *data;
	size_t len;
};

/* d12: SMTP submissions on 465, implicit TLS 1.3 (client hello, server
 * hello + encrypted flight in two segments, client CCS + Finished). */
extern const struct tls_seg tls_d12[];
extern const size_t tls_d12_count;

/* d16 stream 2: HTTPS with TLS 1.2 (client hello with SNI www.corp.test and
 * ALPN http/1.1; server hello + certificate chain; key exchange; CCS). */
extern const struct tls_seg tls_d16[];
extern const size_t tls_d16_count;

/* A self-signed certificate with UTF8String, IA5String, UTCTime and
 * GeneralizedTime fields (provenance in test_tls_data.c). */
extern const uint8_t tls_gen_cert[];
extern const size_t tls_gen_cert_len;

#endif
