/* SPDX-License-Identifier: BSD-2-Clause */
/* daytime: a portdemux handler plug-in for the Daytime Protocol (RFC 867, TCP
 * port 13): the server sends one line with the date and time, then closes.
 *   cc $(pkg-config --cflags portdemux) -shared -fPIC -o daytime.so daytime.c
 *   portdemuxd --handler-dir DIR-holding-daytime.so -r capture.pcap */
#include <portdemux/cursor.h>
#include <portdemux/event.h>
#include <portdemux/handler.h>

#define DAYTIME_MAX 128 /* RFC 867 sets no limit; servers send about 30 bytes */

struct daytime { bool reported; };

/* Length of the first line (without CR LF) if it is printable ASCII holding a
 * time of day "hh:mm:ss"; -1 if it is not; 0 while no LF has arrived. */
static long daytime_line(const uint8_t *data, size_t len)
{
	struct pcur c = pcur_make(data, len);
	long n = 0, colons = 0;

	for (int ch; (ch = pcur_peek(&c, 0)) >= 0 && ch != '\n'; pcur_skip(&c, 1), n++) {
		if ((ch < 0x20 || ch > 0x7e) && ch != '\r') return -1;
		if (ch == ':' && pcur_peek(&c, 1) >= '0' && pcur_peek(&c, 1) <= '9') colons++;
	}
	if (n >= DAYTIME_MAX) return -1;
	if (pcur_peek(&c, 0) != '\n') return 0;
	return colons >= 2 ? n - (n > 0 && data[n - 1] == '\r') : -1;
}

/* The client sends nothing over TCP; the server's first line decides. */
static enum pd_probe daytime_probe(enum pd_dir dir, const uint8_t *data, size_t len)
{
	long n = dir == PD_TO_CLIENT ? daytime_line(data, len) : -1;
	return n < 0 ? PD_PROBE_REJECT : n == 0 ? PD_PROBE_NEED_MORE : PD_PROBE_MATCH;
}

static size_t daytime_data(struct pd_session *s, void *state, enum pd_dir dir,
                           const uint8_t *data, size_t len)
{
	struct daytime *st = state;
	long n = st->reported || dir == PD_TO_SERVER ? -1 : daytime_line(data, len);

	if (n == 0) return 0; /* the core keeps the bytes until the line is whole */
	if (n < 0) {
		if (!st->reported && dir == PD_TO_CLIENT) pd_session_anomaly(s, "daytime_bad_line", NULL);
		st->reported = true;
		return len;
	}
	struct pd_event *e = pd_event_begin(s, "daytime");
	pd_event_bytes(e, "time", data, (size_t)n);
	pd_event_emit(e);
	st->reported = true;
	return len;
}

static const uint16_t daytime_ports[] = {13, 0};

static const struct pd_handler daytime = {
	.api_version = PD_API_VERSION, .name = "daytime", .transports = PD_TCP,
	.default_ports = daytime_ports, .state_size = sizeof(struct daytime),
	.probe = daytime_probe, .on_data = daytime_data,
};
PD_HANDLER_EXPORT(daytime);
