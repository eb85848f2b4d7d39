package network

import (
	"fmt"

	"farend/internal/netfilter"
	"farend/internal/packet"
	"farend/internal/trace"
)

// replyCtx is what a reply knows from its request: the devices that
// tracked the connection and the NAT each one set up.
type replyCtx struct {
	nat     map[string][]netfilter.Rewrite
	tracked map[string]bool
}

// state is the conntrack state of the reply on node and the NAT to undo
// there: ESTABLISHED where the request created an entry; elsewhere the
// reply is the first packet of the flow the device sees (NEW), which the
// answer says.
func (r *replyCtx) state(node string, p *path) (netfilter.CtState, []netfilter.Rewrite) {
	if r.tracked[node] {
		nat := r.nat[node]
		if nat == nil {
			nat = []netfilter.Rewrite{}
		}
		return netfilter.CtEstablished, nat
	}
	if _, seen := r.nat[node]; !seen {
		p.note(node, "the request did not pass here: the reply is the first packet of the flow this device sees (conntrack NEW)")
	}
	return netfilter.CtNew, nil
}

// BothWays is a request and its reply.
type BothWays struct {
	Request trace.Trace  `json:"request"`
	Reply   *trace.Trace `json:"reply,omitempty"`
	// Asymmetric lists where the reply does not retrace the request: a
	// device it leaves by another interface than the request entered, or
	// devices on one path only.
	Asymmetric []string `json:"asymmetric,omitempty"`
	// NoReply says why no reply was traced.
	NoReply string `json:"no_reply,omitempty"`
}

// TraceBothWays traces req and, when it reached its destination (a
// device of the snapshot accepted it, or it left toward its destination),
// the reply: addresses and ports swapped, a SYN answered by SYN-ACK, an
// echo request by an echo reply, in conntrack state ESTABLISHED on the
// devices that tracked the request, with their NAT undone.
func (n *Network) TraceBothWays(req Request) (BothWays, error) {
	fwd, err := n.walk(req, nil)
	if err != nil {
		return BothWays{}, err
	}
	out := BothWays{Request: fwd.t}
	last := fwd.visits[len(fwd.visits)-1]
	rq := Request{Pkt: replyPacket(last.pktOut)}
	switch fwd.t.Disposition {
	case trace.Accepted:
		rq.From = last.node
	case trace.DeliveredToSubnet, trace.ExitsNetwork:
		// The destination is outside the snapshot: its reply comes
		// back in where the request left.
		rq.From, rq.In = last.node, last.out
	default:
		out.NoReply = fmt.Sprintf("the request did not arrive (%s): there is no reply", fwd.t.Disposition)
		return out, nil
	}
	ctx := &replyCtx{nat: map[string][]netfilter.Rewrite{}, tracked: map[string]bool{}}
	for _, v := range fwd.visits {
		ctx.nat[v.node] = append(ctx.nat[v.node], v.nat...)
		if v.tracked {
			ctx.tracked[v.node] = true
		}
	}
	back, err := n.walk(rq, ctx)
	if err != nil {
		return out, err
	}
	out.Reply = &back.t
	out.Asymmetric = asymmetry(fwd.visits, back.visits)
	return out, nil
}

// replyPacket is the answer to p: addresses and ports swapped, TCP SYN ->
// SYN-ACK, other TCP -> ACK, ICMP echo request -> echo reply.
func replyPacket(p packet.Packet) packet.Packet {
	r := p
	r.Src, r.Dst = p.Dst, p.Src
	r.SPort, r.DPort = p.DPort, p.SPort
	r.TTL, r.Mark = 64, 0
	switch {
	case p.Proto == packet.ProtoTCP && p.TCPFlags&packet.TCPSyn != 0:
		r.TCPFlags = packet.TCPSyn | packet.TCPAck
	case p.Proto == packet.ProtoTCP:
		r.TCPFlags = packet.TCPAck
	case p.Proto == packet.ProtoICMP && p.ICMPType == 8:
		r.ICMPType = 0
	case p.Proto == packet.ProtoICMPv6 && p.ICMPType == 128:
		r.ICMPType = 129
	}
	return r
}

// asymmetry compares the paths device by device: the reply should leave
// each device by the interface the request came in on.
func asymmetry(fwd, back []visit) []string {
	var out []string
	in := map[string]string{}
	for _, v := range fwd {
		if v.in != "" && !v.outer {
			in[v.node] = v.in
		}
	}
	onFwd := map[string]bool{}
	for _, v := range fwd {
		onFwd[v.node] = true
	}
	for _, v := range back {
		if v.outer {
			continue
		}
		want, ok := in[v.node]
		switch {
		case !onFwd[v.node]:
			out = append(out, fmt.Sprintf("the reply passes %s, which the request did not", v.node))
		case ok && v.out != "" && v.out != want:
			out = append(out, fmt.Sprintf("%s: the request came in on %s, the reply leaves by %s (asymmetric path)", v.node, want, v.out))
		}
	}
	return out
}
