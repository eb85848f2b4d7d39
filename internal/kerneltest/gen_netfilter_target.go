package kerneltest

import (
	"fmt"
	"net/netip"
)

// genTarget is a target and what it needs of the rule's protocol.
type genTarget struct {
	text string
	// needTCP: -p tcp (REJECT --reject-with tcp-reset); needSyn: -p tcp
	// with a SYN flag match (TCPMSS); needPorts: -p tcp or udp, for the
	// port part portText of a NAT target.
	needTCP, needSyn, needPorts bool
	portText                    string
}

// target draws a target valid in ctx (x_tables' .table and .hooks of each
// target, as the kernel checks them for iptables-nft too).
//
// Left out: DNAT and SNAT to address ranges and --random, --random-fully,
// --persistent, and SNAT/MASQUERADE port ranges that do not hold the
// packet's source port (the kernel chooses by hash or at random:
// nf_nat_core.c find_best_ips_proto, nf_nat_l4proto_unique_tuple), NFLOG
// and NFQUEUE (user space), TRACE (writes to the same trace the harness
// reads), CT with helpers, zones or timeouts (need objects the lab does
// not have).
func (n *nfGen) target(ctx chainCtx) genTarget {
	g := n.g
	jump := len(ctx.targets) > 0
	for range 20 {
		switch g.pick(6, 3, 2, 2, 2, 1, 3, 1, 4, 2, 3, 3, 2, 1, 1, 2) {
		case 0:
			return genTarget{text: "-j ACCEPT"}
		case 1:
			if ctx.table != "nat" {
				return genTarget{text: "-j DROP"}
			}
		case 2:
			if !ctx.builtin || g.chance(0.3) {
				return genTarget{text: "-j RETURN"}
			}
		case 3:
			if jump {
				return genTarget{text: "-j " + oneOf(g, ctx.targets)}
			}
		case 4:
			if jump && g.chance(0.5) {
				return genTarget{text: "-g " + oneOf(g, ctx.targets)}
			}
		case 5:
			return genTarget{text: fmt.Sprintf(`-j LOG --log-prefix "fk%d: "`, n.n) + oneOf(g, []string{"", " --log-level 4", " --log-level debug"})}
		case 6:
			if ctx.table == "mangle" || ctx.table == "raw" || g.chance(0.2) {
				return genTarget{text: n.markTarget()}
			}
		case 7:
			return genTarget{text: n.connmarkTarget()}
		case 8:
			if ctx.table == "nat" && ctx.hookOK("PREROUTING", "OUTPUT") {
				return n.dnat()
			}
		case 9:
			if ctx.table == "nat" && ctx.hookOK("PREROUTING", "OUTPUT") {
				t := genTarget{text: "-j REDIRECT"}
				if g.chance(0.5) {
					t.needPorts = true
					t.portText = " --to-ports " + n.natPorts(n.pkt.DPort, false)
				}
				return t
			}
		case 10:
			if ctx.table == "nat" && ctx.hookOK("POSTROUTING", "INPUT") {
				return n.snat()
			}
		case 11:
			if ctx.table == "nat" && ctx.hookOK("POSTROUTING") {
				t := genTarget{text: "-j MASQUERADE"}
				if g.chance(0.3) {
					t.needPorts = true
					t.portText = " --to-ports " + n.natPorts(n.pkt.SPort, true)
				}
				return t
			}
		case 12:
			if ctx.table == "raw" {
				return genTarget{text: oneOf(g, []string{"-j NOTRACK", "-j CT --notrack"})}
			}
		case 13:
			if ctx.table == "filter" && ctx.hookOK("INPUT", "FORWARD", "OUTPUT") {
				return n.reject()
			}
		case 14:
			if ctx.table == "mangle" || ctx.table == "filter" {
				if g.chance(0.5) && ctx.hookOK("FORWARD", "OUTPUT", "POSTROUTING") {
					return genTarget{text: "-j TCPMSS --clamp-mss-to-pmtu", needSyn: true}
				}
				return genTarget{text: fmt.Sprintf("-j TCPMSS --set-mss %d", oneOf(g, []int{536, 1360, 1460})), needSyn: true}
			}
		case 15:
			return genTarget{} // no target: the rule only counts
		}
	}
	return genTarget{text: "-j ACCEPT"}
}

func (n *nfGen) markTarget() string {
	g := n.g
	v := oneOf(g, markPool)
	m := oneOf(g, maskPool)
	switch g.pick(4, 2, 2, 1, 1, 1) {
	case 0:
		return fmt.Sprintf("-j MARK --set-mark 0x%x", v)
	case 1:
		return fmt.Sprintf("-j MARK --set-xmark 0x%x/0x%x", v, m)
	case 2:
		return fmt.Sprintf("-j MARK --set-mark 0x%x/0x%x", v, m)
	case 3:
		return fmt.Sprintf("-j MARK --or-mark 0x%x", v)
	case 4:
		return fmt.Sprintf("-j MARK --and-mark 0x%x", m)
	}
	return fmt.Sprintf("-j MARK --xor-mark 0x%x", v)
}

func (n *nfGen) connmarkTarget() string {
	g := n.g
	v := oneOf(g, markPool)
	m := oneOf(g, maskPool)
	switch g.pick(3, 2, 2, 1, 1, 1) {
	case 0:
		return fmt.Sprintf("-j CONNMARK --set-mark 0x%x", v)
	case 1:
		return "-j CONNMARK --save-mark" + oneOf(g, []string{"", fmt.Sprintf(" --nfmask 0x%x --ctmask 0x%x", m, oneOf(g, maskPool))})
	case 2:
		return "-j CONNMARK --restore-mark" + oneOf(g, []string{"", fmt.Sprintf(" --mask 0x%x", m), fmt.Sprintf(" --nfmask 0x%x --ctmask 0x%x", m, oneOf(g, maskPool))})
	case 3:
		return fmt.Sprintf("-j CONNMARK --set-xmark 0x%x/0x%x", v, m)
	case 4:
		return fmt.Sprintf("-j CONNMARK --or-mark 0x%x", v)
	}
	return fmt.Sprintf("-j CONNMARK --and-mark 0x%x", m)
}

// dnat draws a DNAT to one address that may change the route: a peer or
// the host's address on another link, a remote or unrouted address, the
// host's address on the in-link; with a port (or a port range, of which
// the kernel takes the packet's port when inside, else the first).
func (n *nfGen) dnat() genTarget {
	g := n.g
	var a netip.Addr
	others := g.otherLinks()
	switch g.pick(35, 20, 10, 25, 10) {
	case 0:
		a = oneOf(g, peersOf(oneOf(g, others), n.v6))
	case 1:
		a = oneOf(g, hostAddrs(oneOf(g, others), n.v6)).Addr()
	case 2:
		a = oneOf(g, hostAddrs(g.in, n.v6)).Addr()
	case 3:
		a = g.inPrefix(oneOf(g, g.remotes(n.v6)))
	case 4:
		a = g.inPrefix(unrouted(n.v6))
	}
	t := genTarget{text: "-j DNAT --to-destination " + a.String()}
	if g.chance(0.5) {
		ports := n.natPorts(n.pkt.DPort, false)
		t.needPorts = true
		if n.v6 {
			t.text = "-j DNAT --to-destination [" + a.String() + "]"
		}
		t.portText = ":" + ports
	}
	return t
}

// snat draws an SNAT to one of the host's addresses or another address,
// with a port or a port range holding the packet's source port.
func (n *nfGen) snat() genTarget {
	g := n.g
	a := oneOf(g, hostAddrs(oneOf(g, g.topo.Links), n.v6)).Addr()
	if g.chance(0.3) {
		a = g.anyAddr(n.v6)
	}
	t := genTarget{text: "-j SNAT --to-source " + a.String()}
	if g.chance(0.4) {
		t.needPorts = true
		if n.v6 {
			t.text = "-j SNAT --to-source [" + a.String() + "]"
		}
		t.portText = ":" + n.natPorts(n.pkt.SPort, true)
	}
	return t
}

// natPorts draws a port or "lo-hi". With mustHold, a range always holds p
// (SNAT and MASQUERADE pick a random port when p is outside).
func (n *nfGen) natPorts(p uint16, mustHold bool) string {
	g := n.g
	if p == 0 {
		p = 80
	}
	if g.chance(0.6) {
		return fmt.Sprint(oneOf(g, []uint16{p, 8080, 2222, p + 1}))
	}
	lo, hi := g.portAround(p)
	if mustHold {
		lo, hi = min(lo, p), max(hi, p)
	}
	lo, hi = max(lo, 1), max(hi, 1)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

func (n *nfGen) reject() genTarget {
	g := n.g
	if n.v6 {
		w := oneOf(g, []string{"", "icmp6-no-route", "icmp6-adm-prohibited", "icmp6-addr-unreachable", "icmp6-port-unreachable", "tcp-reset"})
		if w == "" {
			return genTarget{text: "-j REJECT"}
		}
		return genTarget{text: "-j REJECT --reject-with " + w, needTCP: w == "tcp-reset"}
	}
	w := oneOf(g, []string{"", "icmp-net-unreachable", "icmp-host-unreachable", "icmp-port-unreachable", "icmp-proto-unreachable", "icmp-net-prohibited", "icmp-host-prohibited", "icmp-admin-prohibited", "tcp-reset"})
	if w == "" {
		return genTarget{text: "-j REJECT"}
	}
	return genTarget{text: "-j REJECT --reject-with " + w, needTCP: w == "tcp-reset"}
}
