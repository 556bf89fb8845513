/* SPDX-License-Identifier: BSD-2-Clause */
/* ClientHello and ServerHello bodies: RFC 8446 section 4.1.2/4.1.3 (and
 * RFC 5246 section 7.4.1), server_name (RFC 6066 section 3), ALPN (RFC 7301
 * section 3.1), supported_groups/signature_algorithms (RFC 8446 4.2.3, 4.2.7),
 * ec_point_formats (RFC 8422 section 5.1.2), supported_versions (RFC 8446 4.2.1).
 *
 *   ClientHello: version(2) random(32) session_id<0..32> cipher_suites<2..2^16-2>
 *                compression_methods<1..2^8-1> [extensions<8..2^16-1>]
 *   ServerHello: version(2) random(32) session_id<0..32> cipher_suite(2)
 *                compression_method(1) [extensions<6..2^16-1>]
 *                (TLS 1.3 drafts before -22, version 0x7fNN or 0x0304: no
 *                session_id and no compression_method)
 *   Extension:   type(2) extension_data<0..2^16-1>
 *
 * A length that reaches past the body is TLS_TRUNCATED; a value no valid
 * hello has (odd list length, empty mandatory list, bytes left over) is
 * TLS_MALFORMED. Extensions are decoded on their first occurrence only.
 */
#include <string.h>

#include "portdemux/cursor.h"
#include "handlers/tls.h"

/* SHA-256("HelloRetryRequest"): a ServerHello with this random is an HRR. */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

uint16_t tls_server_version(const struct tls_server_hello *sh)
{
	return sh->has_selected ? sh->selected_version : sh->legacy_version;
}

static int fail(const char **why, const char *what, int status)
{
	if (why != NULL)
		*why = what;
	return status;
}

/* Status of a cursor that should now be exactly empty. */
static int finished(const struct pcur *c, const char **why, const char *what)
{
	if (!pcur_ok(c))
		return fail(why, what, TLS_TRUNCATED);
	if (pcur_left(c) != 0)
		return fail(why, what, TLS_MALFORMED);
	return TLS_OK;
}

/* A list of 16-bit values behind a 16-bit length, into v[cap]. */
static int u16_list(struct pcur *c, uint16_t *v, uint16_t cap, uint16_t *n, bool *overflow,
                    bool *grease, size_t min_len, const char **why, const char *what)
{
	uint16_t len = pcur_be16(c);
	struct pcur l = pcur_sub(c, len);
	if (!pcur_ok(&l))
		return fail(why, what, TLS_TRUNCATED);
	if (len % 2 != 0 || len < min_len)
		return fail(why, what, TLS_MALFORMED);
	*n = 0;
	while (pcur_left(&l) >= 2) {
		uint16_t x = pcur_be16(&l);
		if (tls_is_grease(x))
			*grease = true;
		if (*n < cap)
			v[(*n)++] = x;
		else
			*overflow = true;
	}
	return TLS_OK;
}

/* server_name: ServerNameList<1..2^16-1> of {name_type(1), HostName<1..2^16-1>}.
 * The first host_name (type 0) is kept; other types are skipped. */
static int ext_sni(struct pcur *c, struct tls_client_hello *ch, const char **why)
{
	static const char what[] = "server_name";
	uint16_t len = pcur_be16(c);
	struct pcur l = pcur_sub(c, len);
	if (!pcur_ok(&l))
		return fail(why, what, TLS_TRUNCATED);
	if (len == 0)
		return fail(why, what, TLS_MALFORMED);
	bool kept = false;
	while (pcur_left(&l) > 0) {
		uint8_t type = pcur_u8(&l);
		uint16_t nlen = pcur_be16(&l);
		const uint8_t *name = pcur_take(&l, nlen);
		if (name == NULL)
			return fail(why, what, TLS_TRUNCATED);
		if (type == 0 && !kept) {
			size_t k = nlen < TLS_SNI_MAX ? nlen : TLS_SNI_MAX;
			memcpy(ch->sni, name, k);
			ch->sni_len = (uint16_t)k;
			kept = true;
		}
	}
	return finished(c, why, what);
}

/* ALPN: ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1>. */
static int ext_alpn_client(struct pcur *c, struct tls_client_hello *ch, const char **why)
{
	static const char what[] = "alpn";
	uint16_t len = pcur_be16(c);
	struct pcur l = pcur_sub(c, len);
	if (!pcur_ok(&l))
		return fail(why, what, TLS_TRUNCATED);
	if (len < 2)
		return fail(why, what, TLS_MALFORMED);
	while (pcur_left(&l) > 0) {
		uint8_t nlen = pcur_u8(&l);
		const uint8_t *name = pcur_take(&l, nlen);
		if (name == NULL)
			return fail(why, what, TLS_TRUNCATED);
		if (nlen == 0)
			return fail(why, what, TLS_MALFORMED);
		if (ch->n_alpn < TLS_MAX_ALPN && ch->alpn_pool_len + nlen <= TLS_ALPN_POOL) {
			ch->alpn_off[ch->n_alpn] = ch->alpn_pool_len;
			ch->alpn_len[ch->n_alpn] = nlen;
			memcpy(ch->alpn_pool + ch->alpn_pool_len, name, nlen);
			ch->alpn_pool_len = (uint16_t)(ch->alpn_pool_len + nlen);
			ch->n_alpn++;
		}
		/* Names past the cap are not kept: JA4 needs only the first. */
	}
	return finished(c, why, what);
}

/* ec_point_formats: ECPointFormatList<1..2^8-1>. */
static int ext_point_formats(struct pcur *c, struct tls_client_hello *ch, const char **why)
{
	static const char what[] = "ec_point_formats";
	uint8_t len = pcur_u8(c);
	struct pcur l = pcur_sub(c, len);
	if (!pcur_ok(&l))
		return fail(why, what, TLS_TRUNCATED);
	if (len == 0)
		return fail(why, what, TLS_MALFORMED);
	while (pcur_left(&l) > 0) {
		uint8_t f = pcur_u8(&l);
		if (ch->n_point_formats < TLS_MAX_POINT_FORMATS)
			ch->point_formats[ch->n_point_formats++] = f;
		else
			ch->overflow = true;
	}
	return finished(c, why, what);
}

/* supported_versions in a ClientHello: ProtocolVersion versions<2..254>. */
static int ext_versions(struct pcur *c, struct tls_client_hello *ch, const char **why)
{
	static const char what[] = "supported_versions";
	uint8_t len = pcur_u8(c);
	struct pcur l = pcur_sub(c, len);
	if (!pcur_ok(&l))
		return fail(why, what, TLS_TRUNCATED);
	if (len < 2 || len % 2 != 0)
		return fail(why, what, TLS_MALFORMED);
	while (pcur_left(&l) >= 2) {
		uint16_t v = pcur_be16(&l);
		if (tls_is_grease(v))
			ch->grease = true;
		if (ch->n_versions < TLS_MAX_VERSIONS)
			ch->versions[ch->n_versions++] = v;
		else
			ch->overflow = true;
	}
	return finished(c, why, what);
}

static int client_ext(uint16_t type, struct pcur *data, struct tls_client_hello *ch,
                      const char **why)
{
	switch (type) {
	case TLS_EXT_SERVER_NAME:
		if (ch->has_sni)
			return TLS_OK;
		ch->has_sni = true;
		/* An empty server_name is what a server echoes; a client must not
		 * send it, but JA4 still counts the extension: accept it. */
		if (pcur_left(data) == 0)
			return TLS_OK;
		return ext_sni(data, ch, why);
	case TLS_EXT_ALPN:
		if (ch->has_alpn)
			return TLS_OK;
		ch->has_alpn = true;
		return ext_alpn_client(data, ch, why);
	case TLS_EXT_SUPPORTED_GROUPS: {
		if (ch->has_groups)
			return TLS_OK;
		ch->has_groups = true;
		int r = u16_list(data, ch->groups, TLS_MAX_GROUPS, &ch->n_groups, &ch->overflow,
		                 &ch->grease, 2, why, "supported_groups");
		return r != TLS_OK ? r : finished(data, why, "supported_groups");
	}
	case TLS_EXT_SIGNATURE_ALGORITHMS: {
		if (ch->has_sigalgs)
			return TLS_OK;
		ch->has_sigalgs = true;
		int r = u16_list(data, ch->sigalgs, TLS_MAX_SIGALGS, &ch->n_sigalgs, &ch->overflow,
		                 &ch->grease, 2, why, "signature_algorithms");
		return r != TLS_OK ? r : finished(data, why, "signature_algorithms");
	}
	case TLS_EXT_EC_POINT_FORMATS:
		if (ch->has_point_formats)
			return TLS_OK;
		ch->has_point_formats = true;
		return ext_point_formats(data, ch, why);
	case TLS_EXT_SUPPORTED_VERSIONS:
		if (ch->has_versions)
			return TLS_OK;
		ch->has_versions = true;
		return ext_versions(data, ch, why);
	default:
		return TLS_OK;
	}
}

/* Walks extensions<..> calling fn for each; types go into exts[cap]. */
static int walk_exts(struct pcur *c, uint16_t *exts, uint16_t cap, uint16_t *n, bool *overflow,
                     bool *grease, int (*fn)(uint16_t, struct pcur *, void *, const char **),
                     void *arg, const char **why)
{
	uint16_t len = pcur_be16(c);
	struct pcur l = pcur_sub(c, len);
	if (!pcur_ok(&l))
		return fail(why, "extensions", TLS_TRUNCATED);
	while (pcur_left(&l) > 0) {
		uint16_t type = pcur_be16(&l);
		uint16_t elen = pcur_be16(&l);
		struct pcur data = pcur_sub(&l, elen);
		if (!pcur_ok(&data))
			return fail(why, "extensions", TLS_TRUNCATED);
		if (tls_is_grease(type))
			*grease = true;
		if (*n < cap)
			exts[(*n)++] = type;
		else
			*overflow = true;
		int r = fn(type, &data, arg, why);
		if (r != TLS_OK)
			return r;
	}
	return TLS_OK;
}

static int client_ext_cb(uint16_t type, struct pcur *data, void *arg, const char **why)
{
	return client_ext(type, data, arg, why);
}

int tls_parse_client_hello(const uint8_t *body, size_t len, struct tls_client_hello *ch,
                           const char **why)
{
	memset(ch, 0, sizeof(*ch));
	struct pcur c = pcur_make(body, len);
	ch->legacy_version = pcur_be16(&c);
	pcur_skip(&c, 32); /* random: nothing to log */
	ch->session_id_len = pcur_u8(&c);
	pcur_skip(&c, ch->session_id_len);
	if (!pcur_ok(&c))
		return fail(why, "session_id", TLS_TRUNCATED);
	if (ch->session_id_len > 32)
		return fail(why, "session_id", TLS_MALFORMED);

	int r = u16_list(&c, ch->ciphers, TLS_MAX_CIPHERS, &ch->n_ciphers, &ch->overflow,
	                 &ch->grease, 2, why, "cipher_suites");
	if (r != TLS_OK)
		return r;

	uint8_t clen = pcur_u8(&c);
	struct pcur comp = pcur_sub(&c, clen);
	if (!pcur_ok(&comp))
		return fail(why, "compression_methods", TLS_TRUNCATED);
	if (clen == 0)
		return fail(why, "compression_methods", TLS_MALFORMED);
	while (pcur_left(&comp) > 0) {
		uint8_t m = pcur_u8(&comp);
		if (ch->n_compression < TLS_MAX_COMPRESSION)
			ch->compression[ch->n_compression++] = m;
		else
			ch->overflow = true;
	}

	/* Before TLS 1.2 extensions may be absent altogether (RFC 5246 7.4.1.2). */
	if (pcur_left(&c) == 0)
		return TLS_OK;
	r = walk_exts(&c, ch->exts, TLS_MAX_EXTS, &ch->n_exts, &ch->overflow, &ch->grease,
	              client_ext_cb, ch, why);
	if (r != TLS_OK)
		return r;
	return finished(&c, why, "extensions");
}

static int server_ext_cb(uint16_t type, struct pcur *data, void *arg, const char **why)
{
	struct tls_server_hello *sh = arg;
	if (type == TLS_EXT_SUPPORTED_VERSIONS && !sh->has_selected) {
		/* In a ServerHello/HRR: just the selected_version. */
		sh->selected_version = pcur_be16(data);
		sh->has_selected = true;
		return finished(data, why, "supported_versions");
	}
	if (type == TLS_EXT_ALPN && !sh->has_alpn) {
		/* The server's ProtocolNameList holds exactly one name (RFC 7301 3.1). */
		uint16_t len = pcur_be16(data);
		uint8_t nlen = pcur_u8(data);
		const uint8_t *name = pcur_take(data, nlen);
		if (name == NULL)
			return fail(why, "alpn", TLS_TRUNCATED);
		if (nlen == 0 || len != nlen + 1)
			return fail(why, "alpn", TLS_MALFORMED);
		memcpy(sh->alpn, name, nlen);
		sh->alpn_len = nlen;
		sh->has_alpn = true;
		return finished(data, why, "alpn");
	}
	return TLS_OK;
}

int tls_parse_server_hello(const uint8_t *body, size_t len, struct tls_server_hello *sh,
                           const char **why)
{
	memset(sh, 0, sizeof(*sh));
	struct pcur c = pcur_make(body, len);
	sh->legacy_version = pcur_be16(&c);
	const uint8_t *random = pcur_take(&c, 32);
	if ((sh->legacy_version & 0xff00) == 0x7f00 || sh->legacy_version == 0x0304) {
		/* TLS 1.3 drafts before -22 (draft-ietf-tls-tls13-21 4.1.3; the
		 * earliest wrote 0x0304 itself) sent version(2) random(32)
		 * cipher_suite(2) extensions: no session id, no compression method.
		 * RFC 8446 servers always write 0x0303 here. */
		sh->cipher = pcur_be16(&c);
	} else {
		sh->session_id_len = pcur_u8(&c);
		pcur_skip(&c, sh->session_id_len);
		sh->cipher = pcur_be16(&c);
		sh->compression = pcur_u8(&c);
	}
	if (!pcur_ok(&c))
		return fail(why, "server_hello", TLS_TRUNCATED);
	if (sh->session_id_len > 32)
		return fail(why, "session_id", TLS_MALFORMED);
	sh->hrr = memcmp(random, hrr_random, sizeof(hrr_random)) == 0;

	if (pcur_left(&c) == 0)
		return TLS_OK;
	bool grease = false;
	int r = walk_exts(&c, sh->exts, TLS_MAX_EXTS, &sh->n_exts, &sh->overflow, &grease,
	                  server_ext_cb, sh, why);
	if (r != TLS_OK)
		return r;
	return finished(&c, why, "extensions");
}
