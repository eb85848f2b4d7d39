package nft

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	nf "farend/internal/netfilter"
)

// listedRules reads `nft list ruleset` output: the rules of each chain,
// keyed "family table chain", in order, and each base chain's
// declaration ("type filter hook input priority filter; policy accept;").
func listedRules(t *testing.T, path string) (map[string][]string, map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	decl := map[string]string{}
	var table, chain string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "table "):
			table = strings.TrimSuffix(strings.TrimPrefix(line, "table "), " {")
		case strings.HasPrefix(line, "\tchain "):
			chain = strings.TrimSuffix(strings.TrimPrefix(line, "\tchain "), " {")
		case line == "\t}":
			chain = ""
		case chain != "" && strings.HasPrefix(trim, "type "):
			decl[table+" "+chain] = trim
		case chain != "" && strings.HasPrefix(line, "\t\t") && !strings.HasPrefix(trim, "comment "):
			k := table + " " + chain
			out[k] = append(out[k], trim)
		}
	}
	return out, decl
}

// TestTextAsNftPrints compares every rule's Text with the line `nft list
// ruleset` printed for it (testdata/NAME.txt, made by gen.sh alongside
// NAME.json).
// Rules with xt expressions are skipped: nft prints them translated by
// libxtables, which the JSON cannot show.
func TestTextAsNftPrints(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	total, skipped, chains := 0, 0, 0
	for _, jf := range files {
		txt := strings.TrimSuffix(jf, ".json") + ".txt"
		if _, err := os.Stat(txt); err != nil {
			continue
		}
		data, err := os.ReadFile(jf)
		if err != nil {
			t.Fatal(err)
		}
		rss, _ := Parse(filepath.Base(jf), data)
		want, decls := listedRules(t, txt)
		for _, rs := range rss {
			for _, tbl := range rs.Tables {
				for _, cname := range tbl.Order {
					c := tbl.Chains[cname]
					k := rs.Family.String() + " " + tbl.Name + " " + cname
					w := want[k]
					if x := c.NFT; x.Base() && !strings.Contains(decls[k], " device ") {
						pol := strings.ToLower(c.Policy.String())
						got := fmt.Sprintf("type %s hook %s priority %s; policy %s;", x.Type, x.HookName, nf.NFTPriorityName(rs.Family, x.HookName, x.Priority), pol)
						if got != decls[k] {
							t.Errorf("%s: %s:\n got  %s\n want %s", c.Pos, k, got, decls[k])
						}
						chains++
					}
					if len(w) != len(c.Rules) {
						t.Errorf("%s: %s: %d rules, nft lists %d", jf, k, len(c.Rules), len(w))
						continue
					}
					for i, r := range c.Rules {
						if strings.Contains(r.Text, "xt match ") || strings.Contains(r.Text, "xt target ") {
							skipped++
							continue
						}
						total++
						if r.Text != w[i] {
							t.Errorf("%s: %s:\n got  %s\n want %s", r.Pos, k, r.Text, w[i])
						}
					}
				}
			}
		}
	}
	t.Logf("%d rules and %d base chain declarations compared, %d rules with xt expressions skipped", total, chains, skipped)
}
