package kerneltest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Tools are the commands the harness runs (Debian packages iproute2,
// iptables, nftables).
func Tools() []string {
	return []string{"ip", "iptables-restore", "ip6tables-restore", "iptables-save", "ip6tables-save", "nft"}
}

// Missing lists what keeps the harness from running here: not root, a
// tool missing, or a kernel that cannot make a network namespace. Empty
// means ready.
func Missing() []string {
	var miss []string
	if os.Geteuid() != 0 {
		miss = append(miss, "root (euid is not 0)")
	}
	for _, t := range Tools() {
		if _, err := exec.LookPath(t); err != nil {
			miss = append(miss, t)
		}
	}
	if len(miss) == 0 {
		// iptables must be the nf_tables variant: the kernel's trace
		// reports rules of nf_tables only.
		out, err := exec.Command("iptables-restore", "--version").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "nf_tables") {
			miss = append(miss, "iptables-restore of the nf_tables variant (update-alternatives --set iptables /usr/sbin/iptables-nft)")
		}
	}
	return miss
}

// Require skips t unless the harness can run here. When the environment
// variable CI is "true" it fails t instead: CI runs as root with every
// tool installed, and must never pass by skipping.
func Require(t testing.TB) {
	t.Helper()
	miss := Missing()
	if len(miss) == 0 {
		return
	}
	msg := fmt.Sprintf("kernel-differential tests need root and %s; missing: %s",
		strings.Join(Tools(), ", "), strings.Join(miss, ", "))
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but %s", msg)
	}
	t.Skip(msg)
}
