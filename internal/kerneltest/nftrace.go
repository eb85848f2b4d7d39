package kerneltest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
)

// The kernel's own trace: nf_tables sends an NFT_MSG_TRACE message to
// netlink group NFNLGRP_NFTRACE for every rule that fully matches a packet
// whose nftrace bit is set, for every chain policy applied and every
// implicit return (net/netfilter/nf_tables_trace.c). This is what
// `nft monitor trace` prints; reading the netlink group directly gives the
// rule handles and verdicts as numbers, with no text to parse.

// traceEvent is one NFT_MSG_TRACE message.
type traceEvent struct {
	ID     uint32
	Family uint8 // the table's family (NFPROTO_*)
	Table  string
	Chain  string
	Handle uint64 // rule handle; 0 for policy/return events
	Type   uint32 // NFT_TRACETYPE_*
	// Verdict is the verdict code (NF_DROP, NF_ACCEPT, NFT_JUMP ...) and
	// Target the chain of a jump or goto.
	Verdict int32
	Target  string
	// Policy is the chain policy applied (NF_ACCEPT or NF_DROP) for
	// NFT_TRACETYPE_POLICY.
	Policy   uint32
	HasPol   bool
	IIF, OIF uint32
	Mark     uint32
	NFProto  uint32
	// Network and Transport are the first bytes of the packet's headers
	// (only the first event of each base chain carries them).
	Network, Transport []byte
}

// traceSocket listens to NFNLGRP_NFTRACE in one network namespace.
type traceSocket struct {
	fd int
}

// openTraceSocket opens the listener inside namespace ns.
func openTraceSocket(ns string) (*traceSocket, error) {
	var fd int
	err := inNetns(ns, func() error {
		var err error
		fd, err = syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, syscall.NETLINK_NETFILTER)
		if err != nil {
			return fmt.Errorf("kerneltest: netlink socket: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*traceSocket, error) {
		syscall.Close(fd)
		return nil, err
	}
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return fail(fmt.Errorf("kerneltest: netlink bind: %w", err))
	}
	// A big buffer: a packet through a firewalld ruleset emits ~100 events.
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, 8<<20)
	if err := syscall.SetsockoptInt(fd, solNetlink, syscall.NETLINK_ADD_MEMBERSHIP, nfnlgrpNFTrace); err != nil {
		return fail(fmt.Errorf("kerneltest: join NFNLGRP_NFTRACE: %w", err))
	}
	return &traceSocket{fd: fd}, nil
}

func (s *traceSocket) Close() error { return syscall.Close(s.fd) }

// drain reads every queued message without blocking. An overrun of the
// socket buffer (ENOBUFS) is an error: events were lost.
func (s *traceSocket) drain() ([]traceEvent, error) {
	var evs []traceEvent
	buf := make([]byte, 1<<16)
	var lost bool
	for {
		n, _, err := syscall.Recvfrom(s.fd, buf, syscall.MSG_DONTWAIT)
		if errors.Is(err, syscall.EAGAIN) {
			break
		}
		if errors.Is(err, syscall.ENOBUFS) {
			lost = true
			continue
		}
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return evs, fmt.Errorf("kerneltest: read trace: %w", err)
		}
		evs = append(evs, parseTraceMessages(buf[:n])...)
	}
	if lost {
		return evs, errors.New("kerneltest: trace events lost (netlink buffer overrun)")
	}
	return evs, nil
}

// parseTraceMessages parses the NFT_MSG_TRACE messages in one datagram.
func parseTraceMessages(b []byte) []traceEvent {
	var evs []traceEvent
	for len(b) >= syscall.NLMSG_HDRLEN {
		l := int(binary.NativeEndian.Uint32(b[0:]))
		typ := binary.NativeEndian.Uint16(b[4:])
		if l < syscall.NLMSG_HDRLEN || l > len(b) {
			break
		}
		msg := b[syscall.NLMSG_HDRLEN:l]
		if typ == nfnlSubsysNFTables<<8|nftMsgTrace && len(msg) >= 4 {
			ev := traceEvent{Family: msg[0]}
			parseTraceAttrs(msg[4:], &ev)
			evs = append(evs, ev)
		}
		if nlAlign(l) >= len(b) {
			break
		}
		b = b[nlAlign(l):]
	}
	return evs
}

func nlAlign(n int) int { return (n + 3) &^ 3 }

// attrs iterates netlink attributes: f gets the type (flags cleared) and
// the value.
func attrs(b []byte, f func(typ uint16, v []byte)) {
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b[0:]))
		typ := binary.NativeEndian.Uint16(b[2:]) & nlaTypeMask
		if l < 4 || l > len(b) {
			return
		}
		f(typ, b[4:l])
		if nlAlign(l) >= len(b) {
			return
		}
		b = b[nlAlign(l):]
	}
}

func parseTraceAttrs(b []byte, ev *traceEvent) {
	be32 := func(v []byte) uint32 {
		if len(v) < 4 {
			return 0
		}
		return binary.BigEndian.Uint32(v)
	}
	str := func(v []byte) string {
		for i, c := range v {
			if c == 0 {
				return string(v[:i])
			}
		}
		return string(v)
	}
	attrs(b, func(typ uint16, v []byte) {
		switch typ {
		case nftaTraceTable:
			ev.Table = str(v)
		case nftaTraceChain:
			ev.Chain = str(v)
		case nftaTraceRuleHandle:
			if len(v) >= 8 {
				ev.Handle = binary.BigEndian.Uint64(v)
			}
		case nftaTraceType:
			ev.Type = be32(v)
		case nftaTraceVerdict:
			attrs(v, func(t uint16, w []byte) {
				switch t {
				case nftaVerdictCode:
					ev.Verdict = int32(be32(w))
				case nftaVerdictChain:
					ev.Target = str(w)
				}
			})
		case nftaTraceID:
			ev.ID = be32(v)
		case nftaTraceNetworkHeader:
			ev.Network = append([]byte(nil), v...)
		case nftaTraceTransportHeader:
			ev.Transport = append([]byte(nil), v...)
		case nftaTraceIIF:
			ev.IIF = be32(v)
		case nftaTraceOIF:
			ev.OIF = be32(v)
		case nftaTraceMark:
			ev.Mark = be32(v)
		case nftaTraceNFProto:
			ev.NFProto = be32(v)
		case nftaTracePolicy:
			ev.Policy = be32(v)
			ev.HasPol = true
		}
	})
}

// verdictName names a verdict code as nft prints it.
func verdictName(code int32, target string) string {
	switch code {
	case 0:
		return "drop"
	case 1:
		return "accept"
	case 2:
		return "stolen"
	case 3:
		return "queue"
	case 4:
		return "repeat"
	case 5:
		return "stop"
	case nftContinue:
		return "continue"
	case nftBreak:
		return "break"
	case nftJump:
		return "jump " + target
	case nftGoto:
		return "goto " + target
	case nftReturn:
		return "return"
	}
	if code&0xff == 3 { // NF_QUEUE with a queue number in the high bits
		return "queue"
	}
	return fmt.Sprintf("verdict %d", code)
}

// familyName names an NFPROTO_* value as nft does.
func familyName(f uint8) string {
	switch f {
	case nfprotoInet:
		return "inet"
	case nfprotoIPv4:
		return "ip"
	case nfprotoARP:
		return "arp"
	case nfprotoNetdev:
		return "netdev"
	case nfprotoBridge:
		return "bridge"
	case nfprotoIPv6:
		return "ip6"
	}
	return fmt.Sprintf("family%d", f)
}
