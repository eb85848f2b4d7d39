package iptables

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"farend/internal/netfilter"
)

// BenchmarkIptablesRestoreTest runs the real `iptables-restore --test`
// (nft and legacy, each in a fresh network namespace) on the ruleset of
// BenchmarkParseKubeProxy, for issue 2's comparison: farend must load and
// index it at least 8 times faster. The farend-Parse sub-benchmark times
// Parse on the same data; the iptables ones also report x-farend, their
// time per run divided by that of a Parse run after each of theirs (so
// that both are measured under the same load). It needs root, unshare and
// the iptables binaries, and is skipped without them.
func BenchmarkIptablesRestoreTest(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root (unshare -n)")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		b.Skip("no unshare")
	}
	data := KubeProxyRuleset(5000, 3)
	file := filepath.Join(b.TempDir(), "kube.save")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("farend-Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Parse("kube", data, netfilter.IPv4)
		}
	})
	for _, tool := range []string{"iptables-nft-restore", "iptables-legacy-restore"} {
		b.Run(tool, func(b *testing.B) {
			path, err := exec.LookPath(tool)
			if err != nil {
				b.Skip("no " + tool)
			}
			run := func() {
				in, err := os.Open(file)
				if err != nil {
					b.Fatal(err)
				}
				defer in.Close()
				cmd := exec.Command(unshare, "-n", path, "--test")
				cmd.Stdin = in
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Skipf("%s --test: %v: %s", tool, err, out)
				}
			}
			run() // skip early, before timing, when it cannot run here
			var farend time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run()
				b.StopTimer()
				start := time.Now()
				Parse("kube", data, netfilter.IPv4)
				farend += time.Since(start)
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed())/float64(farend), "x-farend")
		})
	}
}
