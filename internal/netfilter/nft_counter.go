package netfilter

// NFTCounter is `counter packets N bytes M` or `counter name "x"`
// (net/netfilter/nft_counter.c, nft_objref.c): it counts and goes on. The
// values are those of the snapshot; the rule's Packets and Bytes hold an
// inline counter's too.
//
// The zero NFTCounter is an inline counter at 0.
type NFTCounter struct {
	Packets, Bytes uint64
	// Name is the named counter object, "" for an inline counter.
	Name string
	Text string
}

func (s *NFTCounter) String() string { return s.Text }

// Exec implements NFTStmt.
func (s *NFTCounter) Exec(c *Ctx) (Verdict, bool) { return Verdict{}, false }

// Apply implements Target.
func (s *NFTCounter) Apply(c *Ctx) Verdict { return Verdict{} }

func (s *NFTCounter) effect() nftEffect { return effNone }
