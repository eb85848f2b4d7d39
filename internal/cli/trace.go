package cli

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"farend/internal/netfilter"
	netsim "farend/internal/network"
	"farend/internal/packet"
	"farend/internal/sim"
	"farend/internal/trace"
)

type traceFlags struct {
	node, in                 string
	from                     string
	bothWays                 bool
	local                    bool
	src, dst, proto          string
	sport, dport             int
	icmpType, tcpFlags, mark string
	tos                      string
	ctState                  string
	ttl, length              int
	df                       bool
	json                     bool
}

func newTrace() *cobra.Command {
	var f traceFlags
	cmd := &cobra.Command{
		Use:   "trace SNAPSHOT (--in IFACE|--local|--from NODE[:IFACE]) --src IP --dst IP [flags]",
		Short: "Follow one packet through a host, or across the network, rule by rule",
		Long: `trace walks one packet through a host exactly as its kernel would: every
iptables table and nftables base chain on every hook in priority order (raw,
conntrack, mangle, nat, filter, security and the nft chains at theirs), the
policy routing rules and tables, the reverse-path checks (rp_filter, -m
rpfilter, nft fib), forwarding with its MTU check, local delivery and local
output.
It prints every rule that matched, the routing decisions, where the packet
ended and why, and the fix as commands to paste.

With --from NODE[:IFACE] the packet is followed across the devices of the
snapshot: from each device to the one that holds the next hop across the
link (see farend topology), into and out of tunnels, until it is accepted,
dropped, leaves the snapshot (EXITS_NETWORK), finds no neighbour
(NEIGHBOR_UNREACHABLE) or loops (LOOP). Routers known from their
configuration forward by the RIB farend computes (farend routes).
--both-ways also traces the reply, in conntrack state ESTABLISHED where
the request was tracked and with its NAT undone, and names every device
where the reply does not retrace the request.`,
		Example: `  # story 1: a ping from behind the tunnel peer, toward a container
  farend trace snap --node fc20 --in sit1 --src 2001:db8:2::1 --dst 2001:db8:d0c::2 --proto icmpv6

  # a TCP SYN to a published port, as JSON
  farend trace snap --in eth0 --src 203.0.113.5 --dst 198.51.100.10 --proto tcp --dport 8080 --json

  # a packet the host sends itself
  farend trace snap --local --src 198.51.100.10 --dst 192.0.2.1 --proto udp --dport 53

  # across the network, from R2 (which sends it) to the container, and the reply
  farend trace snap --from r2 --src 2001:db8:2::1 --dst 2001:db8:d0c::2 --both-ways`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := f.request()
			if err != nil {
				return err
			}
			if f.from != "" {
				return traceNetwork(cmd, args[0], f, req)
			}
			if f.bothWays {
				return usagef("--both-ways needs --from NODE[:IFACE]")
			}
			_, d, err := loadDevice(args[0], f.node)
			if err != nil {
				return err
			}
			if !netsim.IsHost(d) {
				// A router known from its configuration only: its
				// RIB forwards, across the network from there.
				f.from = d.Name
				if f.in != "" {
					f.from += ":" + f.in
				}
				f.node, f.in, f.local = "", "", false
				return traceNetwork(cmd, args[0], f, req)
			}
			h := sim.NewHost(d)
			if err := h.Validate(req); err != nil {
				return usageError{err}
			}
			t, err := h.Trace(req)
			if err != nil {
				return err
			}
			if s := noteSummary(d); s != "" {
				t.Unknown = append(t.Unknown, s)
			}
			out := cmd.OutOrStdout()
			if f.json {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(t)
			}
			trace.WriteText(out, t)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.node, "node", "", "the host to trace through (optional when the snapshot has one)")
	fl.StringVar(&f.in, "in", "", "the interface the packet arrives on")
	fl.BoolVar(&f.local, "local", false, "the host itself sends the packet (instead of --in)")
	fl.StringVar(&f.from, "from", "", "trace across the network from NODE (which sends the packet) or NODE:IFACE (where it arrives)")
	fl.BoolVar(&f.bothWays, "both-ways", false, "with --from: trace the reply too and report asymmetric paths")
	fl.StringVar(&f.src, "src", "", "source address (required)")
	fl.StringVar(&f.dst, "dst", "", "destination address (required)")
	fl.StringVar(&f.proto, "proto", "", "protocol: tcp, udp, icmp, icmpv6, sctp or a number (default icmp/icmpv6)")
	fl.IntVar(&f.sport, "sport", 40000, "source port (tcp, udp, sctp)")
	fl.IntVar(&f.dport, "dport", 0, "destination port (tcp, udp, sctp; required for them)")
	fl.StringVar(&f.icmpType, "icmp-type", "echo-request", "ICMP/ICMPv6 type: a name as iptables uses, a number, or type/code")
	fl.StringVar(&f.tcpFlags, "tcp-flags", "SYN", "TCP flags set, comma separated (SYN, ACK, FIN, RST, PSH, URG)")
	fl.StringVar(&f.mark, "mark", "0", "the packet's mark (fwmark) when it arrives, decimal or 0x hex")
	fl.StringVar(&f.ctState, "ct-state", "NEW", "conntrack state once tracked: NEW, ESTABLISHED or RELATED")
	fl.IntVar(&f.ttl, "ttl", 64, "TTL / hop limit as it arrives")
	fl.StringVar(&f.tos, "tos", "0", "the IPv4 TOS byte or IPv6 traffic class (DSCP<<2 | ECN), decimal or 0x hex")
	fl.IntVar(&f.length, "length", 0, "IP packet length in bytes (default: a small packet of the protocol)")
	fl.BoolVar(&f.df, "df", true, "IPv4 don't-fragment bit (Linux sets it by default: path MTU discovery); --df=false lets routers fragment")
	fl.BoolVar(&f.json, "json", false, "print the trace as JSON")
	return cmd
}

func (f *traceFlags) request() (sim.Request, error) {
	var req sim.Request
	if f.from != "" && (f.local || f.in != "" || f.node != "") {
		return req, usagef("--from NODE[:IFACE] replaces --node, --in and --local")
	}
	if f.from == "" && f.local == (f.in != "") {
		return req, usagef("give exactly one of --in IFACE, --local or --from NODE[:IFACE]")
	}
	if f.src == "" || f.dst == "" {
		return req, usagef("--src and --dst are required")
	}
	src, err := netip.ParseAddr(f.src)
	if err != nil {
		return req, usagef("--src: %v", err)
	}
	dst, err := netip.ParseAddr(f.dst)
	if err != nil {
		return req, usagef("--dst: %v", err)
	}
	src, dst = src.Unmap(), dst.Unmap()
	if src.Is4() != dst.Is4() {
		return req, usagef("--src %s and --dst %s are of different families", src, dst)
	}
	v6 := dst.Is6()
	p := packet.Packet{Src: src, Dst: dst, TTL: uint8(min(max(f.ttl, 0), 255))}
	proto := f.proto
	if proto == "" {
		proto = "icmp"
		if v6 {
			proto = "icmpv6"
		}
	}
	if n, err := packet.ParseProto(proto); err != nil {
		return req, usagef("--proto: %v", err)
	} else {
		p.Proto = n
	}
	if v6 && p.Proto == packet.ProtoICMP {
		p.Proto = packet.ProtoICMPv6
	}
	if !v6 && p.Proto == packet.ProtoICMPv6 {
		return req, usagef("--proto icmpv6 with IPv4 addresses")
	}
	switch {
	case p.HasPorts():
		if f.dport <= 0 || f.dport > 65535 || f.sport < 0 || f.sport > 65535 {
			return req, usagef("--dport (1-65535) is required for %s; --sport must be 0-65535", proto)
		}
		p.SPort, p.DPort = uint16(f.sport), uint16(f.dport)
		if p.Proto == packet.ProtoTCP {
			fl, err := parseTCPFlags(f.tcpFlags)
			if err != nil {
				return req, err
			}
			p.TCPFlags = fl
		}
	case p.IsICMP():
		typ, code, err := netfilter.ParseICMPType(f.icmpType, v6)
		if err != nil {
			return req, usagef("--icmp-type: %v", err)
		}
		p.ICMPType, p.ICMPCode = typ, code
	}
	mark, err := strconv.ParseUint(f.mark, 0, 32)
	if err != nil {
		return req, usagef("--mark: %v", err)
	}
	p.Mark = uint32(mark)
	st, ok := netfilter.ParseCtState(f.ctState)
	if !ok || st&^(netfilter.CtNew|netfilter.CtEstablished|netfilter.CtRelated) != 0 || st == 0 {
		return req, usagef("--ct-state must be NEW, ESTABLISHED or RELATED, not %q", f.ctState)
	}
	tos, err := strconv.ParseUint(f.tos, 0, 8)
	if err != nil {
		return req, usagef("--tos: %v", err)
	}
	p.TOS = uint8(tos)
	p.Length = uint16(f.length)
	p.DF = f.df && !v6
	if p.Length == 0 {
		p.Length = defaultLength(p)
	}
	req.Pkt, req.In, req.Local, req.CtState = p, f.in, f.local, st
	return req, nil
}

// defaultLength is the length of a minimal packet of p's protocol: an IP
// header (20 or 40 bytes) plus 20 for TCP, 8 for UDP, 64 for an echo.
func defaultLength(p packet.Packet) uint16 {
	l := uint16(20)
	if p.Is6() {
		l = 40
	}
	switch {
	case p.Proto == packet.ProtoTCP:
		l += 20
	case p.IsICMP():
		l += 64
	default:
		l += 8
	}
	return l
}

func parseTCPFlags(s string) (uint8, error) {
	var out uint8
	if s == "" || strings.EqualFold(s, "NONE") {
		return 0, nil
	}
	names := map[string]uint8{"FIN": packet.TCPFin, "SYN": packet.TCPSyn, "RST": packet.TCPRst, "PSH": packet.TCPPsh, "ACK": packet.TCPAck, "URG": packet.TCPUrg, "ECE": packet.TCPEce, "CWR": packet.TCPCwr}
	for _, w := range strings.Split(s, ",") {
		b, ok := names[strings.ToUpper(strings.TrimSpace(w))]
		if !ok {
			return 0, usagef("--tcp-flags: unknown flag %q", w)
		}
		out |= b
	}
	return out, nil
}
