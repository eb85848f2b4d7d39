package kerneltest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// netnsDir is where `ip netns add` keeps its bind mounts.
const netnsDir = "/run/netns"

// nsPrefix is the prefix of every namespace this process creates:
// "fk<pid>-". The pid lets a later run remove what a killed run left.
func nsPrefix() string { return fmt.Sprintf("fk%d-", os.Getpid()) }

var staleNS = regexp.MustCompile(`^fk([0-9]+)-`)

// sweepStale deletes namespaces named fk<pid>-* whose process is gone
// (left by a run that was killed or timed out, when no cleanup runs).
// It never touches a namespace of a live process or of another prefix.
func sweepStale(ctx context.Context) {
	ents, err := os.ReadDir(netnsDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		m := staleNS.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		pid, _ := strconv.Atoi(m[1])
		if pid == os.Getpid() || processAlive(pid) {
			continue
		}
		_ = run(ctx, nil, "ip", "netns", "delete", e.Name())
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// inNetns runs f on an OS thread that has joined the named network
// namespace, then returns the thread to this process's namespace. Sockets
// f opens stay in the namespace and may be used from any goroutine after.
// If the thread cannot go back it is never unlocked, so the Go runtime
// ends it instead of reusing it.
func inNetns(ns string, f func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := syscall.Open("/proc/thread-self/ns/net", syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("kerneltest: open own netns: %w", err)
			return
		}
		defer syscall.Close(orig)
		target, err := syscall.Open(filepath.Join(netnsDir, ns), syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("kerneltest: open netns %s: %w", ns, err)
			return
		}
		err = setns(target, syscall.CLONE_NEWNET)
		syscall.Close(target)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("kerneltest: setns %s: %w", ns, err)
			return
		}
		ferr := f()
		if err := setns(orig, syscall.CLONE_NEWNET); err != nil {
			// Stay locked: the thread dies with this goroutine.
			errc <- fmt.Errorf("kerneltest: setns back from %s: %w", ns, err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// run runs a command with stdin (may be nil); its error quotes the command
// and its output.
func run(ctx context.Context, stdin []byte, name string, args ...string) error {
	_, err := output(ctx, stdin, name, args...)
	return err
}

// output runs a command and returns its standard output.
func output(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String() + stdout.String())
		if len(msg) > 2000 {
			msg = msg[:2000] + "..."
		}
		return nil, fmt.Errorf("kerneltest: %s %s: %w: %s", name, strings.Join(args, " "), err, msg)
	}
	return stdout.Bytes(), nil
}

// nsOutput runs a command inside network namespace ns. It forks from a
// thread that has joined ns (a child inherits its parent thread's
// namespaces) rather than through `ip netns exec` or `ip -n`, which also
// make a mount namespace and remount /sys for every command: that costs
// from a few to several hundred milliseconds, and none of the tools run
// here reads /sys.
func nsOutput(ctx context.Context, ns string, stdin []byte, name string, args ...string) ([]byte, error) {
	var out []byte
	err := inNetns(ns, func() error {
		var err error
		out, err = output(ctx, stdin, name, args...)
		return err
	})
	return out, err
}

// writeSysctls writes keys under /proc/sys from a thread inside ns. It
// returns the previous value of each key (for restoring) in the same order.
func writeSysctls(ns string, kv []Sysctl) (prev []Sysctl, err error) {
	err = inNetns(ns, func() error {
		for _, s := range kv {
			p := sysctlPath(s.Key)
			old, err := os.ReadFile(p)
			if err != nil {
				return fmt.Errorf("kerneltest: sysctl %s: %w", s.Key, err)
			}
			if err := os.WriteFile(p, []byte(s.Value+"\n"), 0o644); err != nil {
				return fmt.Errorf("kerneltest: sysctl %s=%s: %w", s.Key, s.Value, err)
			}
			prev = append(prev, Sysctl{Key: s.Key, Value: strings.TrimSpace(string(old))})
		}
		return nil
	})
	return prev, err
}

// readSysctl reads one key from a thread inside ns.
func readSysctl(ns, key string) (string, error) {
	var v string
	err := inNetns(ns, func() error {
		b, err := os.ReadFile(sysctlPath(key))
		v = strings.TrimSpace(string(b))
		return err
	})
	return v, err
}

// sysctlPath maps a key to its /proc/sys file. A key written with '/'
// (sysctl's form for interface names that contain dots) is used as is.
func sysctlPath(key string) string {
	if strings.Contains(key, "/") {
		return filepath.Join("/proc/sys", key)
	}
	return filepath.Join("/proc/sys", strings.ReplaceAll(key, ".", "/"))
}
