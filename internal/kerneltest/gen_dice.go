package kerneltest

import (
	"math/rand/v2"
	"net/netip"
)

// dice draws a generator's random choices from its seeded stream: the
// single-host generators' caseGen and the multi-host mgen embed it, so
// that a seed draws the same cases whichever generator code asks.
type dice struct {
	r *rand.Rand
}

// pick returns an index chosen with the given weights.
func (d dice) pick(weights ...int) int {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	n := d.r.IntN(sum)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

// chance is true with probability p.
func (d dice) chance(p float64) bool { return d.r.Float64() < p }

func (d dice) intN(n int) int { return d.r.IntN(n) }

// roller is a generator that embeds dice.
type roller interface{ intN(n int) int }

// oneOf is one of xs, drawn evenly.
func oneOf[T any](d roller, xs []T) T { return xs[d.intN(len(xs))] }

// addrNear is an address inside p: p's first address stepped on by one
// of steps (small host numbers, so that rules and routes drawn around one
// address often meet another), or the one after p's first address when
// that step leaves p.
func addrNear(d roller, p netip.Prefix, steps []int) netip.Addr {
	a := p.Masked().Addr()
	for range oneOf(d, steps) {
		a = a.Next()
	}
	if !p.Contains(a) {
		return p.Masked().Addr().Next()
	}
	return a
}
