package linux

import (
	"net/netip"

	"farend/internal/model"
)

// tunnelKinds are the IP-in-IP style tunnel link kinds whose info_data
// carries outer endpoints (ip/link_iptnl.c, link_gre.c, link_gre6.c,
// link_ip6tnl.c, link_vti.c, link_vti6.c).
var tunnelKinds = map[string]bool{
	"sit": true, "ipip": true, "ip6tnl": true,
	"gre": true, "gretap": true, "ip6gre": true, "ip6gretap": true,
	"erspan": true, "ip6erspan": true, "vti": true, "vti6": true,
}

// parseTunnel reads a tunnel's info_data. iproute2 prints "remote" and
// "local" as an address or "any" (ip/tunnel.c tnl_print_endpoint), "ttl"
// always in JSON (0 = inherit; for ip6tnl it is the hop limit), and
// "proto" for sit/ipip/ip6tnl.
func parseTunnel(d obj, kind string, ifc *model.Interface) {
	t := &model.Tunnel{Mode: kind}
	t.Local = endpoint(d, "local")
	t.Remote = endpoint(d, "remote")
	if v, ok := d.uint("ttl", 8); ok {
		t.TTL = int(v)
	}
	if p, ok := d.str("proto"); ok {
		t.Proto = p
	}
	// "link" binds the outer packets to a device, "external" makes a
	// metadata (collect_md) tunnel, keys/checksums/sequence numbers must
	// match the far end, "encap" is FOU/GUE: none is modelled, so they
	// stay in the notes. The rest only shapes the outer header.
	d.ignore(ignoredTunnelKeys)
	ifc.Tunnel = t
}

// endpoint reads "local"/"remote"; "any" is the zero Addr.
func endpoint(d obj, key string) netip.Addr {
	f := d.take(key)
	if f == nil {
		return netip.Addr{}
	}
	if f.val.kind == kString && f.val.text == "any" {
		return netip.Addr{}
	}
	if f.val.kind != kString {
		d.bad(f, "expected an address")
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(f.val.text)
	if err != nil {
		d.bad(f, "not an IP address")
		return netip.Addr{}
	}
	return a
}

var ignoredTunnelKeys = map[string]string{
	"pmtudisc":                     "outer DF bit",
	"ignore_df":                    "outer DF bit",
	"tos":                          "outer TOS",
	"tclass":                       "outer traffic class",
	"flowlabel":                    "outer flow label",
	"encap_limit":                  "IPv6 encapsulation limit option",
	"ip6_tnl_f_ign_encap_limit":    "IPv6 encapsulation limit option",
	"ip6_tnl_f_use_orig_tclass":    "outer traffic class",
	"ip6_tnl_f_use_orig_flowlabel": "outer flow label",
	"ip6_tnl_f_rcv_dscp_copy":      "DSCP copy on decapsulation",
	"prefix":                       "6rd prefix (2002::/16 by default)",
	"prefixlen":                    "6rd prefix length",
	"relay_prefix":                 "6rd relay prefix",
	"relay_prefixlen":              "6rd relay prefix length",
	"erspan_ver":                   "ERSPAN header",
	"erspan_index":                 "ERSPAN header",
	"erspan_dir":                   "ERSPAN header",
	"erspan_hwid":                  "ERSPAN header",
}
