package rib

import (
	"net/netip"
	"strings"
	"testing"

	"farend/internal/model"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

func route(table uint32, dst, via, dev string, metric uint32) model.Route {
	r := model.Route{Table: table, Dst: pfx(dst), Metric: metric}
	nh := model.Nexthop{Dev: dev}
	if via != "" {
		nh.Gateway = addr(via)
	}
	r.Nexthops = []model.Nexthop{nh}
	return r
}

func rule(prio uint32, table uint32) model.RouteRule {
	return model.RouteRule{Priority: prio, Table: table, SuppressPrefixLen: -1, SuppressIfGroup: -1}
}

func TestLookupPolicy(t *testing.T) {
	main := model.TableMain
	d := &model.Device{
		Routes: []model.Route{
			route(main, "0.0.0.0/0", "198.51.100.1", "eth0", 0),
			route(main, "198.51.100.0/24", "", "eth0", 0),
			route(main, "192.0.2.0/24", "", "eth1", 0),
			route(100, "0.0.0.0/0", "192.0.2.1", "eth1", 0),
			route(200, "203.0.113.0/24", "", "eth2", 0),
			{Table: 200, Type: model.RouteThrow, Dst: pfx("203.0.113.128/25")},
			{Table: 300, Type: model.RouteBlackhole, Dst: pfx("0.0.0.0/0")},
		},
	}
	fwd := rule(100, 100)
	fwd.HasMark, fwd.FwMark, fwd.FwMask = true, 1, 0xffffffff
	from := rule(200, 200)
	from.From = pfx("192.0.2.0/24")
	goto1 := model.RouteRule{Priority: 50, Action: model.ActionGoto, Goto: 300, IIF: "eth3", SuppressPrefixLen: -1}
	skipped := rule(60, 100)
	skipped.IIF = "eth3"
	sup := rule(10, model.TableMain)
	sup.SuppressPrefixLen = 0
	bh := rule(300, 300)
	bh.To = pfx("203.0.113.0/24")
	d.Rules4 = []model.RouteRule{rule(0, model.TableLocal), sup, goto1, skipped, fwd, from, bh, rule(32766, main), rule(32767, model.TableDefault)}
	f := New(d)
	cases := []struct {
		name    string
		fl      Flow
		wantDev string
		wantErr Errno
		table   uint32
	}{
		{"main default", Flow{Dst: addr("198.18.0.9"), IIF: "lo"}, "eth0", OK, main},
		{"to rule: blackhole", Flow{Dst: addr("203.0.113.9"), IIF: "lo"}, "", EINVAL, 300},
		{"suppress_prefixlength 0 skips the default in main, connected wins", Flow{Dst: addr("192.0.2.9"), IIF: "lo"}, "eth1", OK, main},
		{"fwmark rule", Flow{Dst: addr("198.18.0.9"), IIF: "lo", Mark: 1}, "eth1", OK, 100},
		{"mark mismatch falls through", Flow{Dst: addr("198.18.0.9"), IIF: "lo", Mark: 2}, "eth0", OK, main},
		{"from rule", Flow{Dst: addr("203.0.113.9"), Src: addr("192.0.2.5"), IIF: "eth1"}, "eth2", OK, 200},
		{"throw goes on to the next rule: blackhole", Flow{Dst: addr("203.0.113.200"), Src: addr("192.0.2.5"), IIF: "eth1"}, "", EINVAL, 300},
		{"goto 300 skips rule 60 for iif eth3", Flow{Dst: addr("198.18.0.9"), IIF: "eth3"}, "eth0", OK, main},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := f.Lookup(c.fl)
			if res.Err != c.wantErr || res.Dev() != c.wantDev {
				t.Fatalf("Lookup(%s) = err %v dev %q, want err %v dev %q\nsteps: %s", c.fl, res.Err, res.Dev(), c.wantErr, c.wantDev, strings.Join(res.Steps, "; "))
			}
			if res.Err == OK && res.Table != c.table {
				t.Errorf("table %d, want %d", res.Table, c.table)
			}
		})
	}
}

func TestLookupNoRoute(t *testing.T) {
	d := &model.Device{Routes: []model.Route{route(model.TableMain, "192.0.2.0/24", "", "eth0", 0)}}
	res := New(d).Lookup(Flow{Dst: addr("198.51.100.1"), IIF: "lo"})
	if res.Err != ENETUNREACH {
		t.Fatalf("err = %v, want ENETUNREACH", res.Err)
	}
}

func TestLookup6OIFPreference(t *testing.T) {
	main := model.TableMain
	d := &model.Device{Routes: []model.Route{
		route(main, "::/0", "2001:db8:100::1", "eth0", 1024),
		route(main, "2001:db8:2::/64", "2001:db8:5::1", "sit1", 1024),
		route(main, "2001:db8:2::/64", "2001:db8:100::1", "eth0", 2048),
	}}
	f := New(d)
	// Without oif the lowest metric wins.
	if got := f.Lookup(Flow{Dst: addr("2001:db8:2::1"), IIF: "lo"}).Dev(); got != "sit1" {
		t.Errorf("no oif: dev %q, want sit1", got)
	}
	// With oif (rpfilter strict), a route via oif at the longest prefix
	// is preferred (rt6_device_match).
	if got := f.Lookup(Flow{Dst: addr("2001:db8:2::1"), IIF: "lo", OIF: "eth0"}).Dev(); got != "eth0" {
		t.Errorf("oif eth0: dev %q, want eth0", got)
	}
	// An oif no route at that prefix uses falls back to the first route,
	// without backtracking to the default.
	if got := f.Lookup(Flow{Dst: addr("2001:db8:2::1"), IIF: "lo", OIF: "docker0"}).Dev(); got != "sit1" {
		t.Errorf("oif docker0: dev %q, want sit1", got)
	}
	// Strict: nothing via docker0 anywhere: no route.
	if res := f.Lookup(Flow{Dst: addr("2001:db8:2::1"), IIF: "lo", OIF: "docker0", StrictOIF: true}); res.Err != ENETUNREACH {
		t.Errorf("strict oif docker0: err %v, want ENETUNREACH", res.Err)
	}
}

func TestLookup6FromNeedsSource(t *testing.T) {
	d := &model.Device{Routes: []model.Route{route(100, "2001:db8:2::/64", "", "sit1", 1024)}}
	r := rule(1000, 100)
	r.From = pfx("2001:db8:d0c::/64")
	d.Rules6 = []model.RouteRule{rule(0, model.TableLocal), r, rule(32766, model.TableMain)}
	f := New(d)
	if res := f.Lookup(Flow{Dst: addr("2001:db8:2::1"), IIF: "lo"}); res.Err != ENETUNREACH {
		t.Errorf("no source: err %v, want ENETUNREACH (fib6 from-rules need a source)", res.Err)
	}
	if res := f.Lookup(Flow{Dst: addr("2001:db8:2::1"), Src: addr("2001:db8:d0c::2"), IIF: "lo"}); res.Dev() != "sit1" {
		t.Errorf("with source: dev %q, want sit1", res.Dev())
	}
}

func TestHasCustomRules(t *testing.T) {
	d := &model.Device{}
	if New(d).HasCustomRules() {
		t.Error("defaults reported as custom")
	}
	d.Rules4 = append(DefaultRules(false), rule(100, 100))
	if !New(d).HasCustomRules() {
		t.Error("extra rule not reported as custom")
	}
}
