package policy

import (
	"net/netip"
	"testing"

	"farend/internal/model"
)

// Prefix lists: exact length without ge/le, ge alone up to /32 (IOS and
// FRR `ip prefix-list`).
func TestPrefixListMatch(t *testing.T) {
	e := model.PrefixListEntry{Prefix: netip.MustParsePrefix("192.0.2.0/24"), GE: 32}
	for p, want := range map[string]bool{"192.0.2.1/32": true, "192.0.2.0/24": false, "198.51.100.1/32": false} {
		if got := EntryMatches(e, netip.MustParsePrefix(p)); got != want {
			t.Errorf("%s: %v", p, got)
		}
	}
	exact := model.PrefixListEntry{Prefix: netip.MustParsePrefix("192.0.2.0/24")}
	if !EntryMatches(exact, netip.MustParsePrefix("192.0.2.0/24")) || EntryMatches(exact, netip.MustParsePrefix("192.0.2.0/25")) {
		t.Error("exact match")
	}
}
