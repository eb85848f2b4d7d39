package ospf

import (
	"sort"
	"strconv"
	"strings"
)

// frrIfCmp orders interface names as FRR does (lib/if.c
// if_cmp_name_func): letters compared as strings, embedded numbers as
// numbers ("e9" < "e10" < "lo"). FRR keeps interfaces in this order, and
// when a process is configured after its interfaces it attaches them in
// this order, which decides choices like the NSSA forwarding address
// (ospfd/ospf_lsa.c ospf_get_nssa_ip walks ospf->oiflist; ospf6d's
// ospf6_get_nssa_fwd_addr walks the area's if_list).
func frrIfCmp(p1, p2 string) int {
	for p1 != "" && p2 != "" {
		l1 := strings.IndexAny(p1, "0123456789")
		l2 := strings.IndexAny(p2, "0123456789")
		if l1 < 0 {
			l1 = len(p1)
		}
		if l2 < 0 {
			l2 = len(p2)
		}
		if l1 != l2 {
			return strings.Compare(p1, p2)
		}
		if c := strings.Compare(p1[:l1], p2[:l1]); c != 0 {
			return c
		}
		p1, p2 = p1[l1:], p2[l1:]
		switch {
		case p1 == "" && p2 == "":
			return 0
		case p1 == "":
			return -1
		case p2 == "":
			return 1
		}
		d1, d2 := digits(p1), digits(p2)
		x1, _ := strconv.ParseInt(p1[:d1], 10, 64)
		x2, _ := strconv.ParseInt(p2[:d2], 10, 64)
		if x1 != x2 {
			if x1 < x2 {
				return -1
			}
			return 1
		}
		if d1 != d2 {
			return strings.Compare(p1, p2)
		}
		p1, p2 = p1[d1:], p2[d2:]
	}
	switch {
	case p1 != "":
		return 1
	case p2 != "":
		return -1
	}
	return 0
}

func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// ifaceOrder returns the instance's interfaces in the order its
// implementation walks them: FRR's name order, else configuration order.
func ifaceOrder(in *Instance) []*Iface {
	out := append([]*Iface(nil), in.Ifaces...)
	if isFRR(in) {
		sort.SliceStable(out, func(i, j int) bool { return frrIfCmp(out[i].Name, out[j].Name) < 0 })
	}
	return out
}
