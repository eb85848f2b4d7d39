// Package frrlab is what the FRR differential harnesses (internal/ospftest,
// internal/bgptest) share: the prerequisites, a lab of network namespaces
// joined by veth pairs with FRR's daemons in each, vtysh queries, the
// seeded parallel test driver and the difference printer. The generators
// and the comparisons stay in the harnesses.
package frrlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// FRRDir is where Debian's frr package puts the daemons.
const FRRDir = "/usr/lib/frr"

// Spec is what a harness's labs are made of.
type Spec struct {
	// Name starts error messages ("ospftest").
	Name string
	// Daemons are started in this order in every router's namespace;
	// zebra first.
	Daemons []string
	// Sysctls are set (sysctl -qw) in every router's namespace.
	Sysctls []string
}

// Prereq returns "" when the harness can run (root, iproute2, FRR's
// daemons and vtysh, the frr user), else what is missing; test names the
// test in the message about root.
func (s *Spec) Prereq(test string) string {
	if os.Geteuid() != 0 {
		return test + " needs root (network namespaces)"
	}
	for _, c := range []string{"ip", "vtysh"} {
		if _, err := exec.LookPath(c); err != nil {
			return c + " not found (apt-get install iproute2 frr)"
		}
	}
	for _, d := range s.Daemons {
		if _, err := os.Stat(filepath.Join(FRRDir, d)); err != nil {
			return filepath.Join(FRRDir, d) + " not found (apt-get install frr)"
		}
	}
	if _, err := user.Lookup("frr"); err != nil {
		return "no frr user (apt-get install frr)"
	}
	return ""
}

// Lab is a set of routers, each a network namespace with its own
// directory of daemon sockets, pid files, logs and configurations.
type Lab struct {
	Spec *Spec
	// Prefix starts every namespace name; Dir holds the routers'
	// directories.
	Prefix  string
	Dir     string
	routers []string
	configs map[string]string
	made    []string
	pids    []int
}

// New returns an empty lab; Close undoes whatever its methods made.
func New(spec *Spec, prefix, dir string) *Lab {
	return &Lab{Spec: spec, Prefix: prefix, Dir: dir}
}

// Run runs a command and returns its output; the error carries stderr.
func (l *Lab) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	return run(ctx, l.Spec.Name, name, args...)
}

func run(ctx context.Context, tag, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%s: %s %s: %w: %s", tag, name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

// NS is the namespace of a router.
func (l *Lab) NS(router string) string { return l.Prefix + router }

// RouterDir is the directory of a router: its daemons' sockets, pid
// files and logs, and frr.conf.
func (l *Lab) RouterDir(router string) string { return filepath.Join(l.Dir, router) }

// Conf is the router's frr.conf that StartDaemons wrote.
func (l *Lab) Conf(router string) string { return filepath.Join(l.RouterDir(router), "frr.conf") }

// AddRouters makes a namespace per router, with the Spec's sysctls and lo
// up, and the router's directory, owned by frr.
func (l *Lab) AddRouters(ctx context.Context, routers []string) error {
	u, err := user.Lookup("frr")
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, r := range routers {
		ns := l.NS(r)
		if _, err := l.Run(ctx, "ip", "netns", "add", ns); err != nil {
			return err
		}
		l.made = append(l.made, ns)
		l.routers = append(l.routers, r)
		if _, err := l.Run(ctx, "ip", append([]string{"netns", "exec", ns, "sysctl", "-qw"}, l.Spec.Sysctls...)...); err != nil {
			return err
		}
		if _, err := l.Run(ctx, "ip", "-n", ns, "link", "set", "lo", "up"); err != nil {
			return err
		}
		d := l.RouterDir(r)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.Chown(d, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// Link is a veth pair from router A's interface IA to router B's IB;
// each end is set up with its options (`ip link set <name> <opts> up`).
type Link struct {
	A, IA, B, IB string
	OptsA, OptsB []string
}

// Router is a router's name and frr.conf.
type Router struct {
	Name, Config string
}

// Build adds the routers (AddRouters), joins them by the links, and
// starts every router's daemons (StartDaemons).
func (l *Lab) Build(ctx context.Context, routers []Router, links []Link) error {
	var names []string
	for _, r := range routers {
		names = append(names, r.Name)
	}
	if err := l.AddRouters(ctx, names); err != nil {
		return err
	}
	for _, k := range links {
		if _, err := l.Run(ctx, "ip", "-n", l.NS(k.A), "link", "add", k.IA, "type", "veth", "peer", "name", k.IB, "netns", l.NS(k.B)); err != nil {
			return err
		}
		for _, x := range []struct {
			r, name string
			opts    []string
		}{{k.A, k.IA, k.OptsA}, {k.B, k.IB, k.OptsB}} {
			args := append(append([]string{"link", "set", x.name}, x.opts...), "up")
			if _, err := l.IP(ctx, x.r, args...); err != nil {
				return err
			}
		}
	}
	for _, r := range routers {
		if err := l.StartDaemons(ctx, r.Name, r.Config); err != nil {
			return err
		}
	}
	return nil
}

// IP runs `ip -n <namespace> args...` for a router.
func (l *Lab) IP(ctx context.Context, router string, args ...string) ([]byte, error) {
	return l.Run(ctx, "ip", append([]string{"-n", l.NS(router)}, args...)...)
}

// StartDaemons writes the router's frr.conf and starts the Spec's
// daemons in its namespace (as frr, each with its pid file and log in the
// router's directory, and an empty startup configuration), and waits for
// their vty sockets. The configuration is applied later, with Apply.
func (l *Lab) StartDaemons(ctx context.Context, router, config string) error {
	d := l.RouterDir(router)
	if err := os.WriteFile(l.Conf(router), []byte(config), 0o644); err != nil {
		return err
	}
	if l.configs == nil {
		l.configs = map[string]string{}
	}
	l.configs[router] = config
	for _, dm := range l.Spec.Daemons {
		args := []string{"netns", "exec", l.NS(router), filepath.Join(FRRDir, dm), "-d", "-u", "frr", "-g", "frr",
			"-z", filepath.Join(d, "zserv.api"), "--vty_socket", d, "-i", filepath.Join(d, dm+".pid"),
			"--log", "file:" + filepath.Join(d, dm+".log"), "-f", "/dev/null"}
		if _, err := l.Run(ctx, "ip", args...); err != nil {
			return err
		}
		if pid, err := readPid(filepath.Join(d, dm+".pid")); err == nil {
			l.pids = append(l.pids, pid)
		}
		if dm == "zebra" {
			if err := l.waitFile(ctx, filepath.Join(d, "zserv.api")); err != nil {
				return err
			}
		}
	}
	for _, dm := range l.Spec.Daemons {
		if err := l.waitFile(ctx, filepath.Join(d, dm+".vty")); err != nil {
			return err
		}
	}
	return nil
}

func readPid(f string) (int, error) {
	b, err := os.ReadFile(f)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

func (l *Lab) waitFile(ctx context.Context, f string) error {
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(f); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return errors.New(l.Spec.Name + ": " + f + " did not appear")
}

// Apply feeds a configuration file to the router's daemons (vtysh -f).
func (l *Lab) Apply(ctx context.Context, router, file string) ([]byte, error) {
	return l.Run(ctx, "vtysh", "--vty_socket", l.RouterDir(router), "-f", file)
}

// Vtysh runs a show command on one router.
func (l *Lab) Vtysh(ctx context.Context, router, cmd string) ([]byte, error) {
	return l.Run(ctx, "vtysh", "--vty_socket", l.RouterDir(router), "-c", cmd)
}

// LinkJSON is the router namespace's `ip -j -d link show`.
func (l *Lab) LinkJSON(ctx context.Context, router string) ([]byte, error) {
	return l.IP(ctx, router, "-j", "-d", "link", "show")
}

// WriteSnapshot writes every router's configuration (the frr.conf given
// to StartDaemons) and kernel link state (`ip -j -d link show`) as a
// farend snapshot under dir.
func (l *Lab) WriteSnapshot(ctx context.Context, dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "configs"), 0o755); err != nil {
		return err
	}
	for _, r := range l.routers {
		if err := os.WriteFile(filepath.Join(dir, "configs", r+".conf"), []byte(l.configs[r]), 0o644); err != nil {
			return err
		}
		b, err := l.LinkJSON(ctx, r)
		if err != nil {
			return err
		}
		hd := filepath.Join(dir, "hosts", r)
		if err := os.MkdirAll(hd, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(hd, "ip-link.json"), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Close stops the daemons this lab started (by their pids) and deletes
// its namespaces and directory.
func (l *Lab) Close() {
	for _, r := range l.routers {
		for _, dm := range l.Spec.Daemons {
			if pid, err := readPid(filepath.Join(l.RouterDir(r), dm+".pid")); err == nil {
				l.pids = append(l.pids, pid)
			}
		}
	}
	seen := map[int]bool{}
	for _, p := range l.pids {
		if p > 1 && !seen[p] {
			seen[p] = true
			_ = syscall.Kill(p, syscall.SIGTERM)
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for p := range seen {
		for time.Now().Before(deadline) && syscall.Kill(p, 0) == nil {
			time.Sleep(20 * time.Millisecond)
		}
		if syscall.Kill(p, 0) == nil {
			_ = syscall.Kill(p, syscall.SIGKILL)
		}
	}
	for _, ns := range l.made {
		_, _ = l.Run(context.Background(), "ip", "netns", "del", ns)
	}
	_ = os.RemoveAll(l.Dir)
}
