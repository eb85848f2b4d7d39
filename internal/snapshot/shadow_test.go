package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyHost copies examples/story1-network/broken/hosts/fc20 (iptables-nft
// rules: nft.json and iptables-save list the same tables) into a new
// snapshot, with edit applied to each file's text; edit returns false to
// leave a file out.
func copyHost(t *testing.T, edit func(name string, text string) (string, bool)) string {
	t.Helper()
	src := filepath.Join(story1Network, "broken", "hosts", "fc20")
	snap := t.TempDir()
	dst := filepath.Join(snap, "hosts", "fc20")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	es, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		text, keep := edit(e.Name(), string(b))
		if !keep {
			continue
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return snap
}

// nft.json's note on an iptables-nft table goes only when iptables-save
// of the nf_tables backend lists that table.
func TestShadowedNotes(t *testing.T) {
	cases := []struct {
		name string
		edit func(name, text string) (string, bool)
		want []string // the tables nft.json's notes are about, in file order
	}{
		{"both files", func(_, s string) (string, bool) { return s, true }, nil},
		{"no ip6tables-save", func(n, s string) (string, bool) { return s, n != "ip6tables-save" },
			[]string{"table ip6 mangle", "table ip6 raw", "table ip6 filter", "table ip6 nat"}},
		{"legacy iptables-save", func(n, s string) (string, bool) {
			if n == "iptables-save" {
				s = strings.ReplaceAll(s, "(nf_tables)", "(legacy)")
			}
			return s, true
		}, []string{"table ip filter", "table ip nat"}},
		{"no nat table in iptables-save", func(n, s string) (string, bool) {
			if n == "iptables-save" {
				s = s[:strings.Index(s, "*nat")]
			}
			return s, true
		}, []string{"table ip nat"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Load(copyHost(t, c.edit))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range s.Devices[0].Notes {
				if n.Pos.File != filepath.Join("hosts", "fc20", "nft.json") || !strings.Contains(n.Why, "iptables-nft table") {
					t.Errorf("other note: %s", n)
					continue
				}
				got = append(got, n.Text)
			}
			if strings.Join(got, "; ") != strings.Join(c.want, "; ") {
				t.Errorf("notes about %q, want %q", got, c.want)
			}
		})
	}
}
