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

/* Header checks, field by field, so that a partial header (the first bytes
 * of a TCP stream) is rejected as soon as a field it has is implausible. */
static enum pd_probe header_check(struct pcur *c, size_t msglen, struct dns_header *h)
{
	h->id = pcur_be16(c);
	h->flags = pcur_be16(c);
	if (!pcur_ok(c)) {
		return PD_PROBE_NEED_MORE;
	}
	bool qr = (h->flags & DNS_F_QR) != 0;
	unsigned op = DNS_OPCODE(h->flags);
	if (!opcode_ok(op) || (h->flags & DNS_F_Z) != 0 ||
	    (!qr && op == 0 && DNS_RCODE(h->flags) != 0) || (qr && DNS_RCODE(h->flags) > 10)) {
		return PD_PROBE_REJECT;
	}
	h->qdcount = pcur_be16(c);
	if (!pcur_ok(c)) {
		return PD_PROBE_NEED_MORE;
	}
	if (h->qdcount == 0 || h->qdcount > DNS_PROBE_MAX_QD) {
		return PD_PROBE_REJECT;
	}
	h->ancount = pcur_be16(c);
	h->nscount = pcur_be16(c);
	h->arcount = pcur_be16(c);
	if (!pcur_ok(c)) {
		return PD_PROBE_NEED_MORE;
	}
	size_t rr = (size_t)h->ancount + h->nscount + h->arcount;
	if (DNS_HEADER_LEN + (size_t)h->qdcount * DNS_MIN_QUESTION + rr * DNS_MIN_RR > msglen) {
		return PD_PROBE_REJECT;
	}
	if (!qr && op == 0 &&
	    (h->ancount != 0 || h->nscount != 0 || h->arcount > DNS_PROBE_MAX_AR_QUERY)) {
		return PD_PROBE_REJECT;
	}
	return PD_PROBE_MATCH;
}

/* b holds the first avail bytes of a message msglen bytes long. */
static enum pd_probe plausible(const uint8_t *b, size_t avail, size_t msglen)
{
	struct pcur c = pcur_make(b, avail);
	struct dns_header h;

	enum pd_probe v = header_check(&c, msglen, &h);
	if (v == PD_PROBE_NEED_MORE && avail == msglen) {
		return PD_PROBE_REJECT; /* the whole message is shorter than a header */
	}
	if (v != PD_PROBE_MATCH) {
		return v;
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
	bool lone = h.qdcount == 1 && h.ancount == 0 && h.nscount == 0 && h.arcount == 0;
	if (lone && avail - pcur_left(&c) != msglen) {
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
