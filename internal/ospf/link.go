package ospf

import (
	"net/netip"
	"sort"

	"farend/internal/model"
)

// link is one layer-2 segment or tunnel joining interfaces of several
// routers, inferred from the snapshot: interfaces whose IPv4 or global
// IPv6 prefixes overlap are on one segment, and so are two tunnels whose
// local and remote endpoints mirror each other. links.yaml (DESIGN.md)
// would name the others; farend does not read it yet.
type link struct {
	ifaces []*Iface // OSPF interfaces of both versions on the segment
	// why says how the segment was inferred ("shared subnet
	// 192.0.2.0/24", "tunnel 203.0.113.1 <-> 198.51.100.2").
	why string
}

type ifKey struct {
	dev  *model.Device
	name string
}

// buildLinks groups the OSPF interfaces of all instances into segments.
func buildLinks(ins []*Instance) []*link {
	// Every interface of every router takes part, so that OSPFv3 on an
	// interface that only has IPv4 global addresses still finds its peer.
	type node struct {
		key ifKey
		ifc *model.Interface
	}
	var nodes []node
	index := map[ifKey]int{}
	add := func(d *model.Device, ifc *model.Interface) {
		k := ifKey{d, ifc.Name}
		if _, ok := index[k]; ok {
			return
		}
		index[k] = len(nodes)
		nodes = append(nodes, node{k, ifc})
	}
	for _, in := range ins {
		for _, f := range in.Ifaces {
			add(in.Dev, f.If)
		}
	}
	parent := make([]int, len(nodes))
	why := make([]string, len(nodes))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int, w string) {
		ra, rb := find(a), find(b)
		if ra != rb {
			parent[rb] = ra
			if why[ra] == "" {
				why[ra] = w
			}
		}
	}
	// Index prefixes: segments are found by grouping interfaces on the
	// same masked prefix, and across prefix lengths by containment.
	type pfx struct {
		p netip.Prefix
		n int
	}
	var ps []pfx
	for i, nd := range nodes {
		if nd.ifc.Loopback {
			continue
		}
		for _, a := range nd.ifc.Addrs {
			x := a.Prefix.Addr()
			if x.IsLinkLocalUnicast() || a.Prefix.Bits() == x.BitLen() {
				continue
			}
			ps = append(ps, pfx{a.Prefix.Masked(), i})
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		if c := ps[i].p.Addr().Compare(ps[j].p.Addr()); c != 0 {
			return c < 0
		}
		return ps[i].p.Bits() < ps[j].p.Bits()
	})
	// A sorted sweep: each prefix joins the nearest earlier prefix that
	// contains it (same family), which covers equal and nested prefixes.
	var stack []pfx
	for _, x := range ps {
		for len(stack) > 0 && !(stack[len(stack)-1].p.Contains(x.p.Addr()) && stack[len(stack)-1].p.Addr().Is4() == x.p.Addr().Is4()) {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			if nodes[top.n].key.dev != nodes[x.n].key.dev {
				union(top.n, x.n, "shared subnet "+top.p.String())
			}
		}
		stack = append(stack, x)
	}
	// Tunnels whose endpoints mirror each other.
	type ends struct{ l, r netip.Addr }
	tun := map[ends]int{}
	for i, nd := range nodes {
		t := nd.ifc.Tunnel
		if t == nil || !t.Local.IsValid() || !t.Remote.IsValid() {
			continue
		}
		if j, ok := tun[ends{t.Remote, t.Local}]; ok {
			union(j, i, "tunnel "+t.Local.String()+" <-> "+t.Remote.String())
		}
		tun[ends{t.Local, t.Remote}] = i
	}
	groups := map[int]*link{}
	var out []*link
	for _, in := range ins {
		for _, f := range in.Ifaces {
			r := find(index[ifKey{in.Dev, f.If.Name}])
			l := groups[r]
			if l == nil {
				l = &link{why: why[r]}
				groups[r] = l
				out = append(out, l)
			}
			l.ifaces = append(l.ifaces, f)
			f.link = l
		}
	}
	return out
}

// peers returns the interfaces of other routers on f's segment that run
// the same OSPF version.
func (f *Iface) peers() []*Iface {
	if f.link == nil {
		return nil
	}
	var out []*Iface
	for _, g := range f.link.ifaces {
		if g.Inst.Dev != f.Inst.Dev && g.Inst.Version == f.Inst.Version {
			out = append(out, g)
		}
	}
	return out
}
