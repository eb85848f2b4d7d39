package ios

import (
	"os"
	"path/filepath"
	"testing"

	"farend/internal/vendors/configtest"
)

// FuzzParseIOS checks that no input makes the parser panic and that every
// line stays accounted for.
func FuzzParseIOS(f *testing.F) {
	for _, p := range configtest.Cases(f) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("banner motd ^C\nopen\n"))
	f.Add([]byte("interface X\n ip address 1.2.3.4 255.0.255.0\nrouter bgp 1.2\n neighbor x peer-group\n"))
	f.Add([]byte("router ospf 1 vrf a\n domain-tag 7\n redistribute bgp 1 subnets\nrouter bgp 1\n bgp redistribute-internal\n redistribute ospf 1 match internal external 2 nssa-external\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		name := filepath.Base("fuzz.cfg")
		d, notes := Parse(name, data)
		configtest.CheckAccounting(t, name, data, d, notes)
	})
}
