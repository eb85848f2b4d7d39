package kerneltest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// SpecFromHostDir builds a Spec from a snapshot's hosts/<name>/ directory
// (the files `farend collect` writes), so that a host can be rebuilt in
// namespaces and its traces compared with the kernel's:
//
//   - links: every interface of ip-link.json but lo, each a veth with the
//     interface's name and MTU (tunnels become veths of the same name);
//   - addresses: ip-addr.json's global ones (link-local ones the kernel
//     makes by itself);
//   - peers: the gateways of the routes on each link;
//   - routes and rules: ip-route.json, ip6-route.json, ip-rule.json,
//     ip6-rule.json less what the kernel makes itself (protocol kernel,
//     the local table, the default rules);
//   - sysctls: forwarding, rp_filter, accept_local, src_valid_mark of
//     all, default and each link, from sysctl.txt;
//   - iptables-save and ip6tables-save as they are.
//
// Missing files leave their part empty. Multipath routes are an error.
func SpecFromHostDir(dir string) (Spec, error) {
	var s Spec
	s.Host = filepath.Base(dir)
	read := func(name string) ([]byte, bool, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			return nil, false, nil
		}
		return b, err == nil, err
	}

	if b, ok, err := read("ip-link.json"); err != nil {
		return s, err
	} else if ok {
		var links []struct {
			Name string `json:"ifname"`
			MTU  int    `json:"mtu"`
		}
		if err := json.Unmarshal(b, &links); err != nil {
			return s, fmt.Errorf("kerneltest: %s/ip-link.json: %w", dir, err)
		}
		for _, l := range links {
			if l.Name == "lo" {
				continue
			}
			mtu := l.MTU
			if mtu == 1500 {
				mtu = 0
			}
			s.Links = append(s.Links, Link{Name: l.Name, MTU: mtu})
		}
	}
	if b, ok, err := read("ip-addr.json"); err != nil {
		return s, err
	} else if ok {
		var ifs []struct {
			Name  string `json:"ifname"`
			Addrs []struct {
				Local  string `json:"local"`
				Prefix int    `json:"prefixlen"`
				Scope  string `json:"scope"`
			} `json:"addr_info"`
		}
		if err := json.Unmarshal(b, &ifs); err != nil {
			return s, fmt.Errorf("kerneltest: %s/ip-addr.json: %w", dir, err)
		}
		for _, i := range ifs {
			l := s.findLink(i.Name)
			if l == nil {
				continue
			}
			for _, a := range i.Addrs {
				if a.Scope != "global" {
					continue
				}
				ad, err := netip.ParseAddr(a.Local)
				if err != nil {
					return s, fmt.Errorf("kerneltest: %s/ip-addr.json: %w", dir, err)
				}
				l.Addrs = append(l.Addrs, netip.PrefixFrom(ad, a.Prefix))
			}
		}
	}
	for _, f := range []struct {
		name string
		v6   bool
	}{{"ip-route.json", false}, {"ip6-route.json", true}} {
		b, ok, err := read(f.name)
		if err != nil {
			return s, err
		}
		if !ok {
			continue
		}
		rs, err := RoutesFromJSON(b, f.v6)
		if err != nil {
			return s, fmt.Errorf("kerneltest: %s/%s: %w", dir, f.name, err)
		}
		for _, r := range rs {
			if l := s.findLink(r.Dev); l != nil && r.Via.IsValid() && !hasAddr(l.Peers, r.Via) {
				l.Peers = append(l.Peers, r.Via)
			}
		}
		s.Routes = append(s.Routes, rs...)
	}
	for _, f := range []struct {
		name string
		v6   bool
	}{{"ip-rule.json", false}, {"ip6-rule.json", true}} {
		b, ok, err := read(f.name)
		if err != nil {
			return s, err
		}
		if !ok {
			continue
		}
		rs, err := RulesFromJSON(b, f.v6)
		if err != nil {
			return s, fmt.Errorf("kerneltest: %s/%s: %w", dir, f.name, err)
		}
		s.Rules = append(s.Rules, rs...)
	}
	if b, ok, err := read("sysctl.txt"); err != nil {
		return s, err
	} else if ok {
		s.Sysctls = SysctlsFromText(b, s.Links)
	}
	if b, ok, err := read("iptables-save"); err != nil {
		return s, err
	} else if ok {
		s.IPTables = string(b)
	}
	if b, ok, err := read("ip6tables-save"); err != nil {
		return s, err
	} else if ok {
		s.IP6Tables = string(b)
	}
	return s, nil
}

func (s *Spec) findLink(name string) *Link {
	for i := range s.Links {
		if s.Links[i].Name == name {
			return &s.Links[i]
		}
	}
	return nil
}

func hasAddr(as []netip.Addr, a netip.Addr) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

// RoutesFromJSON reads `ip -j route show table all` output and keeps the
// routes the kernel does not make by itself (not protocol kernel, not in
// the local table).
func RoutesFromJSON(b []byte, v6 bool) ([]Route, error) {
	var rs []struct {
		Type     string            `json:"type"`
		Dst      string            `json:"dst"`
		Gateway  string            `json:"gateway"`
		Dev      string            `json:"dev"`
		Table    string            `json:"table"`
		Protocol string            `json:"protocol"`
		Metric   int               `json:"metric"`
		PrefSrc  string            `json:"prefsrc"`
		Flags    []string          `json:"flags"`
		Nexthops []json.RawMessage `json:"nexthops"`
	}
	if err := json.Unmarshal(b, &rs); err != nil {
		return nil, err
	}
	var out []Route
	for _, r := range rs {
		if r.Protocol == "kernel" || r.Table == "local" {
			continue
		}
		if len(r.Nexthops) > 0 {
			return nil, fmt.Errorf("multipath route %s is not supported", r.Dst)
		}
		var rt Route
		switch r.Type {
		case "", "unicast":
		case "blackhole", "unreachable", "prohibit", "throw":
			rt.Type = r.Type
			r.Dev = ""
		default:
			return nil, fmt.Errorf("route type %s (%s) is not supported", r.Type, r.Dst)
		}
		var err error
		if rt.Dst, err = parseRouteDst(r.Dst, v6); err != nil {
			return nil, err
		}
		if r.Gateway != "" {
			if rt.Via, err = netip.ParseAddr(r.Gateway); err != nil {
				return nil, err
			}
		}
		if r.PrefSrc != "" {
			if rt.Src, err = netip.ParseAddr(r.PrefSrc); err != nil {
				return nil, err
			}
		}
		rt.Dev = r.Dev
		rt.Metric = r.Metric
		if rt.Table, err = tableNumber(r.Table); err != nil {
			return nil, err
		}
		for _, f := range r.Flags {
			if f == "onlink" {
				rt.Extra = "onlink"
			}
		}
		out = append(out, rt)
	}
	return out, nil
}

func parseRouteDst(s string, v6 bool) (netip.Prefix, error) {
	if s == "default" {
		if v6 {
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0), nil
		}
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0), nil
	}
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// tableNumber maps ip's table names to numbers ("" and main are 254).
func tableNumber(s string) (int, error) {
	switch s {
	case "", "main":
		return 0, nil
	case "local":
		return 255, nil
	case "default":
		return 253, nil
	}
	return strconv.Atoi(s)
}

// RulesFromJSON reads `ip -j rule show` output, less the default rules
// (local at 0, main at 32766, default at 32767).
func RulesFromJSON(b []byte, v6 bool) ([]Rule, error) {
	var rs []map[string]any
	if err := json.Unmarshal(b, &rs); err != nil {
		return nil, err
	}
	var out []Rule
	for _, m := range rs {
		str := func(k string) string { s, _ := m[k].(string); return s }
		num := func(k string) int { f, _ := m[k].(float64); return int(f) }
		pr := num("priority")
		if (pr == 0 && str("table") == "local") || (pr == 32766 && str("table") == "main") || (pr == 32767 && str("table") == "default") {
			if str("src") == "all" && m["dst"] == nil && m["iif"] == nil && m["oif"] == nil && m["fwmark"] == nil {
				continue
			}
		}
		r := Rule{V6: v6, Priority: pr, IIF: str("iif"), OIF: str("oif"), Action: str("action")}
		_, r.Not = m["not"]
		if r.Action == "" {
			t, err := tableNumber(str("table"))
			if err != nil {
				return nil, err
			}
			r.Table = t
			if t == 0 {
				r.Table = 254
			}
		}
		for _, sel := range []struct {
			key, lenKey string
			dst         *netip.Prefix
		}{{"src", "srclen", &r.From}, {"dst", "dstlen", &r.To}} {
			v := str(sel.key)
			if v == "" || v == "all" {
				continue
			}
			a, err := netip.ParseAddr(v)
			if err != nil {
				return nil, err
			}
			l := a.BitLen()
			if _, ok := m[sel.lenKey]; ok {
				l = num(sel.lenKey)
			}
			*sel.dst = netip.PrefixFrom(a, l)
		}
		if v := str("fwmark"); v != "" {
			x, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				return nil, err
			}
			r.FWMark = uint32(x)
		}
		if v := str("fwmask"); v != "" {
			x, err := strconv.ParseUint(v, 0, 32)
			if err != nil {
				return nil, err
			}
			r.FWMask = uint32(x)
		}
		out = append(out, r)
	}
	return out, nil
}

// SysctlsFromText picks from `sysctl -a` output the settings the harness
// models (forwarding, rp_filter, accept_local, src_valid_mark), for all,
// default and the given links, in that order (all first: writing
// conf.all.forwarding resets every interface).
func SysctlsFromText(b []byte, links []Link) []Sysctl {
	vals := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if ok {
			vals[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	var out []Sysctl
	add := func(k string) {
		if v, ok := vals[k]; ok {
			out = append(out, Sysctl{Key: k, Value: v})
		}
	}
	names := []string{"all", "default"}
	for _, l := range links {
		names = append(names, l.Name)
	}
	for _, n := range names {
		for _, k := range []string{"forwarding", "rp_filter", "accept_local", "src_valid_mark"} {
			add("net.ipv4.conf." + n + "." + k)
		}
		add("net.ipv6.conf." + n + ".forwarding")
	}
	return out
}
