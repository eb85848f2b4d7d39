package ospf

import (
	"fmt"
	"net/netip"
	"strings"

	"farend/internal/model"
)

// LSAType is the kind of an LSA, named for both versions. The zero
// LSAType is unknown.
type LSAType uint8

// LSA kinds (RFC 2328 A.4, RFC 5340 A.4, RFC 3101).
const (
	LSAUnknown     LSAType = iota
	LSARouter              // type 1; OSPFv3 0x2001
	LSANetwork             // type 2; 0x2002
	LSASummary             // type 3 summary; OSPFv3 inter-area-prefix 0x2003
	LSAASBRSummary         // type 4; OSPFv3 inter-area-router 0x2004
	LSAExternal            // type 5; 0x4005
	LSANSSA                // type 7; 0x2007
	LSAIntraPrefix         // OSPFv3 intra-area-prefix 0x2009
)

// Name is the LSA type's name in the instance's OSPF version.
func (t LSAType) Name(version int) string {
	if version == 3 {
		return [...]string{"unknown", "Router", "Network", "Inter-Area-Prefix", "Inter-Area-Router", "AS-External", "NSSA (type-7)", "Intra-Area-Prefix"}[t]
	}
	return [...]string{"unknown", "Router (1)", "Network (2)", "Summary (3)", "ASBR-Summary (4)", "AS-External (5)", "NSSA-External (7)", "Intra-Area-Prefix"}[t]
}

// Link kinds in a router-LSA (RFC 2328 A.4.2).
const (
	linkP2P     = 1
	linkTransit = 2
	linkStub    = 3
	linkVirtual = 4
)

// rlink is one link of a router-LSA.
type rlink struct {
	kind int
	// to is the neighbour's router id (p2p) or the network vertex key
	// (transit); stub links carry prefix.
	to     netip.Addr
	net    *Iface // transit: the DR's interface (network vertex)
	prefix netip.Prefix
	cost   int
	local  *Iface // the originator's interface
	peer   *Iface // p2p: the neighbour's interface
	pn     int32  // stub: prefix's number plus one in the domain (prefixIndex.add)
}

// LSA is one link state advertisement in farend's form: the fields the
// routing calculation uses, and who originated it.
type LSA struct {
	Type      LSAType      `json:"type"`
	Area      model.AreaID `json:"area"`
	AdvRouter netip.Addr   `json:"adv_router"`
	// Prefix is the destination of summary, external and NSSA LSAs, the
	// network of a network-LSA; ASBR is the router a type-4 describes.
	Prefix netip.Prefix `json:"prefix,omitzero"`
	ASBR   netip.Addr   `json:"asbr,omitzero"`
	Metric int          `json:"metric"`
	// E2 marks a type-2 external metric; FA is the forwarding address;
	// P is the NSSA propagate bit; DN the down bit (RFC 4576); Tag the
	// external route tag.
	E2  bool       `json:"e2,omitempty"`
	FA  netip.Addr `json:"forwarding_address,omitzero"`
	P   bool       `json:"p,omitempty"`
	DN  bool       `json:"dn,omitempty"`
	Tag uint32     `json:"tag,omitempty"`
	// B, E and V are the router-LSA flags (ABR, ASBR, end of a Full
	// virtual link through the area).
	B, E, V bool
	// What says where the LSA comes from ("redistribute static at
	// r1.conf:12", "translated from type-7 by 192.0.2.1").
	What string `json:"what,omitempty"`

	links    []rlink       // router-LSA
	attached []*Instance   // network-LSA: the DR first
	dr       *Iface        // network-LSA
	prefixes []prefixEntry // OSPFv3 intra-area-prefix LSAs; OSPFv2 stub links
	origin   *Instance
	// translated is the type-7 LSA a type-5 came from.
	translated *LSA
	// pn is Prefix's number plus one in the routing domain
	// (prefixIndex.add); 0 when not numbered.
	pn int32
}

type prefixEntry struct {
	prefix netip.Prefix
	metric int
	iface  *Iface
	pn     int32 // prefix's number plus one in the domain (prefixIndex.add)
}

// Origin is the instance that originated the LSA.
func (l *LSA) Origin() *Instance { return l.origin }

// ID prints the LSA's link state id the way show commands do.
func (l *LSA) ID() string {
	switch l.Type {
	case LSARouter:
		if l.origin != nil && l.origin.Version == 3 {
			return "0.0.0.0"
		}
		return l.AdvRouter.String()
	case LSANetwork:
		if l.dr != nil && l.dr.Addr.IsValid() {
			return l.dr.Addr.Addr().String()
		}
		return l.Prefix.String()
	case LSAASBRSummary:
		return l.ASBR.String()
	}
	if l.Prefix.IsValid() {
		return l.Prefix.String()
	}
	return "-"
}

// Summary is one line describing the LSA's content.
func (l *LSA) Summary() string {
	var b strings.Builder
	switch l.Type {
	case LSARouter:
		flags := ""
		if l.B {
			flags += "B"
		}
		if l.E {
			flags += "E"
		}
		if l.V {
			flags += "V"
		}
		if flags != "" {
			fmt.Fprintf(&b, "flags %s; ", flags)
		}
		for i, k := range l.links {
			if i > 0 {
				b.WriteString(", ")
			}
			switch k.kind {
			case linkP2P:
				fmt.Fprintf(&b, "p2p %s cost %d", k.to, k.cost)
			case linkTransit:
				if l.origin != nil && l.origin.Version == 3 {
					fmt.Fprintf(&b, "transit DR %s %s cost %d", k.net.Inst.RouterID, k.net.Name, k.cost)
				} else {
					fmt.Fprintf(&b, "transit %s cost %d", k.net.Addr.Addr(), k.cost)
				}
			case linkStub:
				fmt.Fprintf(&b, "stub %s cost %d", k.prefix, k.cost)
			case linkVirtual:
				fmt.Fprintf(&b, "virtual %s cost %d", k.to, k.cost)
			}
		}
		if len(l.links) == 0 {
			b.WriteString("no links")
		}
	case LSANetwork:
		var ids []string
		for _, in := range l.attached {
			ids = append(ids, in.RouterID.String())
		}
		fmt.Fprintf(&b, "attached %s", strings.Join(ids, " "))
	case LSAIntraPrefix:
		for i, p := range l.prefixes {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s metric %d", p.prefix, p.metric)
		}
	case LSASummary:
		fmt.Fprintf(&b, "%s metric %d", l.Prefix, l.Metric)
	case LSAASBRSummary:
		fmt.Fprintf(&b, "ASBR %s metric %d", l.ASBR, l.Metric)
	case LSAExternal, LSANSSA:
		t := "E1"
		if l.E2 {
			t = "E2"
		}
		fmt.Fprintf(&b, "%s %s metric %d", l.Prefix, t, l.Metric)
		if l.FA.IsValid() && !l.FA.IsUnspecified() {
			fmt.Fprintf(&b, " forwarding %s", l.FA)
		}
		if l.P {
			b.WriteString(" P")
		}
		if l.Tag != 0 {
			fmt.Fprintf(&b, " tag %d", l.Tag)
		}
	}
	if l.DN {
		b.WriteString(" DN")
	}
	return b.String()
}

// lsdb is the link state database of one flooding domain: an area's
// connected part, or the AS-external domain.
type lsdb struct {
	area    model.AreaID
	members []*Instance
	lsas    []*LSA
	// routers indexes router-LSAs by router id; networks network-LSAs
	// by their DR interface.
	routers  map[netip.Addr]*LSA
	networks map[*Iface]*LSA
	// summaries indexes summary LSAs by originator and destination.
	summaries map[sumKey]*LSA
	// pidx numbers the prefixes of the routing domain.
	pidx *prefixIndex
}

type sumKey struct {
	origin *Instance
	typ    LSAType
	prefix netip.Prefix
	asbr   netip.Addr
}

func newLSDB(area model.AreaID) *lsdb {
	return &lsdb{area: area, routers: map[netip.Addr]*LSA{}, networks: map[*Iface]*LSA{}, summaries: map[sumKey]*LSA{}}
}

// summary returns the summary LSA origin put in the database for a
// destination, or nil.
func (db *lsdb) summary(origin *Instance, t LSAType, p netip.Prefix, asbr netip.Addr) *LSA {
	return db.summaries[sumKey{origin, t, p, asbr}]
}

func (db *lsdb) add(l *LSA) {
	db.lsas = append(db.lsas, l)
	if db.pidx != nil {
		db.pidx.addLSA(l)
	}
	if l.Type == LSASummary || l.Type == LSAASBRSummary {
		db.summaries[sumKey{l.origin, l.Type, l.Prefix, l.ASBR}] = l
	}
	switch l.Type {
	case LSARouter:
		if _, dup := db.routers[l.AdvRouter]; !dup {
			db.routers[l.AdvRouter] = l
		}
	case LSANetwork:
		db.networks[l.dr] = l
	}
}
