package bgptest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"farend/internal/bgp"
	"farend/internal/frrlab"
	"farend/internal/ospf"
	"farend/internal/snapshot"
)

// State is what one side shows: per router, sorted lines for its
// sessions, best paths and installed BGP routes.
type State struct {
	Lines map[string][]string
	// Ties lists the prefixes whose best path farend cannot know (arrival
	// order); they are left out of the comparison.
	Ties map[string]bool
}

// Diff lists the lines that differ, both sides.
func Diff(want, got State) []string { return frrlab.Diff(want.Lines, got.Lines) }

func nhString(nhs []ospf.RIBNexthop) string {
	var s []string
	for _, n := range nhs {
		s = append(s, n.Gateway.String()+"@"+n.Iface)
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

// Predict loads the snapshot and returns farend's prediction.
func Predict(dir string) (State, *bgp.Result, error) {
	s, err := snapshot.Load(dir)
	if err != nil {
		return State{}, nil, err
	}
	res := bgp.Solve(s.Devices)
	st := State{Lines: map[string][]string{}, Ties: map[string]bool{}}
	add := func(n, x string) { st.Lines[n] = append(st.Lines[n], x) }
	for _, ses := range res.Sessions {
		if ses.B == nil {
			continue
		}
		state := "down"
		if ses.State == bgp.Established {
			state = "up"
		}
		add(ses.A.Dev.Name, fmt.Sprintf("session %s %s", ses.BAddr, state))
		add(ses.B.Dev.Name, fmt.Sprintf("session %s %s", ses.AAddr, state))
	}
	for _, in := range res.OSPF().Instances {
		if res.Speaker(in.Dev, "") != nil {
			continue
		}
		// An OSPF-only router: its OSPF routes.
		for _, r := range res.RIB(in.Dev, "", false) {
			if strings.HasPrefix(r.Code, "O") {
				add(in.Dev.Name, fmt.Sprintf("rib %s %d/%d via %s", r.Prefix, r.Distance, r.Metric, nhString(r.Nexthops)))
			}
		}
	}
	for _, sp := range res.Speakers {
		name := sp.Dev.Name
		for p, e := range res.Tables[sp] {
			if e.Best == nil {
				continue
			}
			if e.Tie {
				st.Ties[name+" "+p.String()] = true
				continue
			}
			nh := "0.0.0.0"
			if e.Best.NextHop.IsValid() {
				nh = e.Best.NextHop.String()
			}
			add(name, fmt.Sprintf("best %s nh %s path [%s] lp %d med %d", p, nh, e.Best.ASPathString(), e.Best.LocalPref, e.Best.MED))
		}
		for _, r := range res.RIB(sp.Dev, "", false) {
			if (r.Code != "B" && !strings.HasPrefix(r.Code, "O")) || st.Ties[name+" "+r.Prefix.String()] {
				continue
			}
			add(name, fmt.Sprintf("rib %s %d/%d via %s", r.Prefix, r.Distance, r.Metric, nhString(r.Nexthops)))
		}
	}
	for n := range st.Lines {
		sort.Strings(st.Lines[n])
	}
	return st, res, nil
}

// Observe reads every router's sessions, best paths and selected BGP
// routes from FRR.
func (l *Lab) Observe(ctx context.Context, want State) (State, error) {
	st := State{Lines: map[string][]string{}}
	for _, r := range l.T.Routers {
		var lines []string
		if r.OSPFOnly {
			lines, err := l.ribLines(ctx, r, want)
			if err != nil {
				return st, err
			}
			st.Lines[r.Name] = lines
			continue
		}
		b, err := l.Vtysh(ctx, r, "show bgp ipv4 unicast summary json")
		if err != nil {
			return st, err
		}
		var sum struct {
			Peers map[string]struct {
				State string `json:"state"`
			} `json:"peers"`
		}
		if err := json.Unmarshal(b, &sum); err != nil {
			return st, fmt.Errorf("bgptest: %s summary: %w: %s", r.Name, err, b)
		}
		for a, p := range sum.Peers {
			s := "down"
			if p.State == "Established" {
				s = "up"
			}
			lines = append(lines, fmt.Sprintf("session %s %s", a, s))
		}
		b, err = l.Vtysh(ctx, r, "show ip bgp json")
		if err != nil {
			return st, err
		}
		var tbl struct {
			Routes map[string][]struct {
				Valid    bool   `json:"valid"`
				Best     bool   `json:"bestpath"`
				Path     string `json:"path"`
				LocPrf   *int   `json:"locPrf"`
				Metric   int    `json:"metric"`
				Nexthops []struct {
					IP string `json:"ip"`
				} `json:"nexthops"`
			} `json:"routes"`
		}
		if err := json.Unmarshal(b, &tbl); err != nil {
			return st, fmt.Errorf("bgptest: %s show ip bgp json: %w", r.Name, err)
		}
		for p, ps := range tbl.Routes {
			if want.Ties[r.Name+" "+p] {
				continue
			}
			for _, x := range ps {
				if !x.Best {
					continue
				}
				nh := ""
				if len(x.Nexthops) > 0 {
					nh = x.Nexthops[0].IP
				}
				lp := 100
				if x.LocPrf != nil {
					lp = *x.LocPrf
				}
				lines = append(lines, fmt.Sprintf("best %s nh %s path [%s] lp %d med %d", p, nh, x.Path, lp, x.Metric))
			}
		}
		rl, err := l.ribLines(ctx, r, want)
		if err != nil {
			return st, err
		}
		lines = append(lines, rl...)
		sort.Strings(lines)
		st.Lines[r.Name] = lines
	}
	return st, nil
}

// ribLines are a router's selected BGP and OSPF routes from FRR.
func (l *Lab) ribLines(ctx context.Context, r *Router, want State) ([]string, error) {
	var lines []string
	b, err := l.Vtysh(ctx, r, "show ip route json")
	if err != nil {
		return nil, err
	}
	var rib map[string][]struct {
		Protocol string `json:"protocol"`
		Selected bool   `json:"selected"`
		Distance int    `json:"distance"`
		Metric   int    `json:"metric"`
		Nexthops []struct {
			IP        string `json:"ip"`
			Interface string `json:"interfaceName"`
			Active    bool   `json:"active"`
			Recursive bool   `json:"recursive"`
			Direct    bool   `json:"directlyConnected"`
		} `json:"nexthops"`
	}
	if err := json.Unmarshal(b, &rib); err != nil {
		return nil, fmt.Errorf("bgptest: %s show ip route json: %w", r.Name, err)
	}
	for p, rs := range rib {
		if want.Ties[r.Name+" "+p] {
			continue
		}
		for _, x := range rs {
			if (x.Protocol != "bgp" && x.Protocol != "ospf") || !x.Selected {
				continue
			}
			var nhs []string
			for _, n := range x.Nexthops {
				if n.Recursive || !n.Active {
					continue
				}
				g := n.IP
				if n.Direct || g == "" {
					g = "direct"
				}
				nhs = append(nhs, g+"@"+n.Interface)
			}
			sort.Strings(nhs)
			lines = append(lines, fmt.Sprintf("rib %s %d/%d via %s", p, x.Distance, x.Metric, strings.Join(nhs, ",")))
		}
	}
	return lines, nil
}
