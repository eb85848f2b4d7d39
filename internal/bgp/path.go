package bgp

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Origin codes (RFC 4271 4.3, ORIGIN).
const (
	OriginIGP        = 0
	OriginEGP        = 1
	OriginIncomplete = 2
)

// Path is one path to a prefix as one speaker holds it (Adj-RIB-In after
// inbound policy, or a locally originated route).
type Path struct {
	Prefix netip.Prefix
	ASPath []uint32
	Origin int
	// MED is the MULTI_EXIT_DISC; HasMED false when absent.
	MED       uint32
	HasMED    bool
	LocalPref uint32
	Weight    uint32
	// NextHop is the BGP next hop; the zero Addr (0.0.0.0) for a local
	// route.
	NextHop netip.Addr
	// Local is true for a route this speaker originates (network,
	// redistribute); Kind says which ("network", "redistribute
	// connected" ...).
	Local bool
	Kind  string
	// From is the session the path came over (nil when Local); FromAddr
	// the peer's address, FromRID its router id, EBGP the session kind.
	From     *Session
	FromAddr netip.Addr
	FromRID  netip.Addr
	FromName string
	EBGP     bool
	// OriginatorID and ClusterList are the route-reflection attributes
	// (RFC 4456 8).
	OriginatorID netip.Addr
	ClusterList  []netip.Addr
	// IGPMetric is the metric of the IGP route to the next hop (0 for a
	// connected next hop or a local route).
	IGPMetric int
	// Invalid says why the path cannot be used (an unreachable next
	// hop); "" when valid.
	Invalid string
	// Src names the configuration line that originated the route.
	Src string
}

func (p *Path) clone() *Path {
	q := *p
	q.ASPath = slices.Clone(p.ASPath)
	q.ClusterList = slices.Clone(p.ClusterList)
	return &q
}

// ASPathString prints the AS path as `show ip bgp` does.
func (p *Path) ASPathString() string {
	var s []string
	for _, a := range p.ASPath {
		s = append(s, fmt.Sprint(a))
	}
	return strings.Join(s, " ")
}

// OriginCode is "i", "e" or "?".
func (p *Path) OriginCode() string { return [...]string{"i", "e", "?"}[p.Origin] }

// same reports whether two paths carry the same attributes (to detect
// the fixed point).
func (p *Path) same(q *Path) bool {
	return p.Prefix == q.Prefix && slices.Equal(p.ASPath, q.ASPath) && p.Origin == q.Origin && p.MED == q.MED &&
		p.HasMED == q.HasMED && p.LocalPref == q.LocalPref && p.Weight == q.Weight && p.NextHop == q.NextHop &&
		p.Local == q.Local && p.From == q.From && p.FromAddr == q.FromAddr && p.OriginatorID == q.OriginatorID &&
		slices.Equal(p.ClusterList, q.ClusterList) && p.IGPMetric == q.IGPMetric && p.Invalid == q.Invalid
}
