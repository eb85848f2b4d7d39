package trace

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints t for a person: the packet, every step in order, the
// outcome with its reason, the fix, the LOG rules never reached and what
// is unknown.
func WriteText(w io.Writer, t Trace) {
	p := t.Packet
	fmt.Fprintf(w, "packet: %s\n", p.Summary())
	for _, h := range t.Hops {
		where := "sent by the host itself"
		if h.InInterface != "" {
			where = "in on " + h.InInterface
		}
		fmt.Fprintf(w, "\n%s (%s)\n", h.Node, where)
		for i, s := range h.Steps {
			writeStep(w, i+1, s)
		}
	}
	fmt.Fprintf(w, "\n%s", t.Disposition)
	if t.DropReason != "" {
		fmt.Fprintf(w, " (%s)", t.DropReason)
	}
	fmt.Fprintf(w, ": %s\n", t.Reason)
	if t.PacketOut != nil && t.PacketOut.Summary() != p.Summary() {
		fmt.Fprintf(w, "packet after NAT: %s\n", t.PacketOut.Summary())
	}
	if t.PathMTU > 0 {
		fmt.Fprintf(w, "path MTU: %d (%s)\n", t.PathMTU, t.PathMTUAt)
	}
	if len(t.Fix) > 0 {
		fmt.Fprintf(w, "\nfix:\n")
		for _, f := range t.Fix {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	if len(t.Alternatives) > 0 {
		fmt.Fprintf(w, "\nother possible outcomes (the snapshot cannot decide some matches):\n")
		for _, a := range t.Alternatives {
			fmt.Fprintf(w, "  if %s:\n    %s", strings.Join(a.Assume, ", and "), a.Disposition)
			if a.DropReason != "" {
				fmt.Fprintf(w, " (%s)", a.DropReason)
			}
			fmt.Fprintf(w, ": %s\n", a.Reason)
		}
	}
	if len(t.Unreached) > 0 {
		fmt.Fprintf(w, "\nLOG rules that did not fire for this packet:\n")
		for _, r := range t.Unreached {
			if r.Family != "" {
				fmt.Fprintf(w, "  %s %s %s #%d (handle %d)  %s  (%s)\n", r.Family, r.Table, r.Chain, r.Rule, r.Handle, r.Text, r.Source)
				continue
			}
			fmt.Fprintf(w, "  %-8s %s #%d  %s  (%s)\n", r.Table, r.Chain, r.Rule, r.Text, r.Source)
		}
	}
	if len(t.Unknown) > 0 {
		fmt.Fprintf(w, "\nunknown:\n")
		for _, u := range t.Unknown {
			fmt.Fprintf(w, "  %s\n", u)
		}
	}
}

func writeStep(w io.Writer, n int, s Step) {
	switch s.Kind {
	case KindNetfilter:
		where := fmt.Sprintf("%s/%s", s.Table, s.Chain)
		rule := fmt.Sprintf("#%d", s.Rule)
		if s.Family != "" {
			// nft: family table/chain, the rule's handle.
			where = s.Family + " " + where
			rule = fmt.Sprintf("#%d h%d", s.Rule, s.Handle)
		}
		if s.Policy {
			rule = "policy"
		}
		assumed := ""
		if s.Assumed {
			assumed = " (assumed)"
		}
		text := s.Text
		if s.Family != "" && text == s.Verdict {
			text = "" // an nft rule that is only its verdict (`jump X`)
		}
		fmt.Fprintf(w, "%3d  %-11s %-24s %-7s %-14s %s%s", n, s.Hook, where, rule, s.Verdict, text, assumed)
		if s.Source != "" {
			fmt.Fprintf(w, "   [%s]", s.Source)
		}
		fmt.Fprintln(w)
	default:
		head := s.Text
		if s.Rule != 0 && s.Table != "" {
			head = fmt.Sprintf("%s/%s #%d %s", s.Table, s.Chain, s.Rule, s.Text)
		}
		fmt.Fprintf(w, "%3d  %-11s %s", n, s.Kind, head)
		if s.Verdict != "" {
			fmt.Fprintf(w, " => %s", s.Verdict)
		}
		if s.Source != "" {
			fmt.Fprintf(w, "   [%s]", s.Source)
		}
		fmt.Fprintln(w)
	}
	for _, d := range s.Detail {
		fmt.Fprintf(w, "       %s\n", d)
	}
}

// Summary prints the packet in one line.
func (p Packet) Summary() string {
	var b strings.Builder
	b.WriteString(p.Proto + " ")
	if p.SPort != 0 || p.DPort != 0 {
		fmt.Fprintf(&b, "%s port %d -> %s port %d", p.Src, p.SPort, p.Dst, p.DPort)
	} else {
		fmt.Fprintf(&b, "%s -> %s", p.Src, p.Dst)
	}
	if p.ICMPType != nil {
		fmt.Fprintf(&b, " type %d", *p.ICMPType)
		if p.ICMPCode != nil && *p.ICMPCode != 0 {
			fmt.Fprintf(&b, " code %d", *p.ICMPCode)
		}
	}
	if p.TCPFlags != "" {
		fmt.Fprintf(&b, " [%s]", p.TCPFlags)
	}
	if p.Mark != "" {
		fmt.Fprintf(&b, " mark %s", p.Mark)
	}
	return b.String()
}
