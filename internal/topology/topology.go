// Package topology infers the layer-3 links between the devices of a
// snapshot: interfaces that share a subnet (two of them a link, more a
// multi-access segment), point-to-point peer addresses, tunnels paired by
// their outer endpoints, and the links links.yaml adds or removes. Every
// link says why it was inferred; what could not be paired says why not.
package topology

import (
	"net/netip"
	"sort"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
)

// Topology is the layer-3 picture of a snapshot.
type Topology struct {
	// Devices are the device names, sorted.
	Devices []string `json:"devices"`
	// Links join exactly two interfaces, sorted by A then B.
	Links []Link `json:"links"`
	// Segments are subnets shared by more than two interfaces (LANs).
	Segments []Segment `json:"segments"`
	// Unpaired lists what looked like one end of a link but has no far end
	// in the snapshot, or whose ends disagree, with the reason.
	Unpaired []Unpaired `json:"unpaired"`
	// Removed are inferred links that links.yaml removed.
	Removed []Link `json:"removed"`
	// LinksFile says whether links.yaml was there.
	LinksFile model.Input `json:"links_file"`
	// Notes are the links.yaml lines farend did not understand.
	Notes source.Notes `json:"not_understood"`
}

// Link is a layer-3 adjacency between two interfaces.
type Link struct {
	// A sorts before B (Endpoint.Less).
	A Endpoint `json:"a"`
	B Endpoint `json:"b"`
	// Reasons say why the link was inferred, one per piece of evidence.
	Reasons []Reason `json:"reasons"`
	// Tunnel is set when the link is a tunnel: the outer packets travel
	// between its outer endpoints.
	Tunnel *TunnelLink `json:"tunnel,omitempty"`
	// Down lists the ends that are administratively down.
	Down []Endpoint `json:"down,omitempty"`
}

// Segment is a multi-access subnet: more than two interfaces in the same
// prefixes.
type Segment struct {
	// Prefixes are the subnets the members share (IPv4 and IPv6 with the
	// same members make one segment).
	Prefixes []netip.Prefix `json:"prefixes"`
	Members  []Member       `json:"members"`
	Reasons  []Reason       `json:"reasons"`
}

// Member is one interface of a segment with its addresses there.
type Member struct {
	Endpoint Endpoint       `json:"endpoint"`
	Addrs    []netip.Prefix `json:"addrs"`
}

// Reason is one piece of evidence for a link, or why something is
// unpaired.
type Reason struct {
	Kind Kind   `json:"kind"`
	Text string `json:"text"`
	// Pos is the links.yaml line for links the file added; zero otherwise.
	Pos source.Pos `json:"pos,omitzero"`
}

// Unpaired is an interface that looks like one end of a link whose far
// end is missing or disagrees.
type Unpaired struct {
	Endpoint Endpoint `json:"endpoint"`
	// With is the other interface involved (the far end of a mismatched
	// tunnel, the overlapping subnet); zero when there is none.
	With   Endpoint `json:"with,omitzero"`
	Kind   Kind     `json:"kind"`
	Reason string   `json:"reason"`
	// Pos is the links.yaml entry for problems of that file.
	Pos source.Pos `json:"pos,omitzero"`
}

// Endpoint names one interface of one device. The zero Endpoint names
// nothing.
type Endpoint struct {
	Node  string
	Iface string
}

// String is "node:iface".
func (e Endpoint) String() string {
	if e.IsZero() {
		return ""
	}
	return e.Node + ":" + e.Iface
}

// MarshalText writes "node:iface".
func (e Endpoint) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// IsZero reports whether e names nothing.
func (e Endpoint) IsZero() bool { return e.Node == "" && e.Iface == "" }

// Less orders endpoints by node, then interface.
func (e Endpoint) Less(o Endpoint) bool {
	if e.Node != o.Node {
		return e.Node < o.Node
	}
	return e.Iface < o.Iface
}

// ParseEndpoint splits "node:iface" at the first colon.
func ParseEndpoint(s string) (Endpoint, bool) {
	n, i, ok := strings.Cut(s, ":")
	if !ok || n == "" || i == "" {
		return Endpoint{}, false
	}
	return Endpoint{Node: n, Iface: i}, true
}

// Kind is the sort of evidence behind a link or an unpaired end. The zero
// Kind is unknown.
type Kind uint8

// Kinds of evidence and of problems.
const (
	KindUnknown Kind = iota
	// KindSubnet: both interfaces are in the same connected prefix.
	KindSubnet
	// KindPeer: a point-to-point address's peer is the other's address.
	KindPeer
	// KindTunnel: tunnels whose outer endpoints mirror each other.
	KindTunnel
	// KindLinksFile: links.yaml says so.
	KindLinksFile
	// KindTunnelMismatch: tunnels pair by endpoints but not by mode.
	KindTunnelMismatch
	// KindPointToPoint: a /31, /127 or peer address whose far end is no
	// device's.
	KindPointToPoint
	// KindPrefixLength: overlapping addresses with different prefix
	// lengths.
	KindPrefixLength
	// KindDuplicate: the same address on two interfaces.
	KindDuplicate
)

var kindNames = []string{"unknown", "subnet", "peer", "tunnel", "links.yaml", "tunnel-mismatch", "point-to-point", "prefix-length", "duplicate-address"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Across returns the interfaces on the other side of e's links and
// segments, sorted.
func (t *Topology) Across(e Endpoint) []Endpoint {
	var out []Endpoint
	for _, l := range t.Links {
		switch e {
		case l.A:
			out = append(out, l.B)
		case l.B:
			out = append(out, l.A)
		}
	}
	for _, s := range t.Segments {
		if !s.has(e) {
			continue
		}
		for _, m := range s.Members {
			if m.Endpoint != e {
				out = append(out, m.Endpoint)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Less(out[j]) })
	return out
}

func (s Segment) has(e Endpoint) bool {
	for _, m := range s.Members {
		if m.Endpoint == e {
			return true
		}
	}
	return false
}
