package iptables

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"farend/internal/netfilter"

	"farend/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// famOf guesses the family of a testdata file from its name.
func famOf(name string) netfilter.Family {
	if strings.Contains(name, "v6") || strings.Contains(name, "ip6tables") {
		return netfilter.IPv6
	}
	return netfilter.IPv4
}

// dump prints the parsed model in a stable text form.
func dump(rs *netfilter.Ruleset, p *parser) string {
	var b strings.Builder
	fmt.Fprintf(&b, "family %s backend %q\n", rs.Family, rs.Backend)
	var names []string
	for n := range rs.Tables {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t := rs.Tables[n]
		fmt.Fprintf(&b, "table %s (%s)\n", t.Name, t.Pos)
		for _, cn := range t.Order {
			c := t.Chains[cn]
			kind := "user"
			if c.Builtin {
				kind = "builtin policy " + c.Policy.String()
			}
			fmt.Fprintf(&b, "  chain %s %s [%d:%d] (%s)\n", c.Name, kind, c.Packets, c.Bytes, c.Pos)
			for _, r := range c.Rules {
				cnt := ""
				if r.HasCounters {
					cnt = fmt.Sprintf(" [%d:%d]", r.Packets, r.Bytes)
				}
				fmt.Fprintf(&b, "    %s line %d%s: %s\n", r.Ref(), r.Pos.Line, cnt, r.Text)
				for _, m := range r.Matches {
					fmt.Fprintf(&b, "      match  %T %s\n", m, m)
				}
				if r.Target != nil {
					fmt.Fprintf(&b, "      target %T %s\n", r.Target, r.Target)
				}
			}
		}
	}
	fmt.Fprintf(&b, "lines %d understood %d noted %d\n", p.lines, count(p.ok, p.noted, true), count(p.ok, p.noted, false))
	for _, n := range p.notes {
		fmt.Fprintf(&b, "note %s\n", n)
	}
	return b.String()
}

// count returns the number of lines understood without a note (ok true)
// or with a note (ok false).
func count(ok, noted []bool, clean bool) int {
	n := 0
	for i := 1; i < len(ok); i++ {
		if clean && ok[i] && !noted[i] || !clean && noted[i] {
			n++
		}
	}
	return n
}

func saveFiles(t *testing.T) []string {
	files, err := filepath.Glob("testdata/*.save")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	return files
}

// TestGolden parses real iptables-save / ip6tables-save output (made by
// testdata/gen.sh with the real tools, legacy and nf_tables) and compares
// the model with testdata/*.golden. -update rewrites them.
func TestGolden(t *testing.T) {
	for _, f := range saveFiles(t) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p := parse(filepath.Base(f), data, famOf(f))
			got := dump(p.rs, p)
			gp := strings.TrimSuffix(f, ".save") + ".golden"
			golden.Check(t, gp, got, *update)
		})
	}
}
