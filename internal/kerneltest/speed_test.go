package kerneltest

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"farend/internal/packet"
)

// TestSpeed runs many cases on one reused lab, as the differential suite
// will, and reports the time per case (apply + inject + observe). CI must
// run >= 1,000 cases in well under 15 minutes on 2 cores. Set
// FARKERNEL_SPEED_CASES to change the number of cases (default 120).
func TestSpeed(t *testing.T) {
	pool := NewPool(t)
	n := 120
	if v, err := strconv.Atoi(os.Getenv("FARKERNEL_SPEED_CASES")); err == nil && v > 0 {
		n = v
	}
	rulesets := []string{"", `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -p tcp --dport 22 -j DROP
-A FORWARD -p tcp -j ACCEPT
COMMIT
`, `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -m rpfilter --invert -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -o eth1 -j MASQUERADE
COMMIT
`}
	sysctls := [][]Sysctl{forwarding, append(append([]Sysctl(nil), forwarding...), Sysctl{"net.ipv4.conf.all.rp_filter", "1"})}
	pkts := []packet.Packet{
		tcpSYN("192.0.2.10", "203.0.113.5", 40000, 80),
		tcpSYN("192.0.2.10", "203.0.113.5", 40000, 22),
		{Src: addr("192.0.2.2"), Dst: addr("192.0.2.1"), Proto: packet.ProtoICMP, ICMPType: 8},
		{Src: addr("192.0.2.10"), Dst: addr("198.18.0.1"), Proto: packet.ProtoUDP, SPort: 1, DPort: 2},
		tcpSYN("2001:db8:1::10", "2001:db8:3::5", 40000, 443),
	}
	routes := []Route{
		{Dst: pfx("203.0.113.0/24"), Via: addr("198.51.100.2"), Dev: "eth1"},
		{Dst: pfx("2001:db8:3::/48"), Via: addr("2001:db8:2::2"), Dev: "eth1"},
	}
	lab := pool.Lab(t, twoLinks)
	ctx := context.Background()
	var apply, inject []time.Duration
	timedOut := 0
	start := time.Now()
	for i := 0; i < n; i++ {
		// A new ruleset every 3rd case, new sysctls every 2nd: a mix of
		// what a suite of many small cases does.
		cfg := Config{Sysctls: sysctls[(i/2)%2], Routes: routes, IPTables: rulesets[(i/3)%3]}
		t0 := time.Now()
		if err := lab.Apply(ctx, cfg); err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		obs, err := lab.Inject(ctx, "eth0", pkts[i%len(pkts)])
		if err != nil {
			t.Fatal(err)
		}
		t2 := time.Now()
		apply = append(apply, t1.Sub(t0))
		inject = append(inject, t2.Sub(t1))
		if obs.TimedOut {
			timedOut++
		}
		if obs.Fate == FateUnknown {
			t.Fatalf("case %d: unknown fate", i)
		}
	}
	total := time.Since(start)
	per := total / time.Duration(n)
	t.Logf("%d cases in %v: %v per case; apply %s; inject+observe %s; %d timed out (no end seen within %v)",
		n, total.Round(time.Millisecond), per.Round(100*time.Microsecond), stats(apply), stats(inject), timedOut, injectDeadline)
	// The time is reported, never asserted: speed targets live in the
	// issue notes, not in pass/fail.
}

func stats(d []time.Duration) string {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	q := func(f float64) time.Duration { return s[int(f*float64(len(s)-1))].Round(100 * time.Microsecond) }
	return fmt.Sprintf("mean %v p50 %v p90 %v max %v", (sum / time.Duration(len(s))).Round(100*time.Microsecond), q(0.5), q(0.9), q(1))
}
