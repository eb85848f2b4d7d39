package netfilter

import (
	"fmt"

	"farend/internal/packet"
)

// TCPMSSTarget is -j TCPMSS (net/netfilter/xt_TCPMSS.c): it rewrites the
// MSS option of TCP SYN packets, to MSS or (--clamp-mss-to-pmtu) to the
// path MTU minus the headers, and returns XT_CONTINUE. farend does not
// model TCP options, so it only explains.
//
// The zero TCPMSSTarget is --set-mss 0.
type TCPMSSTarget struct {
	MSS   uint16
	Clamp bool
}

func parseTCPMSS(a *Args) (Target, error) {
	var t *TCPMSSTarget
	arity := func(o string) int {
		switch o {
		case "--set-mss":
			return 1
		case "--clamp-mss-to-pmtu":
			return 0
		}
		return -1
	}
	err := eachOpt(a, arity, func(o Opt) error {
		if t != nil {
			return fmt.Errorf("TCPMSS takes only one of --set-mss and --clamp-mss-to-pmtu")
		}
		t = &TCPMSSTarget{Clamp: o.Name == "--clamp-mss-to-pmtu"}
		if !t.Clamp {
			n, err := parseUint(o.Arg(), 0xffff)
			if err != nil {
				return err
			}
			t.MSS = uint16(n)
		}
		return noNeg(o)
	})
	if err == nil && t == nil {
		err = fmt.Errorf("TCPMSS needs --set-mss or --clamp-mss-to-pmtu")
	}
	return t, err
}

// Apply implements Target.
func (t *TCPMSSTarget) Apply(c *Ctx) Verdict {
	if c.Pkt.Proto != packet.ProtoTCP || c.Pkt.TCPFlags&packet.TCPSyn == 0 {
		c.Explain("TCPMSS changes only TCP SYN packets; evaluation continues")
		return Verdict{}
	}
	if t.Clamp {
		c.Explain("TCPMSS clamps the SYN's MSS option to the path MTU minus 40 (IPv4) or 60 (IPv6) bytes; evaluation continues")
	} else {
		c.Explain("TCPMSS sets the SYN's MSS option to %d (if it is larger); evaluation continues", t.MSS)
	}
	return Verdict{}
}

func (t *TCPMSSTarget) String() string {
	if t.Clamp {
		return "-j TCPMSS --clamp-mss-to-pmtu"
	}
	return fmt.Sprintf("-j TCPMSS --set-mss %d", t.MSS)
}

// Check implements Checker (tcpmss_tg4_check): -p tcp is required;
// --clamp-mss-to-pmtu only in FORWARD, OUTPUT and POSTROUTING; x_tables
// (not nft_compat) also wants a `--tcp-flags` match that selects SYN.
func (t *TCPMSSTarget) Check(e Entry) string {
	if s := checkProto("TCPMSS", e, packet.ProtoTCP); s != "" {
		return s
	}
	if t.Clamp {
		if s := checkHooks("TCPMSS --clamp-mss-to-pmtu", e, "", Forward, Output, Postrouting); s != "" {
			return s
		}
	}
	if e.Compat || e.Rule == nil {
		return ""
	}
	for _, m := range e.Rule.Matches {
		if tm, ok := m.(*TCPMatch); ok && tm.module() == "tcp" && tm.HasFlags && !tm.InvFlags &&
			tm.FlagMask&packet.TCPSyn != 0 && tm.FlagComp&packet.TCPSyn != 0 {
			return ""
		}
	}
	return "TCPMSS: only works on TCP SYN packets (needs -m tcp --tcp-flags with SYN)"
}
