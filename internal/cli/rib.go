package cli

import (
	"fmt"
	"io"
	"strings"

	"farend/internal/bgp"
	"farend/internal/model"
	"farend/internal/ospf"
	"farend/internal/snapshot"
)

// routerRoutes prints a router's RIB for one VRF, both families, in the
// form of IOS `show ip route` / `show ipv6 route`.
func routerRoutes(w io.Writer, s *snapshot.Snapshot, d *model.Device, vrf string, asJSON bool) error {
	if vrf != "" && d.Router.VRF(vrf) == nil {
		var names []string
		for _, v := range d.Router.VRFs {
			names = append(names, v.Name)
		}
		return usagef("%s has no VRF %q (it has: %s)", d.Name, vrf, strings.Join(names, ", "))
	}
	res := bgp.Solve(s.Devices)
	type famJSON struct {
		Node   string          `json:"node"`
		VRF    string          `json:"vrf"`
		Family string          `json:"family"`
		Routes []ospf.RIBRoute `json:"routes"`
		// Notes are what the routing protocols of this table did not do
		// and what farend did not evaluate for it.
		Notes []string `json:"notes,omitempty"`
	}
	var out []famJSON
	for _, v6 := range []bool{false, true} {
		rs := res.RIB(d, vrf, v6)
		fam := "ipv4"
		if v6 {
			fam = "ipv6"
		}
		ns := protocolNotes(res, d, vrf, v6)
		if v6 && len(rs) == 0 && len(ns) == 0 {
			continue
		}
		out = append(out, famJSON{d.Name, vrf, fam, rs, ns})
	}
	if asJSON {
		return writeJSON(w, out)
	}
	fmt.Fprintln(w, "Codes: L - local, C - connected, S - static, O - OSPF, IA - OSPF inter area, B - BGP")
	fmt.Fprintln(w, "       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2")
	fmt.Fprintln(w, "       E1 - OSPF external type 1, E2 - OSPF external type 2")
	for _, f := range out {
		where := "global table"
		if f.VRF != "" {
			where = "VRF " + f.VRF
		}
		fmt.Fprintf(w, "\n%s %s, %s:\n", d.Name, where, map[string]string{"ipv4": "IPv4", "ipv6": "IPv6"}[f.Family])
		if len(f.Routes) == 0 {
			fmt.Fprintln(w, "  (no routes)")
		}
		for _, r := range f.Routes {
			fmt.Fprintln(w, ribLine(r))
		}
		for _, n := range f.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
	writeSessions(w, res, d, vrf)
	if n := noteSummary(d); n != "" {
		fmt.Fprintf(w, "\n%s\n", n)
	}
	return nil
}

// protocolNotes are the notes of the device's OSPF processes of the
// family and, for IPv4, of its BGP instance in vrf.
func protocolNotes(res *bgp.Result, d *model.Device, vrf string, v6 bool) []string {
	var out []string
	if res.Unsettled != "" {
		out = append(out, res.Unsettled)
	}
	for _, in := range res.OSPF().InstancesOf(d, vrf) {
		if (in.Version == 3) == v6 {
			out = append(out, in.Notes...)
		}
	}
	if sp := res.Speaker(d, vrf); sp != nil && !v6 {
		out = append(out, res.NotesOf(sp)...)
	}
	return out
}

// writeSessions lists the router's BGP sessions in the VRF: state, what
// keeps one down, and what an Established one does not carry (RFC 8212
// policy requirement ...).
func writeSessions(w io.Writer, res *bgp.Result, d *model.Device, vrf string) {
	sp := res.Speaker(d, vrf)
	if sp == nil {
		return
	}
	ss := res.SessionsOf(sp)
	if len(ss) == 0 {
		return
	}
	fmt.Fprintf(w, "\nBGP sessions of %s:\n", d.Name)
	for _, x := range ss {
		fmt.Fprintf(w, "  %s: %s\n", x.Name(), x.State)
		for _, why := range append(append([]string(nil), x.Why...), x.Notes...) {
			fmt.Fprintf(w, "      %s\n", why)
		}
	}
}

// ribLine prints one route as IOS does.
func ribLine(r ospf.RIBRoute) string {
	code := fmt.Sprintf("%-8s %s", r.Code, r.Prefix)
	switch {
	case r.Code == "C" || r.Code == "L":
		return fmt.Sprintf("%s is directly connected, %s", code, r.Nexthops[0].Iface)
	case r.Blackhole:
		return fmt.Sprintf("%s [%d/%d] is directly connected, Null0", code, r.Distance, r.Metric)
	}
	var parts []string
	for _, n := range r.Nexthops {
		switch {
		case n.Gateway.IsValid() && n.Iface != "":
			parts = append(parts, fmt.Sprintf("via %s, %s", n.Gateway, n.Iface))
		case n.Gateway.IsValid():
			parts = append(parts, "via "+n.Gateway.String())
		case r.Prefix.Addr().Is6() && n.Neighbor != "":
			parts = append(parts, fmt.Sprintf("via %s's link-local address, %s", n.Neighbor, n.Iface))
		default:
			parts = append(parts, "is directly connected, "+n.Iface)
		}
		if n.Inactive != "" {
			parts[len(parts)-1] += " (inactive: " + n.Inactive + ")"
		}
	}
	return fmt.Sprintf("%s [%d/%d] %s", code, r.Distance, r.Metric, strings.Join(parts, "\n                      "))
}
