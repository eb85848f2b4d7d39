package collect

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRunner answers every command of Files with a canned output, except
// the commands named in fail.
func fakeRunner(fail map[string]bool) Runner {
	return func(_ context.Context, name string, args ...string) ([]byte, error) {
		cmd := strings.Join(append([]string{name}, args...), " ")
		if fail[name] {
			return []byte("partial"), errors.New("exit status 1")
		}
		switch name {
		case "sysctl":
			return []byte("kernel.foo = 1\nnet.ipv4.ip_forward = 1\nvm.x = 2\nnet.ipv6.conf.all.forwarding = 0"), nil
		case "iptables-save", "ip6tables-save":
			return []byte("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n"), nil
		}
		return []byte(`[{"cmd":"` + cmd + `"}]`), nil
	}
}

func TestWriteAllFiles(t *testing.T) {
	snap := t.TempDir()
	if errs := Write(context.Background(), fakeRunner(nil), snap, "h1"); len(errs) != 0 {
		t.Fatalf("Write: %v", errs)
	}
	for _, f := range Files() {
		data, err := os.ReadFile(filepath.Join(snap, "hosts", "h1", f.Name))
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if len(data) == 0 {
			t.Errorf("%s is empty", f.Name)
		}
	}
	got, _ := os.ReadFile(filepath.Join(snap, "hosts", "h1", "sysctl.txt"))
	if want := "net.ipv4.ip_forward = 1\nnet.ipv6.conf.all.forwarding = 0\n"; string(got) != want {
		t.Errorf("sysctl.txt = %q, want %q", got, want)
	}
	got, _ = os.ReadFile(filepath.Join(snap, "hosts", "h1", "ip6-route.json"))
	if want := `[{"cmd":"ip -j -6 route show table all"}]`; string(got) != want {
		t.Errorf("ip6-route.json = %q, want %q", got, want)
	}
}

func TestWriteFailedCommandLeavesFileMissing(t *testing.T) {
	snap := t.TempDir()
	// A first collection writes every file.
	if errs := Write(context.Background(), fakeRunner(nil), snap, "h1"); len(errs) != 0 {
		t.Fatalf("Write: %v", errs)
	}
	// In the second, ip6tables-save and nft fail: their files must be gone
	// (unknown), not left from the first run and not written empty.
	errs := Write(context.Background(), fakeRunner(map[string]bool{"ip6tables-save": true, "nft": true}), snap, "h1")
	if len(errs) != 2 {
		t.Fatalf("errors = %v, want 2", errs)
	}
	for _, e := range errs {
		if !strings.HasPrefix(e.Error(), "collect: ip6tables-save: ") && !strings.HasPrefix(e.Error(), "collect: nft.json: ") {
			t.Errorf("unexpected error %q", e)
		}
	}
	for _, name := range []string{"ip6tables-save", "nft.json"} {
		if _, err := os.Stat(filepath.Join(snap, "hosts", "h1", name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: want missing, stat says %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(snap, "hosts", "h1", "iptables-save")); err != nil {
		t.Errorf("iptables-save: %v", err)
	}
}

func TestWriteRejectsBadName(t *testing.T) {
	for _, name := range []string{"", "..", "a/b"} {
		if errs := Write(context.Background(), fakeRunner(nil), t.TempDir(), name); len(errs) != 1 {
			t.Errorf("Write(%q) = %v, want one error", name, errs)
		}
	}
}

func TestNetnsRunner(t *testing.T) {
	var got []string
	run := Netns(func(_ context.Context, name string, args ...string) ([]byte, error) {
		got = append([]string{name}, args...)
		return nil, nil
	}, "ns1")
	run(context.Background(), "ip", "-j", "addr", "show")
	if want := "ip netns exec ns1 ip -j addr show"; strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}
