package vyos

import (
	"os"
	"path/filepath"
	"testing"

	"farend/internal/vendors/configtest"
)

// FuzzParseVyOS checks that no input makes the parser panic and that every
// line stays accounted for.
func FuzzParseVyOS(f *testing.F) {
	for _, p := range configtest.Cases(f) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("set interfaces ethernet eth0 address 'x'\nfoo {\n}\n}\n"))
	f.Add([]byte("protocols {\n bgp 1 {\n neighbor a {\n password \"x y\"\n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		name := filepath.Base("fuzz.cfg")
		d, notes := Parse(name, data)
		configtest.CheckAccounting(t, name, data, d, notes)
	})
}
