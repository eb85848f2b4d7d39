package vyos

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/model"
	"farend/internal/source"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// cases lists the configurations under testdata.
func cases(t testing.TB) []string {
	var out []string
	for _, ext := range []string{"*.cfg", "*.boot", "*.set", "*.conf"} {
		m, err := filepath.Glob(filepath.Join("testdata", ext))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) == 0 {
		t.Fatal("no test configurations")
	}
	return out
}

// render is the golden form of a parse: the model and the notes.
func render(d *model.Device, notes source.Notes) string {
	var ns []string
	for _, n := range notes {
		ns = append(ns, n.String())
	}
	b, err := json.MarshalIndent(struct {
		Name       string
		Interfaces []model.Interface
		Router     *model.Router
		Notes      []string
	}{d.Name, d.Interfaces, d.Router, ns}, "", " ")
	if err != nil {
		panic(err)
	}
	return string(b) + "\n"
}

// TestGolden parses every configuration under testdata and compares the
// model with testdata/<file>.golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	for _, path := range cases(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := render(Parse(name, data))
			gp := path + ".golden"
			if *update {
				if err := os.WriteFile(gp, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gp)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the parse; run go test -update and review the diff", gp)
			}
		})
	}
}

// checkAccounting is the invariant every parse keeps: each line is
// understood or reported exactly once, and the counts add up.
func checkAccounting(t *testing.T, file string, data []byte, d *model.Device, notes source.Notes) {
	t.Helper()
	c := d.Router.Config
	lines := strings.Count(string(data), "\n")
	if len(data) > 0 && data[len(data)-1] != '\n' {
		lines++
	}
	if c.Lines != lines {
		t.Fatalf("Lines = %d, the input has %d", c.Lines, lines)
	}
	seen := map[int]bool{}
	for _, n := range notes {
		if n.Pos.File != file {
			t.Fatalf("note names file %q, want %q: %v", n.Pos.File, file, n)
		}
		if n.Pos.Line < 1 || n.Pos.Line > lines {
			t.Fatalf("note outside the file: %v", n)
		}
		if seen[n.Pos.Line] {
			t.Fatalf("line %d reported twice", n.Pos.Line)
		}
		seen[n.Pos.Line] = true
	}
	if c.Understood+len(seen) != c.Lines {
		t.Fatalf("understood %d + reported %d != %d lines", c.Understood, len(seen), c.Lines)
	}
}

// TestEveryLineAccounted checks the invariant on every test
// configuration.
func TestEveryLineAccounted(t *testing.T) {
	for _, path := range cases(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d, notes := Parse(name, data)
			checkAccounting(t, name, data, d, notes)
		})
	}
}

// TestScenariosFullyUnderstood is the acceptance of issue 6: the
// configurations of scenarios 05 and 06 are understood line for line.
func TestScenariosFullyUnderstood(t *testing.T) {
	n := 0
	for _, path := range cases(t) {
		name := filepath.Base(path)
		if !strings.HasPrefix(name, "s05-") && !strings.HasPrefix(name, "s06-") {
			continue
		}
		n++
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d, notes := Parse(name, data)
		if c := d.Router.Config; c.Understood != c.Lines || len(notes) != 0 {
			t.Errorf("%s: %d of %d lines understood (%.1f%%); %v", name, c.Understood, c.Lines, c.Percent(), notes)
		}
		if !Detect(data) {
			t.Errorf("%s: not detected", name)
		}
	}
	if n == 0 {
		t.Skip("no scenario 05/06 configuration of this dialect")
	}
}
