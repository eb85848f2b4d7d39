package policy

import (
	"fmt"
	"net/netip"

	"farend/internal/model"
)

// PrefixListPermits applies a prefix list to a prefix: the first entry
// that matches decides; no match denies (implicit deny, IOS and FRR
// lib/plist.c). A list that does not exist denies: FRR
// bgpd/bgp_route.c bgp_input_filter/bgp_output_filter deny when
// prefix_list_apply returns PREFIX_DENY, which it does for a NULL list.
func PrefixListPermits(r *model.Router, name string, p netip.Prefix) (bool, string) {
	pl := r.PrefixList(name, p.Addr().Is6())
	if pl == nil {
		return false, fmt.Sprintf("prefix-list %s does not exist: denied", name)
	}
	for _, e := range pl.Entries {
		if EntryMatches(e, p) {
			if e.Permit {
				return true, fmt.Sprintf("prefix-list %s seq %d permits %s", name, e.Seq, p)
			}
			return false, fmt.Sprintf("prefix-list %s seq %d denies %s", name, e.Seq, p)
		}
	}
	return false, fmt.Sprintf("prefix-list %s: no entry matches %s (implicit deny)", name, p)
}

// EntryMatches: the prefix's network lies in the entry's and its length
// is the entry's, or within ge..le (ge alone: up to the address length).
func EntryMatches(e model.PrefixListEntry, p netip.Prefix) bool {
	if e.Any {
		return true
	}
	if !e.Prefix.IsValid() || e.Prefix.Addr().Is6() != p.Addr().Is6() || p.Bits() < e.Prefix.Bits() || !e.Prefix.Contains(p.Addr()) {
		return false
	}
	if e.GE == 0 && e.LE == 0 {
		return p.Bits() == e.Prefix.Bits()
	}
	lo, hi := e.Prefix.Bits(), p.Addr().BitLen()
	if e.GE != 0 {
		lo = e.GE
	}
	if e.LE != 0 {
		hi = e.LE
	}
	return p.Bits() >= lo && p.Bits() <= hi
}
