package netfilter

import "fmt"

// NFTLog is the log statement (net/netfilter/nft_log.c): it writes the
// packet to the kernel log, or with `group` sends it to nfnetlink_log,
// and goes on with the rule.
//
// The zero NFTLog logs to the kernel log with no prefix.
type NFTLog struct {
	Prefix string
	// Level is the syslog level name ("warn" when not given); Group is
	// the nflog group when HasGroup.
	Level    string
	Group    uint64
	HasGroup bool
	Text     string
}

func (s *NFTLog) String() string { return s.Text }

// Exec implements NFTStmt.
func (s *NFTLog) Exec(c *Ctx) (Verdict, bool) {
	where := "the kernel log"
	if s.HasGroup {
		where = fmt.Sprintf("nflog group %d", s.Group)
	}
	c.Explain("%s: the packet is logged to %s with prefix %q", s.Text, where, s.Prefix)
	return Verdict{}, false
}

// Apply implements Target.
func (s *NFTLog) Apply(c *Ctx) Verdict {
	v, _ := s.Exec(c)
	return v
}

func (s *NFTLog) effect() nftEffect { return effNone }
