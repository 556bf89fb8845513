/* SPDX-License-Identifier: BSD-2-Clause */
/* daytime: a portdemux handler plug-in for the Daytime Protocol (RFC 867, TCP
 * port 13): the server sends one line with the date and time, then closes.
 *   cc $(pkg-config --cflags portdemux) -shared -fPIC -o daytime.so daytime.c
 *   portdemuxd --handler-dir DIR-holding-daytime.so -r capture.pcap */
#include <portdemux/cursor.h>
#include <portdemux/event.h>
#include <portdemux/handler.h>

#define DAYTIME_MAX 128 /* RFC 867 sets no limit; servers send about 30 bytes */

struct daytime { bool done; };

/* Length of the first line without CR LF when it is printable ASCII holding a
 * time of day (two ':' each followed by a digit); 0 while its LF has not
 * arrived; -1 when it is not a daytime line. */
static long daytime_line(const uint8_t *data, size_t len)
{
	const struct pcur all = pcur_make(data, len);
	struct pcur c = all;
	long n = 0, colons = 0;
	int ch;

	while ((ch = pcur_peek(&c, 0)) >= 0 && ch != '\n' && n < DAYTIME_MAX) {
		if ((ch < 0x20 || ch > 0x7e) && ch != '\r') return -1;
		if (ch == ':' && pcur_peek(&c, 1) >= '0' && pcur_peek(&c, 1) <= '9') colons++;
		pcur_skip(&c, 1);
		n++;
	}
	if (ch != '\n') return n < DAYTIME_MAX ? 0 : -1;
	if (colons < 2) return -1;
	return pcur_peek(&all, (size_t)n - 1) == '\r' ? n - 1 : n; /* n >= 4 here */
}

/* The client sends nothing over TCP: the server's first line decides. */
static enum pd_probe daytime_probe(enum pd_dir dir, const uint8_t *data, size_t len)
{
	long n = dir == PD_TO_CLIENT ? daytime_line(data, len) : -1;
	return n < 0 ? PD_PROBE_REJECT : n == 0 ? PD_PROBE_NEED_MORE : PD_PROBE_MATCH;
}

static size_t daytime_data(struct pd_session *s, void *state, enum pd_dir dir,
                           const uint8_t *data, size_t len)
{
	struct daytime *st = state;
	if (dir == PD_TO_SERVER || st->done) return len; /* nothing else to report */
	long n = daytime_line(data, len);
	if (n == 0) return 0; /* the core keeps the bytes until the line is whole */
	st->done = true;
	if (n < 0) {
		pd_session_anomaly(s, "daytime_bad_line", "not a printable line with a time");
		return len;
	}
	struct pd_event *e = pd_event_begin(s, "daytime");
	pd_event_bytes(e, "time", data, (size_t)n);
	pd_event_emit(e);
	return len;
}

static const uint16_t daytime_ports[] = {13, 0};

static const struct pd_handler daytime = {
	.api_version = PD_API_VERSION, .name = "daytime", .transports = PD_TCP,
	.default_ports = daytime_ports, .state_size = sizeof(struct daytime),
	.probe = daytime_probe, .on_data = daytime_data,
};
PD_HANDLER_EXPORT(daytime);
