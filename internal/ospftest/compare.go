package ospftest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"farend/internal/frrlab"
	"farend/internal/ospf"
	"farend/internal/snapshot"
)

// State is what one side of the network shows: per router, its
// adjacency states and OSPF routes as sorted lines.
type State struct {
	Lines map[string][]string
}

// Text prints the lines router by router: "router: line".
func (s State) Text() string {
	var names []string
	for n := range s.Lines {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		for _, x := range s.Lines[n] {
			b.WriteString(n + ": " + x + "\n")
		}
	}
	return b.String()
}

// Diff lists the lines that differ, both sides.
func Diff(want, got State) []string { return frrlab.Diff(want.Lines, got.Lines) }

// Predict loads the snapshot and returns farend's prediction.
func Predict(dir string) (State, error) {
	s, err := snapshot.Load(dir)
	if err != nil {
		return State{}, err
	}
	res := ospf.Compute(s.Devices)
	st := State{Lines: map[string][]string{}}
	add := func(n, x string) { st.Lines[n] = append(st.Lines[n], x) }
	for _, a := range res.Adjacencies {
		for _, e := range []ospf.End{a.A, a.B} {
			if e.Iface == "" {
				// The far end of a one-sided virtual link: it has no
				// interface for it, and FRR lists no neighbour there.
				continue
			}
			peer := a.B
			if e.Node == a.B.Node && e.Iface == a.B.Iface {
				peer = a.A
			}
			add(e.Node, fmt.Sprintf("v%d nbr %s on %s: %s", a.Version, peer.RouterID, e.Iface, e.State))
		}
	}
	for _, in := range res.Instances {
		for _, rt := range in.Routes() {
			var nhs []string
			for _, n := range rt.Nexthops {
				g := "direct"
				if n.Gateway.IsValid() {
					g = n.Gateway.String()
				}
				nhs = append(nhs, g+"@"+n.Iface)
			}
			sort.Strings(nhs)
			add(in.Dev.Name, fmt.Sprintf("v%d route %s metric %d via %s", in.Version, rt.Prefix, rt.Metric(), strings.Join(nhs, ",")))
		}
	}
	for n := range st.Lines {
		sort.Strings(st.Lines[n])
	}
	return st, nil
}

// Observe reads every router's neighbours and OSPF routes from FRR. A
// neighbour FRR does not list is Down, as farend prints it.
func (l *Lab) Observe(ctx context.Context, want State) (State, error) {
	st := State{Lines: map[string][]string{}}
	for _, r := range l.T.Routers {
		var lines []string
		nb, err := l.neighbors(ctx, r)
		if err != nil {
			return st, err
		}
		// Every neighbour farend expects is reported, Down when absent;
		// FRR's other neighbours are reported as they are.
		expected := map[string]bool{}
		for _, x := range want.Lines[r.Name] {
			if strings.Contains(x, " nbr ") {
				key := x[:strings.LastIndex(x, ": ")]
				expected[key] = true
				if s, ok := nb[key]; ok {
					lines = append(lines, key+": "+s)
				} else {
					lines = append(lines, key+": "+ospf.StateDown)
				}
			}
		}
		for k, s := range nb {
			if !expected[k] {
				lines = append(lines, k+": "+s)
			}
		}
		for _, v := range []int{2, 3} {
			rs, err := l.routes(ctx, r, v)
			if err != nil {
				return st, err
			}
			lines = append(lines, rs...)
		}
		sort.Strings(lines)
		st.Lines[r.Name] = lines
	}
	return st, nil
}

// normState maps FRR's neighbour state names to farend's.
func normState(s string) string {
	s = strings.SplitN(s, "/", 2)[0]
	switch strings.ToLower(s) {
	case "full":
		return ospf.StateFull
	case "2-way", "twoway":
		return ospf.StateTwoWay
	case "exstart":
		return ospf.StateExStart
	case "exchange":
		return ospf.StateExchange
	case "init":
		return ospf.StateInit
	case "down":
		return ospf.StateDown
	}
	return s
}

func (l *Lab) neighbors(ctx context.Context, r *Router) (map[string]string, error) {
	out := map[string]string{}
	b, err := l.Vtysh(ctx, r, "show ip ospf neighbor json")
	if err != nil {
		return nil, err
	}
	var v2 struct {
		Neighbors map[string][]struct {
			NbrState  string `json:"nbrState"`
			IfaceName string `json:"ifaceName"`
		} `json:"neighbors"`
	}
	if err := json.Unmarshal(b, &v2); err != nil {
		return nil, fmt.Errorf("ospftest: %s show ip ospf neighbor json: %w", r.Name, err)
	}
	// ifaceName is "e1:198.18.1.2" for an interface and "VLINK0" (the
	// router's first virtual link) for a virtual-link neighbour, whose
	// line is then "v2 nbr <rid> on VLINK0".
	for rid, ns := range v2.Neighbors {
		for _, n := range ns {
			ifn := strings.SplitN(n.IfaceName, ":", 2)[0]
			out[fmt.Sprintf("v2 nbr %s on %s", rid, ifn)] = normState(n.NbrState)
		}
	}
	b, err = l.Vtysh(ctx, r, "show ipv6 ospf6 neighbor json")
	if err != nil {
		return nil, err
	}
	var v3 struct {
		Neighbors []struct {
			NeighborID    string `json:"neighborId"`
			State         string `json:"state"`
			InterfaceName string `json:"interfaceName"`
		} `json:"neighbors"`
	}
	if err := json.Unmarshal(b, &v3); err != nil {
		return nil, fmt.Errorf("ospftest: %s show ipv6 ospf6 neighbor json: %w", r.Name, err)
	}
	for _, n := range v3.Neighbors {
		out[fmt.Sprintf("v3 nbr %s on %s", n.NeighborID, n.InterfaceName)] = normState(n.State)
	}
	return out, nil
}

// routes reads zebra's OSPF routes: every route ospfd or ospf6d gave
// zebra, selected or not (a connected prefix is also an OSPF route).
func (l *Lab) routes(ctx context.Context, r *Router, v int) ([]string, error) {
	cmd, proto := "show ip route json", "ospf"
	if v == 3 {
		cmd, proto = "show ipv6 route json", "ospf6"
	}
	b, err := l.Vtysh(ctx, r, cmd)
	if err != nil {
		return nil, err
	}
	var m map[string][]struct {
		Protocol string `json:"protocol"`
		Metric   int    `json:"metric"`
		Nexthops []struct {
			IP        string `json:"ip"`
			Interface string `json:"interfaceName"`
			Direct    bool   `json:"directlyConnected"`
		} `json:"nexthops"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("ospftest: %s %s: %w", r.Name, cmd, err)
	}
	var out []string
	for p, rs := range m {
		for _, x := range rs {
			if x.Protocol != proto {
				continue
			}
			var nhs []string
			for _, n := range x.Nexthops {
				g := n.IP
				if g == "" || n.Direct {
					g = "direct"
				}
				nhs = append(nhs, g+"@"+n.Interface)
			}
			sort.Strings(nhs)
			out = append(out, fmt.Sprintf("v%d route %s metric %d via %s", v, p, x.Metric, strings.Join(nhs, ",")))
		}
	}
	return out, nil
}
