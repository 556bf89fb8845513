/* SPDX-License-Identifier: BSD-2-Clause */
/* Handler registry: the built-in table, descriptor validation and the
 * per-transport port maps (DESIGN.md "Dispatch"). Fails loudly at start-up:
 * every error names the handler (and port) at fault. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/builtin.h"
#include "handlers/registry.h"

/* The one list of handlers compiled into portdemuxd. Order = probe order for
 * port-independent detection and listing order. TLS comes before SMTP: the
 * SMTP probe also accepts a client's TLS record (implicit TLS, RFC 8314, when
 * SMTP owns the port, e.g. 465), which off SMTP's ports is plain TLS. */
static const struct pd_handler *const builtin_handlers[] = {
	&pd_handler_dns,
	&pd_handler_tls,
	&pd_handler_smtp,
	&pd_handler_http, &pd_handler_ssh,
};

_Static_assert(HD_MAX_HANDLERS <= 255, "port maps store index + 1 in a uint8_t");

#define HD_NAME_MAX 31

static bool name_valid(const char *name)
{
	size_t n = 0;
	for (const char *p = name; *p != '\0'; p++, n++) {
		char ch = *p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
		if (!ok || n >= HD_NAME_MAX) {
			return false;
		}
	}
	return n > 0;
}

static uint8_t *port_map(struct hd_registry *r, unsigned transport)
{
	return transport == PD_TCP ? r->tcp_port : r->udp_port;
}

static const uint8_t *port_map_c(const struct hd_registry *r, unsigned transport)
{
	return transport == PD_TCP ? r->tcp_port : r->udp_port;
}

static const char *transport_name(unsigned transport)
{
	return transport == PD_TCP ? "tcp" : "udp";
}

static const unsigned transports_all[] = { PD_TCP, PD_UDP };

/* Everything about one descriptor that does not depend on the ports. */
static int check_descriptor(const struct hd_registry *r, const struct pd_handler *h,
                            char *err, size_t errlen)
{
	if (h == NULL) {
		snprintf(err, errlen, "handler descriptor is NULL");
		return -1;
	}
	/* The version first: a descriptor built against another API may differ in
	 * layout after its first fields. */
	if (h->api_version != PD_API_VERSION) {
		snprintf(err, errlen, "handler %s: API version %u, expected %u",
		         h->name != NULL ? h->name : "(unnamed)", h->api_version,
		         (unsigned)PD_API_VERSION);
		return -1;
	}
	if (h->name == NULL) {
		snprintf(err, errlen, "handler with no name");
		return -1;
	}
	if (!name_valid(h->name)) {
		snprintf(err, errlen, "handler name \"%s\" is invalid (must match [a-z0-9_-]{1,31})",
		         h->name);
		return -1;
	}
	/* "none" removes a port mapping in --port specs, so no handler may be called that. */
	if (strcmp(h->name, "none") == 0) {
		snprintf(err, errlen, "handler name \"none\" is reserved");
		return -1;
	}
	if (hd_registry_find(r, h->name) != NULL) {
		snprintf(err, errlen, "handler name \"%s\" is already registered", h->name);
		return -1;
	}
	if (h->on_data == NULL) {
		snprintf(err, errlen, "handler %s: on_data is required", h->name);
		return -1;
	}
	if ((h->transports & (unsigned)(PD_TCP | PD_UDP)) == 0) {
		snprintf(err, errlen, "handler %s: no transport (PD_TCP and/or PD_UDP)", h->name);
		return -1;
	}
	if ((h->transports & ~(unsigned)(PD_TCP | PD_UDP)) != 0) {
		snprintf(err, errlen, "handler %s: unknown transport bits 0x%x", h->name,
		         h->transports & ~(unsigned)(PD_TCP | PD_UDP));
		return -1;
	}
	if (r->count >= HD_MAX_HANDLERS) {
		snprintf(err, errlen, "too many handlers (max %d), cannot add %s", HD_MAX_HANDLERS,
		         h->name);
		return -1;
	}
	return 0;
}

/* Default ports must not collide with another handler's (nor repeat). */
static int check_ports(const struct hd_registry *r, const struct pd_handler *h,
                       char *err, size_t errlen)
{
	if (h->default_ports == NULL) {
		return 0;
	}
	for (size_t i = 0; h->default_ports[i] != 0; i++) {
		uint16_t port = h->default_ports[i];
		for (size_t t = 0; t < sizeof transports_all / sizeof transports_all[0]; t++) {
			unsigned tr = transports_all[t];
			if ((h->transports & tr) == 0) {
				continue;
			}
			uint8_t owner = port_map_c(r, tr)[port];
			if (owner != 0) {
				snprintf(err, errlen, "port %u/%s claimed by both %s and %s", (unsigned)port,
				         transport_name(tr), r->h[owner - 1]->name, h->name);
				return -1;
			}
		}
	}
	return 0;
}

int hd_registry_add(struct hd_registry *r, const struct pd_handler *h, char *err, size_t errlen)
{
	if (check_descriptor(r, h, err, errlen) != 0 || check_ports(r, h, err, errlen) != 0) {
		return -1;
	}
	unsigned idx = r->count++;
	r->h[idx] = h;
	if (h->default_ports != NULL) {
		for (size_t i = 0; h->default_ports[i] != 0; i++) {
			if (h->transports & PD_TCP) {
				r->tcp_port[h->default_ports[i]] = (uint8_t)(idx + 1);
			}
			if (h->transports & PD_UDP) {
				r->udp_port[h->default_ports[i]] = (uint8_t)(idx + 1);
			}
		}
	}
	return 0;
}

int hd_registry_init(struct hd_registry *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < sizeof builtin_handlers / sizeof builtin_handlers[0]; i++) {
		if (hd_registry_add(r, builtin_handlers[i], err, errlen) != 0) {
			return -1;
		}
	}
	return 0;
}

const struct pd_handler *hd_registry_find(const struct hd_registry *r, const char *name)
{
	for (unsigned i = 0; i < r->count; i++) {
		if (strcmp(r->h[i]->name, name) == 0) {
			return r->h[i];
		}
	}
	return NULL;
}

bool hd_registry_enabled(const struct hd_registry *r, const struct pd_handler *h)
{
	return h != NULL && hd_registry_index(r, h) >= 0;
}

int hd_registry_index(const struct hd_registry *r, const struct pd_handler *h)
{
	for (unsigned i = 0; i < r->count; i++) {
		if (r->h[i] == h) {
			return (int)i;
		}
	}
	return -1;
}

const struct pd_handler *hd_registry_port(const struct hd_registry *r, unsigned transport,
                                          uint16_t port)
{
	if (transport != PD_TCP && transport != PD_UDP) {
		return NULL;
	}
	uint8_t v = port_map_c(r, transport)[port];
	return v == 0 ? NULL : r->h[v - 1];
}

/* Decimal 1..65535, digits only. */
static bool parse_port(const char *s, size_t n, uint16_t *out)
{
	unsigned long v = 0;
	if (n == 0 || n > 5) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535) {
		return false;
	}
	*out = (uint16_t)v;
	return true;
}

int hd_registry_remap(struct hd_registry *r, const char *spec, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	if (eq == NULL || eq[1] == '\0') {
		snprintf(err, errlen, "bad port mapping \"%s\": expected PORT[/tcp|/udp]=HANDLER", spec);
		return -1;
	}
	const char *slash = memchr(spec, '/', (size_t)(eq - spec));
	const char *port_end = slash != NULL ? slash : eq;
	uint16_t port;
	if (!parse_port(spec, (size_t)(port_end - spec), &port)) {
		snprintf(err, errlen, "bad port in \"%s\": must be 1-65535", spec);
		return -1;
	}
	unsigned want = PD_TCP | PD_UDP;
	bool explicit_transport = false;
	if (slash != NULL) {
		size_t n = (size_t)(eq - slash - 1);
		if (n == 3 && strncmp(slash + 1, "tcp", 3) == 0) {
			want = PD_TCP;
		} else if (n == 3 && strncmp(slash + 1, "udp", 3) == 0) {
			want = PD_UDP;
		} else {
			snprintf(err, errlen, "bad transport in \"%s\": must be tcp or udp", spec);
			return -1;
		}
		explicit_transport = true;
	}
	const char *name = eq + 1;
	uint8_t value = 0;
	if (strcmp(name, "none") != 0) {
		const struct pd_handler *h = hd_registry_find(r, name);
		if (h == NULL) {
			snprintf(err, errlen, "unknown handler \"%s\" in \"%s\"", name, spec);
			return -1;
		}
		if (explicit_transport && (h->transports & want) == 0) {
			snprintf(err, errlen, "handler %s does not support %s (in \"%s\")", h->name,
			         transport_name(want), spec);
			return -1;
		}
		want &= h->transports;
		value = (uint8_t)(hd_registry_index(r, h) + 1);
	}
	for (size_t t = 0; t < sizeof transports_all / sizeof transports_all[0]; t++) {
		if (want & transports_all[t]) {
			port_map(r, transports_all[t])[port] = value;
		}
	}
	return 0;
}

void hd_registry_each_port(const struct hd_registry *r,
                           void (*fn)(void *arg, const struct pd_handler *h,
                                      unsigned transport, uint16_t port),
                           void *arg)
{
	for (unsigned i = 0; i < r->count; i++) {
		for (uint32_t port = 1; port <= 65535; port++) {
			for (size_t t = 0; t < sizeof transports_all / sizeof transports_all[0]; t++) {
				if (port_map_c(r, transports_all[t])[port] == i + 1) {
					fn(arg, r->h[i], transports_all[t], (uint16_t)port);
				}
			}
		}
	}
}
