/* SPDX-License-Identifier: BSD-2-Clause */
/* The handler registry: built-in table + plug-ins, and per-transport port maps
 * (port -> handler, O(1)). Checked at start-up; errors go to the caller's buffer. */
#ifndef PD_HD_REGISTRY_H
#define PD_HD_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portdemux/handler.h"

#define HD_MAX_HANDLERS 64

struct hd_registry {
	const struct pd_handler *h[HD_MAX_HANDLERS];
	unsigned count;
	/* port maps: 0 = no handler, else index + 1 into h[] */
	uint8_t tcp_port[65536];
	uint8_t udp_port[65536];
};

/* Fills r with the built-in handlers and their default ports. Validates every
 * descriptor (name syntax, required callbacks, API version, unique names, port
 * conflicts between defaults). Returns 0 or -1 with a message in err. */
int hd_registry_init(struct hd_registry *r, char *err, size_t errlen);

/* Adds one more handler (plug-in) with its default ports; same checks. */
int hd_registry_add(struct hd_registry *r, const struct pd_handler *h, char *err, size_t errlen);

/* Applies "PORT/PROTO=NAME" (NAME "none" removes; PROTO tcp or udp; without
 * /PROTO every transport NAME supports). Returns 0 or -1 with a message. */
int hd_registry_remap(struct hd_registry *r, const char *spec, char *err, size_t errlen);

const struct pd_handler *hd_registry_find(const struct hd_registry *r, const char *name);
/* Whether h is enabled in this table. A handler that a drop-in disables is not
 * in the table at all (daemon/htable.c builds it without): after a reload its
 * descriptor stays loaded (plug-ins are unloaded only after the engine is
 * freed) and sessions that already run it keep it, but it must not be given a
 * flow, not even one still in detection (handlers/session_detect.c). Registry
 * indexes shift when the set of handlers changes: never keep one across a
 * reload. */
bool hd_registry_enabled(const struct hd_registry *r, const struct pd_handler *h);
int hd_registry_index(const struct hd_registry *r, const struct pd_handler *h);
const struct pd_handler *hd_registry_port(const struct hd_registry *r, unsigned transport,
                                          uint16_t port);

/* Calls fn for each (handler, transport, port) in handler, then port order
 * (TCP before UDP on one port): used by --list-handlers and the summary. */
void hd_registry_each_port(const struct hd_registry *r,
                           void (*fn)(void *arg, const struct pd_handler *h,
                                      unsigned transport, uint16_t port),
                           void *arg);

#endif
