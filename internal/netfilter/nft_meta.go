package netfilter

import "fmt"

// NFTMeta is a meta key: `meta mark`, `iifname`, `meta l4proto` ...
// (net/netfilter/nft_meta.c nft_meta_get_eval). What it loads:
//
//   - iif, oif: the device (an ifindex in the kernel, compared by name
//     here); index 0 when the hook has no such device
//     (nft_meta_store_ifindex), which `iif != "eth0"` matches.
//   - iifname, oifname: the device name, "" when there is none
//     (nft_meta_store_ifname): `oifname "eth0"` cannot match in
//     PREROUTING, `oifname != "eth0"` does.
//   - mark, l4proto, nfproto (2 for IPv4, 10 for IPv6), protocol (the
//     ethertype), length, pkttype (derived as `-m pkttype` does).
//   - skuid, skgid, cgroup need the packet's socket: forwarded packets and
//     packets in PREROUTING have none, so the rule ends (NFT_BREAK); for
//     local packets the socket is not in the snapshot (Maybe).
//   - iiftype, oiftype, iifgroup, oifgroup, iifkind, oifkind break without
//     the device and are not in the snapshot with one.
//   - everything else (priority, cpu, random, time, secpath ...) is not in
//     the snapshot.
//
// The zero NFTMeta has no key and loads Maybe.
type NFTMeta struct {
	Key string
}

// NFTMetaType returns the datatype of a meta key.
func NFTMetaType(key string) NFTType {
	switch key {
	case "iif", "oif":
		return NFTIfindex
	case "iifname", "oifname", "iifkind", "oifkind", "sdifname":
		return NFTIfname
	case "mark":
		return NFTMark
	case "l4proto":
		return NFTInetProto
	case "nfproto":
		return NFTNFProto
	case "protocol":
		return NFTEtherType
	case "pkttype":
		return NFTPktType
	case "length", "skuid", "skgid", "cpu", "iifgroup", "oifgroup", "iiftype", "oiftype":
		return NFTInteger
	case "secpath", "ipsec":
		return NFTBoolean
	case "nftrace":
		return NFTInteger
	}
	return NFTOpaque
}

// nftMetaUnqualified are the keys `nft list` prints without "meta "
// (nftables src/meta.c meta_key_is_unqualified).
var nftMetaUnqualified = map[string]bool{
	"iif": true, "oif": true, "iifname": true, "oifname": true,
	"iifgroup": true, "oifgroup": true,
}

// Type implements NFTExpr.
func (e *NFTMeta) Type() NFTType { return NFTMetaType(e.Key) }

func (e *NFTMeta) String() string {
	if nftMetaUnqualified[e.Key] {
		return e.Key
	}
	return "meta " + e.Key
}

// Load implements NFTExpr.
func (e *NFTMeta) Load(c *Ctx) (NFTValue, Tri, string) {
	p := c.Pkt
	switch e.Key {
	case "iif", "oif", "iifname", "oifname":
		dev := c.In
		if e.Key[0] == 'o' {
			dev = c.Out
		}
		if dev == "" {
			return NFTValue{}, Yes, ""
		}
		return NFTStr(dev), Yes, ""
	case "mark":
		return NFTNum(uint64(p.Mark)), Yes, ""
	case "l4proto":
		return NFTNum(uint64(p.Proto)), Yes, ""
	case "nfproto":
		if p.Is6() {
			return NFTNum(10), Yes, ""
		}
		return NFTNum(2), Yes, ""
	case "protocol":
		if p.Is6() {
			return NFTNum(0x86dd), Yes, ""
		}
		return NFTNum(0x0800), Yes, ""
	case "length":
		if p.Length == 0 {
			return nftUnknown(), Yes, ""
		}
		return NFTNum(uint64(p.Length)), Yes, ""
	case "pkttype":
		t, _ := pktType(c)
		return NFTNum(uint64(t)), Yes, ""
	case "skuid", "skgid", "cgroup":
		local := c.In == "" && (c.Hook == Output || c.Hook == Postrouting)
		if c.Hook == Prerouting || c.Hook == Forward || (c.Hook == Postrouting && !local) {
			return NFTValue{}, No, fmt.Sprintf("a %s packet has no socket, so `meta %s` ends the rule", map[bool]string{true: "forwarded", false: "received"}[c.Hook != Prerouting], e.Key)
		}
		return NFTValue{}, Maybe, fmt.Sprintf("the socket's %s is not in the snapshot", e.Key)
	case "iiftype", "iifgroup", "iifkind", "oiftype", "oifgroup", "oifkind":
		dev := c.In
		if e.Key[0] == 'o' {
			dev = c.Out
		}
		if dev == "" {
			return NFTValue{}, No, fmt.Sprintf("%s has no %s device, so `meta %s` ends the rule", c.Hook, map[bool]string{true: "output", false: "input"}[e.Key[0] == 'o'], e.Key)
		}
		return NFTValue{}, Maybe, fmt.Sprintf("the %s of %s is not in the snapshot", e.Key[3:], dev)
	}
	if e.Key == "" {
		return NFTValue{}, Maybe, "empty meta key"
	}
	return NFTValue{}, Maybe, fmt.Sprintf("`meta %s` is not in the snapshot", e.Key)
}
