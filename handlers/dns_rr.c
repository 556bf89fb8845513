/* SPDX-License-Identifier: BSD-2-Clause */
/* DNS header and resource records (RFC 1035 4.1.1, 4.1.3, 3.3 and 3.4 RDATA
 * formats; RFC 3596 2.2 for AAAA).
 *
 *   RR:  NAME | TYPE (16) | CLASS (16) | TTL (32) | RDLENGTH (16) | RDATA
 *
 * RDATA is read through a sub-cursor of exactly RDLENGTH bytes, so a field
 * running past it is "rdata overflow" while a message ending inside RDATA is
 * "truncated". Names inside RDATA may point anywhere earlier in the message. */
#include "handlers/dns.h"

bool dns_header_read(struct pcur *c, struct dns_header *h)
{
	h->id = pcur_be16(c);
	h->flags = pcur_be16(c);
	h->qdcount = pcur_be16(c);
	h->ancount = pcur_be16(c);
	h->nscount = pcur_be16(c);
	h->arcount = pcur_be16(c);
	return pcur_ok(c);
}

/* <character-string>s (RFC 1035 3.3): each a length octet then that many bytes. */
static enum dns_err txt_check(struct pcur rd)
{
	while (pcur_left(&rd) > 0) {
		uint8_t n = pcur_u8(&rd);
		if (!pcur_skip(&rd, n)) {
			return DNS_E_RDATA_OVERFLOW;
		}
	}
	return DNS_E_OK;
}

static enum dns_err rdata_read(const uint8_t *msg, size_t msglen, struct dns_rr *rr)
{
	struct pcur rd = rr->rdata;
	enum dns_err e;

	switch (rr->type) {
	case DNS_T_A:
	case DNS_T_AAAA: {
		size_t want = rr->type == DNS_T_A ? 4 : 16;
		if (rr->rdlength != want) {
			return DNS_E_BAD_RDLENGTH;
		}
		pcur_copy(&rd, rr->addr, want);
		return DNS_E_OK;
	}
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		return dns_name_read(msg, msglen, &rd, &rr->target, DNS_E_RDATA_OVERFLOW);
	case DNS_T_MX:
		rr->preference = pcur_be16(&rd);
		if (!pcur_ok(&rd)) {
			return DNS_E_RDATA_OVERFLOW;
		}
		return dns_name_read(msg, msglen, &rd, &rr->target, DNS_E_RDATA_OVERFLOW);
	case DNS_T_SOA:
		e = dns_name_read(msg, msglen, &rd, &rr->target, DNS_E_RDATA_OVERFLOW);
		if (e == DNS_E_OK) {
			e = dns_name_read(msg, msglen, &rd, &rr->target2, DNS_E_RDATA_OVERFLOW);
		}
		if (e != DNS_E_OK) {
			return e;
		}
		for (size_t i = 0; i < 5; i++) {
			rr->soa[i] = pcur_be32(&rd);
		}
		return pcur_ok(&rd) ? DNS_E_OK : DNS_E_RDATA_OVERFLOW;
	case DNS_T_TXT:
		return txt_check(rd);
	default:
		return DNS_E_OK;
	}
}

enum dns_err dns_rr_read(const uint8_t *msg, size_t msglen, struct pcur *c, struct dns_rr *rr)
{
	enum dns_err e = dns_name_read(msg, msglen, c, &rr->name, DNS_E_TRUNCATED);
	if (e != DNS_E_OK) {
		return e;
	}
	rr->type = pcur_be16(c);
	rr->rclass = pcur_be16(c);
	rr->ttl = pcur_be32(c);
	rr->rdlength = pcur_be16(c);
	rr->rdata = pcur_sub(c, rr->rdlength);
	if (!pcur_ok(c)) {
		return DNS_E_TRUNCATED;
	}
	return rdata_read(msg, msglen, rr);
}
