package cisco

import (
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
