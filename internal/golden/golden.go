// Package golden compares a test's output with a golden file under
// testdata, rewriting it when the test runs with -update. It is imported
// by tests only.
package golden

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Check compares got with the file at path; with update it writes got
// there instead.
func Check(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update and review the diff):\n%s", path, FirstDiff(string(want), got))
	}
}

// FirstDiff shows the first line where want and got differ ("" when
// they are equal).
func FirstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nwant %s\ngot  %s", i+1, a, b)
		}
	}
	return ""
}
