package topology

import (
	"os"
	"path/filepath"
	"sort"

	"farend/internal/model"
	"farend/internal/snapshot"
	"farend/internal/source"
)

// LinksFileName is the optional file in a snapshot's root that adds and
// removes links (see linksfile.go for its format).
const LinksFileName = "links.yaml"

// Build infers the topology of a loaded snapshot and applies the
// snapshot's links.yaml when there is one.
func Build(s *snapshot.Snapshot) *Topology {
	lf, in := ReadLinksFile(s.Dir)
	t := Infer(s.Devices, lf)
	t.LinksFile = in
	return t
}

// ReadLinksFile reads dir/links.yaml. It returns nil when the file is
// missing or unreadable; the Input says which.
func ReadLinksFile(dir string) (*LinksFile, model.Input) {
	in := model.Input{What: "links", File: LinksFileName}
	data, err := os.ReadFile(filepath.Join(dir, LinksFileName))
	switch {
	case os.IsNotExist(err):
		return nil, in
	case err != nil:
		in.Err = err.Error()
		return nil, in
	}
	in.Present = true
	return ParseLinksFile(LinksFileName, data), in
}

// Infer computes the topology of devs from their addressing and tunnels,
// then applies lf (nil when there is no links.yaml).
func Infer(devs []*model.Device, lf *LinksFile) *Topology {
	b := &builder{devs: devs, links: map[[2]Endpoint]*Link{}}
	b.subnets()
	b.peers()
	b.tunnels()
	b.unpairedTunnelLinks()
	t := &Topology{Devices: []string{}, Segments: b.segments, Unpaired: b.unpaired, Removed: []Link{}, Notes: source.Notes{}}
	for _, d := range devs {
		t.Devices = append(t.Devices, d.Name)
	}
	sort.Strings(t.Devices)
	for _, l := range b.links {
		if l != nil {
			t.Links = append(t.Links, *l)
		}
	}
	if lf != nil {
		apply(t, devs, lf)
		t.Notes = append(t.Notes, lf.Notes...)
	}
	t.finish(devs)
	return t
}

// builder collects links as evidence arrives, one Link per pair of
// interfaces.
type builder struct {
	devs     []*model.Device
	links    map[[2]Endpoint]*Link
	segments []Segment
	unpaired []Unpaired
}

// link records evidence that a and b are linked and returns the link.
func (b *builder) link(x, y Endpoint, r Reason) *Link {
	if y.Less(x) {
		x, y = y, x
	}
	k := [2]Endpoint{x, y}
	l := b.links[k]
	if l == nil {
		l = &Link{A: x, B: y}
		b.links[k] = l
	}
	l.addReason(r)
	return l
}

func (b *builder) unpair(u Unpaired) { b.unpaired = append(b.unpaired, u) }

// addReason appends r unless the link already has the same text.
func (l *Link) addReason(r Reason) {
	for _, o := range l.Reasons {
		if o.Text == r.Text {
			return
		}
	}
	l.Reasons = append(l.Reasons, r)
}

// finish sorts everything and marks ends that are down, so that the same
// snapshot always prints the same topology.
func (t *Topology) finish(devs []*model.Device) {
	byName := map[string]*model.Device{}
	for _, d := range devs {
		byName[d.Name] = d
	}
	down := func(e Endpoint) bool {
		d := byName[e.Node]
		if d == nil {
			return false
		}
		ifc := d.Interface(e.Iface)
		return ifc != nil && !ifc.Up
	}
	for _, ls := range [][]Link{t.Links, t.Removed} {
		for i := range ls {
			l := &ls[i]
			l.Down = nil
			for _, e := range []Endpoint{l.A, l.B} {
				if down(e) {
					l.Down = append(l.Down, e)
				}
			}
			sort.SliceStable(l.Reasons, func(i, j int) bool { return l.Reasons[i].Kind < l.Reasons[j].Kind })
		}
		sort.Slice(ls, func(i, j int) bool { return linkLess(ls[i], ls[j]) })
	}
	if t.Links == nil {
		t.Links = []Link{}
	}
	if t.Segments == nil {
		t.Segments = []Segment{}
	}
	for _, s := range t.Segments {
		sort.Slice(s.Members, func(i, j int) bool { return s.Members[i].Endpoint.Less(s.Members[j].Endpoint) })
	}
	sort.Slice(t.Segments, func(i, j int) bool {
		return prefixLess(t.Segments[i].Prefixes[0], t.Segments[j].Prefixes[0])
	})
	if t.Unpaired == nil {
		t.Unpaired = []Unpaired{}
	}
	sort.SliceStable(t.Unpaired, func(i, j int) bool {
		a, b := t.Unpaired[i], t.Unpaired[j]
		if a.Endpoint != b.Endpoint {
			if a.Endpoint.IsZero() != b.Endpoint.IsZero() {
				return !a.Endpoint.IsZero()
			}
			return a.Endpoint.Less(b.Endpoint)
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Reason < b.Reason
	})
	t.Notes.Sort()
}

func linkLess(a, b Link) bool {
	if a.A != b.A {
		return a.A.Less(b.A)
	}
	return a.B.Less(b.B)
}
