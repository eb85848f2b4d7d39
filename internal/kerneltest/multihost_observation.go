package kerneltest

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"farend/internal/packet"
)

// MultiFate is where a packet sent into a chain ended.
type MultiFate string

// Fates of a packet in a chain.
const (
	// MultiDelivered: it passed every INPUT chain of Host.
	MultiDelivered MultiFate = "delivered"
	// MultiLeft: it was captured leaving Host on the edge link
	// OutInterface.
	MultiLeft MultiFate = "left"
	// MultiUnresolved: it passed POSTROUTING of Host toward OutInterface,
	// but its next hop there (NextHop) stayed unresolved: no host on the
	// link answered ARP/ND (or, on an edge link, no permanent entry).
	MultiUnresolved MultiFate = "unresolved"
	// MultiDropped: none of these; the kernel freed it on Host (the last
	// host it was seen on).
	MultiDropped MultiFate = "dropped"
)

// Visit is the packet's way through one host, from the kernel's trace in
// that host's namespace.
type Visit struct {
	Host string `json:"host"`
	// In is the interface it arrived on.
	In string `json:"in"`
	// Packet is the packet as it arrived (the trace's headers).
	Packet packet.Packet `json:"packet"`
	// Steps are the matched rules and applied policies, as in Observation.
	Steps        []Step `json:"steps,omitempty"`
	FinalVerdict string `json:"final_verdict,omitempty"`
	// Forwarded is true when the packet passed FORWARD.
	Forwarded bool `json:"forwarded,omitempty"`
	// Out is the interface it left by (it passed POSTROUTING).
	Out string `json:"out,omitempty"`
	// PacketOut is the packet at the end of POSTROUTING (Out set) or of
	// INPUT (Delivered).
	PacketOut *packet.Packet `json:"packet_out,omitempty"`
	Delivered bool           `json:"delivered,omitempty"`
	// Dropped is true when a rule or policy dropped it here.
	Dropped bool `json:"dropped,omitempty"`
	// Events are the kernel's trace events, as text.
	Events []string `json:"events,omitempty"`
}

// MultiObservation is what the kernels of a chain did with one packet.
type MultiObservation struct {
	// In is the interface of the first host the packet arrived on.
	In     string        `json:"in"`
	Packet packet.Packet `json:"packet"`
	// Visits are the hosts it went through, in order (a looping packet
	// visits hosts again until its TTL runs out).
	Visits []Visit   `json:"visits"`
	Fate   MultiFate `json:"fate"`
	// Host is where it ended: delivered to, left from, waiting on a
	// neighbour on, or dropped on.
	Host         string `json:"host"`
	OutInterface string `json:"out_interface,omitempty"`
	// Edge is true when OutInterface is an edge link (no host behind it).
	Edge bool `json:"edge,omitempty"`
	// NextHop is the neighbour the frame was sent to (MultiLeft, by its
	// destination MAC) or the unresolved one (MultiUnresolved).
	NextHop netip.Addr `json:"next_hop,omitzero"`
	// PacketOut is the packet as it left (captured) or was delivered.
	PacketOut *packet.Packet `json:"packet_out,omitempty"`
	// Looped is true when the packet entered a host on the same
	// interface twice with the same addresses and ports (a forwarding
	// loop: it goes round until its TTL runs out).
	Looped bool `json:"looped,omitempty"`
	// DropReason and DropLocation come from skb:kfree_skb.
	DropReason   string   `json:"drop_reason,omitempty"`
	DropLocation string   `json:"drop_location,omitempty"`
	ICMPErrors   []string `json:"icmp_errors,omitempty"`
	// TimedOut: no end was seen; Fate is MultiDropped on silence alone.
	TimedOut bool          `json:"timed_out,omitempty"`
	Elapsed  time.Duration `json:"elapsed"`
}

// String prints the observation for people.
func (o MultiObservation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kernel: %s in on %s\n", o.Packet, o.In)
	for i, v := range o.Visits {
		fmt.Fprintf(&b, "  hop %d: %s in %s [%s]", i+1, v.Host, v.In, v.Packet)
		if v.Out != "" {
			fmt.Fprintf(&b, " out %s", v.Out)
		}
		if v.Delivered {
			b.WriteString(" delivered")
		}
		if v.Dropped {
			b.WriteString(" dropped by a rule")
		}
		b.WriteByte('\n')
		for _, s := range v.Steps {
			fmt.Fprintf(&b, "      %s\n", s)
		}
		if i >= 7 && len(o.Visits) > 10 {
			fmt.Fprintf(&b, "  ... %d more hops\n", len(o.Visits)-i-1)
			break
		}
	}
	fmt.Fprintf(&b, "  fate: %s on %s", o.Fate, o.Host)
	if o.OutInterface != "" {
		fmt.Fprintf(&b, " out %s", o.OutInterface)
		if o.Edge {
			b.WriteString(" (edge)")
		}
	}
	writeNextHopDrop(&b, o.NextHop, o.DropReason, o.DropLocation)
	if o.Looped {
		fmt.Fprintf(&b, " (looped: %d hops)", len(o.Visits))
	}
	if o.TimedOut {
		b.WriteString(" (timed out)")
	}
	b.WriteByte('\n')
	if o.PacketOut != nil {
		fmt.Fprintf(&b, "  packet out: %s\n", *o.PacketOut)
	}
	for _, e := range o.ICMPErrors {
		fmt.Fprintf(&b, "  icmp error: %s\n", e)
	}
	return b.String()
}
