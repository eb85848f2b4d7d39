package kerneltest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"farend/internal/packet"
	"farend/internal/trace"
)

// The firewalld >= 1.0 version of story 1: examples/firewalld-fib holds
// snapshots of the host fc40 whose ruleset the real firewalld (1.3.3)
// programmed into a network namespace (nft.json: table inet firewalld).
// The drop of story 1 is done there by firewalld's native rule
//
//	meta nfproto ipv6 fib saddr . mark . iif oif missing drop
//
// in chain filter_PREROUTING (hook prerouting, priority filter + 10).
// TestFirewalldFib loads each snapshot into a lab, injects packets and
// records what the kernel did, then asks farend the same questions.

const firewalldExample = "../../examples/firewalld-fib"

// firewalldSpec loads hosts/fc40 of one variant of examples/firewalld-fib.
// docker0 is a bridge on the captured host with one port, the container's
// veth; in the lab docker0 is itself the veth and the container sits at
// its other end, so the port is left out. The native ruleset, nft.json,
// is loaded as nft text: nft -j -f in the lab's host namespace, then
// nft list ruleset (nftText); the test checks that the kernel then holds
// exactly what firewalld programmed.
func firewalldSpec(t *testing.T, variant string) Spec {
	t.Helper()
	dir := filepath.Join(firewalldExample, variant, "hosts", "fc40")
	s, err := SpecFromHostDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ports, err := bridgePorts(filepath.Join(dir, "ip-link.json"))
	if err != nil {
		t.Fatal(err)
	}
	var links []Link
	for _, l := range s.Links {
		if !ports[l.Name] {
			links = append(links, l)
		}
	}
	s.Links = links
	var sys []Sysctl
	for _, x := range s.Sysctls {
		port := false
		for p := range ports {
			port = port || strings.Contains(x.Key, "."+p+".")
		}
		if !port {
			sys = append(sys, x)
		}
	}
	s.Sysctls = sys
	if got := len(s.Links); got != 3 {
		t.Fatalf("%s: %d links, want eth0, sit1, docker0", dir, got)
	}
	for i := range s.Links {
		l := &s.Links[i]
		switch l.Name {
		case "eth0":
			l.Peers = []netip.Addr{addr("198.51.100.1"), addr("2001:db8:100::1")}
		case "sit1":
			l.Peers = []netip.Addr{addr("2001:db8:5::1")}
		case "docker0":
			l.Peers = []netip.Addr{addr("2001:db8:d0c::2"), addr("192.0.2.2")}
		}
	}
	if s.IPTables != "" || s.IP6Tables != "" {
		t.Fatalf("%s: iptables rules in a firewalld >= 1.0 snapshot", dir)
	}
	return s
}

// bridgePorts names the interfaces of an ip -j -d link dump that have a
// master (bridge ports).
func bridgePorts(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var links []struct {
		Name   string `json:"ifname"`
		Master string `json:"master"`
	}
	if err := json.Unmarshal(b, &links); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ports := map[string]bool{}
	for _, l := range links {
		if l.Master != "" {
			ports[l.Name] = true
		}
	}
	return ports, nil
}

// nftText turns a `nft -j list ruleset` document into nft's text form by
// loading it into namespace ns (whose ruleset it replaces) and listing it.
func nftText(t *testing.T, ns, jsonPath string) string {
	t.Helper()
	ctx := context.Background()
	js, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nsOutput(ctx, ns, nil, "nft", "flush", "ruleset"); err != nil {
		t.Fatal(err)
	}
	if _, err := nsOutput(ctx, ns, js, "nft", "-j", "-f", "-"); err != nil {
		t.Fatalf("nft -j -f %s: %v", jsonPath, err)
	}
	out, err := nsOutput(ctx, ns, nil, "nft", "list", "ruleset")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// nftObjects is a `nft -j list ruleset` document less its metainfo, handles
// and the harness's trace table: what two rulesets must share to be the
// same program.
func nftObjects(t *testing.T, js []byte) []string {
	t.Helper()
	var doc struct {
		Nftables []map[string]map[string]any `json:"nftables"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range doc.Nftables {
		for k, v := range o {
			if k == "metainfo" {
				continue
			}
			if v["table"] == traceTableName || (k == "table" && v["name"] == traceTableName) {
				continue
			}
			delete(v, "handle")
			b, err := json.Marshal(map[string]any{k: v})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
	}
	return out
}

// snapshotRules maps "chain N" (N the rule's position) to the rule's handle
// and expressions in the snapshot's nft.json.
type snapshotRule struct {
	Handle uint64
	Expr   json.RawMessage
}

func snapshotRules(t *testing.T, jsonPath string) map[string]snapshotRule {
	t.Helper()
	js, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Nftables []struct {
			Rule *struct {
				Family, Table, Chain string
				Handle               uint64
				Expr                 json.RawMessage
			} `json:"rule"`
		} `json:"nftables"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	out := map[string]snapshotRule{}
	for _, o := range doc.Nftables {
		if r := o.Rule; r != nil {
			n[r.Chain]++
			out[fmt.Sprintf("%s %d", r.Chain, n[r.Chain])] = snapshotRule{r.Handle, r.Expr}
		}
	}
	return out
}

// firewalld's chains have one shape: a zone (or policy) chain jumps to its
// _pre, _log, _deny, _allow and _post chains in turn, a zone chain between
// the POLICIES_pre and POLICIES_post chains of its hook. fwSub lists those
// five jumps of chain c from rule n on.
func fwSub(c string, n int, subs ...string) []string {
	var out []string
	for i, s := range subs {
		out = append(out, fmt.Sprintf("firewalld %s %d jump %s_%s", c, n+i, c, s))
	}
	return out
}

var fwFive = []string{"pre", "log", "deny", "allow", "post"}

// fwPrerouting is the path of a packet from zone public through mangle
// and nat prerouting (both accept), up to filter_PREROUTING; zoneRule is
// the rule of the _ZONES chains that matches the input interface (2 for
// sit1, 3 for eth0).
func fwPrerouting(zoneRule int) []string {
	var out []string
	for _, t := range []string{"mangle", "nat"} {
		out = append(out,
			fmt.Sprintf("firewalld %s_PREROUTING 1 jump %s_PREROUTING_ZONES", t, t),
			fmt.Sprintf("firewalld %s_PREROUTING_ZONES %d goto %s_PRE_public", t, zoneRule, t),
			fmt.Sprintf("firewalld %s_PRE_public 1 jump %s_PREROUTING_POLICIES_pre", t, t),
			fmt.Sprintf("firewalld %s_PREROUTING_POLICIES_pre 1 jump %s_PRE_policy_allow-host-ipv6", t, t))
		out = append(out, fwSub(t+"_PRE_policy_allow-host-ipv6", 1, fwFive...)...)
		out = append(out, fwSub(t+"_PRE_public", 2, fwFive...)...)
		out = append(out,
			fmt.Sprintf("firewalld %s_PRE_public 7 jump %s_PREROUTING_POLICIES_post", t, t),
			fmt.Sprintf("firewalld %s_PREROUTING policy accept", t))
	}
	return out
}

// fwForwardToDocker is the path from filter FORWARD on of a packet from
// zone public forwarded to docker0 (zone trusted): accepted by the target
// of the operator's policy public-to-docker, then nat postrouting.
func fwForwardToDocker(zoneRule int) []string {
	out := []string{
		"firewalld filter_FORWARD 6 jump filter_FORWARD_ZONES",
		fmt.Sprintf("firewalld filter_FORWARD_ZONES %d goto filter_FWD_public", zoneRule),
		"firewalld filter_FWD_public 1 jump filter_FORWARD_POLICIES_pre",
		"firewalld filter_FORWARD_POLICIES_pre 1 jump filter_FWD_policy_public-to-docker",
	}
	out = append(out, fwSub("filter_FWD_policy_public-to-docker", 1, fwFive...)...)
	out = append(out,
		"firewalld filter_FWD_policy_public-to-docker 6 accept",
		"firewalld nat_POSTROUTING 1 jump nat_POSTROUTING_ZONES",
		"firewalld nat_POSTROUTING_ZONES 1 goto nat_POST_trusted",
		"firewalld nat_POST_trusted 1 jump nat_POSTROUTING_POLICIES_pre",
		"firewalld nat_POSTROUTING_POLICIES_pre 1 jump nat_POST_policy_public-to-docker")
	out = append(out, fwSub("nat_POST_policy_public-to-docker", 1, fwFive...)...)
	out = append(out, fwSub("nat_POST_trusted", 2, fwFive...)...)
	return append(out,
		"firewalld nat_POST_trusted 7 jump nat_POSTROUTING_POLICIES_post",
		"firewalld nat_POSTROUTING policy accept")
}

// fwInputPublic is the path from filter INPUT of a packet from sit1 (zone
// public) up to the jump to filter_IN_public_allow.
func fwInputPublic() []string {
	out := []string{
		"firewalld filter_INPUT 5 jump filter_INPUT_ZONES",
		"firewalld filter_INPUT_ZONES 2 goto filter_IN_public",
		"firewalld filter_IN_public 1 jump filter_INPUT_POLICIES_pre",
		"firewalld filter_INPUT_POLICIES_pre 1 jump filter_IN_policy_allow-host-ipv6",
	}
	out = append(out, fwSub("filter_IN_policy_allow-host-ipv6", 1, fwFive...)...)
	return append(out, fwSub("filter_IN_public", 2, fwFive[:4]...)...)
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var (
	fwPassPre   = []string{"firewalld filter_PREROUTING policy accept"}
	fwFibDrop   = []string{"firewalld filter_PREROUTING 2 drop"}
	fwPublicEnd = []string{
		"firewalld filter_IN_public 6 jump filter_IN_public_post",
		"firewalld filter_IN_public 7 jump filter_INPUT_POLICIES_post",
	}
)

// fwRule is one rule of the snapshot's firewalld table the kernel's final
// verdicts come from: its position, its handle in nft.json and its
// expressions there (nft -j, compact).
type fwRule struct {
	pos    string
	handle uint64
	expr   string
}

var fwFinalRules = map[string]fwRule{
	"fib": {"filter_PREROUTING 2", 52,
		`[{"match":{"op":"==","left":{"meta":{"key":"nfproto"}},"right":"ipv6"}},{"match":{"op":"==","left":{"fib":{"result":"oif","flags":["saddr","mark","iif"]}},"right":false}},{"drop":null}]`},
	"policy": {"filter_FWD_policy_public-to-docker 6", 271, `[{"accept":null}]`},
	"icmp":   {"filter_IN_public 8", 141, `[{"match":{"op":"==","left":{"meta":{"key":"l4proto"}},"right":{"set":["icmp","ipv6-icmp"]}}},{"accept":null}]`},
	"reject": {"filter_IN_public 9", 72, `[{"reject":{"type":"icmpx","expr":"admin-prohibited"}}]`},
	"ssh":    {"filter_IN_public_allow 1", 73, `[{"match":{"op":"==","left":{"payload":{"protocol":"tcp","field":"dport"}},"right":22}},{"accept":null}]`},
}

func TestFirewalldFib(t *testing.T) {
	pool := NewPool(t)
	variants := []string{"broken", "fixed"}
	specs := map[string]Spec{}
	for _, v := range variants {
		specs[v] = firewalldSpec(t, v)
	}
	lab := pool.Lab(t, specs["broken"].Topology)
	for _, v := range variants {
		if specs[v].Topology.Key() != specs["broken"].Topology.Key() {
			t.Fatalf("variants should share one topology")
		}
	}
	// Before the first Apply: nftText replaces the lab's ruleset.
	for _, v := range variants {
		s := specs[v]
		s.NFT = nftText(t, lab.HostNS(), filepath.Join(firewalldExample, v, "hosts", "fc40", "nft.json"))
		specs[v] = s
	}
	ctx := context.Background()

	// The rules the verdicts come from, in the snapshot: where they are,
	// their handles (the README quotes them) and what they say.
	for v := range specs {
		rules := snapshotRules(t, filepath.Join(firewalldExample, v, "hosts", "fc40", "nft.json"))
		for name, want := range fwFinalRules {
			got := rules[want.pos]
			var compact bytes.Buffer
			if err := json.Compact(&compact, got.Expr); err != nil {
				t.Fatalf("%s: %s: %v", v, want.pos, err)
			}
			if got.Handle != want.handle || compact.String() != want.expr {
				t.Errorf("%s: %s rule (%s) is handle %d %s, want handle %d %s", v, name, want.pos, got.Handle, compact.String(), want.handle, want.expr)
			}
		}
	}

	samePath := func(t *testing.T, obs Observation, want []string) {
		t.Helper()
		if got := obs.Path(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("kernel path:\n  %s\nwant:\n  %s\nevents:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "), strings.Join(obs.Events, "\n  "))
		}
	}
	// check asserts what the kernel did, that Compare takes the right
	// answer, and then asks farend: on the example snapshot (what a user
	// runs farend on) and on the lab's own snapshot (farendAgrees).
	snap := t.TempDir()
	check := func(t *testing.T, v, in string, p packet.Packet, fate Fate, out string, path []string) Observation {
		t.Helper()
		obs := pool.Run(t, specs[v], in, p)
		switch {
		case obs.Fate != fate:
			t.Fatalf("want %s, got\n%s", fate, obs)
		case fate == FateForwarded && (obs.OutInterface != out || obs.NextHop != p.Dst):
			t.Fatalf("want forwarded on %s to %s, got\n%s", out, p.Dst, obs)
		case fate == FateDropped && obs.DropReason != "" && obs.DropReason != "NETFILTER_DROP":
			t.Errorf("drop reason %s, want NETFILTER_DROP", obs.DropReason)
		}
		samePath(t, obs, path)
		want := "accept"
		disp := trace.DeliveredToSubnet
		switch fate {
		case FateDropped:
			want, disp = "drop", trace.DeniedIn
		case FateDelivered:
			disp = trace.Accepted
		}
		if obs.FinalVerdict != want {
			t.Errorf("final verdict %q, want %q", obs.FinalVerdict, want)
		}
		if d := Compare(obs, nftIDs(t, obs, farendJSON(t, p, disp, out, path))); d != "" {
			t.Errorf("Compare with the right answer:\n%s", d)
		}
		js, err := FarendTrace(filepath.Join(firewalldExample, v), "fc40", in, p)
		if err != nil {
			t.Fatal(err)
		}
		if d := Compare(obs, js); d != "" {
			t.Errorf("farend on examples/firewalld-fib/%s:\n%s", v, d)
		}
		farendAgrees(t, pool, specs[v], snap, in, obs)
		return obs
	}
	r1, r2 := "2001:db8:5::1", "2001:db8:2::1"
	container, fc40 := "2001:db8:d0c::2", "2001:db8:5::2"
	tcpSyn := func(dport uint16) packet.Packet {
		return packet.Packet{Src: addr(r1), Dst: addr(fc40), Proto: packet.ProtoTCP, SPort: 40000, DPort: dport, TCPFlags: packet.TCPSyn}
	}
	forwarded := concat(fwPrerouting(2), fwPassPre, fwForwardToDocker(2))
	fibDropped := concat(fwPrerouting(2), fwFibDrop)
	for _, v := range variants {
		t.Run(v+"/ruleset", func(t *testing.T) {
			// The kernel holds exactly what firewalld programmed.
			if err := lab.Apply(ctx, specs[v].Config); err != nil {
				t.Fatal(err)
			}
			got, err := nsOutput(ctx, lab.HostNS(), nil, "nft", "-j", "list", "ruleset")
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(firewalldExample, v, "hosts", "fc40", "nft.json"))
			if err != nil {
				t.Fatal(err)
			}
			if g, w := nftObjects(t, got), nftObjects(t, want); !reflect.DeepEqual(g, w) {
				t.Errorf("the lab's ruleset is not the snapshot's: %d objects, want %d", len(g), len(w))
			}
		})
		t.Run(v+"/1-R1-to-container", func(t *testing.T) {
			check(t, v, "sit1", icmp6Echo(r1, container), FateForwarded, "docker0", forwarded)
		})
		t.Run(v+"/2-R2-to-container", func(t *testing.T) {
			p := icmp6Echo(r2, container)
			if v == "fixed" {
				check(t, v, "sit1", p, FateForwarded, "docker0", forwarded)
				return
			}
			obs := check(t, v, "sit1", p, FateDropped, "", fibDropped)
			// Compare must catch a wrong answer.
			d := Compare(obs, farendJSON(t, p, trace.DeliveredToSubnet, "docker0", forwarded))
			if !strings.Contains(d, "! disposition") || !strings.Contains(d, fmt.Sprintf("! step %d ", len(fwPrerouting(2))+1)) {
				t.Errorf("Compare missed a wrong answer:\n%s", d)
			}
		})
		t.Run(v+"/3-R2-to-fc40", func(t *testing.T) {
			p := icmp6Echo(r2, fc40)
			if v == "fixed" {
				check(t, v, "sit1", p, FateDelivered, "", concat(fwPrerouting(2), fwPassPre, fwInputPublic(), fwPublicEnd,
					[]string{"firewalld filter_IN_public 8 accept"}))
				return
			}
			check(t, v, "sit1", p, FateDropped, "", fibDropped)
		})
		t.Run(v+"/4-tcp-80-to-fc40-rejected", func(t *testing.T) {
			obs := check(t, v, "sit1", tcpSyn(80), FateDropped, "", concat(fwPrerouting(2), fwPassPre, fwInputPublic(), fwPublicEnd,
				[]string{"firewalld filter_IN_public 9 drop"}))
			if len(obs.ICMPErrors) != 1 || !strings.HasPrefix(obs.ICMPErrors[0], "sit1: type 1 code 1 ") {
				t.Errorf("want one ICMPv6 administratively-prohibited back on sit1, got %q", obs.ICMPErrors)
			}
		})
		t.Run(v+"/5-tcp-22-to-fc40", func(t *testing.T) {
			check(t, v, "sit1", tcpSyn(22), FateDelivered, "", concat(fwPrerouting(2), fwPassPre, fwInputPublic(),
				[]string{"firewalld filter_IN_public_allow 1 accept"}))
		})
		t.Run(v+"/6-ipv4-to-container", func(t *testing.T) {
			// nfproto ipv4: the fib rule does not apply.
			p := packet.Packet{Src: addr("198.51.100.1"), Dst: addr("192.0.2.2"), Proto: packet.ProtoICMP, ICMPType: 8}
			check(t, v, "eth0", p, FateForwarded, "docker0", concat(fwPrerouting(3), fwPassPre, fwForwardToDocker(3)))
		})
	}
}
