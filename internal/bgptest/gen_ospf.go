package bgptest

import (
	"fmt"
	"math/rand"
	"net/netip"
)

// addOSPFSite gives about half of the topologies an OSPF site: one
// router that runs only OSPF, linked to a BGP router that runs ospfd on
// that link and redistributes BGP into OSPF, sometimes through a
// route-map, with a metric or as type 1; half of those borders also
// redistribute OSPF into BGP. The site compares the O E1/E2
// routes it installs; the BGP router compares the site's loopback. The
// draw uses its own random stream, so the rest of every seed's topology
// is what it was before the site existed.
func (t *Topology) addOSPFSite() {
	rng := rand.New(rand.NewSource(t.Seed ^ 0x05f5e1))
	if rng.Intn(2) == 0 {
		return
	}
	border := t.Routers[rng.Intn(len(t.Routers))]
	site := &Router{Name: fmt.Sprintf("r%d", len(t.Routers)+1), N: len(t.Routers) + 1, OSPFOnly: true, Profile: "traditional"}
	t.Routers = append(t.Routers, site)
	// 198.18.200.0/24 is out of the links' range (one /24 per link, far
	// fewer than 200).
	ia := &Iface{Name: fmt.Sprintf("e%d", len(border.Ifaces)), Addr: netip.MustParsePrefix("198.18.200.1/24"), R: border, OSPF: true}
	ib := &Iface{Name: "e0", Addr: netip.MustParsePrefix("198.18.200.2/24"), R: site, OSPF: true}
	ia.Peer, ib.Peer = ib, ia
	border.Ifaces, site.Ifaces = append(border.Ifaces, ia), append(site.Ifaces, ib)
	t.Links = append(t.Links, &Link{A: border, B: site, IA: ia, IB: ib})
	border.RedistBGP = []string{"", "", " metric 30", " metric-type 1", " route-map PL-LOOP", " route-map MISSING", " route-map MED50"}[rng.Intn(7)]
	// Half the borders also take the OSPF routes into BGP (mutual
	// redistribution: the site's loopback travels on as a BGP route).
	border.RedistOSPF = rng.Intn(2) == 0
}

// ospfConfig is the OSPF part of a router's frr.conf ("" for a router
// without OSPF interfaces). Point-to-point links with 1/4 s timers
// converge in seconds.
func ospfConfig(r *Router) string {
	on := false
	for _, x := range r.Ifaces {
		on = on || x.OSPF
	}
	if !on {
		return ""
	}
	s := fmt.Sprintf("router ospf\n ospf router-id %s\n", r.loopback())
	if !r.OSPFOnly {
		s += " redistribute bgp" + r.RedistBGP + "\n"
	}
	return s + "exit\n!"
}
