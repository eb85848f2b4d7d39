package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/model"
)

// writeFiles creates files (path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func routeList(d *model.Device) []string {
	var out []string
	for _, r := range d.Routes {
		s := fmt.Sprintf("%d %s %s", r.Table, r.Type, r.Dst)
		for _, nh := range r.Nexthops {
			if nh.Gateway.IsValid() {
				s += " via " + nh.Gateway.String()
			}
			s += " dev " + nh.Dev
		}
		out = append(out, s)
	}
	return out
}

func TestBatfishHosts(t *testing.T) {
	const ipt = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT\n"
	cases := []struct {
		name   string
		files  map[string]string
		host   string
		ifaces []string
		routes []string
		// inputs as "what file present"
		inputs []string
		notes  []string
		filter bool
	}{
		{
			name: "Batfish's documented example",
			files: map[string]string{
				"hosts/host1.json":        "{\n  \"hostname\" : \"host1\",\n  \"iptablesFile\" : \"iptables/host1.iptables\",\n  \"hostInterfaces\" : {\n    \"eth0\" : {\n      \"name\": \"eth0\",\n      \"prefix\" : \"198.18.0.101/24\",\n      \"gateway\": \"198.18.0.1\"\n    }\n  }\n}\n",
				"iptables/host1.iptables": ipt,
			},
			host:   "host1",
			ifaces: []string{"eth0 [198.18.0.101/24]"},
			routes: []string{"255 local 198.18.0.101/32 dev eth0", "254 unicast 198.18.0.0/24 dev eth0", "254 unicast 0.0.0.0/0 via 198.18.0.1 dev eth0"},
			inputs: []string{"batfish host hosts/host1.json true", "addresses hosts/host1.json hostInterfaces true", "routes4 hosts/host1.json gateway true", "iptables iptables/host1.iptables true"},
			filter: true,
		},
		{
			name: "other prefixes, no gateway, no iptables file, unknown keys",
			files: map[string]string{
				"hosts/h2.json": `{"hostname": "h2",
 "hostInterfaces": {
  "eth1": {"name": "eth1", "prefix": "192.0.2.10/24", "otherPrefixes": ["192.0.2.11/24"], "mac": "02:00:00:00:00:01"},
  "eth0": {"name": "eth0", "prefix": "198.51.100.10/24", "bandwidth": 1e9, "shared": false, "vrf": "blue"}
 },
 "staticRoutes": [],
 "overlay": true
}`,
			},
			host:   "h2",
			ifaces: []string{"eth0 [198.51.100.10/24]", "eth1 [192.0.2.10/24 192.0.2.11/24]"},
			routes: []string{
				"255 local 198.51.100.10/32 dev eth0", "254 unicast 198.51.100.0/24 dev eth0",
				"255 local 192.0.2.10/32 dev eth1", "254 unicast 192.0.2.0/24 dev eth1",
				"255 local 192.0.2.11/32 dev eth1", "254 unicast 192.0.2.0/24 dev eth1",
				"254 unicast 0.0.0.0/0 dev eth0",
			},
			inputs: []string{"batfish host hosts/h2.json true", "addresses hosts/h2.json hostInterfaces true", "routes4 hosts/h2.json gateway true", "iptables hosts/h2.json iptablesFile false"},
			notes: []string{
				`hosts/h2.json:3: not understood: "mac" (unknown key of a Batfish host interface)`,
				`hosts/h2.json:4: not understood: "vrf": "blue" (VRFs of Batfish hosts are not modelled)`,
				`hosts/h2.json:6: not understood: "staticRoutes" (unknown key of a Batfish host)`,
				`hosts/h2.json:7: not understood: "overlay": true (a host on a router's underlay is not modelled)`,
			},
		},
		{
			name: "a missing iptables file and bad values",
			files: map[string]string{
				"hosts/h3.json": "{\"iptablesFile\": \"iptables/nope\",\n\"hostInterfaces\": {\"eth0\": {\"name\": \"e0\", \"prefix\": \"198.51.100.300/24\", \"gateway\": 7}}}",
			},
			host:   "h3",
			ifaces: []string{"eth0 []"},
			routes: []string{"254 unicast 0.0.0.0/0 dev eth0"},
			inputs: []string{"batfish host hosts/h3.json true", "addresses hosts/h3.json hostInterfaces true", "routes4 hosts/h3.json gateway true", "iptables iptables/nope false"},
			notes: []string{
				`hosts/h3.json:2: not understood: "name": "e0" (differs from the interface's key eth0, which names it)`,
				`hosts/h3.json:2: not understood: "prefix": "198.51.100.300/24" (expected an address with its prefix length)`,
				`hosts/h3.json:2: not understood: "gateway": 7 (expected an IP address)`,
			},
		},
		{
			name:   "not JSON",
			files:  map[string]string{"hosts/h4.json": "hostname: h4\n"},
			host:   "h4",
			inputs: []string{"batfish host hosts/h4.json true"},
			notes:  []string{"hosts/h4.json:1: not understood: the whole file (not a JSON object: invalid character 'h' looking for beginning of value)"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			s, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			d := s.Device(c.host)
			if d == nil || d.Kind != model.KindLinux {
				t.Fatalf("no Linux host %s: %v", c.host, s.Names())
			}
			var ifs, ins, notes []string
			for _, i := range d.Interfaces {
				var as []string
				for _, a := range i.Addrs {
					as = append(as, a.Prefix.String())
				}
				ifs = append(ifs, i.Name+" ["+strings.Join(as, " ")+"]")
			}
			for _, in := range d.Inputs {
				ins = append(ins, fmt.Sprintf("%s %s %v", in.What, in.File, in.Present))
			}
			for _, n := range d.Notes {
				notes = append(notes, n.String())
			}
			eq(t, "interfaces", ifs, c.ifaces)
			eq(t, "routes", routeList(d), c.routes)
			eq(t, "inputs", ins, c.inputs)
			eq(t, "notes", notes, c.notes)
			if (d.Filter4 != nil) != c.filter {
				t.Errorf("Filter4 %v, want loaded=%v", d.Filter4, c.filter)
			}
			if c.filter && len(d.Filter4.Tables["filter"].Chains["INPUT"].Rules) != 1 {
				t.Errorf("iptables file not read: %+v", d.Filter4.Tables["filter"])
			}
		})
	}
}

// A Batfish host file next to a host directory of the same name is not
// read, and the directory's device says so.
func TestBatfishHostBesideDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hosts/h1/ip-link.json": `[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"link_type":"loopback"}]`,
		"hosts/h1.json":         `{"hostname": "h1", "hostInterfaces": {}}`,
		"hosts/notes.txt":       "not a host",
	})
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "devices", s.Names(), []string{"h1"})
	d := s.Device("h1")
	if d.Interface("lo") == nil || len(d.Notes) != 1 || !strings.Contains(d.Notes[0].String(), "hosts/h1.json:1: not understood: the whole file (hosts/h1/ describes the same host") {
		t.Errorf("notes %v", d.Notes)
	}
}

func eq(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// FuzzBatfishHost: no host file panics the reader, and every note points
// at a line of the file.
func FuzzBatfishHost(f *testing.F) {
	f.Add(`{"hostname": "h", "iptablesFile": "x", "hostInterfaces": {"eth0": {"name": "eth0", "prefix": "192.0.2.1/24", "gateway": "192.0.2.254", "otherPrefixes": ["192.0.2.2/24"]}}}`)
	f.Add(`{"hostInterfaces": {"e": {"vrf": {}, "shared": true, "bandwidth": "x"}}, "overlay": 1}`)
	f.Add(`[1, 2]`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in string) {
		d := &model.Device{Name: "h", Kind: model.KindLinux}
		b := &bfHost{dir: dir, rel: "hosts/h.json", data: []byte(in), d: d}
		b.read()
		lines := strings.Count(in, "\n") + 1
		for _, n := range d.Notes {
			if n.Pos.File != "hosts/h.json" && n.Pos.File != "x" || n.Pos.File == "hosts/h.json" && (n.Pos.Line < 1 || n.Pos.Line > lines) {
				t.Fatalf("note %s outside the file's %d lines", n, lines)
			}
		}
	})
}
