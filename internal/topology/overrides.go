package topology

import (
	"fmt"

	"farend/internal/model"
)

// apply carries out links.yaml: removals first, then additions, so that a
// removal and an addition together override an inferred link. Entries
// that name no device or interface, or remove nothing, are reported as
// unpaired with their line.
func apply(t *Topology, devs []*model.Device, lf *LinksFile) {
	byName := map[string]*model.Device{}
	for _, d := range devs {
		byName[d.Name] = d
	}
	valid := func(s LinkSpec, e Endpoint) bool {
		d := byName[e.Node]
		why := ""
		switch {
		case d == nil:
			why = fmt.Sprintf("no device %s in the snapshot", e.Node)
		case d.Interface(e.Iface) == nil:
			why = fmt.Sprintf("%s has no interface %s", e.Node, e.Iface)
		default:
			return true
		}
		t.Unpaired = append(t.Unpaired, Unpaired{Endpoint: e, Kind: KindLinksFile, Reason: fmt.Sprintf("%s: %s: entry ignored", s.Pos, why), Pos: s.Pos})
		return false
	}
	for _, s := range lf.Remove {
		if !valid(s, s.A) || !s.B.IsZero() && !valid(s, s.B) {
			continue
		}
		if !t.remove(s) {
			what := s.A.String() + " -- " + s.B.String()
			if s.B.IsZero() {
				what = s.A.String() + " from every link"
			}
			why := "which was not inferred"
			for _, g := range t.Segments {
				if g.has(s.A) && g.has(s.B) {
					why = fmt.Sprintf("which are on segment %s, not a link: an entry with only a: takes one interface off it", g.Prefixes[0])
				}
			}
			t.Unpaired = append(t.Unpaired, Unpaired{Endpoint: s.A, With: s.B, Kind: KindLinksFile,
				Reason: fmt.Sprintf("%s: removes %s, %s", s.Pos, what, why), Pos: s.Pos})
		}
	}
	for _, s := range lf.Add {
		if !valid(s, s.A) || !valid(s, s.B) {
			continue
		}
		if s.A == s.B {
			t.Unpaired = append(t.Unpaired, Unpaired{Endpoint: s.A, Kind: KindLinksFile,
				Reason: fmt.Sprintf("%s: a link from an interface to itself: entry ignored", s.Pos), Pos: s.Pos})
			continue
		}
		r := Reason{Kind: KindLinksFile, Text: specText(s), Pos: s.Pos}
		x, y := s.A, s.B
		if y.Less(x) {
			x, y = y, x
		}
		found := false
		for i := range t.Links {
			if t.Links[i].A == x && t.Links[i].B == y {
				t.Links[i].addReason(r)
				found = true
			}
		}
		if !found {
			t.Links = append(t.Links, Link{A: x, B: y, Reasons: []Reason{r}})
		}
	}
}

// remove drops the links (and, for an entry without b, the segment
// memberships) a removal names; it reports whether there were any.
func (t *Topology) remove(s LinkSpec) bool {
	removed := false
	r := Reason{Kind: KindLinksFile, Text: "removed by " + specText(s), Pos: s.Pos}
	var keep []Link
	for _, l := range t.Links {
		hit := l.A == s.A && l.B == s.B || l.A == s.B && l.B == s.A
		if s.B.IsZero() {
			hit = l.A == s.A || l.B == s.A
		}
		if !hit {
			keep = append(keep, l)
			continue
		}
		l.Reasons = append(l.Reasons, r)
		t.Removed = append(t.Removed, l)
		removed = true
	}
	t.Links = keep
	if !s.B.IsZero() {
		return removed
	}
	var segs []Segment
	for _, g := range t.Segments {
		if !g.has(s.A) {
			segs = append(segs, g)
			continue
		}
		removed = true
		var ms []Member
		for _, m := range g.Members {
			if m.Endpoint != s.A {
				ms = append(ms, m)
			}
		}
		g.Members = ms
		g.Reasons = append(g.Reasons, Reason{Kind: KindLinksFile, Text: fmt.Sprintf("%s taken off by %s", s.A, specText(s)), Pos: s.Pos})
		switch len(ms) {
		case 0, 1:
		case 2:
			l := Link{A: ms[0].Endpoint, B: ms[1].Endpoint}
			for _, p := range g.Prefixes {
				l.Reasons = append(l.Reasons, Reason{Kind: KindSubnet, Text: fmt.Sprintf("both in %s once %s is taken off by %s", p, s.A, specText(s))})
			}
			t.Links = append(t.Links, l)
		default:
			segs = append(segs, g)
		}
	}
	t.Segments = segs
	return removed
}

// specText is "links.yaml:N" or "links.yaml:N: why".
func specText(s LinkSpec) string {
	if s.Why != "" {
		return s.Pos.String() + ": " + s.Why
	}
	return s.Pos.String()
}
