# pcaps: the project's own captures, the script that recorded them (real dnsmasq, dig and
# kdig in network namespaces), the tc BPF program that tags VLANs, and their provenance.
EXTRA_DIST += pcaps/make-captures.sh pcaps/vlan_tc.bpf.c pcaps/PROVENANCE.md \
	pcaps/sample.pcap pcaps/dns-vlan.pcap pcaps/dns-qinq.pcap pcaps/dns-sll2.pcap \
	pcaps/dns-v6.pcapng pcaps/dns-nsec.pcap
