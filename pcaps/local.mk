# pcaps: the project's own captures, the scripts that recorded them from real programs in
# network namespaces (make-captures.sh: dnsmasq, dig, kdig, smtp-sink, swaks, with the tc
# BPF program vlan_tc.bpf.c for VLAN tags; mk-smtp.sh: postfix with swaks, msmtp, curl,
# python3), and their provenance.
EXTRA_DIST += pcaps/make-captures.sh pcaps/vlan_tc.bpf.c pcaps/mk-smtp.sh pcaps/PROVENANCE.md \
	pcaps/sample.pcap pcaps/dns-vlan.pcap pcaps/dns-qinq.pcap pcaps/dns-sll2.pcap \
	pcaps/dns-v6.pcapng pcaps/dns-nsec.pcap \
	pcaps/smtp-25-abrupt-close.pcap \
	pcaps/smtp-25-bdat.pcap \
	pcaps/smtp-25-longline-barelf.pcap \
	pcaps/smtp-25-multircpt-550.pcap \
	pcaps/smtp-25-pipelining.pcap \
	pcaps/smtp-25-plain-v6.pcap \
	pcaps/smtp-25-plain.pcap \
	pcaps/smtp-25-rset-two-txn.pcap \
	pcaps/smtp-25-smtputf8-8bitmime.pcap \
	pcaps/smtp-2525-cleartext-auth.pcap \
	pcaps/smtp-465-implicit-tls.pcap \
	pcaps/smtp-587-auth-fail-535.pcap \
	pcaps/smtp-587-auth-login.pcap \
	pcaps/smtp-587-auth-plain.pcap \
	pcaps/smtp-587-msmtp.pcap \
	pcaps/smtp-587-noauth-530.pcap
EXTRA_DIST += pcaps/mk-impaired.sh pcaps/relay.py \
	pcaps/impaired-smtp-v4.pcap pcaps/impaired-tcp-v6.pcap pcaps/frag-udp-v4.pcap pcaps/frag-udp-v6.pcap \
	pcaps/frag-udp-v4.relay.txt pcaps/frag-udp-v6.relay.txt pcaps/impaired-smtp-v4.relay.txt \
	pcaps/impaired-tcp-v6.relay.txt pcaps/impaired-smtp-v4.expect pcaps/impaired-tcp-v6.expect
