package kerneltest

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Spec is one host to build in network namespaces: its wiring (Topology,
// slow to build, reused across cases) and its configuration (Config,
// reapplied for every case).
type Spec struct {
	Topology
	Config
}

// Topology is what takes namespaces and links to build. Two Specs with equal
// Topology.Key share one Lab.
type Topology struct {
	// Host is the host's name (as in hosts/<name>/ of a snapshot).
	Host string
	// Links are the host's interfaces other than lo, each a veth pair to
	// its own peer namespace.
	Links []Link
}

// Link is one host interface: a veth whose other end sits in a peer
// namespace. Tunnel stand-ins are veths with a tunnel's name ("sit1").
type Link struct {
	// Name is the host-side interface name (at most 15 bytes).
	Name string
	// MTU is set on both ends; 0 keeps the veth default (1500).
	MTU int
	// Addrs are the host's addresses on this link (IPv6 ones get nodad).
	Addrs []netip.Prefix
	// Peers are the addresses of the machines behind this link (gateways,
	// on-link hosts such as a container). The peer namespace does not
	// configure them: the host gets a permanent neighbour entry for each,
	// with its own MAC, so that forwarding needs no ARP/ND and the MAC a
	// captured frame is sent to names its next hop.
	Peers []netip.Addr
}

// Key identifies the topology: equal keys build equal labs.
func (t Topology) Key() string {
	var b strings.Builder
	b.WriteString(t.Host)
	for _, l := range t.Links {
		fmt.Fprintf(&b, "|%s,%d,%v,%v", l.Name, l.MTU, l.Addrs, l.Peers)
	}
	return b.String()
}

// Config is a host's per-case configuration. Applying a Config first undoes
// the previous one: routes and rules are flushed, sysctls restored, the
// netfilter ruleset replaced, conntrack flushed.
type Config struct {
	// Sysctls are applied in order. A net.ipv4.conf.default.X or
	// net.ipv6.conf.default.X key is also written to every lab interface
	// that has no key of its own in the list: the same as setting it before
	// the interfaces were created (which is when the kernel copies
	// defaults).
	Sysctls []Sysctl
	// Routes are added with `proto static` (flushed between cases).
	Routes []Route
	// Rules are policy routing rules; the default rules (local, main and,
	// for IPv4, default) are always present unless a Rule replaces them.
	Rules []Rule
	// IPTables and IP6Tables are iptables-save texts loaded with
	// iptables-restore/ip6tables-restore (counters are ignored).
	IPTables, IP6Tables string
	// NFT is a native nftables ruleset loaded with `nft -f`.
	NFT string
}

// Sysctl is one sysctl key and value, e.g. {"net.ipv4.conf.all.rp_filter", "1"}.
type Sysctl struct {
	Key, Value string
}

// Route is one route, rendered as the arguments of `ip route add`.
type Route struct {
	// Type is "" for unicast, or blackhole, unreachable, prohibit, throw,
	// local, ...
	Type string
	// Dst is the destination prefix (required; 0.0.0.0/0 or ::/0 for the
	// default route).
	Dst netip.Prefix
	// Via is the gateway (zero for on-link or typed routes).
	Via netip.Addr
	// Dev is the output interface.
	Dev string
	// Table is the routing table number; 0 means main.
	Table int
	// Metric is the route's metric; 0 keeps the kernel's default.
	Metric int
	// Src is the preferred source address (zero for none).
	Src netip.Addr
	// Extra is appended as is (e.g. "onlink").
	Extra string
}

// Is6 reports whether r is an IPv6 route.
func (r Route) Is6() bool { return r.Dst.Addr().Is6() }

// Args renders r as the arguments after `ip route add`.
func (r Route) Args() string {
	var f []string
	if r.Type != "" {
		f = append(f, r.Type)
	}
	f = append(f, r.Dst.String())
	if r.Via.IsValid() {
		f = append(f, "via", r.Via.String())
	}
	if r.Dev != "" {
		f = append(f, "dev", r.Dev)
	}
	if r.Table != 0 {
		f = append(f, "table", strconv.Itoa(r.Table))
	}
	if r.Metric != 0 {
		f = append(f, "metric", strconv.Itoa(r.Metric))
	}
	if r.Src.IsValid() {
		f = append(f, "src", r.Src.String())
	}
	f = append(f, "proto", "static")
	if r.Extra != "" {
		f = append(f, r.Extra)
	}
	return strings.Join(f, " ")
}

// Rule is one policy routing rule, rendered as the arguments of
// `ip rule add`.
type Rule struct {
	// V6 selects `ip -6 rule`. It is implied by an IPv6 From or To.
	V6 bool
	// Priority is the rule's preference; 0 lets the kernel choose.
	Priority int
	// Not inverts the selector.
	Not bool
	// From and To select by source and destination prefix.
	From, To netip.Prefix
	// IIF and OIF select by input and output interface (iif lo matches
	// locally generated packets and reverse-path lookups).
	IIF, OIF string
	// FWMark and FWMask select by mark (FWMask 0 means all bits).
	FWMark, FWMask uint32
	// Table is the table to look up; ignored when Action is set.
	Table int
	// Action is "" (lookup Table) or blackhole, unreachable, prohibit.
	Action string
	// Extra is appended as is.
	Extra string
}

// Is6 reports whether r is an IPv6 rule.
func (r Rule) Is6() bool {
	return r.V6 || (r.From.IsValid() && r.From.Addr().Is6()) || (r.To.IsValid() && r.To.Addr().Is6())
}

// Args renders r as the arguments after `ip rule add`.
func (r Rule) Args() string {
	var f []string
	if r.Priority != 0 {
		f = append(f, "pref", strconv.Itoa(r.Priority))
	}
	if r.Not {
		f = append(f, "not")
	}
	if r.From.IsValid() {
		f = append(f, "from", r.From.String())
	}
	if r.To.IsValid() {
		f = append(f, "to", r.To.String())
	}
	if r.IIF != "" {
		f = append(f, "iif", r.IIF)
	}
	if r.OIF != "" {
		f = append(f, "oif", r.OIF)
	}
	if r.FWMark != 0 || r.FWMask != 0 {
		m := fmt.Sprintf("0x%x", r.FWMark)
		if r.FWMask != 0 {
			m += fmt.Sprintf("/0x%x", r.FWMask)
		}
		f = append(f, "fwmark", m)
	}
	switch {
	case r.Action != "":
		f = append(f, r.Action)
	case r.Table != 0:
		f = append(f, "lookup", strconv.Itoa(r.Table))
	default:
		f = append(f, "lookup", "main")
	}
	if r.Extra != "" {
		f = append(f, r.Extra)
	}
	return strings.Join(f, " ")
}

// docPrefixes are the only addresses a lab may use (RFC 5737, RFC 2544,
// RFC 3849), plus IPv6 link-local.
var docPrefixes = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("fe80::/10"),
}

// checkDocAddr refuses an address outside the documentation prefixes.
func checkDocAddr(what string, a netip.Addr) error {
	for _, p := range docPrefixes {
		if p.Contains(a.Unmap()) {
			return nil
		}
	}
	return fmt.Errorf("kerneltest: %s %s is not a documentation address (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15, 2001:db8::/32)", what, a)
}

// checkDoc refuses a topology that would configure other addresses.
func (t Topology) checkDoc() error {
	for _, l := range t.Links {
		for _, a := range l.Addrs {
			if err := checkDocAddr(l.Name+" address", a.Addr()); err != nil {
				return err
			}
		}
		for _, a := range l.Peers {
			if err := checkDocAddr(l.Name+" peer", a); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkDoc refuses routes whose gateway or source is not a documentation
// address.
func (c Config) checkDoc() error {
	for _, r := range c.Routes {
		if r.Via.IsValid() {
			if err := checkDocAddr("gateway", r.Via); err != nil {
				return err
			}
		}
		if r.Src.IsValid() {
			if err := checkDocAddr("route source", r.Src); err != nil {
				return err
			}
		}
	}
	return nil
}
