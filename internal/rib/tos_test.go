package rib

import (
	"testing"

	"farend/internal/model"
)

// IPv4 routes and rules with a TOS compare it with the packet's DSCP under
// the legacy TOS mask 0x1c (fib_dscp_masked_match, fib4_rule_match): a
// route with tos 0x08 takes TOS 0x28 (DSCP 10) and 0x08, not 0x20 or 0.
// Found by the kernel-differential test.
func TestTOSLegacyMask(t *testing.T) {
	main := model.TableMain
	tosRoute := route(main, "198.18.1.0/24", "203.0.113.2", "eth2", 0)
	tosRoute.TOS = 0x08
	d := &model.Device{Routes: []model.Route{
		route(main, "198.18.1.0/24", "192.0.2.2", "eth1", 0),
		tosRoute,
		route(100, "198.18.1.0/24", "198.51.100.2", "eth0", 0),
	}}
	tosRule := rule(100, 100)
	tosRule.TOS = 0x18
	d.Rules4 = []model.RouteRule{rule(0, model.TableLocal), tosRule, rule(32766, main)}
	f := New(d)
	for _, c := range []struct {
		tos uint8
		dev string
	}{
		{0x00, "eth1"},
		{0x08, "eth2"},
		{0x28, "eth2"}, // DSCP 10: legacy bits 0x08
		{0x0a, "eth2"}, // ECN bits do not count
		{0x20, "eth1"},
		{0x18, "eth0"}, // the rule's table
		{0xb8, "eth0"}, // EF: legacy bits 0x18 match the rule
	} {
		res := f.Lookup(Flow{Dst: addr("198.18.1.5"), Src: addr("192.0.2.9"), IIF: "eth1", TOS: c.tos})
		if res.Dev() != c.dev {
			t.Errorf("TOS 0x%02x: out %q, want %q (%v)", c.tos, res.Dev(), c.dev, res.Steps)
		}
	}
}
