package linux

import (
	"os"
	"path/filepath"
	"testing"

	"farend/internal/source"
)

// seed adds every testdata file called name to f's corpus.
func seed(f *testing.F, name string) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*", name))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkNotes holds for every parser: notes name the file they were given
// and every key of every element is accounted for.
func checkNotes(t *testing.T, file string, notes source.Notes, elems []*node) {
	for _, n := range notes {
		if n.Pos.File != file {
			t.Fatalf("note with file %q: %v", n.Pos.File, n)
		}
	}
	for i, e := range elems {
		walk(e, "", func(path string, f *field) {
			if f.state == unread {
				t.Fatalf("element %d: key %s dropped silently", i, path)
			}
		})
	}
}

func FuzzParseLinks(f *testing.F) {
	seed(f, "ip-link.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		ifs, notes, elems := parseLinks("l", data)
		checkNotes(t, "l", notes, elems)
		if len(ifs) > len(elems) {
			t.Fatalf("%d interfaces from %d elements", len(ifs), len(elems))
		}
	})
}

func FuzzParseAddrs(f *testing.F) {
	seed(f, "ip-addr.json")
	links, _ := ParseLinks("ip-link.json", mustRead(f, "testdata/netns/ip-link.json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, notes, elems := parseAddrs("a", data, nil)
		checkNotes(t, "a", notes, elems)
		out, _ := ParseAddrs("a", data, links)
		if len(out) < len(links) {
			t.Fatalf("merging lost interfaces: %d < %d", len(out), len(links))
		}
	})
}

func FuzzParseRoutes(f *testing.F) {
	seed(f, "ip-route.json")
	seed(f, "ip6-route.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v6 := range []bool{false, true} {
			rs, notes, elems := parseRoutes("r", data, v6)
			checkNotes(t, "r", notes, elems)
			for _, r := range rs {
				if !r.Dst.IsValid() {
					t.Fatalf("route without destination: %+v", r)
				}
			}
		}
	})
}

func FuzzParseRules(f *testing.F) {
	seed(f, "ip-rule.json")
	seed(f, "ip6-rule.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v6 := range []bool{false, true} {
			rs, notes, elems := parseRules("r", data, v6)
			checkNotes(t, "r", notes, elems)
			for _, r := range rs {
				if r.From.IsValid() && r.From.Addr().Is6() != v6 || r.To.IsValid() && r.To.Addr().Is6() != v6 {
					t.Fatalf("rule of the wrong family: %+v", r)
				}
			}
		}
	})
}

func FuzzParseSysctl(f *testing.F) {
	seed(f, "sysctl.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, notes := ParseSysctl("s", data)
		if s == nil {
			t.Fatal("nil sysctl")
		}
		for _, n := range notes {
			if n.Pos.File != "s" || n.Pos.Line < 1 {
				t.Fatalf("bad note position: %v", n)
			}
		}
	})
}

func mustRead(f *testing.F, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return data
}
