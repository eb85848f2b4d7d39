package kerneltest

import (
	"context"
	"testing"

	"farend/internal/packet"
)

// Pool builds labs on demand and shares one Lab among all Specs of equal
// Topology; it removes them when the test that made it ends (t.Cleanup
// runs after a failure or panic too; namespaces left by a killed run are
// removed by the next run).
type Pool struct {
	labs map[string]*Lab
}

// NewPool returns a pool whose labs are closed at the end of t.
func NewPool(t testing.TB) *Pool {
	t.Helper()
	Require(t)
	p := &Pool{labs: map[string]*Lab{}}
	t.Cleanup(func() {
		for _, l := range p.labs {
			if err := l.Close(); err != nil {
				t.Errorf("closing lab: %v", err)
			}
		}
	})
	return p
}

// Lab returns the lab for topo, building it the first time.
func (p *Pool) Lab(t testing.TB, topo Topology) *Lab {
	t.Helper()
	key := topo.Key()
	if l, ok := p.labs[key]; ok {
		return l
	}
	l, err := NewLab(context.Background(), topo)
	if err != nil {
		t.Fatalf("building lab %s: %v", topo.Host, err)
	}
	p.labs[key] = l
	return l
}

// Run applies spec on its lab and injects pkt on interface in; it fails t
// on any harness error.
func (p *Pool) Run(t testing.TB, spec Spec, in string, pkt packet.Packet) Observation {
	t.Helper()
	l := p.Lab(t, spec.Topology)
	ctx := context.Background()
	if err := l.Apply(ctx, spec.Config); err != nil {
		t.Fatalf("apply: %v", err)
	}
	obs, err := l.Inject(ctx, in, pkt)
	if err != nil {
		t.Fatalf("inject: %v", err)
	}
	return obs
}
