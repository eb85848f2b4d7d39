package netfilter

import (
	"fmt"
	"math"
	"strconv"
)

// StatisticMatch is `-m statistic`, based on net/netfilter/xt_statistic.c.
// --mode random matches when a fresh random number (31 bits) is below
// Probability (so with probability Probability/2^31); --mode nth matches
// every Every-th packet, the Packet-th one of each round, counted across
// all packets that reach the rule. `!` inverts either. Neither is
// predictable from a snapshot: the match is Maybe.
//
// The zero StatisticMatch is --mode random --probability 0 (never).
type StatisticMatch struct {
	// Nth is true for --mode nth, false for --mode random.
	Nth bool
	// Probability is the kernel's value: round(p * 2^31).
	Probability uint32
	// Every and Packet are --every and --packet as written (the kernel
	// stores Every-1).
	Every, Packet uint32
	Invert        bool
}

func parseStatistic(fam Family, a *Args) (Match, error) {
	m := &StatisticMatch{}
	var mode string
	var seenP, seenE bool
	arity := func(o string) int {
		switch o {
		case "--mode", "--probability", "--every", "--packet":
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		switch o.Name {
		case "--mode":
			mode = o.Arg()
			if mode != "random" && mode != "nth" {
				return fmt.Errorf("unknown statistic mode %q", mode)
			}
			m.Nth = mode == "nth"
			return noNeg(o)
		case "--probability":
			p, err := strconv.ParseFloat(o.Arg(), 64)
			if err != nil || p < 0 || p > 1 || math.IsNaN(p) {
				return fmt.Errorf("invalid probability %q", o.Arg())
			}
			m.Probability = uint32(math.Round(p * 0x80000000))
			m.Invert = m.Invert || o.Neg
			seenP = true
		case "--every":
			n, err := parseUint(o.Arg(), 0xffffffff)
			if err != nil || n == 0 {
				return fmt.Errorf("invalid --every %q", o.Arg())
			}
			m.Every = uint32(n)
			m.Invert = m.Invert || o.Neg
			seenE = true
		case "--packet":
			n, err := parseUint(o.Arg(), 0xffffffff)
			if err != nil {
				return err
			}
			m.Packet = uint32(n)
			return noNeg(o)
		}
		return nil
	})
	if err != nil {
		return m, err
	}
	switch {
	case mode == "":
		return m, fmt.Errorf("statistic needs --mode")
	case m.Nth && (!seenE || seenP):
		return m, fmt.Errorf("--mode nth needs --every (and no --probability)")
	case !m.Nth && (!seenP || seenE):
		return m, fmt.Errorf("--mode random needs --probability (and no --every)")
	case m.Nth && m.Packet >= m.Every:
		return m, fmt.Errorf("--packet must be below --every")
	}
	return m, nil
}

// Prob returns the probability the random mode matches (before `!`).
func (m *StatisticMatch) Prob() float64 { return float64(m.Probability) / 0x80000000 }

// Match implements Match.
func (m *StatisticMatch) Match(c *Ctx) Tri {
	if m.Nth {
		c.Explain("statistic --mode nth matches packet %d of every %d reaching this rule%s: the count is not in the snapshot", m.Packet, m.Every, invNote(m.Invert))
		return Maybe
	}
	p := m.Prob()
	if m.Invert {
		p = 1 - p
	}
	c.Explain("statistic --mode random matches with probability %.4g (the kernel draws a random number per packet)", p)
	return Maybe
}

func invNote(inv bool) string {
	if inv {
		return " (inverted: every other packet)"
	}
	return ""
}

func (m *StatisticMatch) String() string {
	if m.Nth {
		return fmt.Sprintf("-m statistic --mode nth %s--every %d --packet %d", bang(m.Invert), m.Every, m.Packet)
	}
	return fmt.Sprintf("-m statistic --mode random %s--probability %.11f", bang(m.Invert), m.Prob())
}
