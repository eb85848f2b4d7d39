package bgp

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/ospf"
	"farend/internal/snapshot"
)

const s07 = "../../../shared/scenarios/07-private-as-peering"

func load07(t *testing.T, variant string) *Result {
	t.Helper()
	dir := filepath.Join(s07, variant)
	if _, err := os.Stat(dir); err != nil {
		t.Skip("scenario 07 not present: " + dir)
	}
	s, err := snapshot.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return Compute(s.Devices, ospf.Compute(s.Devices))
}

func routeLines(r *Result, dev string) []string {
	var out []string
	for _, sp := range r.Speakers {
		if sp.Dev.Name != dev {
			continue
		}
		for _, x := range r.RIB(sp.Dev, "", false) {
			if x.Code == "B" {
				out = append(out, x.Prefix.String()+" via "+x.Nexthops[0].Gateway.String())
			}
		}
	}
	return out
}

// Scenario 07's README (real FRR 8.4.4 output): broken/ and fixed/.
func TestScenario07(t *testing.T) {
	for _, c := range []struct {
		variant string
		want    map[string]string
	}{
		{"broken", map[string]string{
			"vyos1":  "192.0.2.0/24 via 198.18.100.20",
			"peer-a": "",
			"peer-b": "203.0.113.0/24 via 198.18.100.23",
		}},
		{"fixed", map[string]string{
			"vyos1":  "192.0.2.0/24 via 198.18.100.20,198.51.100.0/24 via 198.18.100.10",
			"peer-a": "203.0.113.0/24 via 198.18.100.23",
			"peer-b": "198.51.100.0/24 via 198.18.100.10,203.0.113.0/24 via 198.18.100.23",
		}},
	} {
		r := load07(t, c.variant)
		for dev, want := range c.want {
			if got := strings.Join(routeLines(r, dev), ","); got != want {
				t.Errorf("%s %s: BGP routes %q, want %q", c.variant, dev, got, want)
			}
		}
		for _, ses := range r.Sessions {
			if ses.State != Established {
				t.Errorf("%s: session %s %s: %v", c.variant, ses.Name(), ses.State, ses.Why)
			}
		}
		// peer-b learns 198.51.100.0/24 with AS path 64623 64512 (third
		// party next hop) in fixed/.
		if c.variant == "fixed" {
			for _, sp := range r.Speakers {
				if sp.Dev.Name == "peer-b" {
					e := r.Entry(sp, netip.MustParsePrefix("198.51.100.0/24"))
					if e == nil || e.Best == nil || e.Best.ASPathString() != "64623 64512" {
						t.Errorf("fixed peer-b 198.51.100.0/24: %+v", e)
					}
				}
			}
		}
		if c.variant == "broken" {
			// The RFC 8212 verdict: peer-a neither accepts nor sends.
			var notes []string
			for _, ses := range r.Sessions {
				notes = append(notes, ses.Notes...)
			}
			all := strings.Join(notes, "\n")
			for _, w := range []string{"peer-a discards every route from 198.18.100.23", "peer-a sends nothing to 198.18.100.23"} {
				if !strings.Contains(all, w) {
					t.Errorf("broken: no note %q in:\n%s", w, all)
				}
			}
			// vyos1 offers transit: it sends 192.0.2.0/24 to peer-a.
			for _, sp := range r.Speakers {
				if sp.Dev.Name == "vyos1" {
					for _, x := range r.SessionsOf(sp) {
						if x.B.Dev.Name == "peer-a" || x.A.Dev.Name == "peer-a" {
							for _, sd := range x.sides() {
								if sd.me == sp {
									e := r.Entry(sp, netip.MustParsePrefix("192.0.2.0/24"))
									if _, ok := (&computation{igp: r.igp}).export(sd, e.Best, func(string) {}); !ok {
										t.Errorf("broken: vyos1 does not export 192.0.2.0/24 to peer-a")
									}
								}
							}
						}
					}
				}
			}
		}
	}
}
