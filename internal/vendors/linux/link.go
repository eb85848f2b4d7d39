package linux

import (
	"strings"

	"farend/internal/model"
	"farend/internal/source"
)

// ParseLinks reads the output of `ip -j -d link show`: one interface per
// array element, in file order (the kernel dumps them by ifindex). Every
// key is used, in an explicit known-and-ignored set, or in the notes.
func ParseLinks(file string, data []byte) ([]model.Interface, source.Notes) {
	ifs, notes, _ := parseLinks(file, data)
	return ifs, notes
}

func parseLinks(file string, data []byte) ([]model.Interface, source.Notes, []*node) {
	elems, notes := decodeArray(file, data)
	var ifs []model.Interface
	for i, e := range elems {
		pos := source.Pos{File: file, Index: i}
		if e.kind != kObject {
			notes.Add(pos, e.String(), "expected an object")
			continue
		}
		o := newObj(e, pos, &notes)
		ifc, ok := parseLink(o)
		if !ok {
			continue
		}
		if o.has("addr_info") { // `ip -j addr show` given as the links file
			var addrs []model.Address
			parseAddrInfo(o, &addrs)
			ifc.Addrs = addrs
		}
		o.finish()
		ifs = append(ifs, ifc)
	}
	notes.Sort()
	return ifs, notes, elems
}

// parseLink reads the link-level keys that `ip -j link` and `ip -j addr`
// print alike (ip/ipaddress.c print_linkinfo). It returns false, after
// noting the element, when there is no usable name.
func parseLink(o obj) (model.Interface, bool) {
	var ifc model.Interface
	ifc.Pos = o.pos
	if v, ok := o.uint("ifindex", 31); ok {
		ifc.Index = int(v)
	}
	// The kernel's IFLA_LINK: a peer/parent in this namespace prints as
	// "link":"name", one in another namespace as "link_index" plus
	// "link_netnsid", none as "link":null. The text output appends it to
	// the name ("veth0@if5"); the JSON name is plain, but strip such a
	// suffix if an older or hand-made file has it.
	link := ""
	if f := o.take("link"); f != nil {
		switch f.val.kind {
		case kString:
			link = f.val.text
		case kNull:
		default:
			o.bad(f, "expected a device name")
		}
	}
	name, ok := o.str("ifname")
	if !ok || name == "" {
		o.notes.Add(o.pos, "ifname missing", "interface skipped")
		o.ignoreAll()
		return ifc, false
	}
	ifc.Name = stripPeer(name, link)
	for _, fl := range o.strs("flags") {
		switch fl {
		case "UP":
			ifc.Up = true
		case "LOWER_UP":
			ifc.LowerUp = true
		case "LOOPBACK":
			ifc.Loopback = true
		case "POINTOPOINT":
			ifc.PointToPoint = true
		default:
			if _, ok := ignoredLinkFlags[fl]; !ok {
				o.noteValue("flags", fl, "unknown link flag")
			}
		}
	}
	if v, ok := o.uint("mtu", 31); ok {
		ifc.MTU = int(v)
	}
	if m, ok := o.str("master"); ok {
		ifc.Master = m
	}
	if f := o.take("group"); f != nil {
		if g, ok := parseGroup(f.val.text); ok && (f.val.kind == kString || f.val.kind == kNumber) {
			ifc.Group = g
		} else {
			o.bad(f, "interface group name from the host's /etc/iproute2/group")
		}
	}
	if lt, ok := o.str("link_type"); ok {
		ifc.Kind = lt
	}
	if li, ok := o.sub("linkinfo"); ok {
		parseLinkInfo(li, &ifc)
		li.finish()
	}
	o.ignore(ignoredLinkKeys)
	return ifc, true
}

// stripPeer removes the "@peer" suffix of the text form ("veth0@if5",
// "eth0.10@eth0", "gre0@NONE"). Linux allows '@' in names, so only those
// suffix forms are stripped.
func stripPeer(name, link string) string {
	i := strings.LastIndexByte(name, '@')
	if i <= 0 {
		return name
	}
	suf := name[i+1:]
	if suf == "NONE" || (link != "" && suf == link) || (strings.HasPrefix(suf, "if") && len(suf) > 2 && strings.Trim(suf[2:], "0123456789") == "") {
		return name[:i]
	}
	return name
}

// parseLinkInfo reads the "linkinfo" object of `ip -d` (IFLA_LINKINFO).
func parseLinkInfo(li obj, ifc *model.Interface) {
	kind, ok := li.str("info_kind")
	if ok {
		ifc.Kind = kind
	}
	if d, ok := li.sub("info_data"); ok {
		switch {
		case tunnelKinds[kind]:
			parseTunnel(d, kind, ifc)
		case kind == "vrf":
			if t, ok := d.uint("table", 32); ok {
				ifc.VRFTable = uint32(t)
			}
		case kind == "bridge":
			for _, k := range []string{"vlan_filtering", "nf_call_iptables", "nf_call_ip6tables", "nf_call_arptables"} {
				if f := d.take(k); f != nil && f.val.text != "0" {
					d.bad(f, "bridge option not modelled")
				}
			}
			d.ignoreAll()
		case kind == "tun":
			d.ignoreAll() // type tun/tap, persist, owner: no effect on routing
		default:
			// vxlan, vlan, macvlan, bond ...: one note for the block.
			li.notes.Add(li.pos, d.path[:len(d.path)-1]+"="+d.n.String(), kind+" options not modelled")
			d.ignoreAll()
		}
		d.finish()
	}
	if sk, ok := li.str("info_slave_kind"); ok {
		if sd, ok := li.sub("info_slave_data"); ok {
			if f := sd.take("state"); f != nil {
				if !(sk == "bridge" && f.val.text == "forwarding") && !(sk == "bond" && f.val.text == "ACTIVE") {
					sd.bad(f, sk+" port state not modelled")
				}
			}
			sd.ignoreAll() // port options (cost, priority, learning ...)
			sd.finish()
		}
	}
	li.ignore(map[string]string{"info_xstats": "statistics"})
}

// ignoredLinkFlags are the IFF_* names of ip/ipaddress.c print_link_flags
// that do not change routing (NO-CARRIER is UP without LOWER_UP).
var ignoredLinkFlags = map[string]string{
	"BROADCAST": "", "MULTICAST": "", "NOARP": "neighbour resolution is not modelled",
	"ALLMULTI": "", "PROMISC": "", "NOTRAILERS": "", "DEBUG": "", "DYNAMIC": "",
	"AUTOMEDIA": "", "PORTSEL": "", "MASTER": "", "SLAVE": "", "DORMANT": "",
	"ECHO": "", "NO-CARRIER": "same as UP without LOWER_UP", "M-DOWN": "",
}

// ignoredLinkKeys are link keys that are display-only or derived.
var ignoredLinkKeys = map[string]string{
	"qdisc": "display", "operstate": "derived from flags", "linkmode": "display",
	"txqlen": "display", "address": "MAC address", "broadcast": "MAC broadcast",
	"permaddr": "MAC address", "promiscuity": "display", "allmulti": "display",
	"min_mtu": "limit", "max_mtu": "limit", "inet6_addr_gen_mode": "display",
	"num_tx_queues": "display", "num_rx_queues": "display",
	"gso_max_size": "offload", "gso_max_segs": "offload",
	"tso_max_size": "offload", "tso_max_segs": "offload",
	"gro_max_size": "offload", "gso_ipv4_max_size": "offload",
	"gro_ipv4_max_size": "offload", "link_index": "peer in another namespace",
	"link_netnsid": "peer namespace", "link_pointtopoint": "same as POINTOPOINT",
	"ifalias": "display", "altnames": "display", "parentbus": "display",
	"parentdev": "display", "phys_port_id": "display", "phys_port_name": "display",
	"phys_switch_id": "display", "proto_down": "reflected in flags",
	"proto_down_reason": "reflected in flags", "carrier_changes": "statistics",
	"carrier_up_count": "statistics", "carrier_down_count": "statistics",
	"stats": "statistics", "stats64": "statistics", "event": "monitor only",
	"vfinfo_list": "SR-IOV display", "netns": "display", "link_netns": "display",
}
