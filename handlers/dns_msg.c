/* SPDX-License-Identifier: BSD-2-Clause */
/* One DNS message (RFC 1035 4.1) as one "dns" event, Suricata EVE dns v2 style:
 * header fields, the first question, the answers of a response, counts of the
 * authority and additional sections. Records are read whole before they are
 * written, so a malformed message still gives a valid event with what came
 * before the fault, followed by an anomaly naming the fault. */
#include <stdio.h>
#include <stdlib.h>

#include "portdemux/event.h"
#include "handlers/dns.h"
#include "output/event.h"
#include "output/meta.h"

struct dns_fault {
	enum dns_err err;
	const char *section;
	unsigned index;
	size_t offset;
};

/* Members with literal keys (OUT_JSON_KEY) straight into the open event: one
 * event per DNS message, so the keys are not scanned again each time. With
 * no open event, the pd_event_* call does what it always does (nothing, or
 * counts the misuse). */
static struct out_json *open_json(struct pd_event *e)
{
	return e != NULL && e->open ? &e->j : NULL;
}

static void put_str(struct pd_event *e, const char *key, size_t klen, const char *v)
{
	struct out_json *j = open_json(e);
	if (j != NULL) {
		out_json_str_k(j, key, klen, v);
	} else {
		pd_event_str(e, key, v);
	}
}

static void put_bytes(struct pd_event *e, const char *key, size_t klen, const uint8_t *v,
                      size_t n)
{
	struct out_json *j = open_json(e);
	if (j != NULL) {
		out_json_strn_k(j, key, klen, v, n);
	} else {
		pd_event_bytes(e, key, v, n);
	}
}

static void put_uint(struct pd_event *e, const char *key, size_t klen, uint64_t v)
{
	struct out_json *j = open_json(e);
	if (j != NULL) {
		out_json_uint_k(j, key, klen, v);
	} else {
		pd_event_uint(e, key, v);
	}
}

static void put_true(struct pd_event *e, const char *key, size_t klen)
{
	struct out_json *j = open_json(e);
	if (j != NULL) {
		out_json_bool_k(j, key, klen, true);
	} else {
		pd_event_bool(e, key, true);
	}
}

static void emit_name(struct pd_event *e, const char *key, size_t klen, const struct dns_name *n)
{
	if (n->len == 0) {
		put_str(e, key, klen, "<root>");
	} else {
		put_bytes(e, key, klen, (const uint8_t *)n->text, n->len);
	}
}

/* TXT: "rdata" is the character-strings joined (what SPF and DKIM readers
 * want, RFC 7208 3.3); "txt" lists them one by one. */
static void emit_txt(struct pd_event *e, const struct dns_rr *rr)
{
	struct pcur rd = rr->rdata;
	uint8_t *joined = rr->rdlength > 0 ? malloc(rr->rdlength) : NULL;
	size_t jlen = 0;

	pd_event_array_open(e, "txt");
	while (pcur_left(&rd) > 0) {
		uint8_t n = pcur_u8(&rd);
		const uint8_t *str = pcur_take(&rd, n);
		if (str == NULL) {
			break; /* checked by dns_rr_read; kept for safety */
		}
		pd_event_bytes(e, NULL, str, n);
		if (joined != NULL) {
			for (size_t i = 0; i < n; i++) {
				joined[jlen++] = str[i];
			}
		}
	}
	pd_event_array_close(e);
	/* Without memory for the join the strings above still carry everything. */
	if (joined != NULL) {
		pd_event_bytes(e, "rdata", joined, jlen);
	} else if (rr->rdlength == 0) {
		pd_event_str(e, "rdata", "");
	}
	free(joined);
}

static void emit_rr(struct pd_event *e, const struct dns_rr *rr)
{
	char tbuf[16];
	char addr[OUT_IP_TEXT_LEN];

	pd_event_object_open(e, NULL);
	emit_name(e, OUT_JSON_KEY("rrname"), &rr->name);
	put_str(e, OUT_JSON_KEY("rrtype"), dns_type_name(rr->type, tbuf));
	put_uint(e, OUT_JSON_KEY("ttl"), rr->ttl);
	switch (rr->type) {
	case DNS_T_A:
		out_ip_text(addr, 4, rr->addr);
		put_str(e, OUT_JSON_KEY("rdata"), addr);
		break;
	case DNS_T_AAAA:
		out_ip_text(addr, 6, rr->addr);
		put_str(e, OUT_JSON_KEY("rdata"), addr);
		break;
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		emit_name(e, OUT_JSON_KEY("rdata"), &rr->target);
		break;
	case DNS_T_MX:
		emit_name(e, OUT_JSON_KEY("rdata"), &rr->target);
		pd_event_uint(e, "preference", rr->preference);
		break;
	case DNS_T_SOA:
		pd_event_object_open(e, "soa");
		emit_name(e, OUT_JSON_KEY("mname"), &rr->target);
		emit_name(e, OUT_JSON_KEY("rname"), &rr->target2);
		pd_event_uint(e, "serial", rr->soa[0]);
		pd_event_uint(e, "refresh", rr->soa[1]);
		pd_event_uint(e, "retry", rr->soa[2]);
		pd_event_uint(e, "expire", rr->soa[3]);
		pd_event_uint(e, "minimum", rr->soa[4]);
		pd_event_object_close(e);
		break;
	case DNS_T_TXT:
		emit_txt(e, rr);
		break;
	default:
		pd_event_uint(e, "rdlength", rr->rdlength);
		break;
	}
	pd_event_object_close(e);
}

static void emit_header(struct pd_event *e, const struct dns_header *h)
{
	static const struct { uint16_t bit; const char *key; size_t klen; } bits[] = {
		{ DNS_F_QR, OUT_JSON_KEY("qr") }, { DNS_F_AA, OUT_JSON_KEY("aa") },
		{ DNS_F_TC, OUT_JSON_KEY("tc") }, { DNS_F_RD, OUT_JSON_KEY("rd") },
		{ DNS_F_RA, OUT_JSON_KEY("ra") }, { DNS_F_Z, OUT_JSON_KEY("z") },
		{ DNS_F_AD, OUT_JSON_KEY("ad") }, { DNS_F_CD, OUT_JSON_KEY("cd") },
	};
	bool qr = (h->flags & DNS_F_QR) != 0;
	char flags[8];

	if (qr) {
		put_uint(e, OUT_JSON_KEY("version"), 2);
	}
	put_str(e, OUT_JSON_KEY("type"), qr ? "answer" : "query");
	put_uint(e, OUT_JSON_KEY("id"), h->id);
	/* "%04x" by hand: snprintf would cost more than the rest of the header. */
	for (int i = 0; i < 4; i++) {
		flags[i] = "0123456789abcdef"[(h->flags >> (12 - 4 * i)) & 0xfu];
	}
	flags[4] = '\0';
	put_str(e, OUT_JSON_KEY("flags"), flags);
	/* EVE writes the flag booleans only when set. */
	for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
		if (h->flags & bits[i].bit) {
			put_true(e, bits[i].key, bits[i].klen);
		}
	}
	put_uint(e, OUT_JSON_KEY("opcode"), DNS_OPCODE(h->flags));
}

static void fault_at(struct dns_fault *f, enum dns_err err, const char *section, unsigned index,
                     size_t offset)
{
	f->err = err;
	f->section = section;
	f->index = index;
	f->offset = offset;
}

static size_t offset_in(const uint8_t *msg, const struct pcur *c)
{
	return (size_t)(pcur_ptr(c) - msg);
}

/* Question section: the first question goes into the event. */
static bool questions(struct pd_event *e, const uint8_t *msg, size_t len, struct pcur *c,
                      const struct dns_header *h, struct dns_fault *f)
{
	for (unsigned i = 0; i < h->qdcount; i++) {
		struct dns_name name;
		size_t at = offset_in(msg, c);
		enum dns_err err = dns_name_read(msg, len, c, &name, DNS_E_TRUNCATED);
		uint16_t qtype = pcur_be16(c);
		uint16_t qclass = pcur_be16(c);
		if (err == DNS_E_OK && !pcur_ok(c)) {
			err = DNS_E_TRUNCATED;
		}
		if (err != DNS_E_OK) {
			fault_at(f, err, "question", i, at);
			return false;
		}
		if (i == 0) {
			char buf[16];
			emit_name(e, OUT_JSON_KEY("rrname"), &name);
			put_str(e, OUT_JSON_KEY("rrtype"), dns_type_name(qtype, buf));
			put_str(e, OUT_JSON_KEY("qclass"), dns_class_name(qclass, buf));
		}
	}
	if (h->qdcount != 1) {
		pd_event_uint(e, "qdcount", h->qdcount);
	}
	return true;
}

/* A record section; written out only when `out` (answers of a response). */
static bool section(struct pd_event *e, const uint8_t *msg, size_t len, struct pcur *c,
                    const char *name, unsigned count, bool out, struct dns_fault *f)
{
	struct dns_rr rr;
	bool opened = false;
	for (unsigned i = 0; i < count; i++) {
		size_t at = offset_in(msg, c);
		enum dns_err err = dns_rr_read(msg, len, c, &rr);
		if (err != DNS_E_OK) {
			fault_at(f, err, name, i, at);
			break;
		}
		if (out) {
			if (!opened) {
				pd_event_array_open(e, "answers");
				opened = true;
			}
			emit_rr(e, &rr);
		}
	}
	if (opened) {
		pd_event_array_close(e);
	}
	return f->err == DNS_E_OK;
}

void dns_message(struct pd_session *s, const uint8_t *msg, size_t len)
{
	struct pcur c = pcur_make(msg, len);
	struct dns_header h;
	struct dns_fault f = { DNS_E_OK, NULL, 0, 0 };
	char detail[96];

	if (!dns_header_read(&c, &h)) {
		snprintf(detail, sizeof detail, "message of %zu bytes, header needs %d", len,
		         DNS_HEADER_LEN);
		pd_session_anomaly(s, dns_err_name(DNS_E_TRUNCATED), detail);
		return;
	}
	bool qr = (h.flags & DNS_F_QR) != 0;
	struct pd_event *e = pd_event_begin(s, "dns");
	emit_header(e, &h);
	bool ok = questions(e, msg, len, &c, &h, &f);
	if (qr) {
		char buf[16];
		put_str(e, OUT_JSON_KEY("rcode"), dns_rcode_name(DNS_RCODE(h.flags), buf));
	}
	ok = ok && section(e, msg, len, &c, "answer", h.ancount, qr, &f);
	ok = ok && section(e, msg, len, &c, "authority", h.nscount, false, &f);
	ok = ok && section(e, msg, len, &c, "additional", h.arcount, false, &f);
	if (qr) {
		put_uint(e, OUT_JSON_KEY("answers_count"), h.ancount);
	}
	put_uint(e, OUT_JSON_KEY("authorities_count"), h.nscount);
	put_uint(e, OUT_JSON_KEY("additionals_count"), h.arcount);
	pd_event_emit(e);
	if (!ok) {
		snprintf(detail, sizeof detail, "%s %u at offset %zu of %zu", f.section, f.index,
		         f.offset, len);
		pd_session_anomaly(s, dns_err_name(f.err), detail);
	}
}
