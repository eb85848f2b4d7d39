package kerneltest

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"syscall"
)

// peerSocket is an AF_PACKET socket on a peer's veth end, opened inside
// the peer namespace (a socket stays in the namespace it was created in,
// whatever thread uses it later). It injects frames toward the host and
// captures what the host sends to the peer; it ignores its own outgoing
// frames (PACKET_IGNORE_OUTGOING).
type peerSocket struct {
	fd      int
	ifindex int
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func openPeerSocket(ns, ifname string) (*peerSocket, error) {
	s := &peerSocket{fd: -1}
	err := inNetns(ns, func() error {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return fmt.Errorf("kerneltest: %s in %s: %w", ifname, ns, err)
		}
		s.ifindex = ifi.Index
		s.fd, err = syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, int(htons(etherAll)))
		if err != nil {
			return fmt.Errorf("kerneltest: packet socket in %s: %w", ns, err)
		}
		return nil
	})
	if err != nil {
		if s.fd >= 0 {
			syscall.Close(s.fd)
		}
		return nil, err
	}
	if err := syscall.Bind(s.fd, &syscall.SockaddrLinklayer{Protocol: htons(etherAll), Ifindex: s.ifindex}); err != nil {
		syscall.Close(s.fd)
		return nil, fmt.Errorf("kerneltest: bind packet socket: %w", err)
	}
	if err := syscall.SetsockoptInt(s.fd, syscall.SOL_PACKET, packetIgnoreOutgoing, 1); err != nil {
		syscall.Close(s.fd)
		return nil, fmt.Errorf("kerneltest: PACKET_IGNORE_OUTGOING: %w", err)
	}
	_ = syscall.SetsockoptInt(s.fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<20)
	s.drain() // anything that arrived before bind, from any interface
	return s, nil
}

func (s *peerSocket) Close() error { return syscall.Close(s.fd) }

// drain returns every frame queued on the socket, without blocking.
func (s *peerSocket) drain() [][]byte {
	var out [][]byte
	buf := make([]byte, 65536)
	for {
		n, _, err := syscall.Recvfrom(s.fd, buf, syscall.MSG_DONTWAIT)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || n < 0 {
			return out
		}
		out = append(out, append([]byte(nil), buf[:n]...))
	}
}

// sender injects frames from one OS thread that never changes, so that the
// kernel work an injection causes (done in the softirq that runs when the
// send returns) carries that thread's id in tracepoints.
type sender struct {
	tid  int
	reqs chan sendReq
	done chan struct{}
}

type sendReq struct {
	fd    int
	frame []byte
	errc  chan error
}

func startSender() (*sender, error) {
	s := &sender{reqs: make(chan sendReq), done: make(chan struct{})}
	ready := make(chan int)
	go func() {
		defer close(s.done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		ready <- syscall.Gettid()
		for r := range s.reqs {
			_, err := syscall.Write(r.fd, r.frame)
			r.errc <- err
		}
	}()
	s.tid = <-ready
	return s, nil
}

func (s *sender) send(fd int, frame []byte) error {
	errc := make(chan error, 1)
	s.reqs <- sendReq{fd: fd, frame: frame, errc: errc}
	if err := <-errc; err != nil {
		return fmt.Errorf("kerneltest: send frame: %w", err)
	}
	return nil
}

func (s *sender) Close() error {
	close(s.reqs)
	<-s.done
	return nil
}
