package netfilter

import (
	"fmt"
	"strings"
)

// MarkTarget is -j MARK, based on mark_tg in net/netfilter/xt_mark.c
// (revision 2): skb->mark = (skb->mark & ~Mask) ^ Value, then XT_CONTINUE.
// Every form iptables accepts maps onto it (libxt_MARK): --set-xmark v/m
// is (v, m); --set-mark v/m is (v, v|m); --and-mark b is (0, ~b);
// --or-mark b is (b, b); --xor-mark b is (b, 0). iptables-save prints
// --set-xmark.
//
// The zero MarkTarget changes nothing.
type MarkTarget struct {
	Value, Mask uint32
}

// parseMarkOp parses the five mark operations shared by MARK and CONNMARK
// into (value, mask).
func parseMarkOp(o Opt) (value, mask uint32, err error) {
	switch o.Name {
	case "--set-xmark":
		return parseValueMask(o.Arg())
	case "--set-mark":
		v, m, err := parseValueMask(o.Arg())
		return v, v | m, err
	}
	n, err := parseUint(o.Arg(), 0xffffffff)
	b := uint32(n)
	switch o.Name {
	case "--and-mark":
		return 0, ^b, err
	case "--or-mark":
		return b, b, err
	}
	return b, 0, err // --xor-mark
}

func isMarkOp(o string) bool {
	switch o {
	case "--set-xmark", "--set-mark", "--and-mark", "--or-mark", "--xor-mark":
		return true
	}
	return false
}

func parseMarkTarget(a *Args) (Target, error) {
	var t *MarkTarget
	arity := func(o string) int {
		if isMarkOp(o) {
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if t != nil {
			return fmt.Errorf("MARK takes only one operation")
		}
		v, m, err := parseMarkOp(o)
		t = &MarkTarget{Value: v, Mask: m}
		if err != nil {
			return err
		}
		return noNeg(o)
	})
	if err == nil && t == nil {
		err = fmt.Errorf("MARK needs --set-xmark, --set-mark, --and-mark, --or-mark or --xor-mark")
	}
	return t, err
}

// Apply implements Target.
func (t *MarkTarget) Apply(c *Ctx) Verdict {
	old := c.Pkt.Mark
	c.Pkt.Mark = (old &^ t.Mask) ^ t.Value
	c.Explain("MARK: packet mark 0x%x -> 0x%x", old, c.Pkt.Mark)
	return Verdict{}
}

func (t *MarkTarget) String() string {
	return fmt.Sprintf("-j MARK --set-xmark 0x%x/0x%x", t.Value, t.Mask)
}

// ConnmarkMode is what -j CONNMARK does (XT_CONNMARK_SET, _SAVE,
// _RESTORE). The zero ConnmarkMode is set.
type ConnmarkMode uint8

// CONNMARK modes.
const (
	ConnmarkSet ConnmarkMode = iota
	ConnmarkSave
	ConnmarkRestore
)

// ConnmarkTarget is -j CONNMARK, based on connmark_tg_shift in
// net/netfilter/xt_connmark.c (revision 2). Without a conntrack entry it
// does nothing. Otherwise:
//
//	set:     ct.mark = shift((ct.mark & ~CtMask) ^ CtMark)
//	save:    ct.mark = (ct.mark & ~CtMask) ^ shift(skb.mark & NfMask)
//	restore: skb.mark = (skb.mark & ~NfMask) ^ shift(ct.mark & CtMask)
//
// where shift is << or >> by ShiftBits. The set forms map as for MARK.
//
// The zero ConnmarkTarget is --set-xmark 0x0/0x0 (no change).
type ConnmarkTarget struct {
	Mode           ConnmarkMode
	CtMark, CtMask uint32
	NfMask         uint32
	// ShiftRight selects >>; ShiftBits 0 means no shift.
	ShiftRight bool
	ShiftBits  uint8
	// Rev1 is true when the rule was written in revision 1's short form
	// (`--save-mark`, `--save-mark --mask m`); it only changes String.
	Rev1 bool
}

func parseConnmarkTarget(a *Args) (Target, error) {
	t := &ConnmarkTarget{NfMask: 0xffffffff, CtMask: 0xffffffff}
	var op bool
	var masks, explicit bool
	arity := func(o string) int {
		switch {
		case isMarkOp(o):
			return 1
		case o == "--save-mark", o == "--restore-mark":
			return 0
		case o == "--mask", o == "--nfmask", o == "--ctmask", o == "--left-shift-mark", o == "--right-shift-mark":
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if err := noNeg(o); err != nil {
			return err
		}
		switch {
		case isMarkOp(o.Name), o.Name == "--save-mark", o.Name == "--restore-mark":
			if op {
				return fmt.Errorf("CONNMARK takes only one operation")
			}
			op = true
			switch o.Name {
			case "--save-mark":
				t.Mode = ConnmarkSave
			case "--restore-mark":
				t.Mode = ConnmarkRestore
			default:
				v, m, err := parseMarkOp(o)
				t.Mode, t.CtMark, t.CtMask = ConnmarkSet, v, m
				return err
			}
		case o.Name == "--left-shift-mark", o.Name == "--right-shift-mark":
			n, err := parseUint(o.Arg(), 31)
			t.ShiftBits, t.ShiftRight = uint8(n), o.Name == "--right-shift-mark"
			return err
		default:
			n, err := parseUint(o.Arg(), 0xffffffff)
			if err != nil {
				return err
			}
			masks = true
			switch o.Name {
			case "--mask":
				t.NfMask, t.CtMask = uint32(n), uint32(n)
			case "--nfmask":
				t.NfMask, explicit = uint32(n), true
			default:
				t.CtMask, explicit = uint32(n), true
			}
		}
		return nil
	})
	if err == nil && !op {
		err = fmt.Errorf("CONNMARK needs an operation")
	}
	if err == nil && masks && t.Mode == ConnmarkSet {
		err = fmt.Errorf("--mask, --nfmask and --ctmask go with --save-mark or --restore-mark")
	}
	t.Rev1 = t.Mode != ConnmarkSet && !explicit && t.ShiftBits == 0
	return t, err
}

func (t *ConnmarkTarget) shift(v uint32) uint32 {
	if t.ShiftRight {
		return v >> t.ShiftBits
	}
	return v << t.ShiftBits
}

// Apply implements Target.
func (t *ConnmarkTarget) Apply(c *Ctx) Verdict {
	if ctNil(c.Ct) {
		c.Explain("CONNMARK: the packet has no conntrack entry (%s), nothing changes", c.Ct.Effective())
		return Verdict{}
	}
	switch t.Mode {
	case ConnmarkSet:
		old := c.Ct.Mark
		c.Ct.Mark = t.shift((old &^ t.CtMask) ^ t.CtMark)
		c.Explain("CONNMARK: connection mark 0x%x -> 0x%x", old, c.Ct.Mark)
	case ConnmarkSave:
		old := c.Ct.Mark
		c.Ct.Mark = (old &^ t.CtMask) ^ t.shift(c.Pkt.Mark&t.NfMask)
		c.Explain("CONNMARK --save-mark: connection mark 0x%x -> 0x%x (from packet mark 0x%x)", old, c.Ct.Mark, c.Pkt.Mark)
	case ConnmarkRestore:
		old := c.Pkt.Mark
		c.Pkt.Mark = (old &^ t.NfMask) ^ t.shift(c.Ct.Mark&t.CtMask)
		c.Explain("CONNMARK --restore-mark: packet mark 0x%x -> 0x%x (from connection mark 0x%x)", old, c.Pkt.Mark, c.Ct.Mark)
	}
	return Verdict{}
}

func (t *ConnmarkTarget) String() string {
	var b strings.Builder
	b.WriteString("-j CONNMARK")
	mode := " --save-mark"
	switch t.Mode {
	case ConnmarkSet:
		fmt.Fprintf(&b, " --set-xmark 0x%x/0x%x", t.CtMark, t.CtMask)
	case ConnmarkRestore:
		mode = " --restore-mark"
	}
	if t.Mode != ConnmarkSet {
		switch {
		case !t.Rev1:
			fmt.Fprintf(&b, "%s --nfmask 0x%x --ctmask 0x%x", mode, t.NfMask, t.CtMask)
		case t.NfMask == 0xffffffff && t.CtMask == 0xffffffff:
			b.WriteString(mode)
		case t.NfMask == t.CtMask:
			fmt.Fprintf(&b, "%s --mask 0x%x", mode, t.NfMask)
		default:
			fmt.Fprintf(&b, "%s --nfmask 0x%x --ctmask 0x%x", mode, t.NfMask, t.CtMask)
		}
	}
	if t.ShiftBits != 0 {
		dir := "left"
		if t.ShiftRight {
			dir = "right"
		}
		fmt.Fprintf(&b, " --%s-shift-mark %d", dir, t.ShiftBits)
	}
	return b.String()
}
