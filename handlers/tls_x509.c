/* SPDX-License-Identifier: BSD-2-Clause */
/* A minimal DER walk over one X.509 certificate (RFC 5280 section 4.1, DER
 * per ITU-T X.690 section 8.1/10) for the fields a passive log wants, and the
 * TLS 1.2 Certificate message around it (RFC 5246 section 7.4.2).
 *
 *   Certificate  ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 *   TBSCertificate ::= SEQUENCE { [0] EXPLICIT version OPTIONAL, serialNumber INTEGER,
 *                     signature AlgorithmIdentifier, issuer Name,
 *                     validity SEQUENCE { notBefore Time, notAfter Time }, subject Name, ... }
 *   Name ::= SEQUENCE OF SET OF SEQUENCE { type OID, value ANY (a string type) }
 *
 * Only what precedes the subject is walked; every read goes through a cursor
 * bounded by the enclosing length. Names are written RFC 4514 style in
 * encoding order ("C=NL, O=Corpus Test, CN=www.corp.test").
 */
#include <sha1.h>
#include <stdio.h>
#include <string.h>

#include "portdemux/cursor.h"
#include "handlers/tls.h"

enum {
	DER_INTEGER = 0x02,
	DER_OID = 0x06,
	DER_UTF8 = 0x0c,
	DER_NUMERIC = 0x12,
	DER_PRINTABLE = 0x13,
	DER_T61 = 0x14,
	DER_IA5 = 0x16,
	DER_UTCTIME = 0x17,
	DER_GENTIME = 0x18,
	DER_VISIBLE = 0x1a,
	DER_UNIVERSAL = 0x1c,
	DER_BMP = 0x1e,
	DER_SEQUENCE = 0x30,
	DER_SET = 0x31,
	DER_CTX0 = 0xa0,
};

static int fail(const char **why, const char *what, int status)
{
	if (why != NULL)
		*why = what;
	return status;
}

/* One TLV: single-byte tags only (X.509 needs no others), definite lengths
 * of at most 4 length bytes. Returns TLS_OK with the value in *val. */
static int der_tlv(struct pcur *c, uint8_t *tag, struct pcur *val)
{
	*tag = pcur_u8(c);
	uint8_t l0 = pcur_u8(c);
	if (!pcur_ok(c))
		return TLS_TRUNCATED;
	if ((*tag & 0x1f) == 0x1f || l0 == 0x80 || l0 > 0x84)
		return TLS_MALFORMED;
	size_t len = l0;
	if (l0 & 0x80) {
		len = 0;
		for (unsigned i = 0; i < (l0 & 0x7fu); i++)
			len = (len << 8) | pcur_u8(c);
		if (!pcur_ok(c))
			return TLS_TRUNCATED;
	}
	*val = pcur_sub(c, len);
	return pcur_ok(val) ? TLS_OK : TLS_TRUNCATED;
}

/* A TLV whose tag must be `want`. */
static int der_expect(struct pcur *c, uint8_t want, struct pcur *val)
{
	uint8_t tag;
	int r = der_tlv(c, &tag, val);
	if (r != TLS_OK)
		return r;
	return tag == want ? TLS_OK : TLS_MALFORMED;
}

/* Bounded string builder: a piece either fits whole or is not written. */
struct sbuf {
	char *p;
	size_t len, cap; /* cap excludes the NUL */
	bool full;
};

static void sb_put(struct sbuf *b, const void *s, size_t n)
{
	if (b->full || n > b->cap - b->len) {
		b->full = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void sb_str(struct sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* One code point as UTF-8 (for BMPString and UniversalString). */
static void sb_utf8(struct sbuf *b, uint32_t cp)
{
	uint8_t u[4];
	size_t n;
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	if (cp < 0x80) {
		u[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (uint8_t)(0xc0 | (cp >> 6));
		u[1] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (uint8_t)(0xe0 | (cp >> 12));
		u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 3;
	} else if (cp <= 0x10ffff) {
		u[0] = (uint8_t)(0xf0 | (cp >> 18));
		u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	} else {
		u[0] = 0xef; u[1] = 0xbf; u[2] = 0xbd; /* U+FFFD */
		n = 3;
	}
	sb_put(b, u, n);
}

static void sb_hex(struct sbuf *b, struct pcur *v)
{
	static const char hexdig[] = "0123456789abcdef";
	while (pcur_left(v) > 0) {
		uint8_t x = pcur_u8(v);
		char h[2] = { hexdig[x >> 4], hexdig[x & 15] };
		sb_put(b, h, 2);
	}
}

/* Short names of the usual attribute types (RFC 4514 section 3, RFC 5280 4.1.2.4). */
static const struct {
	const char *name;
	uint8_t len;
	uint8_t oid[10];
} attr_names[] = {
	{ "CN", 3, { 0x55, 0x04, 0x03 } },
	{ "SN", 3, { 0x55, 0x04, 0x04 } },
	{ "serialNumber", 3, { 0x55, 0x04, 0x05 } },
	{ "C", 3, { 0x55, 0x04, 0x06 } },
	{ "L", 3, { 0x55, 0x04, 0x07 } },
	{ "ST", 3, { 0x55, 0x04, 0x08 } },
	{ "street", 3, { 0x55, 0x04, 0x09 } },
	{ "O", 3, { 0x55, 0x04, 0x0a } },
	{ "OU", 3, { 0x55, 0x04, 0x0b } },
	{ "title", 3, { 0x55, 0x04, 0x0c } },
	{ "GN", 3, { 0x55, 0x04, 0x2a } },
	{ "emailAddress", 9, { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 } },
	{ "UID", 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01 } },
	{ "DC", 10, { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19 } },
};

/* Attribute type: a short name, else the dotted OID (X.690 section 8.19). */
static int put_oid(struct sbuf *b, struct pcur *oid)
{
	size_t n = pcur_left(oid);
	const uint8_t *p = pcur_ptr(oid);
	for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
		if (attr_names[i].len == n && memcmp(attr_names[i].oid, p, n) == 0) {
			sb_str(b, attr_names[i].name);
			return TLS_OK;
		}
	}
	if (n == 0)
		return TLS_MALFORMED;
	bool first = true;
	while (pcur_left(oid) > 0) {
		uint64_t arc = 0;
		uint8_t x;
		unsigned digits = 0;
		do {
			x = pcur_u8(oid);
			if (!pcur_ok(oid) || ++digits > 9)
				return TLS_MALFORMED; /* unterminated or beyond 63 bits */
			arc = (arc << 7) | (x & 0x7fu);
		} while (x & 0x80);
		char num[48];
		if (first) {
			unsigned top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
			snprintf(num, sizeof(num), "%u.%llu", top,
			         (unsigned long long)(arc - 40u * top));
			first = false;
		} else {
			snprintf(num, sizeof(num), ".%llu", (unsigned long long)arc);
		}
		sb_str(b, num);
	}
	return TLS_OK;
}

static int put_value(struct sbuf *b, uint8_t tag, struct pcur *v)
{
	switch (tag) {
	case DER_BMP: /* UCS-2 big endian */
		if (pcur_left(v) % 2 != 0)
			return TLS_MALFORMED;
		while (pcur_left(v) > 0)
			sb_utf8(b, pcur_be16(v));
		return TLS_OK;
	case DER_UNIVERSAL: /* UCS-4 big endian */
		if (pcur_left(v) % 4 != 0)
			return TLS_MALFORMED;
		while (pcur_left(v) > 0)
			sb_utf8(b, pcur_be32(v));
		return TLS_OK;
	case DER_UTF8:
	case DER_NUMERIC:
	case DER_PRINTABLE:
	case DER_T61:
	case DER_IA5:
	case DER_VISIBLE: {
		/* Bytes as they are: the JSON encoder escapes what is not UTF-8. */
		size_t n = pcur_left(v);
		sb_put(b, pcur_take(v, n), n);
		return TLS_OK;
	}
	default:
		/* Not a string: RFC 4514 section 2.4 hex form. */
		sb_str(b, "#");
		sb_hex(b, v);
		return TLS_OK;
	}
}

/* Name into out/outlen; a piece that does not fit ends the name there. */
static int put_name(struct pcur *name, char *out, size_t outsz, uint16_t *outlen)
{
	struct sbuf b = { out, 0, outsz - 1, false };
	bool first = true;
	while (pcur_left(name) > 0) {
		struct pcur rdn;
		int r = der_expect(name, DER_SET, &rdn);
		if (r != TLS_OK)
			return r;
		while (pcur_left(&rdn) > 0) {
			struct pcur atv, oid, val;
			uint8_t vtag;
			r = der_expect(&rdn, DER_SEQUENCE, &atv);
			if (r == TLS_OK)
				r = der_expect(&atv, DER_OID, &oid);
			if (r == TLS_OK)
				r = der_tlv(&atv, &vtag, &val);
			if (r != TLS_OK)
				return r;
			size_t mark = b.len;
			if (!first)
				sb_str(&b, ", ");
			r = put_oid(&b, &oid);
			sb_str(&b, "=");
			if (r == TLS_OK)
				r = put_value(&b, vtag, &val);
			if (r != TLS_OK)
				return r;
			if (b.full)
				b.len = mark; /* the name ends before the piece that did not fit */
			first = false;
		}
	}
	out[b.len] = '\0';
	*outlen = (uint16_t)b.len;
	return TLS_OK;
}

static bool digits(const uint8_t *p, size_t n, unsigned *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(p[i] - '0');
	}
	return true;
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280
 * 4.1.2.5.1/4.1.2.5.2: UTC, seconds present) as "YYYY-MM-DDTHH:MM:SS". */
static int put_time(struct pcur *c, char out[TLS_TIME_LEN])
{
	uint8_t tag;
	struct pcur v;
	int r = der_tlv(c, &tag, &v);
	if (r != TLS_OK)
		return r;
	size_t n = pcur_left(&v);
	const uint8_t *p = pcur_ptr(&v);
	unsigned year, mon, day, hour, min, sec;
	size_t yl;
	if (tag == DER_UTCTIME && n == 13)
		yl = 2;
	else if (tag == DER_GENTIME && n == 15)
		yl = 4;
	else
		return TLS_MALFORMED;
	if (!digits(p, yl, &year) || !digits(p + yl, 2, &mon) || !digits(p + yl + 2, 2, &day) ||
	    !digits(p + yl + 4, 2, &hour) || !digits(p + yl + 6, 2, &min) ||
	    !digits(p + yl + 8, 2, &sec) || p[n - 1] != 'Z')
		return TLS_MALFORMED;
	if (yl == 2)
		year += year >= 50 ? 1900 : 2000; /* RFC 5280 4.1.2.5.1 */
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return TLS_MALFORMED;
	snprintf(out, TLS_TIME_LEN, "%04u-%02u-%02uT%02u:%02u:%02u", year % 10000u, mon, day, hour,
	         min, sec);
	return TLS_OK;
}

int tls_x509_parse(const uint8_t *der, size_t len, struct tls_cert_info *out, const char **why)
{
	uint32_t chain = out->chain_len;
	memset(out, 0, sizeof(*out));
	out->chain_len = chain;
	struct pcur all = pcur_make(der, len), cert, tbs, v;
	int r = der_expect(&all, DER_SEQUENCE, &cert);
	if (r != TLS_OK)
		return fail(why, "certificate", r);
	r = der_expect(&cert, DER_SEQUENCE, &tbs);
	if (r != TLS_OK)
		return fail(why, "tbsCertificate", r);
	if (pcur_peek(&tbs, 0) == DER_CTX0) {
		r = der_expect(&tbs, DER_CTX0, &v);
		if (r != TLS_OK)
			return fail(why, "version", r);
	}
	r = der_expect(&tbs, DER_INTEGER, &v);
	if (r != TLS_OK)
		return fail(why, "serialNumber", r);
	size_t sn = pcur_left(&v);
	if (sn == 0)
		return fail(why, "serialNumber", TLS_MALFORMED);
	if (sn > TLS_SERIAL_MAX)
		sn = TLS_SERIAL_MAX;
	pcur_copy(&v, out->serial, sn);
	out->serial_len = (uint8_t)sn;

	r = der_expect(&tbs, DER_SEQUENCE, &v);
	if (r != TLS_OK)
		return fail(why, "signature", r);
	r = der_expect(&tbs, DER_SEQUENCE, &v);
	if (r == TLS_OK)
		r = put_name(&v, out->issuer, sizeof(out->issuer), &out->issuer_len);
	if (r != TLS_OK)
		return fail(why, "issuer", r);
	r = der_expect(&tbs, DER_SEQUENCE, &v);
	if (r == TLS_OK)
		r = put_time(&v, out->notbefore);
	if (r == TLS_OK)
		r = put_time(&v, out->notafter);
	if (r != TLS_OK)
		return fail(why, "validity", r);
	r = der_expect(&tbs, DER_SEQUENCE, &v);
	if (r == TLS_OK)
		r = put_name(&v, out->subject, sizeof(out->subject), &out->subject_len);
	if (r != TLS_OK)
		return fail(why, "subject", r);

	/* The fingerprint covers exactly the certificate's DER bytes. */
	SHA1_CTX ctx;
	SHA1Init(&ctx);
	SHA1Update(&ctx, der, len);
	SHA1Final(out->sha1, &ctx);
	out->has_sha1 = true;
	return TLS_OK;
}

int tls_parse_certificate_msg(const uint8_t *body, size_t len, bool complete,
                              struct tls_cert_info *out, const char **why)
{
	struct pcur c = pcur_make(body, len);
	uint32_t list_len = pcur_be24(&c);
	if (!pcur_ok(&c))
		return fail(why, "certificate_list", TLS_TRUNCATED);
	if (complete && list_len != pcur_left(&c))
		return fail(why, "certificate_list", list_len > pcur_left(&c) ? TLS_TRUNCATED
		                                                               : TLS_MALFORMED);
	if (list_len == 0)
		return fail(why, "certificate_list", TLS_MALFORMED); /* a server must send one */
	struct pcur list = pcur_sub(&c, list_len < pcur_left(&c) ? list_len : pcur_left(&c));

	uint32_t first_len = pcur_be24(&list);
	const uint8_t *first = pcur_take(&list, first_len);
	if (first == NULL)
		return fail(why, "certificate", TLS_TRUNCATED);
	if (first_len == 0)
		return fail(why, "certificate", TLS_MALFORMED);
	uint32_t chain = 1;
	while (pcur_left(&list) >= 3) {
		uint32_t n = pcur_be24(&list);
		if (pcur_take(&list, n) == NULL)
			break;
		chain++;
	}
	if (complete && (!pcur_ok(&list) || pcur_left(&list) != 0))
		return fail(why, "certificate_list", TLS_MALFORMED);
	out->chain_len = chain;
	return tls_x509_parse(first, first_len, out, why);
}
