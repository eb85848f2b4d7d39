package sim

import (
	"fmt"
	"net/netip"
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
	logs4, logs6 []*netfilter.Rule
	// ctUser4 and ctUser6 are the first rules that make the kernel
	// track connections of each family (nil: conntrack is not running
	// for it); see conntrackUser.
	ctUser4, ctUser6 *netfilter.Rule
}

// NewHost indexes d for tracing.
func NewHost(d *model.Device) *Host {
	return &Host{Dev: d, FIB: rib.New(d), logs4: logRules(d.Filter4), logs6: logRules(d.Filter6),
		ctUser4: conntrackUser(d.Filter4), ctUser6: conntrackUser(d.Filter6)}
}

func (h *Host) logRules(v6 bool) []*netfilter.Rule {
	if v6 {
		return h.logs6
	}
	return h.logs4
}

// logRules collects the LOG and NFLOG rules of rs: raw, mangle, nat,
// filter, security, each in declaration order.
func logRules(rs *netfilter.Ruleset) []*netfilter.Rule {
	if rs == nil {
		return nil
	}
	var out []*netfilter.Rule
	for _, tn := range []string{"raw", "mangle", "nat", "filter", "security"} {
		t := rs.Tables[tn]
		if t == nil {
			continue
		}
		for _, cn := range t.Order {
			for _, r := range t.Chains[cn].Rules {
				switch r.Target.(type) {
				case *netfilter.LogTarget, *netfilter.NFLogTarget:
					out = append(out, r)
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
