package kerneltest

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/packet"
	"farend/internal/trace"
)

// scenarioDir finds shared/scenarios/<name> beside the repository (as in
// CI: a clone of main with shared/ next to it); story 1 is also bundled as
// examples/fourth-table (kept equal to the shared copy by a cli test).
func scenarioDir(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "scenarios", name)
	if _, err := os.Stat(dir); err != nil && name == "01-fourth-table" {
		dir = filepath.Join("..", "..", "examples", "fourth-table")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but scenario %s is missing: %v", name, err)
		}
		t.Skipf("scenario %s not found beside the repository: %v", name, err)
	}
	return dir
}

// story1Spec loads hosts/fc20 of one variant of scenario 01-fourth-table.
// docker0's 172.17.0.1/16 becomes 198.18.0.1/16 (only documentation
// addresses in the lab; no packet here is IPv4) and the IPv4 ruleset,
// which names 172.17.0.0/16, is not loaded. The peers are the same in all
// variants so that they share one lab: R1 on sit1, the gateway on eth0,
// the container on docker0.
func story1Spec(t *testing.T, variant string) Spec {
	t.Helper()
	dir := filepath.Join(scenarioDir(t, "01-fourth-table"), variant, "hosts", "fc20")
	s, err := SpecFromHostDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.Links); got != 3 {
		t.Fatalf("%s: %d links, want eth0, sit1, docker0", dir, got)
	}
	for i := range s.Links {
		l := &s.Links[i]
		for j, a := range l.Addrs {
			if a == pfx("172.17.0.1/16") {
				l.Addrs[j] = pfx("198.18.0.1/16")
			}
		}
		switch l.Name {
		case "eth0":
			l.Peers = []netip.Addr{addr("2001:db8:100::1"), addr("198.51.100.1")}
		case "sit1":
			l.Peers = []netip.Addr{addr("2001:db8:5::1")}
		case "docker0":
			l.Peers = []netip.Addr{addr("2001:db8:d0c::2")}
		}
	}
	s.IPTables = ""
	return s
}

func icmp6Echo(src, dst string) packet.Packet {
	return packet.Packet{Src: addr(src), Dst: addr(dst), Proto: packet.ProtoICMPv6, ICMPType: 128}
}

// The path of a packet forwarded sit1 -> docker0 through fc20's firewalld
// ruleset, in kernel order, ending with FORWARD's `-p ipv6-icmp -j ACCEPT`.
// (The scenario README calls that rule 7 of FORWARD; it is rule 9: LOG,
// conntrack, -i lo, FORWARD_direct, IN_ZONES_SOURCE, IN_ZONES,
// OUT_ZONES_SOURCE, OUT_ZONES come first.)
var story1Forwarded = []string{
	"raw PREROUTING 3 jump PREROUTING_direct",
	"raw PREROUTING policy accept",
	"mangle PREROUTING 1 continue", // LOG "mangle-pre: "
	"mangle PREROUTING 2 jump PREROUTING_direct",
	"mangle PREROUTING 3 jump PREROUTING_ZONES_SOURCE",
	"mangle PREROUTING 4 jump PREROUTING_ZONES",
	"mangle PREROUTING_ZONES 2 goto PRE_public",
	"mangle PRE_public 1 jump PRE_public_log",
	"mangle PRE_public 2 jump PRE_public_deny",
	"mangle PRE_public 3 jump PRE_public_allow",
	"mangle PREROUTING policy accept",
	"nat PREROUTING 1 continue", // LOG "nat-pre: "
	"nat PREROUTING 2 jump PREROUTING_direct",
	"nat PREROUTING 3 jump PREROUTING_ZONES_SOURCE",
	"nat PREROUTING 4 jump PREROUTING_ZONES",
	"nat PREROUTING_ZONES 2 goto PRE_public",
	"nat PRE_public 1 jump PRE_public_log",
	"nat PRE_public 2 jump PRE_public_deny",
	"nat PRE_public 3 jump PRE_public_allow",
	"nat PREROUTING policy accept",
	"mangle FORWARD 1 jump FORWARD_direct",
	"mangle FORWARD policy accept",
	"filter FORWARD 1 continue", // LOG "filter-fwd: "
	"filter FORWARD 4 jump FORWARD_direct",
	"filter FORWARD 5 jump FORWARD_IN_ZONES_SOURCE",
	"filter FORWARD 6 jump FORWARD_IN_ZONES",
	"filter FORWARD_IN_ZONES 2 goto FWDI_public",
	"filter FWDI_public 1 jump FWDI_public_log",
	"filter FWDI_public 2 jump FWDI_public_deny",
	"filter FWDI_public 3 jump FWDI_public_allow",
	"filter FORWARD 7 jump FORWARD_OUT_ZONES_SOURCE",
	"filter FORWARD 8 jump FORWARD_OUT_ZONES",
	"filter FORWARD_OUT_ZONES 2 goto FWDO_public",
	"filter FWDO_public 1 jump FWDO_public_log",
	"filter FWDO_public 2 jump FWDO_public_deny",
	"filter FWDO_public 3 jump FWDO_public_allow",
	"filter FORWARD 9 accept", // -p ipv6-icmp -j ACCEPT
	"mangle POSTROUTING 1 jump POSTROUTING_direct",
	"mangle POSTROUTING policy accept",
	"nat POSTROUTING 1 jump POSTROUTING_direct",
	"nat POSTROUTING 2 jump POSTROUTING_ZONES_SOURCE",
	"nat POSTROUTING 3 jump POSTROUTING_ZONES",
	"nat POSTROUTING_ZONES 2 goto POST_public",
	"nat POST_public 1 jump POST_public_log",
	"nat POST_public 2 jump POST_public_deny",
	"nat POST_public 3 jump POST_public_allow",
	"nat POSTROUTING policy accept",
}

// farendJSON renders what a correct farend would answer for a kernel path,
// to check Compare against real observations.
func farendJSON(t *testing.T, p packet.Packet, disp trace.Disposition, out string, path []string) []byte {
	t.Helper()
	tr := trace.Trace{
		Packet:       trace.Packet{Family: "ipv6", Src: p.Src.String(), Dst: p.Dst.String(), Proto: "ipv6-icmp", SPort: int(p.SPort), DPort: int(p.DPort)},
		Disposition:  disp,
		OutInterface: out,
		Hops:         []trace.Hop{{Node: "fc20", OutInterface: out}},
	}
	if p.Is6() && p.Proto == packet.ProtoTCP {
		tr.Packet.Proto = "tcp"
	}
	for _, s := range path {
		f := strings.Fields(s)
		st := trace.Step{Kind: trace.KindNetfilter, Table: f[0], Chain: f[1], Verdict: strings.ToUpper(strings.Join(f[3:], " "))}
		if f[2] == "policy" {
			st.Policy = true
		} else {
			for _, c := range f[2] {
				st.Rule = st.Rule*10 + int(c-'0')
			}
		}
		tr.Hops[0].Steps = append(tr.Hops[0].Steps, st, trace.Step{Kind: trace.KindRouting, Detail: []string{"ignored by Compare"}})
	}
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nftIDs gives the steps of a right answer (farendJSON) the family and
// handle farend prints for rules of native nft tables, taken from the
// kernel's steps, which the answer lists in the same order (samePath
// checks that): Compare matches a native step by its family too.
func nftIDs(t *testing.T, obs Observation, js []byte) []byte {
	t.Helper()
	var tr trace.Trace
	if err := json.Unmarshal(js, &tr); err != nil {
		t.Fatal(err)
	}
	i := 0
	for j, s := range tr.Hops[0].Steps {
		if s.Kind != trace.KindNetfilter || (s.Rule == 0 && !s.Policy) || i >= len(obs.Steps) {
			continue
		}
		k := obs.Steps[i]
		i++
		tr.Hops[0].Steps[j].Family = k.Family
		if !s.Policy {
			tr.Hops[0].Steps[j].Handle = k.Handle
		}
	}
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStory1FourthTable(t *testing.T) {
	pool := NewPool(t)
	specs := map[string]Spec{}
	for _, v := range []string{"broken", "fixed-main", "fixed-policy"} {
		specs[v] = story1Spec(t, v)
	}
	if specs["broken"].Topology.Key() != specs["fixed-policy"].Topology.Key() {
		t.Fatalf("variants should share one topology")
	}
	samePath := func(t *testing.T, obs Observation, want []string) {
		t.Helper()
		if got := obs.Path(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("kernel path:\n  %s\nwant:\n  %s\nevents:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "), strings.Join(obs.Events, "\n  "))
		}
	}
	forwardedToDocker := func(t *testing.T, obs Observation) {
		t.Helper()
		if obs.Fate != FateForwarded || obs.OutInterface != "docker0" || obs.NextHop != addr("2001:db8:d0c::2") {
			t.Fatalf("want forwarded on docker0 to the container, got\n%s", obs)
		}
		samePath(t, obs, story1Forwarded)
		if obs.FinalVerdict != "accept" {
			t.Errorf("final verdict %q", obs.FinalVerdict)
		}
		if d := Compare(obs, farendJSON(t, obs.Packet, trace.DeliveredToSubnet, "docker0", story1Forwarded)); d != "" {
			t.Errorf("Compare with the right answer:\n%s", d)
		}
	}
	droppedByRPFilter := func(t *testing.T, obs Observation) {
		t.Helper()
		want := []string{"raw PREROUTING 2 drop"}
		if obs.Fate != FateDropped {
			t.Fatalf("want dropped, got\n%s", obs)
		}
		samePath(t, obs, want)
		for _, c := range obs.Counters {
			if strings.Contains(c.Text, "LOG") {
				t.Errorf("a LOG rule fired: %v", c)
			}
		}
		if obs.DropReason != "" && obs.DropReason != "NETFILTER_DROP" {
			t.Errorf("drop reason %s, want NETFILTER_DROP", obs.DropReason)
		}
		if d := Compare(obs, farendJSON(t, obs.Packet, trace.DeniedIn, "", want)); d != "" {
			t.Errorf("Compare with the right answer:\n%s", d)
		}
		// And Compare must catch a wrong answer.
		wrong := farendJSON(t, obs.Packet, trace.DeliveredToSubnet, "docker0", story1Forwarded)
		d := Compare(obs, wrong)
		if !strings.Contains(d, "! disposition") || !strings.Contains(d, "! step 1") {
			t.Errorf("Compare missed a wrong answer:\n%s", d)
		}
		t.Logf("Compare against a wrong answer prints:\n%s", d)
	}

	// Each verdict is also asked of farend itself, on the snapshot
	// `farend collect` writes of the lab host.
	snap := t.TempDir()
	run := func(t *testing.T, spec Spec, in string, p packet.Packet) Observation {
		t.Helper()
		obs := pool.Run(t, spec, in, p)
		farendAgrees(t, pool, spec, snap, in, obs)
		return obs
	}
	for _, v := range []string{"broken", "fixed-main", "fixed-policy"} {
		spec := specs[v]
		t.Run(v+"/1-R1-to-container", func(t *testing.T) {
			forwardedToDocker(t, run(t, spec, "sit1", icmp6Echo("2001:db8:5::1", "2001:db8:d0c::2")))
		})
		t.Run(v+"/2-R2-to-container", func(t *testing.T) {
			obs := run(t, spec, "sit1", icmp6Echo("2001:db8:2::1", "2001:db8:d0c::2"))
			if v == "broken" {
				droppedByRPFilter(t, obs)
			} else {
				forwardedToDocker(t, obs)
			}
		})
		if v == "broken" {
			t.Run(v+"/3-R2-to-fc20", func(t *testing.T) {
				droppedByRPFilter(t, run(t, spec, "sit1", icmp6Echo("2001:db8:2::1", "2001:db8:5::2")))
			})
		}
		t.Run(v+"/4-tcp-rejected", func(t *testing.T) {
			p := packet.Packet{Src: addr("2001:db8:5::1"), Dst: addr("2001:db8:d0c::2"), Proto: packet.ProtoTCP,
				SPort: 40000, DPort: 80, TCPFlags: packet.TCPSyn}
			obs := run(t, spec, "sit1", p)
			want := append(append([]string(nil), story1Forwarded[:36]...), "filter FORWARD 10 drop")
			if obs.Fate != FateDropped || obs.FinalVerdict != "drop" {
				t.Fatalf("want rejected, got\n%s", obs)
			}
			samePath(t, obs, want)
			if len(obs.ICMPErrors) != 1 || !strings.HasPrefix(obs.ICMPErrors[0], "sit1: type 1 code 1 ") {
				t.Errorf("want one ICMPv6 administratively-prohibited back on sit1, got %q", obs.ICMPErrors)
			}
			if d := Compare(obs, farendJSON(t, p, trace.DeniedIn, "", want)); d != "" {
				t.Errorf("Compare with the right answer:\n%s", d)
			}
		})
	}
}

// farendAgrees writes the snapshot of the lab host that spec is applied
// on (with `farend collect`'s code) into snap, asks `farend trace --json`
// about the packet obs saw, and fails t when farend and the kernel differ.
func farendAgrees(t *testing.T, pool *Pool, spec Spec, snap, in string, obs Observation) {
	t.Helper()
	lab := pool.Lab(t, spec.Topology)
	if err := lab.Collect(context.Background(), snap); err != nil {
		t.Fatalf("collect: %v", err)
	}
	js, err := FarendTrace(snap, spec.Host, in, obs.Packet)
	if err != nil {
		t.Fatal(err)
	}
	if d := Compare(obs, js); d != "" {
		t.Errorf("farend on the lab's snapshot:\n%s", d)
	}
}
