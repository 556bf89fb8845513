/* SPDX-License-Identifier: BSD-2-Clause */
/* Text form of a decoded address (RFC 5952 for IPv6, via inet_ntop). */

#include <arpa/inet.h>
#include <sys/socket.h>

#include "parsers/decode.h"

const char *pd_ip_str(const struct pd_ip *a, uint8_t ip_version, char *buf, size_t buflen)
{
	if (buf == NULL || buflen == 0)
		return buf;
	int af = ip_version == 4 ? AF_INET : ip_version == 6 ? AF_INET6 : -1;
	/* No address text is longer than INET6_ADDRSTRLEN: clamp, never truncate. */
	socklen_t n = buflen > INET6_ADDRSTRLEN ? INET6_ADDRSTRLEN : (socklen_t)buflen;
	if (af < 0 || inet_ntop(af, a->b, buf, n) == NULL)
		buf[0] = '\0';
	return buf;
}
