package sim

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/rib"
)

// Host is one Linux device ready for tracing.
type Host struct {
	Dev *model.Device
	FIB *rib.FIB
	// logs4 and logs6 are the LOG/NFLOG rules in table order, for the
	// "did not fire" list.
	logs4, logs6 []logRule
	// ctUser4 and ctUser6 are the first rules that make the kernel
	// track connections of each family (nil: conntrack is not running
	// for it); see conntrackUser.
	ctUser4, ctUser6 *netfilter.Rule
	// loaded4 and loaded6 say whether any ruleset of the family was
	// loaded (iptables-save or an nft table): without one, whether
	// conntrack runs is unknown and it is taken as running.
	loaded4, loaded6 bool
	timelines        map[timelineKey]*timeline
}

// NewHost indexes d for tracing.
func NewHost(d *model.Device) *Host {
	h := &Host{Dev: d, FIB: rib.New(d), logs4: logRules(d.Filter4), logs6: logRules(d.Filter6),
		ctUser4: conntrackUser(d.Filter4), ctUser6: conntrackUser(d.Filter6),
		loaded4: d.Filter4 != nil, loaded6: d.Filter6 != nil}
	for _, rs := range d.NFT {
		v4, v6 := rs.Family == netfilter.IPv4 || rs.Family == netfilter.Inet, rs.Family == netfilter.IPv6 || rs.Family == netfilter.Inet
		logs := h.nftLogRules(rs)
		if v4 {
			h.loaded4 = h.loaded4 || len(rs.Tables) > 0
			h.logs4 = append(h.logs4, logs...)
		}
		if v6 {
			h.loaded6 = h.loaded6 || len(rs.Tables) > 0
			h.logs6 = append(h.logs6, logs...)
		}
		h.nftConntrackUsers(rs)
	}
	// Built now, not on first use: a Host is read-only afterwards and can
	// be shared by goroutines.
	h.timelines = map[timelineKey]*timeline{}
	for _, v6 := range []bool{false, true} {
		for _, hook := range []netfilter.Hook{netfilter.Prerouting, netfilter.Input, netfilter.Forward, netfilter.Output, netfilter.Postrouting} {
			h.timelines[timelineKey{v6, hook}] = h.buildTimeline(v6, hook)
		}
	}
	return h
}

// shadowed reports whether an nft table is one iptables-save already
// shows: made by iptables-nft, of a family whose iptables-save output from
// the nf_tables backend is loaded. With iptables-legacy the nft table is
// a second, separate table and is not shadowed.
//
// iptables-nft-save prints every ip/ip6 table with an iptables table's
// name (it refuses one it cannot read: "table `filter' is incompatible"),
// so such a table is shadowed when iptables-save shows it too, whatever
// its shape.
func (h *Host) shadowed(t *netfilter.Table) bool {
	if t.NFT == nil {
		return false
	}
	var xt *netfilter.Ruleset
	switch t.NFT.Family {
	case netfilter.IPv4:
		xt = h.Dev.Filter4
	case netfilter.IPv6:
		xt = h.Dev.Filter6
	default:
		return false
	}
	if xt == nil || xt.Backend == "legacy" {
		return false
	}
	if x := xt.Table(t.Name); x != nil && x.Incompatible {
		return false // iptables-save could not show it: nft.json is the table
	}
	return t.NFT.IptablesNFT || xt.Table(t.Name) != nil
}

// nftLoaded reports whether nft.json had a table of the family (ip/ip6
// or inet).
func (h *Host) nftLoaded(v6 bool) bool {
	fam := netfilter.IPv4
	if v6 {
		fam = netfilter.IPv6
	}
	for _, rs := range h.Dev.NFT {
		if (rs.Family == fam || rs.Family == netfilter.Inet) && len(rs.Tables) > 0 {
			return true
		}
	}
	return false
}

// conntrackOn reports whether conntrack's hooks are registered for the
// family: some rule needs them, or no ruleset was loaded (unknown: taken
// as running, as on most hosts).
func (h *Host) conntrackOn(v6 bool) bool {
	if v6 {
		return h.ctUser6 != nil || !h.loaded6
	}
	return h.ctUser4 != nil || !h.loaded4
}

// nftTables lists the tables of an nft ruleset by handle (creation order).
func nftTables(rs *netfilter.Ruleset) []*netfilter.Table {
	var ts []*netfilter.Table
	for _, t := range rs.Tables {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(i, j int) bool { return nftHandle(ts[i]) < nftHandle(ts[j]) })
	return ts
}

func nftHandle(t *netfilter.Table) uint64 {
	if t.NFT == nil {
		return 0
	}
	return t.NFT.Handle
}

// nftRules calls f for every rule of rs: tables by handle, chains as
// declared.
func nftRules(rs *netfilter.Ruleset, f func(*netfilter.Rule) bool) {
	for _, t := range nftTables(rs) {
		for _, cn := range t.Order {
			c := t.Chains[cn]
			if c == nil {
				continue
			}
			for _, r := range c.Rules {
				if !f(r) {
					return
				}
			}
		}
	}
}

// nftConntrackUsers is conntrackUser for nft tables: it records, per
// family, the first rule whose expressions register conntrack for it
// (netfilter.NFTConntrackFamilies: the table's family, both for inet,
// the address family of snat/dnat). Dormant tables count: the
// expressions are initialised when the rule is added. Tables
// iptables-save shows are left out: conntrackUser judged their rules
// with every option.
func (h *Host) nftConntrackUsers(rs *netfilter.Ruleset) {
	skip := map[*netfilter.Rule]bool{}
	for _, t := range rs.Tables {
		if h.shadowed(t) {
			for _, c := range t.Chains {
				for _, r := range c.Rules {
					skip[r] = true
				}
			}
		}
	}
	nftRules(rs, func(r *netfilter.Rule) bool {
		if skip[r] {
			return true
		}
		v4, v6 := netfilter.NFTConntrackFamilies(r, rs.Family)
		if v4 && h.ctUser4 == nil {
			h.ctUser4 = r
		}
		if v6 && h.ctUser6 == nil {
			h.ctUser6 = r
		}
		return h.ctUser4 == nil || h.ctUser6 == nil
	})
}

// nftLogRules are the nft rules with a log statement (or an xt LOG/NFLOG
// target).
// Tables that iptables-save already shows are left out (shadowed).
func (h *Host) nftLogRules(rs *netfilter.Ruleset) []logRule {
	var out []logRule
	fam := map[*netfilter.Rule]string{}
	for _, t := range rs.Tables {
		if t.NFT == nil || h.shadowed(t) {
			continue
		}
		for _, c := range t.Chains {
			for _, r := range c.Rules {
				fam[r] = t.NFT.Family.String()
			}
		}
	}
	nftRules(rs, func(r *netfilter.Rule) bool {
		f, ok := fam[r]
		if !ok {
			return true
		}
		if st, ok := r.Target.(*netfilter.NFTStatements); ok {
			for _, it := range st.Items {
				switch s := it.Stmt.(type) {
				case *netfilter.NFTLog:
					out = append(out, logRule{r, f})
					return true
				case *netfilter.NFTXT:
					if s.Name == "LOG" || s.Name == "NFLOG" {
						out = append(out, logRule{r, f})
						return true
					}
				}
			}
		}
		return true
	})
	return out
}

// logRule is a rule that logs, with the nft family of its table ("" for
// iptables-save).
type logRule struct {
	r      *netfilter.Rule
	family string
}

func (h *Host) logRules(v6 bool) []logRule {
	if v6 {
		return h.logs6
	}
	return h.logs4
}

// logRules collects the LOG and NFLOG rules of rs: raw, mangle, nat,
// filter, security, each in declaration order.
func logRules(rs *netfilter.Ruleset) []logRule {
	if rs == nil {
		return nil
	}
	var out []logRule
	for _, tn := range []string{"raw", "mangle", "nat", "filter", "security"} {
		t := rs.Tables[tn]
		if t == nil {
			continue
		}
		for _, cn := range t.Order {
			for _, r := range t.Chains[cn].Rules {
				switch r.Target.(type) {
				case *netfilter.LogTarget, *netfilter.NFLogTarget:
					out = append(out, logRule{r: r})
				}
			}
		}
	}
	return out
}

// Request is the packet to trace and where it starts.
type Request struct {
	Pkt packet.Packet
	// In is the interface the packet arrives on; empty when Local.
	In string
	// Local is true for a packet the host itself sends.
	Local bool
	// CtState is the conntrack state the packet has once tracked: NEW
	// (the default, zero value taken as NEW), ESTABLISHED or RELATED.
	CtState netfilter.CtState
	// Reply, for a reply packet (CtState ESTABLISHED), is the NAT the
	// request got on this host; nil when the request is not known. The
	// nat hook undoes it (see replyNAT).
	Reply []netfilter.Rewrite
	// Again, for a packet that comes back to this host with the same
	// addresses and ports (a hairpin or a loop), is what its first pass
	// set up: the same conntrack entry is found, still NEW, and the nat
	// chains do not run again for a manip type already initialised
	// (nf_nat_inet_fn: !nf_nat_initialized); its mapping is applied.
	Again *Pass
}

// Pass is what one pass of a connection through a host set up for NAT.
type Pass struct {
	// NAT are the rewrites of that pass.
	NAT []netfilter.Rewrite
	// Done are the manip types ("dst", "src") whose nat chains ran.
	Done []string
}

// Validate checks the request against the device.
func (h *Host) Validate(req Request) error {
	if err := req.Pkt.Validate(); err != nil {
		return err
	}
	if req.Local == (req.In != "") {
		return fmt.Errorf("sim: give exactly one of an input interface or local origin")
	}
	if req.In != "" && len(h.Dev.Interfaces) > 0 && h.Dev.Interface(req.In) == nil {
		return fmt.Errorf("sim: %s has no interface %q (it has %s)", h.Dev.Name, req.In, ifaceNames(h.Dev))
	}
	return nil
}

func ifaceNames(d *model.Device) string {
	s := ""
	for i, itf := range d.Interfaces {
		if i > 0 {
			s += ", "
		}
		s += itf.Name
	}
	return s
}

func (h *Host) ruleset(v6 bool) *netfilter.Ruleset {
	if v6 {
		return h.Dev.Filter6
	}
	return h.Dev.Filter4
}

// isLocalAddr reports whether a is configured on any interface.
func (h *Host) isLocalAddr(a netip.Addr) bool {
	for _, itf := range h.Dev.Interfaces {
		for _, ad := range itf.Addrs {
			if ad.Prefix.Addr() == a {
				return true
			}
		}
	}
	return false
}

// sysctlInt reads a sysctl with a default for when it is unknown.
func (h *Host) sysctlInt(key string, def int) (int, bool) {
	v, ok := h.Dev.Sysctl.Int(key)
	if !ok {
		return def, false
	}
	return v, true
}

// confKey builds a per-device sysctl key; sysctl prints a '.' in an
// interface name as '/' (eth0.10 -> net.ipv4.conf.eth0/10.rp_filter).
func confKey(family, dev, key string) string {
	return "net." + family + ".conf." + strings.ReplaceAll(dev, ".", "/") + "." + key
}

// isLoopback reports whether the interface is a loopback device.
func (h *Host) isLoopback(name string) bool {
	if name == "lo" {
		return true
	}
	if itf := h.Dev.Interface(name); itf != nil {
		return itf.Loopback
	}
	return false
}
