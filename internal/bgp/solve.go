package bgp

import (
	"fmt"
	"net/netip"
	"slices"

	"farend/internal/model"
	"farend/internal/ospf"
)

// maxIGPRounds bounds the OSPF/BGP rounds of Solve.
const maxIGPRounds = 8

// Solve computes OSPF and BGP together. BGP resolves sessions and next
// hops over the OSPF routes; an OSPF process that redistributes BGP
// (`redistribute bgp`) takes the BGP routes installed in its table, which
// changes the OSPF routes, which can change BGP (next hops, `network`
// checks, routes that an OSPF route now beats on distance). Solve runs
// the two in turn until the redistributed BGP routes stay the same; a
// network whose redistribution keeps changing them after maxIGPRounds
// rounds is said so in Notes, and the last round stands.
func Solve(devs []*model.Device) *Result {
	b := Compute(devs, ospf.Compute(devs))
	if !ospf.Redistributes(devs, "bgp") {
		return b
	}
	prev := b.installed()
	for round := 1; round <= maxIGPRounds; round++ {
		b = Compute(devs, ospf.ComputeWith(devs, prev.importer()))
		next := b.installed()
		if next.equal(prev) {
			return b
		}
		prev = next
	}
	b.Unsettled = fmt.Sprintf("OSPF and BGP did not settle: the BGP routes redistributed into OSPF still changed after %d rounds (a redistribution loop); the answer shows the last round", maxIGPRounds)
	b.Notes = append(b.Notes, b.Unsettled)
	return b
}

// OSPF is the OSPF result BGP was computed over.
func (r *Result) OSPF() *ospf.Result { return r.igp.res }

// installedSet holds, per device and VRF, the BGP routes installed in
// the routing table (best path, lower distance than any other route).
type installedSet map[igpKey][]ospf.Imported

func (r *Result) installed() installedSet {
	out := installedSet{}
	for _, s := range r.Speakers {
		rib := r.RIB(s.Dev, s.Inst.VRF, false)
		inRIB := map[netip.Prefix]bool{}
		for _, x := range rib {
			if x.Code == "B" {
				inRIB[x.Prefix] = true
			}
		}
		var list []ospf.Imported
		for _, e := range sortedEntries(r.Tables[s]) {
			b := e.Best
			if b == nil || b.Local || !inRIB[b.Prefix] {
				continue
			}
			kind := "iBGP"
			if b.EBGP {
				kind = "eBGP"
			}
			list = append(list, ospf.Imported{Prefix: b.Prefix, NextHop: b.NextHop, Internal: !b.EBGP,
				What: fmt.Sprintf("%s from %s, next hop %s", kind, b.FromName, b.NextHop)})
		}
		k := igpKey{s.Dev, s.Inst.VRF}
		out[k] = append(out[k], list...)
	}
	return out
}

func (a installedSet) equal(b installedSet) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		if !slices.Equal(x, b[k]) {
			return false
		}
	}
	return true
}

func (a installedSet) importer() ospf.Importer {
	return func(d *model.Device, vrf string, v6 bool, proto string) []ospf.Imported {
		if v6 || proto != "bgp" {
			return nil
		}
		return a[igpKey{d, vrf}]
	}
}
