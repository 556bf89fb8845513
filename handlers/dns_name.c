/* SPDX-License-Identifier: BSD-2-Clause */
/* DNS domain names (RFC 1035 3.1, 4.1.4 message compression, 2.3.4 limits).
 *
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   | 0  0|  LENGTH (1-63)  | LENGTH octets ...       label
 *   | 1  1|            OFFSET (14 bits)               pointer
 *   | 0  1| or | 1  0|  reserved (RFC 6891 retired EDNS0 labels): malformed
 *
 * A pointer must go backwards: before the pointer itself (else forward/bad) and
 * before the start of the stretch of labels it ends (else it would read its own
 * labels again: a loop). Targets therefore strictly decrease, so every name
 * ends; the jump limit only bounds long chains of pointers to pointers. */
#include <string.h>

#include "handlers/dns.h"

static size_t offset_in(const uint8_t *msg, const struct pcur *c)
{
	return (size_t)(pcur_ptr(c) - msg);
}

enum dns_err dns_name_read(const uint8_t *msg, size_t msglen, struct pcur *c,
                           struct dns_name *out, enum dns_err end_err)
{
	struct pcur cur = *c;        /* where labels are read now */
	bool jumped = false;
	size_t seg_start = offset_in(msg, &cur);
	size_t wire = 0;             /* octets of the name so far, lengths included */
	unsigned jumps = 0;

	out->len = 0;
	out->text[0] = '\0';
	for (;;) {
		size_t here = offset_in(msg, &cur);
		if (!pcur_has(&cur, 1)) {
			return jumped ? DNS_E_TRUNCATED : end_err;
		}
		uint8_t b = pcur_u8(&cur);
		switch (b & 0xc0) {
		case 0x00: {
			if (b == 0) {
				if (!jumped) {
					*c = cur;
				}
				out->text[out->len] = '\0';
				return DNS_E_OK;
			}
			/* +1 for this label's length octet, +1 for the root still to come. */
			if (wire + 1 + b + 1 > DNS_NAME_WIRE_MAX) {
				return DNS_E_NAME_TOO_LONG;
			}
			const uint8_t *label = pcur_take(&cur, b);
			if (label == NULL) {
				return jumped ? DNS_E_TRUNCATED : end_err;
			}
			if (out->len > 0) {
				out->text[out->len++] = '.';
			}
			memcpy(out->text + out->len, label, b);
			out->len += b;
			wire += 1 + (size_t)b;
			break;
		}
		case 0xc0: {
			if (!pcur_has(&cur, 1)) {
				return jumped ? DNS_E_TRUNCATED : end_err;
			}
			size_t target = (size_t)(b & 0x3f) << 8 | pcur_u8(&cur);
			if (target >= msglen || target > here) {
				return DNS_E_BAD_POINTER;
			}
			if (target >= seg_start || ++jumps > DNS_MAX_JUMPS) {
				return DNS_E_NAME_LOOP;
			}
			if (!jumped) {
				*c = cur;
				jumped = true;
			}
			cur = pcur_make(msg, msglen);
			pcur_skip(&cur, target);
			seg_start = target;
			break;
		}
		default:
			return DNS_E_BAD_LABEL;
		}
	}
}
