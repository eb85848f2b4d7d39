package netfilter

import (
	"fmt"
	"strconv"
	"strings"
)

// limitScale is XT_LIMIT_SCALE (include/uapi/linux/netfilter/xt_limit.h).
const limitScale = 10000

// LimitMatch is `-m limit --limit rate --limit-burst n`, based on
// net/netfilter/xt_limit.c: a token bucket that starts full (Burst
// credits) and refills at the rate. Its state is not in the snapshot;
// farend takes the bucket as fresh, which has credit for the packet, so
// the match says Yes (and explains it).
//
// The zero LimitMatch is not valid (Avg 0); iptables' defaults are
// 3/hour, burst 5.
type LimitMatch struct {
	// Avg is the kernel's period per packet, in 1/10000 s units.
	Avg   uint32
	Burst uint32
}

// rates are libxt_limit's units, longest first.
var rates = []struct {
	name string
	mult uint32
}{
	{"day", limitScale * 24 * 60 * 60}, {"hour", limitScale * 60 * 60},
	{"min", limitScale * 60}, {"sec", limitScale},
}

// parseRate parses "n[/second|minute|hour|day]" (libxt_limit parse_rate:
// any prefix of the unit name is accepted).
func parseRate(s string) (uint32, error) {
	num, unit, hasUnit := strings.Cut(s, "/")
	mult := uint64(1)
	if hasUnit {
		u := strings.ToLower(unit)
		switch {
		case u == "":
			return 0, fmt.Errorf("invalid rate %q", s)
		case strings.HasPrefix("second", u):
			mult = 1
		case strings.HasPrefix("minute", u):
			mult = 60
		case strings.HasPrefix("hour", u):
			mult = 3600
		case strings.HasPrefix("day", u):
			mult = 86400
		default:
			return 0, fmt.Errorf("invalid rate unit in %q", s)
		}
	}
	r, err := strconv.ParseUint(num, 10, 32)
	if err != nil || r == 0 {
		return 0, fmt.Errorf("invalid rate %q", s)
	}
	v := limitScale * mult / r
	if v == 0 {
		return 0, fmt.Errorf("rate %q too fast", s)
	}
	return uint32(v), nil
}

// rateString prints a period as libxt_limit print_rate does.
func rateString(period uint32) string {
	if period == 0 {
		return "0/sec"
	}
	i := 1
	for ; i < len(rates); i++ {
		if period > rates[i].mult || rates[i].mult/period < rates[i].mult%period {
			break
		}
	}
	return fmt.Sprintf("%d/%s", rates[i-1].mult/period, rates[i-1].name)
}

func parseLimit(fam Family, a *Args) (Match, error) {
	m := &LimitMatch{Avg: limitScale * 3600 / 3, Burst: 5}
	arity := func(o string) int {
		switch o {
		case "--limit", "--limit-burst":
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if err := noNeg(o); err != nil {
			return err
		}
		if o.Name == "--limit" {
			v, err := parseRate(o.Arg())
			m.Avg = v
			return err
		}
		n, err := parseUint(o.Arg(), 10000)
		m.Burst = uint32(n)
		return err
	})
	return m, err
}

// Match implements Match.
func (m *LimitMatch) Match(c *Ctx) Tri {
	c.Explain("limit %s burst %d: the bucket's state is not in the snapshot; taken as fresh, it has credit for this packet (under sustained traffic above the rate the rule stops matching)", rateString(m.Avg), m.Burst)
	return Yes
}

func (m *LimitMatch) String() string {
	s := "-m limit --limit " + rateString(m.Avg)
	if m.Burst != 5 {
		s += fmt.Sprintf(" --limit-burst %d", m.Burst)
	}
	return s
}

// HashlimitMatch is `-m hashlimit`, based on net/netfilter/xt_hashlimit.c:
// one token bucket per hash key (source, destination, ports as
// --hashlimit-mode says). --hashlimit-upto matches while a key is under
// the rate, --hashlimit-above once it exceeds it. As for limit, a fresh
// bucket is assumed: upto says Yes, above says No.
//
// Options are kept as written.
type HashlimitMatch struct {
	Opts []Opt
	// Above is true for --hashlimit-above.
	Above bool
}

func parseHashlimit(fam Family, a *Args) (Match, error) {
	m := &HashlimitMatch{}
	arity := func(o string) int {
		switch o {
		case "--hashlimit-upto", "--hashlimit-above", "--hashlimit", "--hashlimit-burst",
			"--hashlimit-mode", "--hashlimit-srcmask", "--hashlimit-dstmask", "--hashlimit-name",
			"--hashlimit-htable-size", "--hashlimit-htable-max", "--hashlimit-htable-expire",
			"--hashlimit-htable-gcinterval", "--hashlimit-rate-interval":
			return 1
		case "--hashlimit-rate-match":
			return 0
		}
		return -1
	}
	var rate bool
	opts, err := keepOpts(a, arity, func(o Opt) error {
		switch o.Name {
		case "--hashlimit-above":
			m.Above, rate = true, true
		case "--hashlimit-upto", "--hashlimit":
			rate = true
		}
		return noNeg(o)
	})
	m.Opts = opts
	if err == nil && !rate {
		err = fmt.Errorf("hashlimit needs --hashlimit-upto or --hashlimit-above")
	}
	return m, err
}

// Match implements Match.
func (m *HashlimitMatch) Match(c *Ctx) Tri {
	if m.Above {
		c.Explain("hashlimit --hashlimit-above: the buckets are not in the snapshot; taken as fresh, this key is under the rate, so the rule does not match")
		return No
	}
	c.Explain("hashlimit: the buckets are not in the snapshot; taken as fresh, this key has credit, so the rule matches")
	return Yes
}

func (m *HashlimitMatch) String() string { return "-m hashlimit" + optsString(m.Opts) }
