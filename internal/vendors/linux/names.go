package linux

import (
	"hash/fnv"
	"strconv"
	"strings"

	"farend/internal/model"
)

// iproute2 prints numbers as names when its name files say so
// (/etc/iproute2/rt_tables, rt_dsfield, group; lib/rt_names.c). The
// defaults shipped with iproute2 are built in here; a host may add its own
// names, which a snapshot does not carry.

// tableByName is iproute2's etc/iproute2/rt_tables (ids from
// include/uapi/linux/rtnetlink.h rt_class_t).
var tableByName = map[string]uint32{
	"unspec":  model.TableUnspec,
	"default": model.TableDefault,
	"main":    model.TableMain,
	"local":   model.TableLocal,
}

// parseTable turns a table as iproute2 prints it ("main", "100") into an
// id. A name only the host's own rt_tables knows gets a synthetic id in
// the range 2^31..2^32-1, the same for the same name in every file, so that
// rules and routes naming it still meet; known is false then and the
// caller notes it.
func parseTable(s string) (id uint32, known bool) {
	if id, ok := tableByName[s]; ok {
		return id, true
	}
	if v, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(v), true
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32() | 1<<31, false
}

// tableOf takes the "table" field of o; absent means main for routes
// (iproute2 omits main, ip/iproute.c print_route) and none for rules.
func tableOf(o obj, absent uint32) uint32 {
	f := o.take("table")
	if f == nil {
		return absent
	}
	switch f.val.kind {
	case kNumber:
		v, ok := o.uintOf(f, 32)
		if !ok {
			return absent
		}
		return uint32(v)
	case kString:
		id, known := parseTable(f.val.text)
		if !known {
			o.notes.Add(o.pos, o.path+"table="+f.val.String(),
				"table name from the host's /etc/iproute2/rt_tables, its id is unknown; using synthetic id "+strconv.FormatUint(uint64(id), 10))
		}
		return id
	}
	o.bad(f, "expected a table name or number")
	return absent
}

// dsfieldByName is iproute2's etc/iproute2/rt_dsfield.
var dsfieldByName = map[string]uint8{
	"default": 0x00,
	"AF11":    0x28, "AF12": 0x30, "AF13": 0x38,
	"AF21": 0x48, "AF22": 0x50, "AF23": 0x58,
	"AF31": 0x68, "AF32": 0x70, "AF33": 0x78,
	"AF41": 0x88, "AF42": 0x90, "AF43": 0x98,
	"CS1": 0x20, "CS2": 0x40, "CS3": 0x60, "CS4": 0x80,
	"CS5": 0xa0, "CS6": 0xc0, "CS7": 0xe0,
	"EF": 0xb8,
}

// parseDSField parses a TOS/dsfield as rtnl_dsfield_n2a prints it: a name
// from rt_dsfield or "0x%02x".
func parseDSField(s string) (uint8, bool) {
	if v, ok := dsfieldByName[s]; ok {
		return v, true
	}
	v, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, false
	}
	return uint8(v), true
}

// protoByName holds the /etc/protocols names inet_proto_n2a
// (lib/utils.c) prints for `ipproto`; unknown numbers print as
// "ipproto-N".
var protoByName = map[string]uint8{
	"ip": 0, "hopopt": 0, "icmp": 1, "igmp": 2, "ipencap": 4, "ipip": 4,
	"tcp": 6, "egp": 8, "pup": 12, "udp": 17, "idp": 22, "dccp": 33,
	"ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44, "rsvp": 46, "gre": 47,
	"esp": 50, "ah": 51, "ipv6-icmp": 58, "icmpv6": 58, "ipv6-nonxt": 59,
	"ipv6-opts": 60, "ospf": 89, "ospfigp": 89, "encap": 98, "pim": 103,
	"ipcomp": 108, "vrrp": 112, "l2tp": 115, "isis": 124, "sctp": 132,
	"fc": 133, "mobility-header": 135, "udplite": 136, "mpls-in-ip": 137,
	"ethernet": 143,
}

func parseIPProto(s string) (uint8, bool) {
	if v, ok := protoByName[strings.ToLower(s)]; ok {
		return v, true
	}
	s = strings.TrimPrefix(s, "ipproto-")
	v, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return 0, false
	}
	return uint8(v), true
}

// parseGroup parses an interface group as rtnl_group_n2a prints it
// (etc/iproute2/group names 0 "default").
func parseGroup(s string) (int, bool) {
	if s == "default" {
		return 0, true
	}
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, false
	}
	return int(v), true
}
