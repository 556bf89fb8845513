/* SPDX-License-Identifier: BSD-2-Clause */
/* DNS detection by content (RFC 1035 4.1.1-4.1.2, RFC 1035 4.2.2 TCP framing).
 *
 * The probe does not know the transport, so it tries both readings of the
 * first bytes: a whole message (UDP datagram) and a 2-byte length followed by
 * a message (TCP). A reading matches only when the header is one a resolver or
 * server would send and the first question parses: opcode QUERY, NOTIFY or
 * UPDATE, Z clear, 1-4 questions, counts that fit the length, a query with no
 * answers and no rcode, and a question class in use (IN, CH, HS, NONE, ANY). */
#include "handlers/dns.h"

#define DNS_PROBE_MAX_QD 4
#define DNS_PROBE_MAX_AR_QUERY 2   /* EDNS OPT plus TSIG or SIG(0) */
#define DNS_MIN_QUESTION 5         /* root name, type, class */
#define DNS_MIN_RR 11              /* root name, type, class, ttl, rdlength */

static bool opcode_ok(unsigned op)
{
	return op == 0 || op == 4 || op == 5; /* QUERY, NOTIFY, UPDATE */
}

static bool class_ok(uint16_t qclass)
{
	return qclass == 1 || qclass == 3 || qclass == 4 || qclass == 254 || qclass == 255;
}

/* b holds the first avail bytes of a message msglen bytes long. */
static enum pd_probe plausible(const uint8_t *b, size_t avail, size_t msglen)
{
	struct pcur c = pcur_make(b, avail);
	struct dns_header h;

	if (!dns_header_read(&c, &h)) {
		return avail < msglen ? PD_PROBE_NEED_MORE : PD_PROBE_REJECT;
	}
	bool qr = (h.flags & DNS_F_QR) != 0;
	unsigned rr = (unsigned)h.ancount + h.nscount + h.arcount;
	if (!opcode_ok(DNS_OPCODE(h.flags)) || (h.flags & DNS_F_Z) != 0 || h.qdcount == 0 ||
	    h.qdcount > DNS_PROBE_MAX_QD ||
	    DNS_HEADER_LEN + (size_t)h.qdcount * DNS_MIN_QUESTION + (size_t)rr * DNS_MIN_RR > msglen) {
		return PD_PROBE_REJECT;
	}
	if (!qr && DNS_OPCODE(h.flags) == 0 &&
	    (DNS_RCODE(h.flags) != 0 || h.ancount != 0 || h.nscount != 0 ||
	     h.arcount > DNS_PROBE_MAX_AR_QUERY)) {
		return PD_PROBE_REJECT;
	}
	if (qr && DNS_RCODE(h.flags) > 10) {
		return PD_PROBE_REJECT;
	}
	struct dns_name name;
	enum dns_err err = dns_name_read(b, avail, &c, &name, DNS_E_TRUNCATED);
	uint16_t qtype = pcur_be16(&c);
	uint16_t qclass = pcur_be16(&c);
	if (err == DNS_E_OK && !pcur_ok(&c)) {
		err = DNS_E_TRUNCATED;
	}
	if (err == DNS_E_TRUNCATED && avail < msglen) {
		return PD_PROBE_NEED_MORE;
	}
	if (err != DNS_E_OK || qtype == 0 || !class_ok(qclass)) {
		return PD_PROBE_REJECT;
	}
	/* A lone question ends the message exactly. */
	if (h.qdcount == 1 && rr == 0 && avail - pcur_left(&c) != msglen) {
		return PD_PROBE_REJECT;
	}
	return PD_PROBE_MATCH;
}

enum pd_probe dns_probe(enum pd_dir dir, const uint8_t *data, size_t len)
{
	(void)dir;
	if (plausible(data, len, len) == PD_PROBE_MATCH) {
		return PD_PROBE_MATCH;
	}
	struct pcur c = pcur_make(data, len);
	uint16_t msglen = pcur_be16(&c);
	if (!pcur_ok(&c)) {
		return PD_PROBE_NEED_MORE;
	}
	if (msglen < DNS_HEADER_LEN) {
		return PD_PROBE_REJECT;
	}
	size_t avail = pcur_left(&c) < msglen ? pcur_left(&c) : msglen;
	return plausible(pcur_ptr(&c), avail, msglen);
}
