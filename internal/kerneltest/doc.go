// Package kerneltest proves farend's Linux engine against the real kernel:
// it builds a host in network namespaces, sends it one packet, and reads
// what the kernel did, so that a test can compare that with `farend trace`
// (Compare).
//
// # Lab
//
// A Spec is a Topology (host name; links, each a veth pair between the
// host namespace and a peer namespace, with the host-side name, MTU,
// addresses and the addresses of the machines behind it) and a Config
// (sysctls, routes in any table including blackhole/unreachable/prohibit,
// ip rules, iptables and ip6tables texts, a native nft ruleset). NewLab
// builds the topology in namespaces named "fk<pid>-<n>h" (host) and
// "fk<pid>-<n>p<i>" (peers); Apply sets a Config, undoing the previous
// one (routes with proto static and rules are flushed, sysctls restored,
// the whole nftables ruleset replaced; each part is skipped when it equals
// the last case's). A Pool shares one Lab among all Specs of equal
// topology and removes everything at the end of the test (t.Cleanup, also
// after a panic); namespaces and tracing instances left by a killed run
// (fk<pid>- of a dead pid) are removed by the next run. The root
// namespace's configuration is never touched, and only documentation
// addresses may be used (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
// 198.18.0.0/15, 2001:db8::/32).
//
// The host namespace starts from fixed sysctls (a new namespace would
// otherwise copy IPv4 settings from the root namespace): forwarding,
// rp_filter, accept_local, src_valid_mark all 0, no DAD, no RA, no
// redirects; these are written before any interface exists. A Config's
// net.ipv{4,6}.conf.default.X is also written to each lab interface that
// has no value of its own, which is what setting it before creating the
// interfaces would have done.
//
// Peers are silent wires: IPv6 is disabled in the peer namespaces and they
// have no IPv4 address, so they send nothing (no ND, RS, MLD, ARP, echo
// replies). The host reaches each peer address through a permanent
// neighbour entry with a MAC of its own, so forwarding needs no ARP/ND
// and the destination MAC of a captured frame names its next hop.
//
// # Injection
//
// Inject builds the Ethernet frame itself (IPv4/IPv6 with TCP, UDP, ICMP,
// ICMPv6 or any other protocol; correct checksums, which the kernel
// verifies in the tests; destination MAC the host interface's) carrying an
// 8-byte random marker as payload, and writes it to an AF_PACKET socket
// bound to the peer's veth end. The sockets are opened once, from an OS
// thread locked and moved (setns) into the peer namespace, and then used
// from anywhere: a socket stays in the namespace it was made in. Frames
// are written from one dedicated locked thread: the kernel handles the
// frame in the softirq that runs when that write returns, so the
// packet's whole path through the host is over when it returns, and
// tracepoints carry that thread's id. Conntrack is flushed before every
// injection (through ctnetlink, both families), so every packet is the
// first of its flow and nat chains see it.
//
// # Observation
//
//   - Rules and policies, in order: the nft table inet fktrace sets nftrace
//     on every packet at priority -2^31 on prerouting and output. The
//     kernel then sends an NFT_MSG_TRACE message to netlink group
//     NFNLGRP_NFTRACE for every fully matched rule, every policy and
//     every implicit return (what `nft monitor trace` prints); the
//     harness reads that group directly from a socket opened in the host
//     namespace. Rule handles are mapped to their 1-based position in the
//     chain from `nft -j list ruleset` (for iptables-nft tables that is
//     iptables' rule number). Events of packets the host itself sent
//     (their trace starts in fktrace's output chain: ICMP errors of
//     REJECT, MLD) are left out, as are returns and chain ends.
//   - Counters: `iptables-save -c` (or ip6tables-save) before and after,
//     as a cross-check of the set of rules that matched (host-generated
//     packets may move OUTPUT counters too).
//   - Where it ended: forwarded when a frame carrying the marker, with the
//     protocol and ICMP type sent, is captured on a peer's AF_PACKET socket
//     (the link, the rewritten addresses and ports, the TTL and the next
//     hop from the destination MAC); delivered when the packet reached
//     fktrace's input chain at priority 2^31-1 (after every other INPUT
//     chain; its trace event carries the headers after DNAT); dropped
//     otherwise. ICMP errors quoting the marker are listed. The host's
//     MIB counters (/proc/net/snmp, snmp6, netstat read in the host
//     namespace: Ip.InDelivers, Ip6InNoRoutes, TcpExt.IPReversePathFilter
//     ...) that moved are kept too.
//   - Drop reason: the skb:kfree_skb tracepoint, in a tracing instance of
//     our own in a tracefs mounted in a private mount namespace of one
//     thread, filtered to the injecting thread's pid. When tracefs is not
//     available, DropReason stays empty (Lab.DropMonErr says why) and a
//     drop that no rule made is known only by silence after a short wait
//     (Observation.TimedOut).
//
// # Differential test
//
// Gen draws random cases (gen.go, gen_routing.go, gen_netfilter*.go: what
// they cover and what they leave out, and why, is written next to the
// code); GenNFT draws cases whose host filters with native nftables
// tables of families ip, ip6 and inet, a third of them next to an
// iptables-nft ruleset (gen_nft.go, gen_nft_rule.go, gen_nft_match.go,
// gen_nft_set.go). TestDifferential and TestDifferentialNFT run them
// (1000 and 500 cases of a fixed seed by default): for each, Apply,
// then Collect (the
// snapshot `farend collect` would write, from inside the host namespace),
// FarendTrace (`farend trace ... --json` in this process), Inject and
// Compare. A difference fails the test with both paths, the command that
// runs the case alone, and the case saved in testdata/regressions, which
// TestRegressions replays on every run. FAREND_DIFF_SEED, _CASES
// (_NFT_CASES for TestDifferentialNFT), _CASE, _WORKERS and _MAXFAIL
// change what they run (see TestDifferential). A kernel step and
// farend's are the same rule when table, chain and rule number (or
// policy) agree and, for a native nft rule, the family too; an
// iptables-save rule stands for the kernel's rule in the iptables-nft
// table of that name (Compare).
//
// # Multi-host
//
// A MultiLab (multihost.go) builds a chain of two or three hosts, each in
// its own namespace, wired host to host by veths, with a silent edge
// peer at either end. Hosts resolve each other by real ARP/ND (their
// neighbour caches are flushed by every Apply); the edge peers are
// reached through permanent neighbour entries as in Lab. Inject sends a
// packet from the first host's edge peer and follows it with every
// host's nft trace socket (the passes told apart by the packet's
// signature and ordered by TTL), the edge sockets, kfree_skb and, for a
// packet left waiting on a neighbour, the INCOMPLETE entry.
// TestMultiHostDifferential draws cases (MultiGen, multihost_gen.go),
// asks farend's network trace (FarendNetworkTrace) and compares hop by
// hop (CompareMulti); FAREND_MULTI_SEED, _CASES, _CASE, _WORKERS and
// _MAXFAIL change what it runs. Disagreements are saved in
// testdata/multihost-regressions, replayed by TestMultiHostRegressions;
// TestMultiHostDirected holds hand-written cases.
//
// # Running
//
// The tests need root, iproute2, iptables (the nf_tables variant) and
// nftables; they skip with a message otherwise, except under CI=true,
// where a missing prerequisite fails them (TestPrerequisites).
package kerneltest
