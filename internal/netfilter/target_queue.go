package netfilter

import (
	"fmt"
	"strings"
)

// QueueTarget is -j QUEUE and -j NFQUEUE (net/netfilter/xt_NFQUEUE.c): the
// packet is handed to a userspace program on a netlink queue, which
// decides its fate; farend cannot know that decision. With
// --queue-bypass the packet is accepted when no program listens.
//
// The zero QueueTarget is -j NFQUEUE --queue-num 0.
type QueueTarget struct {
	// Plain is true for the old -j QUEUE (queue 0).
	Plain bool
	// Opts are NFQUEUE's options as written.
	Opts []Opt
}

func parseNFQueue(a *Args) (Target, error) {
	t := &QueueTarget{}
	arity := func(o string) int {
		switch o {
		case "--queue-num", "--queue-balance":
			return 1
		case "--queue-bypass", "--queue-cpu-fanout", "--fail-open":
			return 0
		}
		return -1
	}
	opts, err := keepOpts(a, arity, noNeg)
	t.Opts = opts
	return t, err
}

func (t *QueueTarget) bypass() bool {
	for _, o := range t.Opts {
		if o.Name == "--queue-bypass" {
			return true
		}
	}
	return false
}

// Apply implements Target.
func (t *QueueTarget) Apply(c *Ctx) Verdict {
	s := "the packet is queued to userspace (NF_QUEUE); the program reading the queue decides its fate"
	if t.bypass() {
		s += "; with --queue-bypass it is accepted if no program listens"
	}
	c.Explain("%s", s)
	return Verdict{Kind: Queue}
}

func (t *QueueTarget) String() string {
	if t.Plain {
		return "-j QUEUE"
	}
	return strings.TrimRight(fmt.Sprintf("-j NFQUEUE%s", optsString(t.Opts)), " ")
}
