// Package bgptest checks farend's BGP engine (internal/bgp) against FRR:
// it generates small BGP networks from a seed, runs each router as
// zebra, staticd and bgpd in its own network namespace joined by veth
// pairs, waits for the daemons to converge, and compares session states,
// best paths (`show ip bgp json`) and installed BGP routes (`show ip
// route json`) with what farend predicts from the same frr.conf files.
//
// The ASes of a topology form a tree with one eBGP link per adjacent AS
// pair, so that no router ever holds two eBGP paths that only the
// arrival order separates (FRR and IOS keep the older one: farend cannot
// know it). Routers of one AS peer over iBGP on their direct links.
//
// Only documentation and benchmarking prefixes are used: 192.0.2.0/24
// (loopbacks), 198.18.0.0/16 (links), 198.19.0.0/16 (static and
// unreachable networks), inside namespaces the harness creates and
// removes.
package bgptest

import (
	"fmt"
	"math/rand"
	"net/netip"
	"strings"
)

// Topology is one generated BGP network.
type Topology struct {
	Seed    int64
	Routers []*Router
	Links   []*Link
}

// Router is one router.
type Router struct {
	Name string
	N    int
	AS   uint32
	// Profile is "traditional" or "datacenter"; NoRequirePolicy adds `no
	// bgp ebgp-requires-policy`, NoImportCheck `no bgp network
	// import-check`.
	Profile         string
	NoRequirePolicy bool
	NoImportCheck   bool
	Networks        []string
	RedistConnected bool
	RedistStatic    bool
	Statics         []string
	Ifaces          []*Iface
	// OSPFOnly is a site router that runs only OSPF (gen_ospf.go);
	// RedistBGP the options of a BGP router's `redistribute bgp` into
	// OSPF.
	OSPFOnly  bool
	RedistBGP string
	// RedistOSPF adds `redistribute ospf` to a border's BGP.
	RedistOSPF bool
}

// Link is a veth pair between two routers.
type Link struct {
	A, B   *Router
	IA, IB *Iface
}

// Iface is one end of a link, with the neighbour's policy.
type Iface struct {
	Name string
	Addr netip.Prefix
	Peer *Iface
	R    *Router
	// In and Out name the route-maps on the session ("" for none);
	// NextHopSelf for iBGP.
	In, Out     string
	NextHopSelf bool
	// OSPF runs ospfd on the link (area 0, point-to-point).
	OSPF bool
}

func (r *Router) loopback() netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, byte(r.N)}) }

// Generate builds the topology of a seed: 2-6 routers in 1-4 ASes.
func Generate(seed int64) *Topology {
	rng := rand.New(rand.NewSource(seed))
	t := &Topology{Seed: seed}
	n := 2 + rng.Intn(5)
	nas := 1 + rng.Intn(min(4, n))
	if nas == 1 && n > 1 && rng.Intn(3) > 0 {
		nas = 2
	}
	for i := 1; i <= n; i++ {
		r := &Router{Name: fmt.Sprintf("r%d", i), N: i, AS: uint32(64511 + i)}
		if i <= nas {
			r.AS = uint32(64511 + i)
		} else {
			r.AS = uint32(64512 + rng.Intn(nas))
		}
		r.Profile = []string{"traditional", "traditional", "datacenter"}[rng.Intn(3)]
		r.NoRequirePolicy = rng.Intn(4) == 0
		r.NoImportCheck = rng.Intn(4) == 0
		t.Routers = append(t.Routers, r)
	}
	li := 0
	link := func(a, b *Router) {
		li++
		base := [4]byte{198, 18, byte(li), 0}
		ia := &Iface{Name: fmt.Sprintf("e%d", len(a.Ifaces)), Addr: netip.PrefixFrom(netip.AddrFrom4([4]byte{base[0], base[1], base[2], 1}), 24), R: a}
		ib := &Iface{Name: fmt.Sprintf("e%d", len(b.Ifaces)), Addr: netip.PrefixFrom(netip.AddrFrom4([4]byte{base[0], base[1], base[2], 2}), 24), R: b}
		ia.Peer, ib.Peer = ib, ia
		a.Ifaces, b.Ifaces = append(a.Ifaces, ia), append(b.Ifaces, ib)
		t.Links = append(t.Links, &Link{A: a, B: b, IA: ia, IB: ib})
	}
	byAS := map[uint32][]*Router{}
	var ases []uint32
	for _, r := range t.Routers {
		if len(byAS[r.AS]) == 0 {
			ases = append(ases, r.AS)
		}
		byAS[r.AS] = append(byAS[r.AS], r)
	}
	// Inside an AS: a random tree, sometimes one extra link (iBGP
	// between directly linked routers only).
	for _, as := range ases {
		rs := byAS[as]
		for i := 1; i < len(rs); i++ {
			link(rs[rng.Intn(i)], rs[i])
		}
		if len(rs) >= 3 && rng.Intn(2) == 0 {
			link(rs[0], rs[len(rs)-1])
		}
	}
	// Between ASes: a random tree, one link per adjacent pair.
	for i := 1; i < len(ases); i++ {
		a := byAS[ases[rng.Intn(i)]]
		b := byAS[ases[i]]
		link(a[rng.Intn(len(a))], b[rng.Intn(len(b))])
	}
	maps := []string{"", "ALL", "ALL", "ALL", "PL-LOOP", "LP200", "MED50", "PREPEND", "MISSING"}
	for _, k := range t.Links {
		for _, x := range []*Iface{k.IA, k.IB} {
			x.In = maps[rng.Intn(len(maps))]
			x.Out = maps[rng.Intn(len(maps))]
			if x.Out == "LP200" {
				x.Out = "ALL"
			}
			x.NextHopSelf = rng.Intn(2) == 0
		}
	}
	for _, r := range t.Routers {
		r.Networks = append(r.Networks, r.loopback().String()+"/32")
		if rng.Intn(3) == 0 {
			r.Networks = append(r.Networks, fmt.Sprintf("198.19.%d.0/24", r.N))
		}
		if rng.Intn(3) == 0 && len(r.Ifaces) > 0 {
			x := r.Ifaces[rng.Intn(len(r.Ifaces))]
			r.Statics = append(r.Statics, fmt.Sprintf("198.19.%d.0/24 %s", 100+r.N, x.Peer.Addr.Addr()))
		}
		if rng.Intn(4) == 0 {
			r.Statics = append(r.Statics, fmt.Sprintf("198.19.%d.0/24 blackhole", 200+r.N))
		}
		r.RedistConnected = rng.Intn(3) == 0
		r.RedistStatic = len(r.Statics) > 0 && rng.Intn(2) == 0
	}
	t.addOSPFSite()
	return t
}

// Config is a router's frr.conf.
func (t *Topology) Config(r *Router) string {
	var b strings.Builder
	w := func(f string, a ...any) { fmt.Fprintf(&b, f+"\n", a...) }
	w("frr version 8.4.4")
	w("frr defaults %s", r.Profile)
	w("hostname %s", r.Name)
	w("!")
	lo := ""
	if r.OSPFOnly {
		lo = "\n ip ospf area 0"
	}
	w("interface lo\n ip address %s/32%s\nexit\n!", r.loopback(), lo)
	for _, x := range r.Ifaces {
		o := ""
		if x.OSPF {
			o = "\n ip ospf area 0\n ip ospf network point-to-point\n ip ospf hello-interval 1\n ip ospf dead-interval 4"
		}
		w("interface %s\n ip address %s%s\nexit\n!", x.Name, x.Addr, o)
	}
	for _, s := range r.Statics {
		w("ip route %s", s)
	}
	if o := ospfConfig(r); o != "" {
		w("%s", o)
	}
	if r.OSPFOnly {
		w("end")
		return b.String()
	}
	w("router bgp %d", r.AS)
	w(" bgp router-id %s", r.loopback())
	if r.NoRequirePolicy {
		w(" no bgp ebgp-requires-policy")
	}
	if r.NoImportCheck {
		w(" no bgp network import-check")
	}
	for _, x := range r.Ifaces {
		if x.OSPF {
			continue
		}
		w(" neighbor %s remote-as %d", x.Peer.Addr.Addr(), x.Peer.R.AS)
		w(" neighbor %s timers connect 5", x.Peer.Addr.Addr())
	}
	w(" address-family ipv4 unicast")
	for _, n := range r.Networks {
		w("  network %s", n)
	}
	if r.RedistConnected {
		w("  redistribute connected")
	}
	if r.RedistStatic {
		w("  redistribute static")
	}
	if r.RedistOSPF {
		w("  redistribute ospf")
	}
	for _, x := range r.Ifaces {
		if x.OSPF {
			continue
		}
		a := x.Peer.Addr.Addr()
		if x.In != "" {
			w("  neighbor %s route-map %s in", a, x.In)
		}
		if x.Out != "" {
			w("  neighbor %s route-map %s out", a, x.Out)
		}
		if x.NextHopSelf && x.Peer.R.AS == r.AS {
			w("  neighbor %s next-hop-self", a)
		}
	}
	w(" exit-address-family")
	w("exit\n!")
	w("ip prefix-list LOOPS seq 5 permit 192.0.2.0/24 ge 32")
	w("ip prefix-list LOOPS seq 10 deny any")
	w("route-map ALL permit 10\nexit\n!")
	w("route-map PL-LOOP permit 10\n match ip address prefix-list LOOPS\nexit\n!")
	w("route-map LP200 permit 10\n set local-preference 200\nexit\n!")
	w("route-map MED50 permit 10\n set metric 50\nexit\n!")
	w("route-map PREPEND permit 10\n set as-path prepend 65000 65000\nexit\n!")
	w("end")
	return b.String()
}

// ConfigText prints every router's frr.conf, for a failure report.
func (t *Topology) ConfigText() string {
	var b strings.Builder
	for _, r := range t.Routers {
		fmt.Fprintf(&b, "--- %s.conf\n%s", r.Name, t.Config(r))
	}
	return b.String()
}
