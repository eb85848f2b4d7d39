package iptables

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"farend/internal/netfilter"

	"farend/internal/golden"
)

// breakLines returns data with a few lines moved, doubled, dropped or cut
// short, or with words put in: chains declared after their rules or not
// at all, rules outside tables, open quotes, unknown options.
func breakLines(rng *rand.Rand, data string) string {
	lines := strings.Split(data, "\n")
	junk := []string{"-j", "-g", "!", "-m", "tcp", "--dport", `"`, `\`, "-A", "INPUT", "-c", "[1:2]", "COMMIT", ":FOO - [0:0]", "*nat", "ACCEPT", "DNAT", "MARK", "-p", `"a b"`, `"x\"y"`, "-4", "-6", "FOO"}
	for range 1 + rng.Intn(4) {
		if len(lines) == 0 {
			break
		}
		i := rng.Intn(len(lines))
		switch rng.Intn(6) {
		case 0:
			lines = append(lines[:i], lines[i+1:]...)
		case 1:
			lines = append(lines[:i+1], lines[i:]...)
		case 2:
			l := lines[i]
			lines = append(lines[:i], lines[i+1:]...)
			j := rng.Intn(len(lines) + 1)
			lines = append(lines[:j], append([]string{l}, lines[j:]...)...)
		case 3:
			if lines[i] != "" {
				lines[i] = lines[i][:rng.Intn(len(lines[i]))]
			}
		case 4:
			f := strings.Fields(lines[i])
			k := rng.Intn(len(f) + 1)
			f = append(f[:k:k], append([]string{junk[rng.Intn(len(junk))]}, f[k:]...)...)
			lines[i] = strings.Join(f, " ")
		case 5:
			lines = append(lines[:i], append([]string{junk[rng.Intn(len(junk))]}, lines[i:]...)...)
		}
	}
	return strings.Join(lines, "\n")
}

// TestParallelParse: parsing rules on other goroutines, as Parse does for
// big tables, gives exactly what parsing them one after another gives (the
// same ruleset, notes and line accounting), on a kube-proxy ruleset, the
// testdata files and broken variants of both.
func TestParallelParse(t *testing.T) {
	type input struct {
		name string
		data string
		fam  netfilter.Family
	}
	var bases []input
	files, _ := filepath.Glob("testdata/*.save")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bases = append(bases, input{filepath.Base(f), string(data), famOf(f)})
	}
	bases = append(bases, input{"kube", string(KubeProxyRuleset(10, 2)), netfilter.IPv4})
	inputs := append([]input{{"kube-big", string(KubeProxyRuleset(300, 3)), netfilter.IPv4}}, bases...)
	rng := rand.New(rand.NewSource(1))
	for i := range 400 {
		b := bases[rng.Intn(len(bases))]
		inputs = append(inputs, input{fmt.Sprintf("%s-broken%d", b.name, i), breakLines(rng, b.data), b.fam})
	}
	for _, in := range inputs {
		seq := parseWith(in.name, []byte(in.data), in.fam, 1, 0, 1)
		// workers, minParallel, block; the first is Parse's.
		for _, cfg := range [][3]int{{0, 2048, 256}, {2, 0, 1}, {3, 0, 3}, {2, 7, 2}} {
			par := parseWith(in.name, []byte(in.data), in.fam, cfg[0], cfg[1], cfg[2])
			if !reflect.DeepEqual(seq.rs, par.rs) || !reflect.DeepEqual(seq.notes, par.notes) ||
				!reflect.DeepEqual(seq.ok, par.ok) || !reflect.DeepEqual(seq.noted, par.noted) {
				a, b := dump(par.rs, par), dump(seq.rs, seq)
				if a == b {
					a, b = fmt.Sprintf("%v\n%v", par.ok, par.noted), fmt.Sprintf("%v\n%v", seq.ok, seq.noted)
				}
				t.Fatalf("%s: parallel parse %v (got) differs from the sequential one (want):\n%s", in.name, cfg, golden.FirstDiff(b, a))
			}
		}
	}
}
