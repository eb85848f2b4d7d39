package cisco

import (
	"net/netip"
	"strconv"

	"farend/internal/model"
	"farend/internal/source"
)

// AreaOf returns the process's area id, adding it when new.
func AreaOf(proc *model.OSPFProcess, id model.AreaID) *model.OSPFArea {
	if a := proc.Area(id); a != nil {
		return a
	}
	proc.Areas = append(proc.Areas, model.OSPFArea{ID: id})
	return &proc.Areas[len(proc.Areas)-1]
}

// OSPFDistances reads the `intra-area N inter-area N external N` pairs
// of `distance ospf ...` from a[1:] (a[0] is the `ospf` keyword, which
// the dialects spell differently). A trailing odd word is not read.
func OSPFDistances(a []string, proc *model.OSPFProcess, pos source.Pos) bool {
	for i := 1; i+1 < len(a); i += 2 {
		v, err := strconv.Atoi(a[i+1])
		if err != nil {
			return false
		}
		switch a[i] {
		case "intra-area":
			proc.DistanceIntra = model.Set(v, pos)
		case "inter-area":
			proc.DistanceInter = model.Set(v, pos)
		case "external":
			proc.DistanceExternal = model.Set(v, pos)
		default:
			return false
		}
	}
	return true
}

// MatchNetwork returns the first network statement (in configuration
// order) whose prefix contains one of the interface's IPv4 prefixes:
// ospfd enables an interface address when the network covers the whole
// connected prefix (ospfd/ospfd.c ospf_network_match_iface, prefix_match).
// FRR and VyOS (which runs FRR) share it.
func MatchNetwork(nets []model.OSPFNetwork, ifc *model.Interface) (model.OSPFNetwork, bool) {
	for _, a := range ifc.Addrs {
		if !a.Prefix.Addr().Is4() {
			continue
		}
		for _, n := range nets {
			if n.Prefix.Bits() <= a.Prefix.Bits() && n.Prefix.Contains(a.Prefix.Addr()) {
				return n, true
			}
		}
	}
	return model.OSPFNetwork{}, false
}

// VirtualLink reads `area X virtual-link RID [options]` (w[0] is `area`)
// into the process, merged with the link already configured to RID
// through area X: IOS and ospfd keep one virtual link per transit area
// and peer, and a later line changes the same link. A new link starts
// with the hello and dead defaults given. Nothing is recorded unless the
// whole line is understood. backbone is true when X is area 0: both IOS
// and FRR refuse a virtual link through the backbone (RFC 2328 15: the
// transit area cannot be the backbone), and nothing is recorded either.
func VirtualLink(proc *model.OSPFProcess, w []string, hello, dead model.Setting, pos source.Pos, ios bool) (ok, backbone bool) {
	if len(w) < 4 || w[0] != "area" || w[2] != "virtual-link" {
		return false, false
	}
	id, err := model.ParseAreaID(w[1])
	if err != nil {
		return false, false
	}
	peer, err := netip.ParseAddr(w[3])
	if err != nil || !peer.Is4() {
		return false, false
	}
	if id == 0 {
		return false, true
	}
	vl := model.VirtualLink{Peer: peer, Hello: hello, Dead: dead, Pos: pos}
	var old *model.VirtualLink
	if ar := proc.Area(id); ar != nil {
		for i := range ar.VirtualLinks {
			if ar.VirtualLinks[i].Peer == peer {
				old = &ar.VirtualLinks[i]
				vl = *old
			}
		}
	}
	if !VirtualLinkOptions(w[4:], &vl, pos, ios) {
		return false, false
	}
	if old != nil {
		*old = vl
		return true, false
	}
	ar := AreaOf(proc, id)
	ar.VirtualLinks = append(ar.VirtualLinks, vl)
	return true, false
}

// VirtualLinkOptions reads the options after `area X virtual-link RID`
// into vl; IOS and FRR share them: `hello-interval N`, `dead-interval N`,
// `retransmit-interval N`, `transmit-delay N` (FRR also `retry-interval
// N`, IOS also `ttl-security hops N`), `authentication
// [message-digest|null]`, `authentication-key KEY` and
// `message-digest-key N md5 KEY`. The line has been redacted: a key
// keyword is followed by model.Redacted and nothing else, so a key ends
// the options. It reports false on a word it does not know or a bad
// number.
func VirtualLinkOptions(a []string, vl *model.VirtualLink, pos source.Pos, ios bool) bool {
	num := func(i int) (int, bool) {
		if i >= len(a) {
			return 0, false
		}
		v, err := strconv.Atoi(a[i])
		return v, err == nil && v >= 1 && v <= 65535
	}
	for i := 0; i < len(a); i++ {
		switch a[i] {
		case "hello-interval", "dead-interval", "retransmit-interval", "transmit-delay", "retry-interval":
			if a[i] == "retry-interval" && ios {
				return false
			}
			v, ok := num(i + 1)
			if !ok {
				return false
			}
			switch a[i] {
			case "hello-interval":
				vl.Hello = model.Set(v, pos)
			case "dead-interval":
				vl.Dead = model.Set(v, pos)
			}
			i++
		case "ttl-security":
			if !ios || i+2 >= len(a) || a[i+1] != "hops" {
				return false
			}
			if _, ok := num(i + 2); !ok {
				return false
			}
			i += 2
		case "authentication":
			vl.Auth = model.AuthSimple
			if i+1 < len(a) {
				switch a[i+1] {
				case "message-digest":
					vl.Auth = model.AuthMD5
					i++
				case "null":
					vl.Auth = model.AuthNull
					i++
				}
			}
		case "authentication-key", "message-digest-key":
			// The redactor cut the line after the key keyword.
			vl.HasKey = true
			return true
		default:
			return false
		}
	}
	return true
}

// NSSAOptions reads the words after `area X nssa` (FRR ospfd/ospf6d and
// IOS share them): no-summary and `default-information-originate
// [metric N] [metric-type 1|2]`; it returns the words it does not read,
// for the caller, and false when the default's options are malformed.
// The area's type is set by the caller.
func NSSAOptions(ar *model.OSPFArea, w []string, pos source.Pos) (rest []string, ok bool) {
	for i := 0; i < len(w); i++ {
		switch w[i] {
		case "no-summary":
			ar.NoSummary = true
		case "default-information-originate":
			d := &model.DefaultOriginate{Pos: pos}
			for i+1 < len(w) && (w[i+1] == "metric" || w[i+1] == "metric-type") {
				if i+2 >= len(w) {
					return rest, false
				}
				v, err := strconv.Atoi(w[i+2])
				switch {
				case err != nil || v < 0 || v > 16777214:
					return rest, false
				case w[i+1] == "metric":
					d.Metric = v
				case v != 1 && v != 2:
					return rest, false
				default:
					d.MetricType = v
				}
				i += 2
			}
			ar.NSSADefaultOriginate = d
		default:
			rest = append(rest, w[i])
		}
	}
	return rest, true
}
