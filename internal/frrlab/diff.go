package frrlab

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Diff lists the lines that differ between farend's (want) and FRR's
// (got) lines per router, router by router, both sides.
func Diff(want, got map[string][]string) []string {
	var out []string
	var names []string
	for n := range want {
		names = append(names, n)
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		w, g := set(want[n]), set(got[n])
		for _, x := range want[n] {
			if !g[x] {
				out = append(out, fmt.Sprintf("%s: farend only: %s", n, x))
			}
		}
		for _, x := range got[n] {
			if !w[x] {
				out = append(out, fmt.Sprintf("%s: FRR only:    %s", n, x))
			}
		}
	}
	return out
}

func set(xs []string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Count is the number of lines of all routers.
func Count(lines map[string][]string) int {
	n := 0
	for _, ls := range lines {
		n += len(ls)
	}
	return n
}

// Poll compares want with what observe returns every second, until they
// agree three times in a row or until timeout, and returns the last
// difference (Diff).
func Poll(ctx context.Context, timeout time.Duration, want map[string][]string, observe func() (map[string][]string, error)) ([]string, error) {
	agree := 0
	deadline := time.Now().Add(timeout)
	for {
		got, err := observe()
		if err != nil {
			return nil, err
		}
		d := Diff(want, got)
		if len(d) == 0 {
			agree++
		} else {
			agree = 0
		}
		if agree >= 3 || time.Now().After(deadline) {
			return d, nil
		}
		select {
		case <-ctx.Done():
			return d, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
