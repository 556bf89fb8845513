/* SPDX-License-Identifier: BSD-2-Clause */
/* SMTP/submission handler descriptor (RFC 5321, RFC 6409, RFC 8314). */
#include "handlers/builtin.h"

static const uint16_t smtp_ports[] = { 25, 587, 465, 0 };

static size_t smtp_on_data(struct pd_session *s, void *state, enum pd_dir dir,
                           const uint8_t *data, size_t len)
{
	(void)s;
	(void)state;
	(void)dir;
	(void)data;
	return len;
}

const struct pd_handler pd_handler_smtp = {
	.api_version = PD_API_VERSION,
	.name = "smtp",
	.transports = PD_TCP,
	.default_ports = smtp_ports,
	.state_size = 1,
	.on_data = smtp_on_data,
};
