package netfilter

import (
	"fmt"
	"strings"
)

// NFTExpr is an nft expression that loads a value into a register: a
// payload field, a meta or ct key, a fib lookup, a bitwise operation, an
// immediate ... (the kernel's nft_expr_ops.eval writing to a dreg,
// net/netfilter/nf_tables_core.c nft_do_chain).
type NFTExpr interface {
	// Load returns the value for c. r is Yes with the value; No when the
	// kernel stops the rule here (NFT_BREAK: the packet has no such
	// header, there is no conntrack entry ...); Maybe when farend cannot
	// know the value. why says why for No and Maybe.
	Load(c *Ctx) (v NFTValue, r Tri, why string)
	// Type is the datatype of the value.
	Type() NFTType
	// String prints the expression as `nft list` does ("ip saddr").
	String() string
}

// loadAll loads each expression of a (possibly concatenated) key, as
// nft_concat does register by register. It stops at the first No.
func loadAll(c *Ctx, key []NFTExpr) ([]NFTValue, Tri, string) {
	vals := make([]NFTValue, len(key))
	res := Yes
	var whys []string
	for i, e := range key {
		v, r, why := e.Load(c)
		switch r {
		case No:
			return nil, No, why
		case Maybe:
			res = Maybe
			whys = append(whys, why)
		}
		vals[i] = v
	}
	return vals, res, strings.Join(whys, "; ")
}

// keyString prints a key: its expressions joined by " . ".
func keyString(key []NFTExpr) string {
	parts := make([]string, len(key))
	for i, e := range key {
		parts[i] = e.String()
	}
	return strings.Join(parts, " . ")
}

// NFTImmediate is a constant used as a value (`meta mark set 0x1`,
// nft_immediate). Text is how nft prints it.
//
// The zero NFTImmediate is the integer 0 printed as "".
type NFTImmediate struct {
	Value NFTValue
	Typ   NFTType
	Text  string
}

// Load implements NFTExpr.
func (e *NFTImmediate) Load(c *Ctx) (NFTValue, Tri, string) { return e.Value, Yes, "" }

// Type implements NFTExpr.
func (e *NFTImmediate) Type() NFTType { return e.Typ }

func (e *NFTImmediate) String() string { return e.Text }

// NFTBinop is a bitwise operation on a loaded value: `&`, `|`, `^` with a
// constant or with another expression, `<<` and `>>` by a constant
// (net/netfilter/nft_bitwise.c: nft_bitwise_eval_bool, _lshift, _rshift;
// nftables prints the boolean form mask/xor back as `&`, `|`, `^`).
//
// The zero NFTBinop has no operands and loads nothing (Maybe).
type NFTBinop struct {
	Op          string // "&", "|", "^", "<<", ">>"
	Left, Right NFTExpr
	// Text is the expression as nft prints it.
	Text string
}

// Load implements NFTExpr.
func (e *NFTBinop) Load(c *Ctx) (NFTValue, Tri, string) {
	if e.Left == nil || e.Right == nil {
		return NFTValue{}, Maybe, "incomplete bitwise expression"
	}
	a, r, why := e.Left.Load(c)
	if r != Yes {
		return a, r, why
	}
	b, r, why := e.Right.Load(c)
	if r != Yes {
		return b, r, why
	}
	if a.Addr.IsValid() || b.Addr.IsValid() {
		return nftAddrBinop(e.Op, a, b)
	}
	var out NFTValue
	switch e.Op {
	case "&":
		out.Num = a.Num & b.Num
		// A bit is known when it is known in both, or known 0 in one.
		zeroA := ^a.Num &^ a.Unknown
		zeroB := ^b.Num &^ b.Unknown
		out.Unknown = (a.Unknown | b.Unknown) &^ (zeroA | zeroB)
		out.Num &^= out.Unknown
		if a.NonZero != 0 && b.Unknown == 0 && a.NonZero&^b.Num == 0 {
			out.NonZero = a.NonZero
		}
	case "|":
		out.Num = a.Num | b.Num
		oneA := a.Num &^ a.Unknown
		oneB := b.Num &^ b.Unknown
		out.Unknown = (a.Unknown | b.Unknown) &^ (oneA | oneB)
	case "^":
		out.Num = a.Num ^ b.Num
		out.Unknown = a.Unknown | b.Unknown
	case "<<":
		if b.Unknown != 0 || b.Num > 63 {
			return NFTValue{}, Maybe, "shift by an unknown amount"
		}
		out.Num, out.Unknown = a.Num<<b.Num, a.Unknown<<b.Num
		out.Num &= 0xffffffff
		out.Unknown &= 0xffffffff
	case ">>":
		if b.Unknown != 0 || b.Num > 63 {
			return NFTValue{}, Maybe, "shift by an unknown amount"
		}
		out.Num, out.Unknown = a.Num>>b.Num, a.Unknown>>b.Num
	default:
		return NFTValue{}, Maybe, fmt.Sprintf("bitwise operator %q is not modelled", e.Op)
	}
	return out, Yes, ""
}

// nftAddrBinop masks an address (`ip saddr & 255.255.0.0`).
func nftAddrBinop(op string, a, b NFTValue) (NFTValue, Tri, string) {
	if !a.Addr.IsValid() || !b.Addr.IsValid() || a.Addr.BitLen() != b.Addr.BitLen() {
		return NFTValue{}, Maybe, "bitwise operation on values of different kinds"
	}
	x, y := a.Addr.AsSlice(), b.Addr.AsSlice()
	for i := range x {
		switch op {
		case "&":
			x[i] &= y[i]
		case "|":
			x[i] |= y[i]
		case "^":
			x[i] ^= y[i]
		default:
			return NFTValue{}, Maybe, fmt.Sprintf("operator %q on an address is not modelled", op)
		}
	}
	return NFTValue{Addr: addrFromSlice(x)}, Yes, ""
}

// Type implements NFTExpr.
func (e *NFTBinop) Type() NFTType {
	if e.Left == nil {
		return NFTInteger
	}
	return e.Left.Type()
}

func (e *NFTBinop) String() string { return e.Text }

// NFTNumgen is `numgen random|inc mod N offset O` (net/netfilter/
// nft_numgen.c): a random number, or a counter shared by all packets.
// Neither is in the snapshot: Load says Maybe. NFTVmap treats a random
// numgen key specially (it picks one element and says so).
type NFTNumgen struct {
	Mode        string // "random" or "inc"
	Mod, Offset uint64
	Text        string
}

// Load implements NFTExpr.
func (e *NFTNumgen) Load(c *Ctx) (NFTValue, Tri, string) {
	return NFTValue{}, Maybe, fmt.Sprintf("`%s` is a %s number the snapshot does not hold", e.Text, map[bool]string{true: "random", false: "per-packet counter"}[e.Mode == "random"])
}

// Type implements NFTExpr.
func (e *NFTNumgen) Type() NFTType { return NFTInteger }

func (e *NFTNumgen) String() string { return e.Text }

// NFTOpaqueExpr is an expression farend does not evaluate (jhash,
// symhash, osf, socket, rt, ipsec, exthdr, tcp options, raw payloads,
// fields it does not model ...). It loads Maybe, naming itself.
//
// The zero NFTOpaqueExpr prints as "".
type NFTOpaqueExpr struct {
	Text string
	// Why says why farend cannot evaluate it.
	Why string
	Typ NFTType
}

// Load implements NFTExpr.
func (e *NFTOpaqueExpr) Load(c *Ctx) (NFTValue, Tri, string) {
	why := e.Why
	if why == "" {
		why = "farend does not model it"
	}
	return NFTValue{}, Maybe, fmt.Sprintf("`%s`: %s", e.Text, why)
}

// Type implements NFTExpr.
func (e *NFTOpaqueExpr) Type() NFTType { return e.Typ }

func (e *NFTOpaqueExpr) String() string { return e.Text }
