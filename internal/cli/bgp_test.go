package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// scenario07 is story 7 (../shared, beside the repository in CI).
const scenario07 = "../../../shared/scenarios/07-private-as-peering"

// TestRoutesBGP prints story 7's routers: in broken/ peer-a has no BGP
// route and its session says why (FRR 8.4's ebgp-requires-policy), in
// fixed/ the B routes of the scenario's README.
func TestRoutesBGP(t *testing.T) {
	broken := run(t, "routes", filepath.Join(scenario07, "broken"), "peer-a")
	for _, want := range []string{"B - BGP", "BGP sessions of peer-a:", "Established", "ebgp-requires-policy"} {
		if !strings.Contains(broken, want) {
			t.Errorf("broken peer-a lacks %q:\n%s", want, broken)
		}
	}
	if strings.Contains(broken, "\nB ") {
		t.Errorf("broken peer-a has BGP routes:\n%s", broken)
	}
	golden(t, "routes-07-broken-peer-a", broken)
	fixed := run(t, "routes", filepath.Join(scenario07, "fixed"), "peer-b")
	if !strings.Contains(fixed, "B        198.51.100.0/24 [20/0]") {
		t.Errorf("fixed peer-b lacks the B route to 198.51.100.0/24:\n%s", fixed)
	}
	golden(t, "routes-07-fixed-peer-b", fixed)
}

// TestBGPSessions lists story 7's two eBGP sessions: both Established,
// peer-a's carrying nothing (ebgp-requires-policy) in broken/ only.
func TestBGPSessions(t *testing.T) {
	for _, v := range []string{"broken", "fixed"} {
		var ss []sessionJSON
		if err := json.Unmarshal([]byte(run(t, "bgp", "sessions", filepath.Join(scenario07, v), "--json")), &ss); err != nil {
			t.Fatal(err)
		}
		if len(ss) != 2 {
			t.Fatalf("%s: %d sessions, want 2: %+v", v, len(ss), ss)
		}
		for _, s := range ss {
			if s.State != "Established" || !s.EBGP {
				t.Errorf("%s: %s - %s is %s", v, s.A, s.B, s.State)
			}
			blocked := strings.Contains(strings.Join(s.Notes, " "), "ebgp-requires-policy")
			if want := v == "broken" && s.A == "peer-a"; blocked != want {
				t.Errorf("%s: %s - %s: ebgp-requires-policy note %v, want %v (%v)", v, s.A, s.B, blocked, want, s.Notes)
			}
		}
	}
	golden(t, "bgp-sessions-07-broken", run(t, "bgp", "sessions", filepath.Join(scenario07, "broken")))
}

// TestBGPNoSecrets: story 7's VyOS login hash never shows in the BGP
// answers.
func TestBGPNoSecrets(t *testing.T) {
	const secret = "Zq3uYv1rT7p2Lk9w"
	var all strings.Builder
	for _, v := range []string{"broken", "fixed"} {
		dir := filepath.Join(scenario07, v)
		all.WriteString(run(t, "bgp", "sessions", dir))
		all.WriteString(run(t, "bgp", "sessions", dir, "--json"))
		for _, n := range []string{"peer-a", "peer-b", "vyos1"} {
			all.WriteString(run(t, "routes", dir, n))
			all.WriteString(run(t, "routes", dir, n, "--json"))
		}
	}
	if strings.Contains(all.String(), secret) {
		t.Errorf("the encrypted password of vyos1 appears in an answer")
	}
	if !strings.Contains(all.String(), "Established") {
		t.Fatal("the outputs were not produced")
	}
}
