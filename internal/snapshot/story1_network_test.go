package snapshot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"farend/internal/model"
)

// story1Network is story 1 as a whole network, captured from network
// namespaces by its capture.sh (README.md there has the kernel's verdicts).
const story1Network = "../../examples/story1-network"

var story1Nodes = []string{"ctr", "fc20", "lan", "r1", "r2"}

// documentation are the prefixes the example may use (RFC 3849, 5737,
// 2544), besides link-local and loopback addresses.
var documentation = []netip.Prefix{
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
}

func documentationAddr(a netip.Addr) bool {
	if a.IsLoopback() || a.IsLinkLocalUnicast() {
		return true
	}
	for _, p := range documentation {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Every node of both snapshots loads with every line understood: what
// `farend collect` wrote in the namespaces, fc20's nft.json included
// (iptables-nft's tables there are the ones ip6tables-save lists).
func TestStory1NetworkLoads(t *testing.T) {
	for _, v := range []string{"broken", "fixed"} {
		s, err := Load(filepath.Join(story1Network, v))
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Names(); !reflect.DeepEqual(got, story1Nodes) {
			t.Fatalf("%s: devices %v, want %v", v, got, story1Nodes)
		}
		for _, d := range s.Devices {
			for _, n := range d.Notes {
				t.Errorf("%s: %s: %s", v, d.Name, n)
			}
			for _, in := range d.Inputs {
				// Only fc20 has iptables rules; elsewhere iptables-save
				// printed nothing and collect left the files out.
				want := d.Name == "fc20" || !strings.HasSuffix(in.File, "tables-save")
				if in.Present != want || in.Err != "" {
					t.Errorf("%s: %s: %s present %v (error %q), want %v", v, d.Name, in.File, in.Present, in.Err, want)
				}
			}
			for _, i := range d.Interfaces {
				for _, a := range i.Addrs {
					if !documentationAddr(a.Prefix.Addr()) {
						t.Errorf("%s: %s:%s has %s, outside the documentation prefixes", v, d.Name, i.Name, a.Prefix)
					}
				}
			}
		}
		checkStory1Facts(t, v, s)
	}
}

// checkStory1Facts checks what the README's verdicts rest on.
func checkStory1Facts(t *testing.T, v string, s *Snapshot) {
	t.Helper()
	fc20, r1 := s.Device("fc20"), s.Device("r1")
	for _, c := range []struct {
		d    *model.Device
		addr string
	}{{fc20, "2001:db8:5::2/64"}, {r1, "2001:db8:5::1/64"}} {
		i := c.d.Interface("sit1")
		if i == nil || i.Kind != "veth" || !hasAddr(i, c.addr) {
			t.Errorf("%s: %s:sit1 %+v: want the veth stand-in with %s", v, c.d.Name, i, c.addr)
		}
	}
	r2 := netip.MustParsePrefix("2001:db8:2::/64")
	var back *model.Route
	for i, r := range fc20.Routes {
		if r.Dst == r2 {
			back = &fc20.Routes[i]
		}
	}
	switch {
	case v == "broken" && back != nil:
		t.Errorf("broken: fc20 has a route to %s: %+v", r2, back)
	case v == "fixed" && (back == nil || len(back.Nexthops) != 1 || back.Nexthops[0].Gateway.String() != "2001:db8:5::1" || back.Nexthops[0].Dev != "sit1"):
		t.Errorf("fixed: fc20's route to %s is %+v, want via 2001:db8:5::1 dev sit1", r2, back)
	}
	if fc20.Filter6 == nil || fc20.Filter6.Backend != "nf_tables" {
		t.Fatalf("%s: fc20's ip6tables ruleset %+v, want the nf_tables backend's", v, fc20.Filter6)
	}
	if raw := fc20.Filter6.Table("raw"); raw == nil || raw.Chains["PREROUTING"] == nil || len(raw.Chains["PREROUTING"].Rules) < 2 ||
		raw.Chains["PREROUTING"].Rules[1].Text != "-A PREROUTING -m rpfilter --invert -j DROP" {
		t.Errorf("%s: fc20's raw PREROUTING rule 2 is not firewalld's rpfilter drop", v)
	}
}

func hasAddr(i *model.Interface, p string) bool {
	for _, a := range i.Addrs {
		if a.Prefix.String() == p {
			return true
		}
	}
	return false
}

// fixed/ is broken/ plus the one route: every other file is the same, but
// for the date comments of iptables-save.
func TestStory1NetworkVariantsDiffer(t *testing.T) {
	b, f := filepath.Join(story1Network, "broken"), filepath.Join(story1Network, "fixed")
	n := 0
	err := filepath.Walk(b, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(b, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(f, rel))
		if err != nil {
			t.Errorf("fixed has no %s", rel)
			return nil
		}
		n++
		switch {
		case rel == filepath.Join("hosts", "fc20", "ip6-route.json"):
			var rx, ry []map[string]any
			if json.Unmarshal(x, &rx) != nil || json.Unmarshal(y, &ry) != nil {
				t.Fatalf("%s: not JSON", rel)
			}
			want := map[string]any{"dst": "2001:db8:2::/64", "gateway": "2001:db8:5::1", "dev": "sit1", "metric": 1024.0, "flags": []any{}, "pref": "medium"}
			if len(ry) != len(rx)+1 || !reflect.DeepEqual(ry[0], want) || !reflect.DeepEqual(ry[1:], rx) {
				t.Errorf("%s: fixed is not broken plus %v", rel, want)
			}
		case strings.HasSuffix(rel, "tables-save"):
			if !bytes.Equal(uncommented(x), uncommented(y)) {
				t.Errorf("%s differs", rel)
			}
		case !bytes.Equal(x, y):
			t.Errorf("%s differs", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < len(story1Nodes)*8 {
		t.Errorf("compared %d files", n)
	}
}

func uncommented(b []byte) []byte {
	var out bytes.Buffer
	for _, l := range bytes.SplitAfter(b, []byte("\n")) {
		if !bytes.HasPrefix(l, []byte("#")) {
			out.Write(l)
		}
	}
	return out.Bytes()
}

// kernelProbe is one probe of kernel-VARIANT.txt as README.md states it.
type kernelProbe struct {
	answer string // the end of the probe's answer line
	rpDrop bool   // fc20's raw PREROUTING rule 2 counted it
}

// The record capture.sh wrote from the real kernel says what README.md
// says: keeps the two in step when the network is captured again.
func TestStory1NetworkKernelRecord(t *testing.T) {
	want := map[string][]kernelProbe{
		"broken": {
			{"no answer", true},
			{"echo reply from 2001:db8:d0c::2", false},
			{"no answer", false},
			{"no answer", true},
			{"no answer", true},
			{"no answer", true},
		},
		"fixed": {
			{"echo reply from 2001:db8:d0c::2", false},
			{"echo reply from 2001:db8:d0c::2", false},
			{"echo reply from 2001:db8:2::1", false},
			{"no answer", true},
			{"echo reply from 2001:db8:5::2", false},
			{"echo reply from 2001:db8:d0c::2", false},
		},
	}
	for v, w := range want {
		f, err := os.Open(filepath.Join(story1Network, "kernel-"+v+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		var got []kernelProbe
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			l := sc.Text()
			switch {
			case strings.HasPrefix(l, "echo request "):
				_, a, _ := strings.Cut(l, "): ")
				got = append(got, kernelProbe{answer: a})
			case strings.HasPrefix(l, "raw PREROUTING #2 pkts "):
				got[len(got)-1].rpDrop = true
			}
		}
		f.Close()
		if !reflect.DeepEqual(got, w) {
			t.Errorf("kernel-%s.txt:\n got %v\nwant %v", v, got, w)
		}
	}
}
