/* SPDX-License-Identifier: BSD-2-Clause */
/* vlan_tc.bpf.c — tc (clsact) program that puts IEEE 802.1Q / 802.1ad tags on the wire.
 *
 * The capture kernel has no 8021q module, so make-captures.sh tags frames itself: this
 * program is attached with `tc filter add dev X egress bpf da obj ...` on both ends of a
 * veth pair and pushes the tags; the same source, built with -DVLAN_POP, is attached on
 * ingress and pops them again before the IP stack sees the frame (a tagged frame with no
 * VLAN device would be dropped as PACKET_OTHERHOST). tcpdump on the veth sees the tags
 * because packet taps run after tc egress and before tc ingress.
 *
 * Built three ways (one program per object, so tc needs no section name):
 *   -DVLAN_PUSH_ID=100                          one 802.1Q tag, VID 100
 *   -DVLAN_INNER_ID=20 -DVLAN_OUTER_ID=300      802.1ad S-tag 300 over 802.1Q C-tag 20
 *   -DVLAN_POP                                  remove every tag (at most two)
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int vlan_tc(struct __sk_buff *skb)
{
#if defined(VLAN_POP)
	/* The first pop clears the accelerated (outer) tag and moves an inner one into its
	 * place; the second clears that. Popping an untagged frame is a no-op. */
	bpf_skb_vlan_pop(skb);
	bpf_skb_vlan_pop(skb);
#elif defined(VLAN_PUSH_ID)
	bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), VLAN_PUSH_ID);
#elif defined(VLAN_INNER_ID) && defined(VLAN_OUTER_ID)
	/* Inner (customer) tag first: the second push moves it into the frame and puts
	 * the service tag outside it, giving 88a8 <outer> 8100 <inner> on the wire. */
	bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), VLAN_INNER_ID);
	bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021AD), VLAN_OUTER_ID);
#else
#error "define VLAN_POP, VLAN_PUSH_ID, or VLAN_INNER_ID and VLAN_OUTER_ID"
#endif
	return TC_ACT_OK;
}

/* GPL-compatible for the kernel verifier; the source itself is BSD-2-Clause. */
char _license[] SEC("license") = "Dual BSD/GPL";
