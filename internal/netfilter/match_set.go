package netfilter

import "fmt"

// SetMatch is `-m set --match-set NAME DIRS`, based on
// net/netfilter/xt_set.c: the packet's addresses/ports (by DIRS, e.g.
// "src,dst") are looked up in the ipset NAME. The set's contents are not
// in the snapshot, so the match is Maybe. Options are kept as written.
type SetMatch struct {
	Name, Dirs string
	Invert     bool
	// Opts are the other options (--return-nomatch, ! --update-counters,
	// --packets-gt ...) as written.
	Opts []Opt
}

func parseSet(fam Family, a *Args) (Match, error) {
	m := &SetMatch{}
	seen := false
	arity := func(o string) int {
		switch o {
		case "--match-set", "--set":
			return 2
		case "--return-nomatch", "--update-counters", "--update-subcounters":
			return 0
		case "--packets-eq", "--packets-lt", "--packets-gt", "--bytes-eq", "--bytes-lt", "--bytes-gt":
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if o.Name == "--match-set" || o.Name == "--set" {
			if seen {
				return fmt.Errorf("only one --match-set allowed")
			}
			m.Name, m.Dirs, m.Invert, seen = o.Args[0], o.Args[1], o.Neg, true
			return nil
		}
		o.Args = append([]string(nil), o.Args...)
		m.Opts = append(m.Opts, o)
		return nil
	})
	if err == nil && !seen {
		err = fmt.Errorf("-m set needs --match-set")
	}
	return m, err
}

// Match implements Match.
func (m *SetMatch) Match(c *Ctx) Tri {
	c.Explain("ipset %q (%s): ipset contents are not in the snapshot, so the rule may or may not match", m.Name, m.Dirs)
	return Maybe
}

func (m *SetMatch) String() string {
	return fmt.Sprintf("-m set %s--match-set %s %s", bang(m.Invert), quoteIfNeeded(m.Name), quoteIfNeeded(m.Dirs)) + optsString(m.Opts)
}
