package kerneltest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// dropMon reads the kernel's drop reasons from the skb:kfree_skb
// tracepoint (enum skb_drop_reason, include/net/dropreason-core.h).
//
// The tracepoint is global, so it is filtered to the thread that injects
// packets: an injected frame is processed in the softirq that runs when
// that thread's send returns (veth_xmit -> netif_rx -> do_softirq on
// local_bh_enable), so its drops carry that thread's pid. tracefs is
// mounted in a private mount namespace of one dedicated thread (never in
// the host's mount table) and a tracing instance of our own is used, so
// nothing global is changed but for the life of the instance.
type dropMon struct {
	pipe int
	stop chan struct{}
	done chan struct{}
}

// dropEvent is one kfree_skb event, or (Recv) one netif_receive_skb
// event, which names the skb a device received: the injected packet's skb
// is the one its host interface received first, and its drop is the
// kfree_skb of that skb (the host may free others in the same softirq:
// an ICMP error it sent and its own rules dropped, say).
type dropEvent struct {
	Reason   string // SKB_DROP_REASON_ name without the prefix
	Location string // the function that freed the skb
	Protocol int    // ethertype
	Skb      string // skbaddr as the trace prints it (hashed, stable)
	Recv     bool   // a netif_receive_skb event: Dev received Skb
	Dev      string
}

var staleInstance = regexp.MustCompile(`^fk([0-9]+)-`)

// startDropMon starts watching kfree_skb events of thread tid in a tracing
// instance called name.
func startDropMon(name string, tid int) (*dropMon, error) {
	d := &dropMon{pipe: -1, stop: make(chan struct{}), done: make(chan struct{})}
	ready := make(chan error, 1)
	go func() {
		defer close(d.done)
		// Never unlocked: the thread's mount namespace is private and the
		// thread ends with this goroutine.
		runtime.LockOSThread()
		if err := syscall.Unshare(syscall.CLONE_NEWNS); err != nil {
			ready <- fmt.Errorf("unshare mount namespace: %w", err)
			return
		}
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			ready <- fmt.Errorf("make mounts private: %w", err)
			return
		}
		dir, err := os.MkdirTemp("", "fktracefs")
		if err != nil {
			ready <- err
			return
		}
		defer os.Remove(dir)
		if err := syscall.Mount("nodev", dir, "tracefs", 0, ""); err != nil {
			ready <- fmt.Errorf("mount tracefs: %w", err)
			return
		}
		defer syscall.Unmount(dir, syscall.MNT_DETACH)
		instances := filepath.Join(dir, "instances")
		sweepStaleInstances(instances)
		inst := filepath.Join(instances, name)
		if err := os.Mkdir(inst, 0o755); err != nil {
			ready <- fmt.Errorf("tracing instance: %w", err)
			return
		}
		defer os.Remove(inst)
		ev := filepath.Join(inst, "events", "skb", "kfree_skb")
		_ = os.WriteFile(filepath.Join(inst, "buffer_size_kb"), []byte("256"), 0o644)
		if err := os.WriteFile(filepath.Join(ev, "filter"), []byte(fmt.Sprintf("common_pid == %d", tid)), 0o644); err != nil {
			ready <- fmt.Errorf("kfree_skb filter: %w", err)
			return
		}
		if err := os.WriteFile(filepath.Join(ev, "enable"), []byte("1"), 0o644); err != nil {
			ready <- fmt.Errorf("enable kfree_skb: %w", err)
			return
		}
		defer os.WriteFile(filepath.Join(ev, "enable"), []byte("0"), 0o644)
		// Optional: without it, drops are not told apart by skb.
		rx := filepath.Join(inst, "events", "net", "netif_receive_skb")
		if os.WriteFile(filepath.Join(rx, "filter"), []byte(fmt.Sprintf("common_pid == %d", tid)), 0o644) == nil &&
			os.WriteFile(filepath.Join(rx, "enable"), []byte("1"), 0o644) == nil {
			defer os.WriteFile(filepath.Join(rx, "enable"), []byte("0"), 0o644)
		}
		fd, err := syscall.Open(filepath.Join(inst, "trace_pipe"), syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err != nil {
			ready <- fmt.Errorf("open trace_pipe: %w", err)
			return
		}
		d.pipe = fd
		ready <- nil
		<-d.stop
		syscall.Close(fd)
	}()
	if err := <-ready; err != nil {
		<-d.done
		return nil, fmt.Errorf("kerneltest: kfree_skb tracepoint: %w", err)
	}
	return d, nil
}

// sweepStaleInstances removes tracing instances fk<pid>-* of processes
// that are gone.
func sweepStaleInstances(dir string) {
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		m := staleInstance.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		if pid, _ := strconv.Atoi(m[1]); pid != os.Getpid() && !processAlive(pid) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// Close disables the tracepoint and removes the instance.
func (d *dropMon) Close() error {
	close(d.stop)
	<-d.done
	return nil
}

// drain reads the events queued so far.
func (d *dropMon) drain() []dropEvent {
	var out []dropEvent
	var text []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := syscall.Read(d.pipe, buf)
		if n > 0 {
			text = append(text, buf[:n]...)
		}
		if err != nil || n <= 0 {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			break
		}
	}
	for _, line := range strings.Split(string(text), "\n") {
		if ev, ok := parseKfreeSkb(line); ok {
			out = append(out, ev)
		}
	}
	return out
}

var (
	reSkb      = regexp.MustCompile(`skbaddr=(\S+)`)
	reName     = regexp.MustCompile(`(?:dev|name)=(\S+)`)
	reProto    = regexp.MustCompile(`protocol=([0-9]+)`)
	reLocation = regexp.MustCompile(`location=(\S+)`)
	reReason   = regexp.MustCompile(`reason: (\S+)`)
)

// parseKfreeSkb parses one trace_pipe line of the kfree_skb event:
// "... kfree_skb: skbaddr=... rx_sk=... protocol=34525 location=f+0x1/0x2 reason: NETFILTER_DROP".
// A netif_receive_skb line ("... netif_receive_skb: dev=eth0
// skbaddr=... len=84") gives a Recv event.
func parseKfreeSkb(line string) (dropEvent, bool) {
	var ev dropEvent
	if m := reSkb.FindStringSubmatch(line); m != nil {
		ev.Skb = m[1]
	}
	if strings.Contains(line, "netif_receive_skb:") {
		ev.Recv = true
		if m := reName.FindStringSubmatch(line); m != nil {
			ev.Dev = m[1]
		}
		return ev, ev.Skb != ""
	}
	if !strings.Contains(line, "kfree_skb:") {
		return dropEvent{}, false
	}
	if m := reProto.FindStringSubmatch(line); m != nil {
		ev.Protocol, _ = strconv.Atoi(m[1])
	}
	if m := reLocation.FindStringSubmatch(line); m != nil {
		ev.Location = m[1]
		if i := strings.IndexByte(ev.Location, '+'); i > 0 {
			ev.Location = ev.Location[:i]
		}
	}
	if m := reReason.FindStringSubmatch(line); m != nil {
		ev.Reason = m[1]
	}
	return ev, true
}

// ourDrop returns the kfree_skb event of the injected packet: the one of
// the skb that dev received first, when receive events were seen; else
// the first kfree_skb of an IPv4 or IPv6 packet.
func ourDrop(drops []dropEvent, dev string) (dropEvent, bool) {
	skb := ""
	for _, d := range drops {
		if d.Recv && d.Dev == dev {
			skb = d.Skb
			break
		}
	}
	for _, d := range drops {
		if d.Recv || (d.Protocol != etherIPv4 && d.Protocol != etherIPv6) {
			continue
		}
		if skb == "" || d.Skb == skb {
			return d, true
		}
	}
	return dropEvent{}, false
}
