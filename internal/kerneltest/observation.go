package kerneltest

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"farend/internal/packet"
)

// Fate is where an injected packet ended, as the kernel showed it. The
// zero value is unknown.
type Fate string

// Fates.
const (
	FateUnknown Fate = ""
	// FateDelivered: the packet passed every INPUT chain (local delivery).
	FateDelivered Fate = "delivered"
	// FateForwarded: the packet was captured leaving the host on a link.
	FateForwarded Fate = "forwarded"
	// FateDropped: neither; the kernel freed it (a rule, the routing
	// code, rp_filter ...).
	FateDropped Fate = "dropped"
)

// Step is one fully matched rule or applied policy, from the kernel's
// trace, in the order the kernel evaluated them.
type Step struct {
	RuleRef
	// Handle is the nft rule handle (0 for a policy).
	Handle uint64
	// Verdict is nft's word: accept, drop, continue, jump X, goto X,
	// return, queue, stolen. (iptables' REJECT is drop, DNAT/SNAT/
	// MASQUERADE are accept, LOG/MARK are continue.)
	Verdict string
	// Text is the rule as iptables-save prints it, when known.
	Text string
}

func (s Step) String() string {
	v := s.Verdict
	if s.Text != "" {
		return fmt.Sprintf("%s -> %s   [%s]", s.RuleRef, v, s.Text)
	}
	return fmt.Sprintf("%s -> %s", s.RuleRef, v)
}

// Observation is what the kernel did with one injected packet.
type Observation struct {
	Host string
	// In is the host interface the packet arrived on.
	In string
	// Packet is the packet as injected.
	Packet packet.Packet
	Fate   Fate
	// OutInterface is the host interface it left on (FateForwarded).
	OutInterface string
	// NextHop is the neighbour the frame was addressed to, told by its
	// destination MAC (zero when not forwarded or not a known neighbour).
	NextHop netip.Addr
	// PacketOut is the packet as it left (captured on the wire) or as it
	// was delivered (headers at the end of INPUT): NAT rewrites show here.
	// Nil when dropped.
	PacketOut *packet.Packet
	// Steps are the matched rules and applied policies in kernel order
	// (implicit returns from user chains and the harness's own fktrace
	// table are left out).
	Steps []Step
	// FinalVerdict is the last accept or drop among Steps ("" if none).
	FinalVerdict string
	// Events are all the kernel's trace events for the packet, as text,
	// including returns and the harness's markers.
	Events []string
	// Counters are the iptables-save -c packet counters that moved (for
	// the packet's family), a cross-check of Steps (as a set).
	Counters []CounterDelta
	// SNMP are the MIB counters of the host namespace that moved
	// (Ip.InDelivers, Ip6InNoRoutes, TcpExt.IPReversePathFilter ...).
	SNMP map[string]int64
	// DropReason and DropLocation are the kernel's skb drop reason
	// (NETFILTER_DROP, IP_RPFILTER, IP_INNOROUTES ...) and the freeing
	// function, from the skb:kfree_skb tracepoint, when the packet was
	// dropped and the tracepoint is available.
	DropReason, DropLocation string
	// ICMPErrors are ICMP errors about the packet that the host sent
	// (REJECT, unreachable routes ...), as "link: type/code src -> dst".
	ICMPErrors []string
	// TimedOut is true when no end of the packet was seen in time (no
	// capture, no delivery, no drop event): Fate is then FateDropped on
	// the strength of silence alone.
	TimedOut bool
	// Elapsed is the time from send to the end of observation.
	Elapsed time.Duration
}

// String prints the observation for people, one fact per line.
func (o Observation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kernel: %s in %s on %s\n", o.Packet, o.Host, o.In)
	fmt.Fprintf(&b, "  fate: %s", o.Fate)
	if o.OutInterface != "" {
		fmt.Fprintf(&b, " out %s", o.OutInterface)
	}
	writeNextHopDrop(&b, o.NextHop, o.DropReason, o.DropLocation)
	if o.TimedOut {
		b.WriteString(" (timed out)")
	}
	b.WriteByte('\n')
	if o.PacketOut != nil {
		fmt.Fprintf(&b, "  packet out: %s\n", *o.PacketOut)
	}
	for _, s := range o.Steps {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	fmt.Fprintf(&b, "  final verdict: %s\n", o.FinalVerdict)
	for _, e := range o.ICMPErrors {
		fmt.Fprintf(&b, "  icmp error: %s\n", e)
	}
	if len(o.SNMP) > 0 {
		fmt.Fprintf(&b, "  snmp: %s\n", formatDeltas(o.SNMP))
	}
	return b.String()
}

// Matched reports whether the kernel's steps include ref.
func (o Observation) Matched(ref RuleRef) bool {
	for _, s := range o.Steps {
		if s.RuleRef == ref {
			return true
		}
	}
	return false
}

// Path returns the steps as "table chain N verdict" (or "table chain
// policy verdict"), for compact assertions.
func (o Observation) Path() []string {
	var out []string
	for _, s := range o.Steps {
		if s.Policy {
			out = append(out, fmt.Sprintf("%s %s policy %s", s.Table, s.Chain, s.Verdict))
		} else {
			out = append(out, fmt.Sprintf("%s %s %d %s", s.Table, s.Chain, s.Rule, s.Verdict))
		}
	}
	return out
}

// writeNextHopDrop goes on with an observation's fate line: the
// neighbour the frame went to, and the kernel's drop reason.
func writeNextHopDrop(b *strings.Builder, nextHop netip.Addr, reason, location string) {
	if nextHop.IsValid() {
		fmt.Fprintf(b, " to %s", nextHop)
	}
	if reason != "" {
		fmt.Fprintf(b, " reason %s at %s", reason, location)
	}
}
