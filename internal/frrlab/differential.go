package frrlab

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

// Outcome is the result of one topology.
type Outcome struct {
	Seed     int64
	Routers  int
	Links    int
	Lines    int // compared lines
	Diff     []string
	Took     time.Duration
	Snapshot string
}

// Differential is one harness's differential test: its knobs and how it
// runs one seed.
type Differential struct {
	// Env starts the knobs' names: <Env>_TOPOLOGIES, _SEED, _SEEDS,
	// _PARALLEL, _TIMEOUT (seconds) and _KEEP.
	Env string
	// Dir names the temporary directory (farend-<Dir>-*); NSPrefix
	// starts the namespace names, followed by pid and seed.
	Dir      string
	NSPrefix string
	// Topologies and Timeout are the defaults of their knobs.
	Topologies int
	Timeout    time.Duration
	// Prereq says what is missing ("" when nothing is).
	Prereq func() string
	// Run runs one seed: its namespaces start with prefix, its files go
	// below base.
	Run func(ctx context.Context, seed int64, prefix, base string, timeout time.Duration) (Outcome, error)
	// Configs prints the seed's configurations, for a failure report.
	Configs func(seed int64) string
}

// Test runs <Env>_TOPOLOGIES (default Topologies) random topologies from
// <Env>_SEED (default 1000, so CI runs are repeatable; each seed is
// printed) on, <Env>_PARALLEL (default 3) at once, or exactly the seeds
// of the comma-separated <Env>_SEEDS, and requires farend to agree with
// FRR on each. Without root or FRR the test is skipped, except under
// CI=true, where it fails.
func (h *Differential) Test(t *testing.T) {
	if why := h.Prereq(); why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI must run the FRR differential test (.ci/run installs frr)", why)
		}
		t.Skip(why)
	}
	n := EnvInt(h.Env+"_TOPOLOGIES", h.Topologies)
	first := int64(EnvInt(h.Env+"_SEED", 1000))
	par := EnvInt(h.Env+"_PARALLEL", 3)
	timeout := time.Duration(EnvInt(h.Env+"_TIMEOUT", int(h.Timeout/time.Second))) * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	base, err := os.MkdirTemp("", "farend-"+h.Dir+"-")
	if err != nil {
		t.Fatal(err)
	}
	// The daemons run as frr and must reach their directories.
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	// Everything the test made goes, also on failure, unless <Env>_KEEP
	// is set to keep the failing seeds' snapshots.
	keep := os.Getenv(h.Env+"_KEEP") != ""
	defer func() {
		if !keep {
			os.RemoveAll(base)
		}
	}()
	seeds := make([]int64, n)
	for i := range seeds {
		seeds[i] = first + int64(i)
	}
	if v := os.Getenv(h.Env + "_SEEDS"); v != "" {
		seeds = nil
		for _, x := range strings.Split(v, ",") {
			s, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err != nil {
				t.Fatalf("%s_SEEDS: %v", h.Env, err)
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
			prefix := fmt.Sprintf("%s%d-%d-", h.NSPrefix, os.Getpid()%100000, seed)
			o, err := h.Run(ctx, seed, prefix, base, timeout)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("seed %d: %v", seed, err)
			case len(o.Diff) > 0:
				msg := fmt.Sprintf("seed %d (%d routers, %d links): farend and FRR differ in %d of %d lines (rerun with %s_SEED=%d %s_TOPOLOGIES=1 %s_KEEP=1 to keep the snapshot):\n", seed, o.Routers, o.Links, len(o.Diff), o.Lines, h.Env, seed, h.Env, h.Env)
				for _, d := range o.Diff {
					msg += "  " + d + "\n"
				}
				if keep {
					msg += "snapshot kept in " + o.Snapshot + "\n"
				} else {
					msg += h.Configs(seed)
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
	t.Logf("%d of %d topologies agree (%d lines) in %s, FRR %s", agreed, n, lines, time.Since(start).Round(time.Second), Version())
}

// EnvInt is the positive integer in the environment variable name, else
// def.
func EnvInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// Version is the first line of zebra --version.
func Version() string {
	out, err := run(context.Background(), "frrlab", FRRDir+"/zebra", "--version")
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
