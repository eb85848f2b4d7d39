package nft

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	nf "farend/internal/netfilter"
	"farend/internal/source"

	"farend/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// typeName is the short type name of a match or statement.
func typeName(v any) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", v), "*netfilter.")
}

// dump prints the model of a parse for the golden files.
func dump(rss []*nf.Ruleset, notes source.Notes) string {
	var b strings.Builder
	for _, rs := range rss {
		fmt.Fprintf(&b, "ruleset %s nft=%v version=%q file=%s\n", rs.Family, rs.NFT, rs.NFTVersion, rs.File)
		names := make([]string, 0, len(rs.Tables))
		for n := range rs.Tables {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			t := rs.Tables[n]
			x := t.NFT
			fmt.Fprintf(&b, "table %s %s handle %d pos %s", x.Family, t.Name, x.Handle, t.Pos)
			if len(x.Flags) > 0 {
				fmt.Fprintf(&b, " flags %s", strings.Join(x.Flags, ","))
			}
			if x.XT {
				b.WriteString(" xt")
			}
			if x.IptablesNFT {
				b.WriteString(" iptables-nft")
			}
			b.WriteByte('\n')
			var sets []string
			for s := range x.Sets {
				sets = append(sets, s)
			}
			sort.Strings(sets)
			for _, sn := range sets {
				s := x.Sets[sn]
				kind := "set"
				if s.Map {
					kind = "map"
				}
				fmt.Fprintf(&b, "  %s %s type %s", kind, s.Name, s.TypeText)
				if s.Map {
					fmt.Fprintf(&b, " : %s", s.DataText)
				}
				if len(s.Flags) > 0 {
					fmt.Fprintf(&b, " flags %s", strings.Join(s.Flags, ","))
				}
				if s.Dynamic {
					b.WriteString(" dynamic")
				}
				fmt.Fprintf(&b, " (%d elements)\n", len(s.Elems))
				for i, e := range s.Elems {
					if i == 8 {
						fmt.Fprintf(&b, "    ...\n")
						break
					}
					fmt.Fprintf(&b, "    %s\n", e.Text)
				}
			}
			var objs []string
			for o := range x.Objects {
				objs = append(objs, o)
			}
			sort.Strings(objs)
			for _, on := range objs {
				o := x.Objects[on]
				fmt.Fprintf(&b, "  object %s %s handle %d", o.Kind, o.Name, o.Handle)
				if o.Kind == "counter" {
					fmt.Fprintf(&b, " packets %d bytes %d", o.Packets, o.Bytes)
				}
				if o.Limit != nil {
					fmt.Fprintf(&b, " %+v", *o.Limit)
				}
				b.WriteByte('\n')
			}
			for _, cn := range t.Order {
				c := t.Chains[cn]
				fmt.Fprintf(&b, "  chain %s handle %d pos %s", c.Name, c.NFT.Handle, c.Pos)
				if c.NFT.Base() {
					fmt.Fprintf(&b, ": type %s hook %s (%s) priority %d (%s) policy %s", c.NFT.Type, c.NFT.HookName, c.NFT.Hook, c.NFT.Priority, nf.NFTPriorityName(x.Family, c.NFT.HookName, c.NFT.Priority), c.Policy)
					if len(c.NFT.Devices) > 0 {
						fmt.Fprintf(&b, " devices %s", strings.Join(c.NFT.Devices, ","))
					}
				}
				b.WriteByte('\n')
				for _, r := range c.Rules {
					fmt.Fprintf(&b, "    %s #%d handle %d: %s\n", r.Pos, r.Num, r.Handle, r.Text)
					var ms []string
					for _, m := range r.Matches {
						ms = append(ms, typeName(m))
					}
					var ts []string
					if st, ok := r.Target.(*nf.NFTStatements); ok {
						for _, it := range st.Items {
							if it.Match != nil {
								ts = append(ts, "match "+typeName(it.Match))
							} else {
								ts = append(ts, typeName(it.Stmt))
							}
						}
					}
					fmt.Fprintf(&b, "      matches [%s] statements [%s]", strings.Join(ms, " "), strings.Join(ts, " "))
					if r.HasCounters {
						fmt.Fprintf(&b, " counters %d/%d", r.Packets, r.Bytes)
					}
					b.WriteByte('\n')
				}
			}
		}
	}
	for _, n := range notes {
		fmt.Fprintf(&b, "note %s\n", n)
	}
	return b.String()
}

// TestGolden parses every testdata/*.json and compares the model with
// testdata/*.golden (rewritten with -update).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rss, notes := Parse(filepath.Base(f), data)
			got := dump(rss, notes)
			gp := strings.TrimSuffix(f, ".json") + ".golden"
			golden.Check(t, gp, got, *update)
		})
	}
}
