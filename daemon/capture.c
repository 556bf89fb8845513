/* SPDX-License-Identifier: BSD-2-Clause */
/* libpcap handles for portdemuxd: pcap/pcapng files (pcap-savefile(5), RFC-draft
 * pcapng) and live interfaces (pcap(3PCAP) create/activate), read with
 * pcap_next_ex so every error surfaces at one place with its packet count. */
#include "daemon/capture.h"

#include <errno.h>
#include <pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <linux/if_ether.h>

#include "daemon/capture_check.h"
#include "daemon/fanout.h"
#include "daemon/savefile.h"
#include "parsers/decode.h"

#define CAPTURE_FILE_BUF (1024 * 1024)  /* stdio buffer of an offline input */
/* Why a lost live handle cannot come back without a restart. */
#define CAPTURE_NO_NEW_SOCKET \
	"cannot reopen: a new capture socket needs CAP_NET_RAW, dropped after start"

struct capture {
	pcap_t *p;
	char name[256];
	int linktype;
	bool live;
	int fd;
	uint64_t size;             /* offline regular file size, else 0 */
	uint64_t packets, bytes;   /* good records so far (bytes = captured bytes) */
	char *iobuf;               /* offline: the stream's buffer, freed after pcap_close */
	struct savefile *fast;     /* offline: classic pcap read in place (savefile.h) */
	struct fanout *fanout;     /* live: handles sharing its PACKET_FANOUT group */
	struct capture_check chk;  /* offline: records libpcap cut to the snaplen */
	char err[PCAP_ERRBUF_SIZE + 384];
	char warning[PCAP_ERRBUF_SIZE + 64];
	/* live: what capture_rebind needs to bind the socket again */
	int ifindex;               /* 0: not a network interface ("any", pseudo-devices) */
	int hatype;                /* ARPHRD_ type at open: a re-created interface must match */
	bool promisc;
};

FILE *capture_preopen(const char *path)
{
	if (strcmp(path, "-") == 0)
		return stdin;
	return fopen(path, "rb");
}

int capture_check_filter(const char *bpf, char *err, size_t errlen)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
	struct bpf_program prog;
	int rc = 0;

	if (!dead) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (pcap_compile(dead, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(err, errlen, "%s", pcap_geterr(dead));
		rc = -1;
	} else {
		pcap_freecode(&prog);
	}
	pcap_close(dead);
	return rc;
}

static struct capture *capture_alloc(const char *name)
{
	struct capture *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	snprintf(c->name, sizeof c->name, "%s", strcmp(name, "-") == 0 ? "stdin" : name);
	c->fd = -1;
	return c;
}

/* The decoder's list, named as libpcap names them. Values without a DLT name
 * are file LINKTYPE_ aliases that libpcap maps to a named DLT when reading. */
static void supported_names(char *out, size_t outlen)
{
	size_t len = 0;

	out[0] = '\0';
	for (int v = 0; v < 512 && len < outlen; v++) {
		const char *name = pcap_datalink_val_to_name(v);
		int n;

		if (!name || !pd_linktype_supported(v))
			continue;
		n = snprintf(out + len, outlen - len, "%s%s", len ? ", " : "", name);
		if (n > 0)
			len += (size_t)n;
	}
}

/* The link type must be one pd_decode understands, else nothing would decode. */
static int check_linktype(struct capture *c, char *err, size_t errlen)
{
	const char *dlt_name;
	char lt[64], names[256];

	c->linktype = pcap_datalink(c->p);
	if (pd_linktype_supported(c->linktype))
		return 0;
	dlt_name = pcap_datalink_val_to_name(c->linktype);
	if (dlt_name)
		snprintf(lt, sizeof lt, "DLT_%s (%d)", dlt_name, c->linktype);
	else
		snprintf(lt, sizeof lt, "%d", c->linktype);
	supported_names(names, sizeof names);
	snprintf(err, errlen, "%s: unsupported link type %s; supported: %s", c->name, lt, names);
	return 1;
}

static int apply_filter(struct capture *c, const char *bpf, bpf_u_int32 netmask, char *err,
                        size_t errlen)
{
	struct bpf_program prog;
	int rc = 0;

	if (!bpf)
		return 0;
	if (pcap_compile(c->p, &prog, bpf, 1, netmask) != 0) {
		snprintf(err, errlen, "%s: filter: %s", c->name, pcap_geterr(c->p));
		return 64;
	}
	if (pcap_setfilter(c->p, &prog) != 0) {
		snprintf(err, errlen, "%s: filter: %s", c->name, pcap_geterr(c->p));
		rc = 1;
	}
	pcap_freecode(&prog);
	return rc;
}

int capture_open_file(struct capture **out, const char *name, FILE *fp, const char *bpf,
                      char *err, size_t errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c = capture_alloc(name);
	struct stat st;
	int rc;

	*out = NULL;
	if (!c) {
		fclose(fp);
		snprintf(err, errlen, "%s: out of memory", name);
		return 1;
	}
	/* Refuse what libpcap would describe obscurely ("truncated dump file;
	 * tried to read 4 file header bytes, only got 0"). */
	if (fstat(fileno(fp), &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: is a directory, not a capture file", c->name);
			goto fail;
		}
		if (S_ISREG(st.st_mode)) {
			if (st.st_size == 0) {
				snprintf(err, errlen, "%s: empty file (0 bytes), not a capture", c->name);
				goto fail;
			}
			c->size = (uint64_t)st.st_size;
		}
	}
	/* libpcap reads records through this stream: with the default buffer
	 * (st_blksize, 4 KiB) that is a read(2) per 4 KiB of capture. glibc
	 * ignores the size unless it is given the buffer. Without memory for
	 * one, the default buffer still works. */
	c->iobuf = malloc(CAPTURE_FILE_BUF);
	if (c->iobuf)
		setvbuf(fp, c->iobuf, _IOFBF, CAPTURE_FILE_BUF);
	/* Microsecond precision: libpcap scales nanosecond files down for us. */
	c->p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
	if (!c->p) {
		snprintf(err, errlen, "%s: %s%s", c->name, errbuf,
		         strstr(errbuf, "unknown file format") ? " (not a pcap or pcapng capture)" : "");
		goto fail;
	}
	rc = check_linktype(c, err, errlen);
	if (rc == 0)
		rc = apply_filter(c, bpf, PCAP_NETMASK_UNKNOWN, err, errlen);
	if (rc != 0) {
		capture_close(c);
		return rc;
	}
	capture_check_start(&c->chk, fp, pcap_snapshot(c->p), bpf != NULL);
	if (!bpf) /* a filter stays with libpcap */
		c->fast = savefile_open(fileno(fp), c->linktype, pcap_snapshot(c->p));
	*out = c;
	return 0;
fail:
	fclose(fp);
	free(c->iobuf);
	free(c);
	return 1;
}

/* pcap_activate's negative statuses: libpcap's text, plus the detail it left. */
static void activate_error(struct capture *c, int status, char *err, size_t errlen)
{
	const char *detail = pcap_geterr(c->p);
	const char *what = status == PCAP_ERROR_NO_SUCH_DEVICE ? "no such interface"
	                   : pcap_statustostr(status);

	/* libpcap often leaves its status text as the detail too: said once
	 * ("No such device exists (No such device exists)" before). */
	if (!detail || !detail[0] || strcmp(detail, pcap_statustostr(status)) == 0)
		snprintf(err, errlen, "%s: %s", c->name, what);
	else if (status == PCAP_ERROR)
		snprintf(err, errlen, "%s: %s", c->name, detail);
	else
		snprintf(err, errlen, "%s: %s (%s)", c->name, what, detail);
}

/* netdevice(7) ioctls on the capture's own packet socket: they need no
 * privilege, and no other descriptor is kept. Returns 0 or -1 (errno). */
static int iface_ioctl(const struct capture *c, unsigned long req, struct ifreq *ifr)
{
	size_t len = strlen(c->name);

	memset(ifr, 0, sizeof *ifr);
	if (len >= sizeof ifr->ifr_name) { /* longer than any interface name */
		errno = ENODEV;
		return -1;
	}
	memcpy(ifr->ifr_name, c->name, len);
	return ioctl(pcap_fileno(c->p), req, ifr);
}

/* The interface index the packet socket is bound to: -1 once the kernel
 * unregistered that interface, 0 for "any"; -2 when not a packet socket. */
static int bound_ifindex(const struct capture *c)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof sll;

	memset(&sll, 0, sizeof sll);
	if (getsockname(pcap_fileno(c->p), (struct sockaddr *)&sll, &len) != 0 ||
	    sll.sll_family != AF_PACKET)
		return -2;
	return sll.sll_ifindex;
}

/* Remembers what capture_rebind needs: an AF_PACKET socket bound to a named
 * interface (Linux). Anything else ("any", usbmon, nflog...) keeps ifindex 0:
 * its link state is not followed. */
static void note_interface(struct capture *c)
{
	struct ifreq ifr;

	if (iface_ioctl(c, SIOCGIFINDEX, &ifr) != 0 || ifr.ifr_ifindex <= 0 ||
	    bound_ifindex(c) != ifr.ifr_ifindex)
		return;
	c->ifindex = ifr.ifr_ifindex;
	if (iface_ioctl(c, SIOCGIFHWADDR, &ifr) == 0)
		c->hatype = ifr.ifr_hwaddr.sa_family;
	else
		c->ifindex = 0;
}

int capture_open_live(struct capture **out, const char *iface, const struct capture_live_cfg *cfg,
                      const char *bpf, char *err, size_t errlen)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct capture *c = capture_alloc(iface);
	bpf_u_int32 net = 0, mask = PCAP_NETMASK_UNKNOWN;
	int status, rc = 1;

	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", iface);
		return 1;
	}
	c->live = true;
	c->p = pcap_create(iface, errbuf);
	if (!c->p) {
		snprintf(err, errlen, "%s: %s", c->name, errbuf);
		free(c);
		return 1;
	}
	pcap_set_snaplen(c->p, cfg->snaplen ? (int)cfg->snaplen : 262144);
	pcap_set_promisc(c->p, cfg->promisc);
	pcap_set_timeout(c->p, cfg->timeout_ms);
	pcap_set_immediate_mode(c->p, cfg->immediate);
	pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_MICRO);
	if (cfg->buffer_kib)
		pcap_set_buffer_size(c->p, (int)(cfg->buffer_kib * 1024u));
	status = pcap_activate(c->p);
	if (status < 0) {
		activate_error(c, status, err, errlen);
		goto fail;
	}
	if (status > 0) /* e.g. promiscuous mode not supported: worth saying, not fatal */
		snprintf(c->warning, sizeof c->warning, "%s: %s", pcap_statustostr(status),
		         pcap_geterr(c->p));
	rc = check_linktype(c, err, errlen);
	if (rc != 0)
		goto fail;
	if (bpf && pcap_lookupnet(iface, &net, &mask, errbuf) != 0)
		mask = PCAP_NETMASK_UNKNOWN; /* "any" and address-less interfaces */
	rc = apply_filter(c, bpf, mask, err, errlen);
	if (rc != 0)
		goto fail;
	if (pcap_setnonblock(c->p, 1, errbuf) != 0) {
		snprintf(err, errlen, "%s: %s", c->name, errbuf);
		rc = 1;
		goto fail;
	}
	c->fd = pcap_get_selectable_fd(c->p);
	if (c->fd < 0) {
		snprintf(err, errlen, "%s: no selectable descriptor for this device", c->name);
		rc = 1;
		goto fail;
	}
	c->promisc = cfg->promisc;
	note_interface(c);
	*out = c;
	return 0;
fail:
	capture_close(c);
	return rc;
}

const struct savefile *capture_savefile(const struct capture *c)
{
	return c->fast;
}

void capture_advance(struct capture *c, uint64_t off, uint64_t packets, uint64_t bytes)
{
	if (c->fast == NULL)
		return;
	savefile_seek(c->fast, off);
	c->packets += packets;
	c->bytes += bytes;
}

enum capture_next_result capture_next(struct capture *c, struct capture_packet *p)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	if (c->fast) {
		enum capture_next_result fr = savefile_next(c->fast, p);
		if (fr == CAPTURE_PACKET) {
			p->linktype = c->linktype;
			c->packets++;
			c->bytes += p->caplen;
		}
		if (fr != CAPTURE_NONE)
			return fr;
		/* A record the fast reader does not vouch for: libpcap reads on
		 * from there, with its own checks and messages. */
		if (fseeko(pcap_file(c->p), (off_t)savefile_offset(c->fast), SEEK_SET) != 0) {
			snprintf(c->err, sizeof c->err, "%s: %s (after %llu packets, %llu bytes)",
			         c->name, strerror(errno), (unsigned long long)c->packets,
			         (unsigned long long)c->bytes);
			return CAPTURE_ERROR;
		}
		c->chk.next = savefile_offset(c->fast);
		savefile_free(c->fast);
		c->fast = NULL;
	}
	rc = pcap_next_ex(c->p, &h, &data);

	if (rc == 1) {
		p->data = data;
		p->caplen = h->caplen;
		p->wirelen = h->len >= h->caplen ? h->len : h->caplen;
		p->ts_us = h->ts.tv_sec < 0 ? 0
		           : (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
		p->linktype = c->linktype;
		c->packets++;
		c->bytes += h->caplen;
		/* Only a record at exactly the snaplen may have been cut. */
		if (capture_check_due(&c->chk, h->caplen))
			capture_check_record(&c->chk, pcap_file(c->p), c->name, c->packets, p->ts_us);
		return CAPTURE_PACKET;
	}
	if (rc == 0)
		return CAPTURE_NONE;
	if (rc == PCAP_ERROR_BREAK) { /* offline: end of file */
		capture_check_end(&c->chk, c->name);
		return CAPTURE_END;
	}
	{
		const char *msg = pcap_geterr(c->p);
		/* libpcap keeps one link type per handle (pcap_datalink): a pcapng whose
		 * interfaces differ cannot be read past the first change. */
		const char *hint = strstr(msg, "different from the type of the first interface")
		                   ? "; libpcap reads one link type per file: split the capture by "
		                     "interface (tshark -r FILE -Y frame.interface_id==N -w OUT)"
		                   : "";
		snprintf(c->err, sizeof c->err, "%s: %s%s (after %llu packets, %llu bytes)", c->name,
		         msg[0] ? msg : "read error", hint, (unsigned long long)c->packets,
		         (unsigned long long)c->bytes);
		/* still one line per file: records cut earlier are said here */
		size_t used = strlen(c->err);
		capture_check_note(&c->chk, c->err + used, sizeof c->err - used);
	}
	return CAPTURE_ERROR;
}

const char *capture_error(const struct capture *c)
{
	return c->err;
}

const char *capture_warning(const struct capture *c)
{
	return c->warning[0] ? c->warning : NULL;
}

const char *capture_name(const struct capture *c)
{
	return c->name;
}

int capture_linktype(const struct capture *c)
{
	return c->linktype;
}

uint64_t capture_packets(const struct capture *c)
{
	return c->packets;
}

int capture_fd(const struct capture *c)
{
	return c->fd;
}

void capture_position(const struct capture *c, uint64_t *pos, uint64_t *size)
{
	FILE *fp = c->live || c->fast ? NULL : pcap_file(c->p);
	long off = c->fast ? (long)savefile_offset(c->fast) : fp ? ftell(fp) : -1;

	*pos = off > 0 ? (uint64_t)off : 0;
	*size = c->size;
}

int capture_counts(struct capture *c, struct capture_counts *out)
{
	struct pcap_stat ps;

	memset(out, 0, sizeof *out);
	if (!c->live || pcap_stats(c->p, &ps) != 0)
		return -1;
	out->received = ps.ps_recv;
	out->dropped = ps.ps_drop;
	out->ifdropped = ps.ps_ifdrop;
	if (c->fanout)
		fanout_add_counts(c->fanout, out);
	return 0;
}

void capture_set_fanout(struct capture *c, struct fanout *f)
{
	c->fanout = f;
}

struct fanout *capture_fanout(const struct capture *c)
{
	return c->fanout;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	savefile_free(c->fast);
	fanout_free(c->fanout);
	if (c->p)
		pcap_close(c->p);
	free(c->iobuf); /* after pcap_close, which closes the stream using it */
	free(c);
}

enum capture_link capture_link_state(const struct capture *c)
{
	struct ifreq ifr;
	int bound;

	if (!c->live || c->ifindex == 0)
		return CAPTURE_LINK_UNKNOWN;
	if (iface_ioctl(c, SIOCGIFINDEX, &ifr) != 0)
		return errno == ENODEV || errno == ENXIO ? CAPTURE_LINK_GONE : CAPTURE_LINK_UNKNOWN;
	/* Deleted and re-created between two looks: a new index, and the socket
	 * still bound to none (-1) or to the old one. */
	bound = bound_ifindex(c);
	if (bound != ifr.ifr_ifindex)
		return bound == -2 ? CAPTURE_LINK_UNKNOWN : CAPTURE_LINK_UNBOUND;
	if (iface_ioctl(c, SIOCGIFFLAGS, &ifr) != 0)
		return errno == ENODEV || errno == ENXIO ? CAPTURE_LINK_GONE : CAPTURE_LINK_UNKNOWN;
	if (!(ifr.ifr_flags & IFF_UP))
		return CAPTURE_LINK_DOWN;
	/* IFF_RUNNING: operational state up (carrier, peer of a veth up). */
	return ifr.ifr_flags & IFF_RUNNING ? CAPTURE_LINK_UP : CAPTURE_LINK_NO_CARRIER;
}

int capture_rebind(struct capture *c, char *err, size_t errlen)
{
	struct sockaddr_ll sll;
	struct packet_mreq mr;
	struct ifreq ifr;
	int fd;

	if (!c->live || c->ifindex == 0) {
		snprintf(err, errlen, "not a network interface; " CAPTURE_NO_NEW_SOCKET);
		return -1;
	}
	/* packet(7): a socket in a PACKET_FANOUT group cannot be bound again. */
	if (c->fanout) {
		snprintf(err, errlen, "captured through a PACKET_FANOUT group (--workers); "
		         CAPTURE_NO_NEW_SOCKET);
		return -1;
	}
	fd = pcap_fileno(c->p);
	if (iface_ioctl(c, SIOCGIFINDEX, &ifr) != 0) {
		snprintf(err, errlen, "%s", errno == ENODEV ? "no such interface" : strerror(errno));
		return errno == ENODEV || errno == ENXIO ? 1 : -1;
	}
	memset(&sll, 0, sizeof sll);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (iface_ioctl(c, SIOCGIFHWADDR, &ifr) != 0) {
		snprintf(err, errlen, "%s", errno == ENODEV ? "no such interface" : strerror(errno));
		return errno == ENODEV || errno == ENXIO ? 1 : -1;
	}
	/* The handle's link type, snapshot length, ring and filter were made
	 * for the old hardware type: another one needs a new handle. */
	if (ifr.ifr_hwaddr.sa_family != c->hatype) {
		snprintf(err, errlen, "came back with another hardware type (ARPHRD %d, was %d); "
		         CAPTURE_NO_NEW_SOCKET, ifr.ifr_hwaddr.sa_family, c->hatype);
		return -1;
	}
	/* bind(2) on a packet socket needs no capability (only creating one
	 * does): the socket keeps its ring, snapshot length, immediate mode and
	 * BPF program. */
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) != 0) {
		snprintf(err, errlen, "rebinding the capture socket: %s", strerror(errno));
		return errno == ENODEV || errno == ENXIO || errno == ENETDOWN ? 1 : -1;
	}
	/* The kernel dropped the old interface's promiscuous membership with
	 * it (packet(7) PACKET_ADD_MEMBERSHIP); the new one needs its own. */
	if (c->promisc) {
		memset(&mr, 0, sizeof mr);
		mr.mr_ifindex = sll.sll_ifindex;
		mr.mr_type = PACKET_MR_PROMISC;
		if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0) {
			snprintf(err, errlen, "promiscuous mode: %s", strerror(errno));
			return 1;
		}
	}
	c->ifindex = sll.sll_ifindex;
	return 0;
}
