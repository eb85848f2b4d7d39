package cli

import (
	"strings"
	"testing"
)

const routers = "testdata/routers"

// TestParseRouters checks `farend parse` on a snapshot of router
// configurations only (no hosts/): the dialect and the share of lines
// understood per file.
func TestParseRouters(t *testing.T) {
	out := run(t, "parse", routers)
	for _, want := range []string{
		"configs/cisco2.cfg: ios 15.1, 66 of 66 lines understood (100.0%)",
		"configs/vyos1.boot: vyos-config.boot (vyatta generation) 1.0.3, 87 of 87 lines understood (100.0%)",
		"configs/peer-a.cfg: frr 8.4.4, 27 of 27 lines understood (100.0%)",
		"show/cisco1.osaka/show_version.txt",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("farend parse lacks %q:\n%s", want, out)
		}
	}
	golden(t, "parse-routers", out)
	golden(t, "parse-routers-json", run(t, "parse", routers, "--json"))
}

// TestShow prints the neutral model of each router and section.
func TestShow(t *testing.T) {
	for _, c := range [][]string{
		{"cisco2", "ospf"}, {"cisco2", "interfaces"}, {"vyos1", "ospf"}, {"peer-a", "bgp"}, {"cisco1"},
		{"cisco1.osaka", "vrfs"}, {"vyos1", "acls"},
	} {
		args := append([]string{"show", routers}, c...)
		golden(t, "show-"+strings.Join(c, "-"), run(t, args...))
	}
	golden(t, "show-vyos1-ospf-json", run(t, "show", routers, "vyos1", "ospf", "--json"))
	var out, errb strings.Builder
	if code := Main([]string{"show", routers, "nosuch"}, &out, &errb); code != 2 {
		t.Errorf("unknown node: exit %d, want 2", code)
	}
	if code := Main([]string{"show", routers, "cisco2", "nosuch"}, &out, &errb); code != 2 {
		t.Errorf("unknown section: exit %d, want 2", code)
	}
}
