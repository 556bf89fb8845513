/* SPDX-License-Identifier: BSD-2-Clause */
/* DNS handler internals (RFC 1035 sections 4.1 and 4.2.2), shared by the dns_*.c
 * files: error names, name decoding, header, resource records, probe. */
#ifndef PD_HD_DNS_H
#define PD_HD_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "portdemux/cursor.h"
#include "portdemux/handler.h"

#define DNS_HEADER_LEN 12
#define DNS_NAME_WIRE_MAX 255  /* RFC 1035 2.3.4: octets including lengths and root */
#define DNS_LABEL_MAX 63
#define DNS_MAX_JUMPS 64       /* compression pointers followed per name */
#define DNS_NAME_TEXT 256      /* presentation form fits: at most 254 chars + NUL */

/* Header flag bits (RFC 1035 4.1.1, RFC 4035 3.2 for AD/CD). */
#define DNS_F_QR 0x8000u
#define DNS_F_AA 0x0400u
#define DNS_F_TC 0x0200u
#define DNS_F_RD 0x0100u
#define DNS_F_RA 0x0080u
#define DNS_F_Z  0x0040u
#define DNS_F_AD 0x0020u
#define DNS_F_CD 0x0010u
#define DNS_OPCODE(f) (((f) >> 11) & 0xfu)
#define DNS_RCODE(f) ((f) & 0xfu)

/* Record types decoded beyond type and length. */
enum dns_type {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6, DNS_T_PTR = 12,
	DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28,
};

/* X(ENUM_SUFFIX, "anomaly event name"): why a message could not be read whole. */
#define DNS_ERR_LIST(X)                                                          \
	X(OK, "ok")                                                                \
	X(TRUNCATED, "dns_truncated")           /* message ends inside a field */  \
	X(NAME_LOOP, "dns_name_loop")           /* pointer back into its own name */ \
	X(NAME_TOO_LONG, "dns_name_too_long")   /* over 255 octets */              \
	X(BAD_LABEL, "dns_bad_label")           /* label type 0x40 or 0x80 */      \
	X(BAD_POINTER, "dns_bad_pointer")       /* pointer forward or past end */  \
	X(RDATA_OVERFLOW, "dns_rdata_overflow") /* field runs past RDLENGTH */     \
	X(BAD_RDLENGTH, "dns_bad_rdlength")     /* A/AAAA of the wrong size */

enum dns_err {
#define DNS_ERR_ENUM(e, s) DNS_E_##e,
	DNS_ERR_LIST(DNS_ERR_ENUM)
#undef DNS_ERR_ENUM
};

const char *dns_err_name(enum dns_err e);

struct dns_name {
	char text[DNS_NAME_TEXT]; /* labels joined by '.', raw bytes; "" for the root */
	size_t len;
};

/* Reads the name at c (a cursor inside msg[0..msglen)), following compression
 * pointers (RFC 1035 4.1.4) to earlier offsets only. c moves past the name as
 * stored in place. end_err is returned when the in-place part runs off c's end
 * (TRUNCATED for a section, RDATA_OVERFLOW inside RDATA). */
enum dns_err dns_name_read(const uint8_t *msg, size_t msglen, struct pcur *c,
                           struct dns_name *out, enum dns_err end_err);

struct dns_header {
	uint16_t id, flags, qdcount, ancount, nscount, arcount;
};

/* False when fewer than 12 bytes. */
bool dns_header_read(struct pcur *c, struct dns_header *h);

struct dns_rr {
	struct dns_name name;
	uint16_t type, rclass, rdlength;
	uint32_t ttl;
	struct pcur rdata;           /* the whole RDATA */
	uint8_t addr[16];            /* A, AAAA */
	uint16_t preference;         /* MX */
	struct dns_name target;      /* CNAME, NS, PTR, MX exchange, SOA mname */
	struct dns_name target2;     /* SOA rname */
	uint32_t soa[5];             /* serial, refresh, retry, expire, minimum */
};

/* Reads one resource record and checks (decodes) its RDATA for the types above. */
enum dns_err dns_rr_read(const uint8_t *msg, size_t msglen, struct pcur *c, struct dns_rr *rr);

/* Names for types ("A", else "TYPE65" per RFC 3597), classes ("IN", else
 * "CLASS9") and rcodes ("NXDOMAIN", else "RCODE12"). buf holds 16 bytes. */
const char *dns_type_name(uint16_t type, char buf[16]);
const char *dns_class_name(uint16_t rclass, char buf[16]);
const char *dns_rcode_name(unsigned rcode, char buf[16]);

/* One whole message: the dns event, then an anomaly if it was malformed. */
void dns_message(struct pd_session *s, const uint8_t *msg, size_t len);

enum pd_probe dns_probe(enum pd_dir dir, const uint8_t *data, size_t len);

#endif
