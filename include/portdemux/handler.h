/* SPDX-License-Identifier: BSD-2-Clause */
/* portdemux public handler API: what a protocol handler implements and may call.
 *
 * A handler is one descriptor (struct pd_handler) plus callbacks. The core owns
 * the flow, reassembles TCP per direction and calls on_data with in-order bytes.
 * Handlers never see libpcap, packets or flows; only a struct pd_session.
 * Out-of-tree handlers are shared objects exporting PD_HANDLER_EXPORT(desc).
 */
#ifndef PORTDEMUX_HANDLER_H
#define PORTDEMUX_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever struct pd_handler or any pd_session_ / pd_event_ function changes. */
#define PD_API_VERSION 1

enum pd_transport { PD_TCP = 1u << 0, PD_UDP = 1u << 1 };

/* Direction of the bytes handed to a handler. The server is the SYN receiver. */
enum pd_dir { PD_TO_SERVER = 0, PD_TO_CLIENT = 1 };

/* Probe verdict on the first bytes of one direction. */
enum pd_probe { PD_PROBE_REJECT = 0, PD_PROBE_NEED_MORE = 1, PD_PROBE_MATCH = 2 };

/* Why a session ends (also the flow event's "reason"). */
enum pd_close {
	PD_CLOSE_FIN = 0,      /* FIN seen both ways */
	PD_CLOSE_RST,          /* a RST ended the flow */
	PD_CLOSE_TIMEOUT,      /* idle timeout in packet time */
	PD_CLOSE_EVICTION,     /* flow table full: least recently used evicted */
	PD_CLOSE_SHUTDOWN,     /* end of input or daemon stopping */
};

struct pd_session; /* opaque: one flow as a handler sees it */

struct pd_handler {
	unsigned api_version;          /* PD_API_VERSION the handler was built against */
	const char *name;              /* "smtp": [a-z0-9_-], also the default app_proto */
	unsigned transports;           /* PD_TCP | PD_UDP */
	const uint16_t *default_ports; /* zero-terminated, may be NULL; config adds/removes */
	size_t state_size;             /* per-session state, zeroed by the core */

	/* Optional. Looks at the first bytes of one direction (at most the probe budget).
	 * Must not keep pointers; pure function of its arguments. */
	enum pd_probe (*probe)(enum pd_dir dir, const uint8_t *data, size_t len);

	/* Required. In-order bytes of one direction (TCP) or one datagram (UDP).
	 * Returns how many bytes it consumed; the core keeps the rest and prepends it to
	 * the next call in the same direction (the kept tail is capped: when the cap is hit
	 * the core reports a gap of the dropped bytes via on_gap). For UDP the return value
	 * is ignored. */
	size_t (*on_data)(struct pd_session *s, void *state, enum pd_dir dir,
	                  const uint8_t *data, size_t len);

	/* Optional. `lost` bytes of direction `dir` are missing (capture loss, caps).
	 * Bytes kept from before the gap are discarded by the core first. */
	void (*on_gap)(struct pd_session *s, void *state, enum pd_dir dir, size_t lost);

	/* Optional. Last call for this session; state is freed after it returns.
	 * Events may still be emitted here. Called when both FINs have been
	 * reached in order (PD_CLOSE_FIN: no byte can follow) or else when the
	 * flow ends; the flow event comes later, at the flow's end. */
	void (*on_close)(struct pd_session *s, void *state, enum pd_close why);
};

/* Export macro for plug-ins: the loader looks up this one symbol. */
#define PD_HANDLER_SYMBOL "pd_handler_descriptor"
#define PD_HANDLER_EXPORT(desc) \
	const struct pd_handler *pd_handler_descriptor = &(desc)

/* ---- What a handler may ask of its session (implemented by the core) ---- */

enum pd_transport pd_session_transport(const struct pd_session *s);
uint16_t pd_session_server_port(const struct pd_session *s);
uint16_t pd_session_client_port(const struct pd_session *s);

/* Packet time of the data being delivered, microseconds since the epoch. */
uint64_t pd_session_time_us(const struct pd_session *s);

/* Whether the core saw the start of this flow (SYN) or picked it up mid-stream. */
bool pd_session_midstream(const struct pd_session *s);

/* The app_proto label written in this session's events. Defaults to the handler's
 * name; "submission" on 587 etc. `label` must have static storage duration. */
void pd_session_set_app_proto(struct pd_session *s, const char *label);
const char *pd_session_app_proto(const struct pd_session *s);

/* Hand the rest of both directions to another handler (e.g. "tls" after STARTTLS
 * or on port 465). The bytes this on_data call does not consume go to the new
 * handler. The calling handler keeps its state and still gets on_close (after the
 * new handler's), but no more on_data/on_gap. Returns 0, or -1 if no such handler
 * or the transport does not match. */
int pd_session_upgrade(struct pd_session *s, const char *handler_name);

/* An app-layer anomaly: emits an "anomaly" event {type:"applayer", event: reason,
 * detail} and counts it under the handler. reason: [a-z0-9_], static storage. */
void pd_session_anomaly(struct pd_session *s, const char *reason, const char *detail);

#ifdef __cplusplus
}
#endif
#endif
