// Package configtest holds the tests every router configuration dialect
// (internal/vendors/ios, vyos, frr) runs on its testdata: golden models,
// the every-line-accounted invariant, and the scenarios understood line
// for line. It is imported by those packages' tests only.
package configtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/golden"
	"farend/internal/model"
	"farend/internal/source"
)

// Dialect is a configuration parser under test.
type Dialect struct {
	Parse  func(file string, data []byte) (*model.Device, source.Notes)
	Detect func(data []byte) bool
}

// Cases lists the configurations under testdata.
func Cases(t testing.TB) []string {
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

// Render is the golden form of a parse: the model and the notes.
func Render(d *model.Device, notes source.Notes) string {
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

// Golden parses every configuration under testdata and compares the
// model with testdata/<file>.golden (update rewrites them).
func Golden(t *testing.T, dl Dialect, update bool) {
	for _, path := range Cases(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, path+".golden", Render(dl.Parse(name, data)), update)
		})
	}
}

// CheckAccounting is the invariant every parse keeps: each line is
// understood or reported exactly once, and the counts add up.
func CheckAccounting(t *testing.T, file string, data []byte, d *model.Device, notes source.Notes) {
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

// EveryLineAccounted checks the invariant on every test configuration.
func EveryLineAccounted(t *testing.T, dl Dialect) {
	for _, path := range Cases(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d, notes := dl.Parse(name, data)
			CheckAccounting(t, name, data, d, notes)
		})
	}
}

// ScenariosFullyUnderstood is the acceptance of issue 6: the
// configurations of scenarios 05 and 06 (testdata/s05-*, s06-*) are
// understood line for line and detected as the dialect.
func ScenariosFullyUnderstood(t *testing.T, dl Dialect) {
	n := 0
	for _, path := range Cases(t) {
		name := filepath.Base(path)
		if !strings.HasPrefix(name, "s05-") && !strings.HasPrefix(name, "s06-") {
			continue
		}
		n++
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d, notes := dl.Parse(name, data)
		if c := d.Router.Config; c.Understood != c.Lines || len(notes) != 0 {
			t.Errorf("%s: %d of %d lines understood (%.1f%%); %v", name, c.Understood, c.Lines, c.Percent(), notes)
		}
		if !dl.Detect(data) {
			t.Errorf("%s: not detected", name)
		}
	}
	if n == 0 {
		t.Skip("no scenario 05/06 configuration of this dialect")
	}
}
