/* SPDX-License-Identifier: BSD-2-Clause */
/* DNS handler (RFC 1035): one datagram = one message over UDP; over TCP each
 * message follows a 2-byte length (RFC 1035 4.2.2, RFC 7766 8), several per
 * segment or one split across many. Returning only the bytes of whole
 * messages lets the core keep a partial one; a 16-bit length caps a message
 * at 65535 bytes, and the core's tail cap bounds what is kept. */
#include "portdemux/event.h"
#include "handlers/builtin.h"
#include "handlers/dns.h"

#define DNS_TCP_PREFIX 2

struct dns_state {
	/* Set after a gap: message boundaries are lost in that direction for good
	 * (a length prefix cannot be told from data), so it is no longer parsed. */
	bool desync[2];
};

static const uint16_t dns_ports[] = { 53, 0 };

static size_t dns_on_data(struct pd_session *s, void *state, enum pd_dir dir,
                          const uint8_t *data, size_t len)
{
	struct dns_state *st = state;

	if (pd_session_transport(s) == PD_UDP) {
		dns_message(s, data, len);
		return len;
	}
	if (st->desync[dir]) {
		return len;
	}
	struct pcur c = pcur_make(data, len);
	size_t used = 0;
	for (;;) {
		struct pcur next = c;
		uint16_t msglen = pcur_be16(&next);
		struct pcur msg = pcur_sub(&next, msglen);
		if (!pcur_ok(&next)) {
			break; /* a partial message: the core keeps it */
		}
		dns_message(s, pcur_ptr(&msg), msglen);
		used += DNS_TCP_PREFIX + (size_t)msglen;
		c = next;
	}
	return used;
}

static void dns_on_gap(struct pd_session *s, void *state, enum pd_dir dir, size_t lost)
{
	struct dns_state *st = state;
	if (!st->desync[dir]) {
		st->desync[dir] = true;
		pd_session_anomaly(s, "dns_tcp_desync",
		                   dir == PD_TO_SERVER ? "gap in the queries: no more parsed"
		                                       : "gap in the responses: no more parsed");
	}
}

const struct pd_handler pd_handler_dns = {
	.api_version = PD_API_VERSION,
	.name = "dns",
	.transports = PD_TCP | PD_UDP,
	.default_ports = dns_ports,
	.state_size = sizeof(struct dns_state),
	.probe = dns_probe,
	.on_data = dns_on_data,
	.on_gap = dns_on_gap,
};
