package kerneltest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"
	"time"
)

// ctFlusher empties a namespace's conntrack table through ctnetlink: the
// same IPCTNL_MSG_CT_DELETE without a tuple that `conntrack -F` sends, but
// with family AF_UNSPEC, which flushes IPv4 and IPv6 at once (`conntrack -F`
// flushes one family, IPv4 unless told -f ipv6), and without a process.
type ctFlusher struct {
	fd  int
	seq uint32
}

func openCTFlusher(ns string) (*ctFlusher, error) {
	var fd int
	err := inNetns(ns, func() error {
		var err error
		fd, err = syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_NETFILTER)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("kerneltest: ctnetlink socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("kerneltest: ctnetlink bind: %w", err)
	}
	tv := syscall.NsecToTimeval(int64(2 * time.Second))
	_ = syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	return &ctFlusher{fd: fd}, nil
}

func (c *ctFlusher) Close() error { return syscall.Close(c.fd) }

// Flush deletes every conntrack entry of the namespace.
func (c *ctFlusher) Flush() error {
	c.seq++
	msg := make([]byte, syscall.NLMSG_HDRLEN+4)
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], nfnlSubsysCTNetlink<<8|ipctnlMsgCTDelete)
	binary.NativeEndian.PutUint16(msg[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_ACK)
	binary.NativeEndian.PutUint32(msg[8:], c.seq)
	// nfgenmsg: family AF_UNSPEC, version NFNETLINK_V0, res_id 0.
	if err := syscall.Sendto(c.fd, msg, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return fmt.Errorf("kerneltest: conntrack flush: %w", err)
	}
	buf := make([]byte, 4096)
	for {
		n, _, err := syscall.Recvfrom(c.fd, buf, 0)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("kerneltest: conntrack flush: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return fmt.Errorf("kerneltest: conntrack flush: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Seq != c.seq || m.Header.Type != syscall.NLMSG_ERROR || len(m.Data) < 4 {
				continue
			}
			if code := int32(binary.NativeEndian.Uint32(m.Data)); code != 0 {
				return fmt.Errorf("kerneltest: conntrack flush: %w", syscall.Errno(-code))
			}
			return nil
		}
	}
}
