/* SPDX-License-Identifier: BSD-2-Clause */
/* DNS mnemonics: RR types, classes, rcodes (IANA "Domain Name System (DNS)
 * Parameters"); unknown values in the RFC 3597 section 5 form (TYPE65, CLASS9). */
#include <stdio.h>

#include "handlers/dns.h"

struct dns_mnemonic {
	uint16_t value;
	const char *name;
};

static const struct dns_mnemonic dns_types[] = {
	{ 1, "A" },        { 2, "NS" },       { 5, "CNAME" },     { 6, "SOA" },
	{ 12, "PTR" },     { 13, "HINFO" },   { 15, "MX" },       { 16, "TXT" },
	{ 17, "RP" },      { 18, "AFSDB" },   { 24, "SIG" },      { 25, "KEY" },
	{ 28, "AAAA" },    { 29, "LOC" },     { 33, "SRV" },      { 35, "NAPTR" },
	{ 37, "CERT" },    { 39, "DNAME" },   { 41, "OPT" },      { 43, "DS" },
	{ 44, "SSHFP" },   { 46, "RRSIG" },   { 47, "NSEC" },     { 48, "DNSKEY" },
	{ 50, "NSEC3" },   { 51, "NSEC3PARAM" }, { 52, "TLSA" },  { 99, "SPF" },
	{ 249, "TKEY" },   { 250, "TSIG" },   { 251, "IXFR" },    { 252, "AXFR" },
	{ 255, "ANY" },    { 256, "URI" },    { 257, "CAA" },
};

static const struct dns_mnemonic dns_classes[] = {
	{ 1, "IN" }, { 3, "CH" }, { 4, "HS" }, { 254, "NONE" }, { 255, "ANY" },
};

static const char *const dns_rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI",
};

static const char *lookup(const struct dns_mnemonic *t, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].value == v) {
			return t[i].name;
		}
	}
	return NULL;
}

const char *dns_type_name(uint16_t type, char buf[16])
{
	const char *n = lookup(dns_types, sizeof dns_types / sizeof dns_types[0], type);
	if (n != NULL) {
		return n;
	}
	snprintf(buf, 16, "TYPE%u", (unsigned)type);
	return buf;
}

const char *dns_class_name(uint16_t rclass, char buf[16])
{
	const char *n = lookup(dns_classes, sizeof dns_classes / sizeof dns_classes[0], rclass);
	if (n != NULL) {
		return n;
	}
	snprintf(buf, 16, "CLASS%u", (unsigned)rclass);
	return buf;
}

const char *dns_rcode_name(unsigned rcode, char buf[16])
{
	if (rcode < sizeof dns_rcodes / sizeof dns_rcodes[0]) {
		return dns_rcodes[rcode];
	}
	snprintf(buf, 16, "RCODE%u", rcode);
	return buf;
}

const char *dns_err_name(enum dns_err e)
{
	static const char *const names[] = {
#define DNS_ERR_NAME(en, s) s,
		DNS_ERR_LIST(DNS_ERR_NAME)
#undef DNS_ERR_NAME
	};
	return (size_t)e < sizeof names / sizeof names[0] ? names[e] : "dns_malformed";
}
