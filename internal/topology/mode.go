package topology

import (
	"fmt"
	"slices"
)

// outer returns the IP protocols of the outer packets a tunnel mode sends
// and accepts, and what the payload is ("ip" for IPv4/IPv6 packets,
// "ethernet" for frames), after the kernel's tunnel drivers: sit accepts
// protocol 41 (IPv6), 4 with proto ipip, 137 with mplsip, all three with
// any (net/ipv6/sit.c); ipip 4, and 137 with mplsip or any
// (net/ipv4/ipip.c); ip6tnl 41 (ip6ip6) or 4 (ipip6), both with any
// (net/ipv6/ip6_tunnel.c); the GRE family 47; vti 50 (ESP). nil protos:
// the mode is not modelled.
func outer(mode, proto string) (protos []int, payload string) {
	switch mode {
	case "sit":
		switch proto {
		case "ipip":
			return []int{4}, "ip"
		case "mplsip":
			return []int{137}, "ip"
		case "any":
			return []int{4, 41, 137}, "ip"
		}
		return []int{41}, "ip"
	case "ipip":
		switch proto {
		case "mplsip":
			return []int{137}, "ip"
		case "any":
			return []int{4, 137}, "ip"
		}
		return []int{4}, "ip"
	case "ip6tnl":
		switch proto {
		case "ip6ip6":
			return []int{41}, "ip"
		case "ipip6":
			return []int{4}, "ip"
		}
		return []int{4, 41}, "ip"
	case "gre", "ip6gre":
		return []int{47}, "ip"
	case "gretap", "ip6gretap":
		return []int{47}, "ethernet"
	case "erspan", "ip6erspan":
		return []int{47}, "erspan"
	case "vti", "vti6":
		return []int{50}, "ip"
	}
	return nil, ""
}

// compatible returns the outer protocols two mirrored tunnel ends share,
// or why they cannot exchange packets.
func compatible(x, y tunnelEnd) (protos []int, why string) {
	px, lx := outer(x.t.Mode, x.t.Proto)
	py, ly := outer(y.t.Mode, y.t.Proto)
	if px == nil || py == nil {
		if x.t.Mode == y.t.Mode {
			return nil, ""
		}
		return nil, fmt.Sprintf("their modes differ (%s, %s)", x.t.Mode, y.t.Mode)
	}
	if lx != ly {
		return nil, fmt.Sprintf("%s carries %s payloads and %s %s payloads", modeText(x), lx, modeText(y), ly)
	}
	for _, p := range px {
		if slices.Contains(py, p) {
			protos = append(protos, p)
		}
	}
	if len(protos) == 0 {
		return nil, fmt.Sprintf("their modes differ: %s sends protocol %s, %s protocol %s",
			modeText(x), protoList(px), modeText(y), protoList(py))
	}
	if x.keyKnown && y.keyKnown && x.key != y.key {
		on := x.ep
		if y.key {
			on = y.ep
		}
		return nil, fmt.Sprintf("only %s sets a GRE key", on)
	}
	return protos, ""
}

func modeText(x tunnelEnd) string {
	if x.t.Proto != "" {
		return x.t.Mode + " " + x.t.Proto
	}
	return x.t.Mode
}

func protoList(ps []int) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += "/"
		}
		s += fmt.Sprint(p)
	}
	return s
}
