package topology

import (
	"fmt"
	"strings"
	"testing"
)

// specs prints a parse as "+a b why @line" / "-a b @line" and its notes.
func specs(f *LinksFile) (entries, notes []string) {
	for _, s := range f.Add {
		entries = append(entries, fmt.Sprintf("+%s %s %q @%d", s.A, s.B, s.Why, s.Pos.Line))
	}
	for _, s := range f.Remove {
		entries = append(entries, fmt.Sprintf("-%s %s %q @%d", s.A, s.B, s.Why, s.Pos.Line))
	}
	for _, n := range f.Notes {
		notes = append(notes, n.String())
	}
	return entries, notes
}

func TestParseLinksFile(t *testing.T) {
	cases := []struct {
		name, in      string
		entries       []string
		notes         []string
		lines, unders int
	}{
		{
			name:    "block and flow entries, comments, quotes",
			in:      "---\n# the lab\nlinks:\n  - a: fc20:sit1   # the tunnel\n    b: \"r1:Tunnel0\"\n    why: 'NATed, it''s 6in4'\n  - {a: sw1:eth0, b: sw2:eth0}\nremove:\n  - a: r1:Gi0/4\n    b: r2:eth4\n  - a: r1:Gi0/5\n",
			entries: []string{`+fc20:sit1 r1:Tunnel0 "NATed, it's 6in4" @4`, `+sw1:eth0 sw2:eth0 "" @7`, `-r1:Gi0/4 r2:eth4 "" @9`, `-r1:Gi0/5  "" @11`},
			lines:   10, unders: 10,
		},
		{
			name:    "list entries at the section's indentation, CRLF line ends",
			in:      "links:\r\n- a: a:e0\r\n  b: b:e0\r\nremove: []\r\n",
			entries: []string{`+a:e0 b:e0 "" @2`},
			lines:   4, unders: 4,
		},
		{
			name:    "an empty file",
			in:      "",
			entries: nil,
		},
		{
			name:    "an interface name with a colon keeps it after the first",
			in:      "links:\n  - a: host:eth0:1\n    b: r:e1\n",
			entries: []string{`+host:eth0:1 r:e1 "" @2`},
			lines:   3, unders: 3,
		},
		{
			name:    "unknown key: noted, entry kept",
			in:      "links:\n  - a: a:e0\n    b: b:e0\n    colour: red\n",
			entries: []string{`+a:e0 b:e0 "" @2`},
			notes:   []string{"links.yaml:4: not understood: colour: red (unknown key (expected a, b or why): ignored)"},
			lines:   4, unders: 3,
		},
		{
			name:  "a link without b, an entry without a, an empty entry",
			in:    "links:\n  - a: a:e0\n  - b: b:e0\n  -\n",
			notes: []string{"links.yaml:2: not understood: a: a:e0 (a link needs both a and b)", "links.yaml:3: not understood: b: b:e0 (entry without a)", "links.yaml:4: not understood: - (empty entry: expected a: NODE:IFACE)"},
			lines: 4, unders: 1,
		},
		{
			name:  "bad endpoints drop the entry",
			in:    "links:\n  - a: nocolon\n    b: b:e0\n  - a: \"a:e0\n  - a: 'x y:z'\n    b: b:e0\n",
			notes: []string{"links.yaml:2: not understood: a: nocolon (expected NODE:IFACE)", "links.yaml:4: not understood: a: \"a:e0 (badly quoted value)", "links.yaml:5: not understood: a: 'x y:z' (expected NODE:IFACE)"},
			lines: 6, unders: 3,
		},
		{
			name: "sections and structure",
			in:   "nodes:\n  - a: a:e0\n    b: b:e0\nlinks: foo\n  a: a:e0\n  - a: a:e0\n      b: b:e0\n\tb: x:y\n  - {a: a:e0, b: b:e0\n",
			notes: []string{
				"links.yaml:1: not understood: nodes: (unknown section: expected links: or remove:)",
				"links.yaml:2: not understood: - a: a:e0 (list entry in an unknown section)",
				"links.yaml:3: not understood: b: b:e0 (expected a list entry (- a: NODE:IFACE))",
				"links.yaml:4: not understood: links: foo (expected the list on the following lines)",
				"links.yaml:5: not understood: a: a:e0 (expected a list entry (- a: NODE:IFACE))",
				"links.yaml:6: not understood: a: a:e0 (a link needs both a and b)",
				"links.yaml:7: not understood: b: b:e0 (indentation does not line up with the entry's other keys: ignored)",
				"links.yaml:8: not understood: b: x:y (tab in the indentation (YAML indents with spaces))",
				"links.yaml:9: not understood: - {a: a:e0, b: b:e0 (flow mapping without a closing })",
			},
			lines: 9, unders: 0,
		},
		{
			name:    "a key given twice: the first counts",
			in:      "remove:\n  - a: a:e0\n    a: a:e1\n",
			entries: []string{`-a:e0  "" @2`},
			notes:   []string{"links.yaml:3: not understood: a: a:e1 (a given twice: the first one counts)"},
			lines:   3, unders: 2,
		},
		{
			name:  "entries before any section",
			in:    "- a: a:e0\n",
			notes: []string{"links.yaml:1: not understood: - a: a:e0 (list entry before links: or remove:)"},
			lines: 1, unders: 0,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := ParseLinksFile("links.yaml", []byte(c.in))
			e, n := specs(f)
			same(t, "entries", e, c.entries)
			same(t, "notes", n, c.notes)
			if f.Lines != c.lines || f.Understood != c.unders {
				t.Errorf("lines %d understood %d, want %d %d", f.Lines, f.Understood, c.lines, c.unders)
			}
		})
	}
}

// FuzzParseLinksFile: no input panics; every line that is not blank or a
// comment is either understood or noted, never both; notes and entries
// point at lines of the input; entries name both ends (a removal may
// name only a).
func FuzzParseLinksFile(f *testing.F) {
	for _, s := range []string{
		"links:\n  - a: a:e0\n    b: b:e0\n",
		"remove:\n- {a: r1:Gi0/4, b: r2:eth4, why: x}\n- a: 'r:e'\n",
		"---\nlinks: []\n# c\nremove:\n  -\n    a: \"x:y\"\n",
		"links:\n\t- a: a:b\n  - a: a:b\n     b: c:d\n",
		"links:\n  - a: n:i # c\n    b: 'm:j#k'\n    why: \"a \\\" # b\"\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		lf := ParseLinksFile("links.yaml", []byte(in))
		nlines := strings.Count(in, "\n") + 1
		noted := map[int]bool{}
		for _, n := range lf.Notes {
			if n.Pos.Line < 1 || n.Pos.Line > nlines {
				t.Fatalf("note %s outside the %d lines", n, nlines)
			}
			noted[n.Pos.Line] = true
		}
		if lf.Understood+len(noted) != lf.Lines || lf.Lines > nlines {
			t.Fatalf("%d lines, %d understood, %d noted (input of %d lines)", lf.Lines, lf.Understood, len(noted), nlines)
		}
		for _, s := range append(append([]LinkSpec{}, lf.Add...), lf.Remove...) {
			if s.Pos.Line < 1 || s.Pos.Line > nlines || s.A.Node == "" || s.A.Iface == "" {
				t.Fatalf("entry %+v", s)
			}
		}
		for _, s := range lf.Add {
			if s.B.Node == "" || s.B.Iface == "" {
				t.Fatalf("link without b: %+v", s)
			}
		}
	})
}
