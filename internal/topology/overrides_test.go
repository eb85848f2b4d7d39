package topology

import (
	"strings"
	"testing"

	"farend/internal/model"
)

func TestLinksFileApplies(t *testing.T) {
	lan := func() []*model.Device {
		return []*model.Device{
			dev("a", ifc("eth0", "198.51.100.1/24"), ifc("eth1", "192.0.2.0/31"), ifc("eth2", "fe80::1/64")),
			dev("b", ifc("eth0", "198.51.100.2/24"), ifc("eth1", "192.0.2.1/31"), ifc("eth2", "fe80::2/64")),
			dev("c", ifc("eth0", "198.51.100.3/24")),
		}
	}
	cases := []struct {
		name     string
		file     string
		links    []string
		segments []string
		unpaired []string
		removed  int
		texts    []string
	}{
		{
			name:     "nothing to apply",
			file:     "",
			links:    []string{"a:eth1 -- b:eth1 [subnet]"},
			segments: []string{"198.51.100.0/24: a:eth0 b:eth0 c:eth0"},
		},
		{
			name:     "add a link over link-local addresses",
			file:     "links:\n  - a: b:eth2\n    b: a:eth2\n    why: cable 7\n",
			links:    []string{"a:eth1 -- b:eth1 [subnet]", "a:eth2 -- b:eth2 [links.yaml]"},
			segments: []string{"198.51.100.0/24: a:eth0 b:eth0 c:eth0"},
			texts:    []string{"links.yaml:2: cable 7"},
		},
		{
			name:     "confirm an inferred link",
			file:     "links:\n  - {a: a:eth1, b: b:eth1}\n",
			links:    []string{"a:eth1 -- b:eth1 [subnet,links.yaml]"},
			segments: []string{"198.51.100.0/24: a:eth0 b:eth0 c:eth0"},
		},
		{
			name:     "remove and re-add: an override",
			file:     "links:\n  - {a: a:eth1, b: c:eth0}\nremove:\n  - {a: b:eth1, b: a:eth1, why: wrong}\n",
			links:    []string{"a:eth1 -- c:eth0 [links.yaml]"},
			segments: []string{"198.51.100.0/24: a:eth0 b:eth0 c:eth0"},
			removed:  1,
			texts:    []string{"removed by links.yaml:4: wrong"},
		},
		{
			name:    "take an interface off a segment: two are left, a link",
			file:    "remove:\n  - a: c:eth0\n",
			links:   []string{"a:eth0 -- b:eth0 [subnet]", "a:eth1 -- b:eth1 [subnet]"},
			removed: 0,
			texts:   []string{"both in 198.51.100.0/24 once c:eth0 is taken off by links.yaml:2"},
		},
		{
			name:     "entries that name nothing or remove nothing",
			file:     "links:\n  - {a: z:eth0, b: a:eth0}\n  - {a: a:eth9, b: a:eth0}\n  - {a: a:eth0, b: a:eth0}\nremove:\n  - {a: a:eth0, b: c:eth0}\n  - {a: a:eth2, b: b:eth2}\n",
			links:    []string{"a:eth1 -- b:eth1 [subnet]"},
			segments: []string{"198.51.100.0/24: a:eth0 b:eth0 c:eth0"},
			unpaired: []string{"a:eth0 links.yaml", "a:eth0 links.yaml", "a:eth2 links.yaml", "a:eth9 links.yaml", "z:eth0 links.yaml"},
			texts: []string{
				"links.yaml:2: no device z in the snapshot: entry ignored",
				"links.yaml:3: a has no interface eth9: entry ignored",
				"links.yaml:4: a link from an interface to itself",
				"links.yaml:6: removes a:eth0 -- c:eth0, which are on segment 198.51.100.0/24, not a link",
				"links.yaml:7: removes a:eth2 -- b:eth2, which was not inferred",
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var lf *LinksFile
			if c.file != "" {
				lf = ParseLinksFile("links.yaml", []byte(c.file))
				if len(lf.Notes) != 0 {
					t.Fatalf("notes: %v", lf.Notes)
				}
			}
			top := Infer(lan(), lf)
			same(t, "links", linkList(top), c.links)
			same(t, "segments", segmentList(top), c.segments)
			same(t, "unpaired", unpairedList(top), c.unpaired)
			if len(top.Removed) != c.removed {
				t.Errorf("removed %d links, want %d", len(top.Removed), c.removed)
			}
			all := dump(top)
			for _, w := range c.texts {
				if !strings.Contains(all, w) {
					t.Errorf("no %q in\n%s", w, all)
				}
			}
		})
	}
}
