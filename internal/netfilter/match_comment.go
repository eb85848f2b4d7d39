package netfilter

import "fmt"

// CommentMatch is `-m comment --comment text` (net/netfilter/xt_comment.c:
// the match function always returns true). The zero CommentMatch is an
// empty comment.
type CommentMatch struct {
	Text string
}

func parseComment(fam Family, a *Args) (Match, error) {
	var m *CommentMatch
	arity := func(o string) int {
		if o == "--comment" {
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if m != nil {
			return fmt.Errorf("only one --comment allowed")
		}
		if len(o.Arg()) > 255 {
			return fmt.Errorf("comment longer than 255 bytes")
		}
		m = &CommentMatch{Text: o.Arg()}
		return noNeg(o)
	})
	if err == nil && m == nil {
		err = fmt.Errorf("-m comment needs --comment")
	}
	return m, err
}

// Match implements Match.
func (m *CommentMatch) Match(c *Ctx) Tri { return Yes }

func (m *CommentMatch) String() string { return "-m comment --comment " + saveString(m.Text) }
