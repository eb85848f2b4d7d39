package linux

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"farend/internal/source"
)

// parsers maps each JSON file name to its parser, returning the decoded
// elements so that tests can see what happened to every key.
var parsers = map[string]func(file string, data []byte) (source.Notes, []*node){
	"ip-link.json": func(f string, d []byte) (source.Notes, []*node) {
		_, n, e := parseLinks(f, d)
		return n, e
	},
	"ip-addr.json": func(f string, d []byte) (source.Notes, []*node) {
		_, n, e := parseAddrs(f, d, nil)
		return n, e
	},
	"ip-route.json": func(f string, d []byte) (source.Notes, []*node) {
		_, n, e := parseRoutes(f, d, false)
		return n, e
	},
	"ip6-route.json": func(f string, d []byte) (source.Notes, []*node) {
		_, n, e := parseRoutes(f, d, true)
		return n, e
	},
	"ip-rule.json": func(f string, d []byte) (source.Notes, []*node) {
		_, n, e := parseRules(f, d, false)
		return n, e
	},
	"ip6-rule.json": func(f string, d []byte) (source.Notes, []*node) {
		_, n, e := parseRules(f, d, true)
		return n, e
	},
}

// TestEveryKeyAccounted checks, for every case and JSON file, that every
// key of every element (nested ones too) was consumed, explicitly ignored
// or noted, that each noted key has a note at its element naming it, and
// that the decoder saw exactly the keys encoding/json sees.
func TestEveryKeyAccounted(t *testing.T) {
	for _, dir := range caseDirs(t) {
		for name, data := range readCase(t, dir) {
			parse, ok := parsers[name]
			if !ok {
				continue
			}
			t.Run(dir+"/"+name, func(t *testing.T) {
				notes, elems := parse(name, data)
				seen := map[string]bool{}
				for _, n := range notes {
					if n.Pos.File != name {
						t.Errorf("note names file %q, want %q: %v", n.Pos.File, name, n)
					}
					seen[fmt.Sprintf("%d:%s", n.Pos.Index, n.Text)] = true
				}
				for i, e := range elems {
					walk(e, "", func(path string, f *field) {
						switch f.state {
						case unread:
							t.Errorf("%s[%d]: key %s neither used, ignored nor noted", name, i, path)
						case noted:
							if !seen[fmt.Sprintf("%d:%s=%s", i, path, f.val)] && !notedPrefix(notes, i, path) {
								t.Errorf("%s[%d]: key %s marked noted but no note names it", name, i, path)
							}
						}
					})
				}
				compareKeys(t, name, data, elems)
			})
		}
	}
}

// notedPrefix reports whether a note at element i starts with path+"=",
// or is a whole-object note of an enclosing path.
func notedPrefix(notes source.Notes, i int, path string) bool {
	for _, n := range notes {
		if n.Pos.Index == i && (strings.HasPrefix(n.Text, path+"=") || strings.HasPrefix(path, strings.SplitN(n.Text, "=", 2)[0])) {
			return true
		}
	}
	return false
}

// walk calls fn for every field of n, recursing into used objects and
// arrays of objects. Ignored and noted subtrees are accounted as a whole.
func walk(n *node, prefix string, fn func(path string, f *field)) {
	for _, f := range n.fields {
		path := prefix + f.key
		fn(path, f)
		if f.state != used {
			continue
		}
		switch f.val.kind {
		case kObject:
			walk(f.val, path+".", fn)
		case kArray:
			for j, e := range f.val.elems {
				if e.kind == kObject {
					walk(e, fmt.Sprintf("%s[%d].", path, j), fn)
				}
			}
		}
	}
}

// compareKeys checks that the ordered decoder saw the same set of key
// paths as encoding/json (which keeps only the last of duplicate keys, so
// sets are compared).
func compareKeys(t *testing.T, name string, data []byte, elems []*node) {
	var std []any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&std) != nil {
		return // malformed input: nothing to compare with
	}
	if dec.More() { // several arrays: compare the first only
		elems = elems[:len(std)]
	}
	if len(std) != len(elems) {
		t.Fatalf("%s: %d elements, encoding/json sees %d", name, len(elems), len(std))
	}
	for i := range std {
		var a, b []string
		stdPaths(std[i], "", &a)
		nodePaths(elems[i], "", &b)
		a, b = uniq(a), uniq(b)
		if strings.Join(a, " ") != strings.Join(b, " ") {
			t.Errorf("%s[%d]: key paths differ:\nencoding/json %v\nours          %v", name, i, a, b)
		}
	}
}

func stdPaths(v any, prefix string, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			*out = append(*out, prefix+k)
			stdPaths(x, prefix+k+".", out)
		}
	case []any:
		for j, x := range v {
			stdPaths(x, strings.TrimSuffix(prefix, ".")+fmt.Sprintf("[%d].", j), out)
		}
	}
}

func nodePaths(n *node, prefix string, out *[]string) {
	switch n.kind {
	case kObject:
		for _, f := range n.fields {
			*out = append(*out, prefix+f.key)
			nodePaths(f.val, prefix+f.key+".", out)
		}
	case kArray:
		for j, e := range n.elems {
			nodePaths(e, strings.TrimSuffix(prefix, ".")+fmt.Sprintf("[%d].", j), out)
		}
	}
}

func uniq(s []string) []string {
	sort.Strings(s)
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// TestAddrsAlone checks that ip-addr.json alone builds the same
// interfaces (names, indexes, flags, MTU, master, addresses) as the links
// file merged with it: the snapshot may lack ip-link.json.
func TestAddrsAlone(t *testing.T) {
	for _, dir := range caseDirs(t) {
		files := readCase(t, dir)
		if files["ip-link.json"] == nil || files["ip-addr.json"] == nil || dir == "malformed" || dir == "handmade" {
			continue
		}
		t.Run(dir, func(t *testing.T) {
			links, _ := ParseLinks("ip-link.json", files["ip-link.json"])
			merged, notes := ParseAddrs("ip-addr.json", files["ip-addr.json"], links)
			for _, n := range notes {
				if strings.Contains(n.Why, "links file") {
					t.Errorf("unexpected disagreement: %v", n)
				}
			}
			alone, _ := ParseAddrs("ip-addr.json", files["ip-addr.json"], nil)
			if len(alone) != len(merged) {
				t.Fatalf("%d interfaces alone, %d merged", len(alone), len(merged))
			}
			for i := range alone {
				a, m := alone[i], merged[i]
				if a.Name != m.Name || a.Index != m.Index || a.MTU != m.MTU || a.Up != m.Up ||
					a.LowerUp != m.LowerUp || a.Loopback != m.Loopback || a.PointToPoint != m.PointToPoint ||
					a.Master != m.Master || fmt.Sprint(a.Addrs) != fmt.Sprint(m.Addrs) {
					t.Errorf("interface %d:\nalone  %+v\nmerged %+v", i, a, m)
				}
			}
			if len(links) > 0 && links[0].Addrs != nil {
				t.Errorf("ParseAddrs modified its input")
			}
		})
	}
}

// TestSkippedRouteMatchesNothing is a spot check of the skip rule: a route
// whose TOS name is unknown must not be kept as a TOS-0 (match-all) route.
func TestSkippedRouteMatchesNothing(t *testing.T) {
	rs, notes := ParseRoutes("r", []byte(`[{"dst":"198.18.0.0/15","tos":"fancy","dev":"e0","flags":[]}]`), false)
	if len(rs) != 0 || len(notes) != 1 {
		t.Fatalf("got %v, notes %v", rs, notes)
	}
}
