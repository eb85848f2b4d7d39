package linux

import "strings"

// encapKeys are the keys each lightweight tunnel type prints right after
// "encap":"<type>" (ip/iproute_lwtunnel.c lwt_print_encap). They repeat
// route keys: `ip route add 198.18.13.0/24 encap ip id 1 dst 198.51.100.5
// dev e0` prints {"dst":"198.18.13.0/24","encap":"ip","id":1,
// "src":"0.0.0.0","dst":"198.51.100.5","ttl":0,"tos":0,"dev":"e0",...}
// (iproute2 6.1, captured in testdata/netns). print_route prints the
// route's dst and from before the encapsulation and its tos, gateway, dev
// ... after, so the encapsulation owns the run of its own keys that
// directly follows "encap", each at most once.
var encapKeys = map[string][]string{
	"ip":        {"id", "src", "dst", "ttl", "tos", "flags", "geneve_opts", "vxlan_opts", "erspan_opts"},
	"ip6":       {"id", "src", "dst", "hoplimit", "tc", "flags", "geneve_opts", "vxlan_opts", "erspan_opts"},
	"mpls":      {"dst", "ttl"},
	"seg6":      {"mode", "segs", "hmac"},
	"seg6local": {"action", "srh", "table", "vrftable", "nh4", "nh6", "iif", "oif", "bpf", "counters", "flavors", "lblen", "nflen"},
	"rpl":       {"segs"},
	"ila":       {"locator", "csum_mode", "ident_type", "hook_type"},
	"bpf":       {"in", "out", "xmit", "headroom"},
	"ioam6":     {"mode", "tunsrc", "tundst", "trace"},
	"xfrm":      {"if_id", "link_dev"},
}

// parseEncap takes the first unread "encap" field of o and the keys that
// belong to it, and renders them as iproute2's text form does:
// "ip id 1 src 0.0.0.0 dst 198.51.100.5 ttl 0 tos 0".
func parseEncap(o obj) string {
	at := -1
	for i, f := range o.n.fields {
		if f.state == unread && f.key == "encap" {
			at = i
			break
		}
	}
	if at < 0 {
		return ""
	}
	f := o.n.fields[at]
	f.state = used
	if f.val.kind != kString {
		o.bad(f, "expected an encapsulation type")
		return ""
	}
	typ := f.val.text
	own := map[string]bool{}
	for _, k := range encapKeys[typ] {
		own[k] = true
	}
	parts := []string{typ}
	for _, g := range o.n.fields[at+1:] {
		if g.state != unread || !own[g.key] {
			break
		}
		own[g.key] = false // each key once
		g.state = used
		parts = append(parts, g.key, encapValue(g.val))
	}
	return strings.Join(parts, " ")
}

// encapValue renders one encapsulation value: strings and numbers as they
// are, arrays (seg6 "segs") joined by commas, anything else as JSON.
func encapValue(n *node) string {
	switch n.kind {
	case kString, kNumber:
		return n.text
	case kArray:
		var s []string
		for _, e := range n.elems {
			s = append(s, encapValue(e))
		}
		return strings.Join(s, ",")
	}
	return n.String()
}
