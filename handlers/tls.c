/* SPDX-License-Identifier: BSD-2-Clause */
/* TLS handshake handler (RFC 8446, RFC 5246): descriptor and session glue. */
#include "handlers/builtin.h"

static const uint16_t tls_ports[] = { 443, 853, 993, 995, 0 };

static size_t tls_on_data(struct pd_session *s, void *state, enum pd_dir dir,
                          const uint8_t *data, size_t len)
{
	(void)s;
	(void)state;
	(void)dir;
	(void)data;
	return len;
}

const struct pd_handler pd_handler_tls = {
	.api_version = PD_API_VERSION,
	.name = "tls",
	.transports = PD_TCP,
	.default_ports = tls_ports,
	.state_size = 1,
	.on_data = tls_on_data,
};
