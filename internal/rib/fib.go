package rib

import (
	"sort"

	"farend/internal/model"
)

// FIB is the routing state of one device, indexed for lookups.
type FIB struct {
	dev    *model.Device
	rules4 []*model.RouteRule
	rules6 []*model.RouteRule
	tables map[tableKey]*table
}

type tableKey struct {
	id uint32
	v6 bool
}

// New indexes d's routes and rules. When d has no rules for a family (the
// file was missing), the kernel's default rules are assumed: IPv4 0 local,
// 32766 main, 32767 default; IPv6 0 local, 32766 main (fib4_rules_init,
// fib6_rules_net_init).
func New(d *model.Device) *FIB {
	f := &FIB{dev: d, tables: map[tableKey]*table{}}
	for i := range d.Routes {
		r := &d.Routes[i]
		if !r.Dst.IsValid() {
			continue
		}
		k := tableKey{id: r.Table, v6: r.Is6()}
		if k.id == 0 {
			k.id = model.TableMain
		}
		t := f.tables[k]
		if t == nil {
			t = newTable(k.v6)
			f.tables[k] = t
		}
		t.add(r)
	}
	for _, t := range f.tables {
		t.sort()
	}
	f.rules4 = sortedRules(d.Rules4, false)
	f.rules6 = sortedRules(d.Rules6, true)
	return f
}

// DefaultRules returns the rules a fresh network namespace has.
func DefaultRules(v6 bool) []model.RouteRule {
	rs := []model.RouteRule{
		{Priority: 0, Table: model.TableLocal, SuppressPrefixLen: -1, SuppressIfGroup: -1},
		{Priority: 32766, Table: model.TableMain, SuppressPrefixLen: -1, SuppressIfGroup: -1},
	}
	if !v6 {
		rs = append(rs, model.RouteRule{Priority: 32767, Table: model.TableDefault, SuppressPrefixLen: -1, SuppressIfGroup: -1})
	}
	return rs
}

func sortedRules(in []model.RouteRule, v6 bool) []*model.RouteRule {
	if in == nil {
		in = DefaultRules(v6)
	}
	out := make([]*model.RouteRule, len(in))
	for i := range in {
		out[i] = &in[i]
	}
	// The kernel keeps rules sorted by priority; equal priorities keep
	// insertion order, which `ip rule show` prints.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out
}

// Rules returns the policy rules of a family in evaluation order.
func (f *FIB) Rules(v6 bool) []*model.RouteRule {
	if v6 {
		return f.rules6
	}
	return f.rules4
}

// HasCustomRules reports whether the IPv4 rules differ from the defaults
// (the kernel's fib4_has_custom_rules is set once any rule is added; a
// snapshot can only tell whether non-default rules exist now).
func (f *FIB) HasCustomRules() bool {
	def := DefaultRules(false)
	if len(f.rules4) != len(def) {
		return true
	}
	for i, r := range f.rules4 {
		d := def[i]
		if r.Priority != d.Priority || r.Table != d.Table || r.Action != d.Action || r.From.IsValid() || r.To.IsValid() ||
			r.IIF != "" || r.OIF != "" || r.HasMark || r.Not || r.TOS != 0 || r.IPProto != 0 || r.SPort.IsSet() || r.DPort.IsSet() ||
			r.SuppressPrefixLen >= 0 {
			return true
		}
	}
	return false
}

// Table returns the routes of one table in lookup order (longest prefix
// first), or nil.
func (f *FIB) Table(id uint32, v6 bool) []*model.Route {
	t := f.tables[tableKey{id, v6}]
	if t == nil {
		return nil
	}
	return t.all()
}

// TableIDs returns the ids of the tables that hold routes of a family.
func (f *FIB) TableIDs(v6 bool) []uint32 {
	var ids []uint32
	for k := range f.tables {
		if k.v6 == v6 {
			ids = append(ids, k.id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// Device returns the device the FIB was built from.
func (f *FIB) Device() *model.Device { return f.dev }
