package vyos

import "testing"

// An ip6tnl tunnel keeps which protocol it carries, as iproute2's
// "proto" does: ipip6 (IPv4 in IPv6, protocol 4) and ip6ip6 (IPv6 in
// IPv6, protocol 41) are both kind ip6tnl, and a far end must agree.
func TestTunnelEncapsulation(t *testing.T) {
	for _, c := range []struct{ encap, mode, proto string }{
		{"ipip6", "ip6tnl", "ipip6"},
		{"ip6ip6", "ip6tnl", "ip6ip6"},
		{"gre", "gre", ""},
		{"sit", "sit", ""},
	} {
		cfg := "interfaces {\n    tunnel tun0 {\n        encapsulation " + c.encap +
			"\n        remote 2001:db8::2\n        source-address 2001:db8::1\n    }\n}\n"
		d, notes := Parse("r.boot", []byte(cfg))
		if len(notes) != 0 {
			t.Errorf("%s: notes %v", c.encap, notes)
		}
		ifc := d.Interface("tun0")
		if ifc == nil || ifc.Tunnel == nil {
			t.Fatalf("%s: no tunnel", c.encap)
		}
		if ifc.Tunnel.Mode != c.mode || ifc.Tunnel.Proto != c.proto {
			t.Errorf("encapsulation %s: mode %q proto %q, want %q %q", c.encap, ifc.Tunnel.Mode, ifc.Tunnel.Proto, c.mode, c.proto)
		}
	}
}
