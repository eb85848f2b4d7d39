package netfilter

import (
	"fmt"
	"strings"
)

// LogTarget is -j LOG (net/netfilter/xt_LOG.c): it writes the packet's
// headers to the kernel log and returns XT_CONTINUE, so evaluation goes on
// with the next rule.
//
// The zero LogTarget logs at level 0 (emerg) with no prefix; iptables'
// default level is 4 (warning).
type LogTarget struct {
	Prefix string
	Level  uint8
	// Flags are XT_LOG_* bits: 1 tcp-sequence, 2 tcp-options,
	// 4 ip-options, 8 uid, 0x20 macdecode.
	Flags uint8
}

var logFlags = []struct {
	opt string
	bit uint8
}{
	{"--log-tcp-sequence", 0x01}, {"--log-tcp-options", 0x02}, {"--log-ip-options", 0x04},
	{"--log-uid", 0x08}, {"--log-macdecode", 0x20},
}

var logLevels = map[string]uint8{
	"emerg": 0, "panic": 0, "alert": 1, "crit": 2, "err": 3, "error": 3,
	"warn": 4, "warning": 4, "notice": 5, "info": 6, "debug": 7,
}

func parseLog(a *Args) (Target, error) {
	t := &LogTarget{Level: 4}
	arity := func(o string) int {
		switch o {
		case "--log-level", "--log-prefix":
			return 1
		}
		for _, f := range logFlags {
			if o == f.opt {
				return 0
			}
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		switch o.Name {
		case "--log-level":
			if l, ok := logLevels[strings.ToLower(o.Arg())]; ok {
				t.Level = l
			} else {
				n, err := parseUint(o.Arg(), 7)
				if err != nil {
					return fmt.Errorf("invalid log level %q", o.Arg())
				}
				t.Level = uint8(n)
			}
		case "--log-prefix":
			if len(o.Arg()) > 29 {
				return fmt.Errorf("log prefix longer than 29 bytes")
			}
			t.Prefix = o.Arg()
		default:
			for _, f := range logFlags {
				if o.Name == f.opt {
					t.Flags |= f.bit
				}
			}
		}
		return noNeg(o)
	})
	return t, err
}

// Apply implements Target.
func (t *LogTarget) Apply(c *Ctx) Verdict {
	c.Explain("LOG writes the packet to the kernel log (prefix %q, level %d) and evaluation continues", t.Prefix, t.Level)
	return Verdict{}
}

func (t *LogTarget) String() string {
	var b strings.Builder
	b.WriteString("-j LOG")
	if t.Prefix != "" {
		b.WriteString(" --log-prefix " + saveString(t.Prefix))
	}
	if t.Level != 4 {
		fmt.Fprintf(&b, " --log-level %d", t.Level)
	}
	for _, f := range logFlags {
		if t.Flags&f.bit != 0 {
			b.WriteString(" " + f.opt)
		}
	}
	return b.String()
}

// NFLogTarget is -j NFLOG (net/netfilter/xt_NFLOG.c): it passes the packet
// to the nfnetlink_log group and returns XT_CONTINUE.
//
// The zero NFLogTarget logs to group 0 with no prefix.
type NFLogTarget struct {
	Group  uint16
	Prefix string
	// Len is --nflog-size (Size true) or the deprecated --nflog-range.
	Len       uint32
	HasLen    bool
	Size      bool
	Threshold uint16
}

func parseNFLog(a *Args) (Target, error) {
	t := &NFLogTarget{}
	arity := func(o string) int {
		switch o {
		case "--nflog-group", "--nflog-prefix", "--nflog-range", "--nflog-size", "--nflog-threshold":
			return 1
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if err := noNeg(o); err != nil {
			return err
		}
		switch o.Name {
		case "--nflog-prefix":
			if len(o.Arg()) > 63 {
				return fmt.Errorf("nflog prefix longer than 63 bytes")
			}
			t.Prefix = o.Arg()
			return nil
		case "--nflog-group":
			n, err := parseUint(o.Arg(), 0xffff)
			t.Group = uint16(n)
			return err
		case "--nflog-threshold":
			n, err := parseUint(o.Arg(), 0xffff)
			t.Threshold = uint16(n)
			return err
		}
		n, err := parseUint(o.Arg(), 0xffffffff)
		t.Len, t.HasLen, t.Size = uint32(n), true, o.Name == "--nflog-size"
		return err
	})
	return t, err
}

// Apply implements Target.
func (t *NFLogTarget) Apply(c *Ctx) Verdict {
	c.Explain("NFLOG passes the packet to nflog group %d (prefix %q) and evaluation continues", t.Group, t.Prefix)
	return Verdict{}
}

func (t *NFLogTarget) String() string {
	var b strings.Builder
	b.WriteString("-j NFLOG")
	if t.Prefix != "" {
		b.WriteString(" --nflog-prefix " + saveString(t.Prefix))
	}
	if t.Group != 0 {
		fmt.Fprintf(&b, " --nflog-group %d", t.Group)
	}
	if t.HasLen {
		if t.Size {
			fmt.Fprintf(&b, " --nflog-size %d", t.Len)
		} else {
			fmt.Fprintf(&b, " --nflog-range %d", t.Len)
		}
	}
	if t.Threshold != 0 {
		fmt.Fprintf(&b, " --nflog-threshold %d", t.Threshold)
	}
	return b.String()
}
