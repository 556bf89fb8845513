/* SPDX-License-Identifier: BSD-2-Clause */
/* bare_loop.c — the floor of the throughput benchmark: a libpcap offline read loop
 * (pcap_next_ex over a pcap or pcapng file) that touches the first 64 bytes of every
 * packet — about what a link/IP/L4 header decode reads — and nothing else. portdemuxd's
 * cost per packet is measured against this.
 *
 * Usage: bare_loop FILE        prints "packets bytes checksum" on stdout. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

#define TOUCH 64

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0, sum = 0;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: bare_loop FILE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], errbuf);
	if (p == NULL) {
		fprintf(stderr, "bare_loop: %s\n", errbuf);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		uint32_t n = h->caplen < TOUCH ? h->caplen : TOUCH;
		/* A running checksum keeps the reads from being optimised away. */
		for (uint32_t i = 0; i < n; i++) {
			sum = sum * 31 + data[i];
		}
		packets++;
		bytes += h->caplen;
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "bare_loop: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("%" PRIu64 " %" PRIu64 " %016" PRIx64 "\n", packets, bytes, sum);
	return 0;
}
