package linux

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"farend/internal/model"
	"farend/internal/source"

	"farend/internal/golden"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// caseDirs lists the test cases: every directory of testdata.
func caseDirs(t testing.TB) []string {
	ents, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range ents {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && e.Name() != "fuzz" {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs
}

// readCase returns the snapshot files of one case, by name; a missing file
// is absent from the map.
func readCase(t testing.TB, dir string) map[string][]byte {
	files := map[string][]byte{}
	for _, f := range []string{"ip-link.json", "ip-addr.json", "ip-route.json", "ip6-route.json", "ip-rule.json", "ip6-rule.json", "sysctl.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata", dir, f))
		if err == nil {
			files[f] = data
		} else if !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return files
}

// TestGolden parses every case and compares a stable text rendering of
// the model and the notes with testdata/<case>.golden.
func TestGolden(t *testing.T) {
	for _, dir := range caseDirs(t) {
		t.Run(dir, func(t *testing.T) {
			got := renderCase(readCase(t, dir))
			path := filepath.Join("testdata", dir+".golden")
			golden.Check(t, path, got, *update)
		})
	}
}

func renderCase(files map[string][]byte) string {
	var b strings.Builder
	var ifs []model.Interface
	var notes source.Notes
	if data, ok := files["ip-link.json"]; ok {
		var n source.Notes
		ifs, n = ParseLinks("ip-link.json", data)
		notes = append(notes, n...)
	}
	if data, ok := files["ip-addr.json"]; ok {
		var n source.Notes
		ifs, n = ParseAddrs("ip-addr.json", data, ifs)
		notes = append(notes, n...)
	}
	b.WriteString("== interfaces\n")
	for _, ifc := range ifs {
		b.WriteString(fmtIface(ifc))
	}
	for _, f := range []struct {
		name string
		v6   bool
	}{{"ip-route.json", false}, {"ip6-route.json", true}} {
		if data, ok := files[f.name]; ok {
			rs, n := ParseRoutes(f.name, data, f.v6)
			notes = append(notes, n...)
			fmt.Fprintf(&b, "== %s\n", f.name)
			for _, r := range rs {
				b.WriteString(fmtRoute(r))
			}
		}
	}
	for _, f := range []struct {
		name string
		v6   bool
	}{{"ip-rule.json", false}, {"ip6-rule.json", true}} {
		if data, ok := files[f.name]; ok {
			rs, n := ParseRules(f.name, data, f.v6)
			notes = append(notes, n...)
			fmt.Fprintf(&b, "== %s\n", f.name)
			for _, r := range rs {
				b.WriteString(fmtRule(r))
			}
		}
	}
	if data, ok := files["sysctl.txt"]; ok {
		s, n := ParseSysctl("sysctl.txt", data)
		notes = append(notes, n...)
		b.WriteString("== sysctl.txt\n")
		b.WriteString(fmtSysctl(s))
	}
	b.WriteString("== notes\n")
	for _, n := range notes {
		b.WriteString(n.String() + "\n")
	}
	return b.String()
}

func fmtIface(ifc model.Interface) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s kind=%s mtu=%d", ifc.Index, ifc.Name, ifc.Kind, ifc.MTU)
	for _, f := range []struct {
		on   bool
		name string
	}{{ifc.Up, "up"}, {ifc.LowerUp, "lower_up"}, {ifc.Loopback, "loopback"}, {ifc.PointToPoint, "pointtopoint"}} {
		if f.on {
			b.WriteString(" " + f.name)
		}
	}
	if ifc.Master != "" {
		b.WriteString(" master=" + ifc.Master)
	}
	if ifc.Group != 0 {
		fmt.Fprintf(&b, " group=%d", ifc.Group)
	}
	if ifc.VRFTable != 0 {
		fmt.Fprintf(&b, " vrftable=%d", ifc.VRFTable)
	}
	fmt.Fprintf(&b, " @%s\n", ifc.Pos)
	if t := ifc.Tunnel; t != nil {
		fmt.Fprintf(&b, "    tunnel mode=%s proto=%s local=%s remote=%s ttl=%d\n", t.Mode, t.Proto, t.Local, t.Remote, t.TTL)
	}
	for _, a := range ifc.Addrs {
		fmt.Fprintf(&b, "    addr %s", a.Prefix)
		if a.Peer.IsValid() {
			fmt.Fprintf(&b, " peer=%s", a.Peer)
		}
		fmt.Fprintf(&b, " scope=%s", a.Scope)
		if a.Secondary {
			b.WriteString(" secondary")
		}
		if a.NoDAD {
			b.WriteString(" nodad")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func fmtRoute(r model.Route) string {
	var b strings.Builder
	fmt.Fprintf(&b, "table=%d type=%s dst=%s", r.Table, r.Type, r.Dst)
	if r.Src.IsValid() {
		fmt.Fprintf(&b, " from=%s", r.Src)
	}
	if r.TOS != 0 {
		fmt.Fprintf(&b, " tos=%#02x", r.TOS)
	}
	fmt.Fprintf(&b, " metric=%d proto=%s scope=%s", r.Metric, r.Protocol, r.Scope)
	if r.PrefSrc.IsValid() {
		fmt.Fprintf(&b, " prefsrc=%s", r.PrefSrc)
	}
	if r.MTU != 0 {
		fmt.Fprintf(&b, " mtu=%d", r.MTU)
	}
	if r.NHID != 0 {
		fmt.Fprintf(&b, " nhid=%d", r.NHID)
	}
	if r.Pref != "" {
		fmt.Fprintf(&b, " pref=%s", r.Pref)
	}
	if r.Expires != 0 {
		fmt.Fprintf(&b, " expires=%d", r.Expires)
	}
	if r.Encap != "" {
		fmt.Fprintf(&b, " encap=%q", r.Encap)
	}
	if r.Linkdown {
		b.WriteString(" linkdown")
	}
	fmt.Fprintf(&b, " @%s\n", r.Pos)
	for _, nh := range r.Nexthops {
		b.WriteString("    nexthop")
		if nh.Gateway.IsValid() {
			fmt.Fprintf(&b, " via=%s", nh.Gateway)
		}
		if nh.Dev != "" {
			fmt.Fprintf(&b, " dev=%s", nh.Dev)
		}
		fmt.Fprintf(&b, " weight=%d", nh.Weight)
		for _, f := range []struct {
			on   bool
			name string
		}{{nh.Onlink, "onlink"}, {nh.Dead, "dead"}, {nh.Linkdown, "linkdown"}} {
			if f.on {
				b.WriteString(" " + f.name)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func fmtRule(r model.RouteRule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:", r.Priority)
	if r.Not {
		b.WriteString(" not")
	}
	from := "all"
	if r.From.IsValid() {
		from = r.From.String()
	}
	b.WriteString(" from=" + from)
	if r.To.IsValid() {
		b.WriteString(" to=" + r.To.String())
	}
	if r.IIF != "" {
		b.WriteString(" iif=" + r.IIF)
	}
	if r.OIF != "" {
		b.WriteString(" oif=" + r.OIF)
	}
	if r.HasMark {
		fmt.Fprintf(&b, " fwmark=%#x/%#x", r.FwMark, r.FwMask)
	}
	if r.TOS != 0 {
		fmt.Fprintf(&b, " tos=%#02x", r.TOS)
	}
	if r.IPProto != 0 {
		fmt.Fprintf(&b, " ipproto=%d", r.IPProto)
	}
	if r.SPort.IsSet() {
		fmt.Fprintf(&b, " sport=%d-%d", r.SPort.Lo, r.SPort.Hi)
	}
	if r.DPort.IsSet() {
		fmt.Fprintf(&b, " dport=%d-%d", r.DPort.Lo, r.DPort.Hi)
	}
	if r.UIDRange != "" {
		b.WriteString(" uidrange=" + r.UIDRange)
	}
	if r.L3MDev {
		b.WriteString(" l3mdev")
	}
	fmt.Fprintf(&b, " action=%s", r.Action)
	if r.Table != 0 {
		fmt.Fprintf(&b, " table=%d", r.Table)
	}
	if r.Action == model.ActionGoto {
		fmt.Fprintf(&b, " goto=%d", r.Goto)
	}
	if r.SuppressPrefixLen != -1 {
		fmt.Fprintf(&b, " suppress_prefixlen=%d", r.SuppressPrefixLen)
	}
	if r.SuppressIfGroup != -1 {
		fmt.Fprintf(&b, " suppress_ifgroup=%d", r.SuppressIfGroup)
	}
	if r.Protocol != "" {
		b.WriteString(" proto=" + r.Protocol)
	}
	fmt.Fprintf(&b, " @%s\n", r.Pos)
	return b.String()
}

// fmtSysctl prints the key count and the keys routing depends on (all
// keys when there are few).
func fmtSysctl(s model.Sysctl) string {
	var keys []string
	for k := range s {
		if len(s) <= 50 || strings.Contains(k, "forward") || strings.HasSuffix(k, "rp_filter") ||
			strings.HasSuffix(k, "src_valid_mark") || strings.HasSuffix(k, "accept_local") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%d keys\n", len(s))
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %q\n", k, s[k])
	}
	return b.String()
}
