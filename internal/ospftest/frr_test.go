package ospftest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestFRRDifferential runs FAREND_OSPF_TOPOLOGIES (default 20) random
// topologies in FRR and requires farend to agree on every adjacency state
// and every OSPF route. FAREND_OSPF_SEED sets the first seed (default: a
// fixed one, so CI runs are repeatable; each seed is printed), and
// FAREND_OSPF_PARALLEL how many topologies run at once (default 3).
// FAREND_OSPF_SEEDS, a comma-separated list, runs exactly those seeds.
// Without root or FRR the test is skipped, except under CI=true, where it
// fails.
func TestFRRDifferential(t *testing.T) {
	if why := Prereq(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI must run the FRR differential test (.ci/run installs frr)", why)
		}
		t.Skip(why)
	}
	n := envInt("FAREND_OSPF_TOPOLOGIES", 20)
	first := int64(envInt("FAREND_OSPF_SEED", 1000))
	par := envInt("FAREND_OSPF_PARALLEL", 3)
	timeout := time.Duration(envInt("FAREND_OSPF_TIMEOUT", 60)) * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	base, err := os.MkdirTemp("", "farend-ospftest-")
	if err != nil {
		t.Fatal(err)
	}
	// The daemons run as frr and must reach their directories.
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	// Everything the test made goes, also on failure, unless
	// FAREND_OSPF_KEEP is set to keep the failing seeds' snapshots.
	keep := os.Getenv("FAREND_OSPF_KEEP") != ""
	defer func() {
		if !keep {
			os.RemoveAll(base)
		}
	}()
	seeds := make([]int64, n)
	for i := range seeds {
		seeds[i] = first + int64(i)
	}
	if v := os.Getenv("FAREND_OSPF_SEEDS"); v != "" {
		seeds = nil
		for _, x := range strings.Split(v, ",") {
			s, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				t.Fatalf("FAREND_OSPF_SEEDS: %v", err)
			}
			seeds = append(seeds, s)
		}
		n = len(seeds)
	}
	start := time.Now()
	sem := make(chan struct{}, par)
	var mu sync.Mutex
	var wg sync.WaitGroup
	agreed, lines := 0, 0
	for _, seed := range seeds {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			prefix := fmt.Sprintf("fo%d-%d-", os.Getpid()%100000, seed)
			o, err := RunOne(ctx, seed, prefix, base, timeout)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("seed %d: %v", seed, err)
			case len(o.Diff) > 0:
				msg := fmt.Sprintf("seed %d (%d routers, %d links): farend and FRR differ in %d of %d lines (rerun with FAREND_OSPF_SEED=%d FAREND_OSPF_TOPOLOGIES=1 FAREND_OSPF_KEEP=1 to keep the snapshot):\n", seed, o.Routers, o.Links, len(o.Diff), o.Lines, seed)
				for _, d := range o.Diff {
					msg += "  " + d + "\n"
				}
				if keep {
					msg += "snapshot kept in " + o.Snapshot + "\n"
				} else {
					msg += Generate(seed).ConfigText()
				}
				t.Error(msg)
			default:
				agreed++
				lines += o.Lines
				t.Logf("seed %d: %d routers, %d links: %d lines agree (%s)", seed, o.Routers, o.Links, o.Lines, o.Took.Round(time.Second))
			}
		}()
	}
	wg.Wait()
	t.Logf("%d of %d topologies agree (%d lines) in %s, FRR %s", agreed, n, lines, time.Since(start).Round(time.Second), frrVersion())
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func frrVersion() string {
	out, err := run(context.Background(), FRRDir+"/zebra", "--version")
	if err != nil {
		return "unknown"
	}
	s := string(out)
	for j, c := range s {
		if c == '\n' {
			return s[:j]
		}
	}
	return s
}
