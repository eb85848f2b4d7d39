package kerneltest

import (
	"fmt"
	"runtime"
	"syscall"
)

// Kernel constants the syscall package lacks. The harness uses syscall
// rather than golang.org/x/sys/unix: x/sys v0.50.0 (the version in go.mod)
// declares go 1.26.0, newer than this module's go line, so importing it
// would make `go build` demand a go.mod update.
const (
	solNetlink           = 270 // SOL_NETLINK
	packetIgnoreOutgoing = 23  // PACKET_IGNORE_OUTGOING (linux/if_packet.h)
	nlaTypeMask          = 0x3fff

	// include/uapi/linux/netfilter/nfnetlink.h
	nfnlgrpNFTrace      = 9 // NFNLGRP_NFTRACE
	nfnlSubsysCTNetlink = 1
	nfnlSubsysNFTables  = 10
	// include/uapi/linux/netfilter/nfnetlink_conntrack.h
	ipctnlMsgCTDelete = 2
	// include/uapi/linux/netfilter/nf_tables.h
	nftMsgTrace = 17 // NFT_MSG_TRACE

	nftaTraceTable           = 1
	nftaTraceChain           = 2
	nftaTraceRuleHandle      = 3
	nftaTraceType            = 4
	nftaTraceVerdict         = 5
	nftaTraceID              = 6
	nftaTraceNetworkHeader   = 8
	nftaTraceTransportHeader = 9
	nftaTraceIIF             = 10
	nftaTraceOIF             = 12
	nftaTraceMark            = 14
	nftaTraceNFProto         = 15
	nftaTracePolicy          = 16

	nftaVerdictCode  = 1
	nftaVerdictChain = 2

	nftTraceTypePolicy = 1
	nftTraceTypeReturn = 2
	nftTraceTypeRule   = 3

	nftContinue = -1
	nftBreak    = -2
	nftJump     = -3
	nftGoto     = -4
	nftReturn   = -5

	// include/uapi/linux/netfilter.h
	nfprotoInet   = 1
	nfprotoIPv4   = 2
	nfprotoARP    = 3
	nfprotoNetdev = 5
	nfprotoBridge = 7
	nfprotoIPv6   = 10
)

// setns joins the namespace fd refers to (setns(2)); the syscall package
// has no wrapper and not every architecture's number.
func setns(fd int, nstype int) error {
	var trap uintptr
	switch runtime.GOARCH {
	case "amd64":
		trap = 308
	case "arm64", "riscv64", "loong64":
		trap = 268
	case "386":
		trap = 346
	case "arm":
		trap = 375
	case "ppc64", "ppc64le":
		trap = 350
	case "s390x":
		trap = 339
	default:
		return fmt.Errorf("setns: unsupported architecture %s", runtime.GOARCH)
	}
	_, _, e := syscall.Syscall(trap, uintptr(fd), uintptr(nstype), 0)
	if e != 0 {
		return e
	}
	return nil
}
