package ospftest

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

var daemons = []string{"zebra", "staticd", "ospfd", "ospf6d"}

// Prereq returns "" when the harness can run (root, iproute2, FRR's
// daemons and vtysh, the frr user), else what is missing.
func Prereq() string {
	if os.Geteuid() != 0 {
		return "the FRR differential test needs root (network namespaces)"
	}
	for _, c := range []string{"ip", "vtysh"} {
		if _, err := exec.LookPath(c); err != nil {
			return c + " not found (apt-get install iproute2 frr)"
		}
	}
	for _, d := range daemons {
		if _, err := os.Stat(filepath.Join(FRRDir, d)); err != nil {
			return filepath.Join(FRRDir, d) + " not found (apt-get install frr)"
		}
	}
	if _, err := user.Lookup("frr"); err != nil {
		return "no frr user (apt-get install frr)"
	}
	return ""
}

// Lab is one topology running in namespaces.
type Lab struct {
	T *Topology
	// Prefix starts every namespace name; Dir holds the daemons' sockets,
	// pid files, logs and configurations.
	Prefix string
	Dir    string
	made   []string
	pids   []int
}

func run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("ospftest: %s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

func (l *Lab) ns(r *Router) string { return l.Prefix + r.Name }

func (l *Lab) rdir(r *Router) string { return filepath.Join(l.Dir, r.Name) }

// Start creates the namespaces and links and starts the daemons with each
// router's configuration. Close undoes everything, also after an error.
func Start(ctx context.Context, t *Topology, prefix, dir string) (*Lab, error) {
	l := &Lab{T: t, Prefix: prefix, Dir: dir}
	u, err := user.Lookup("frr")
	if err != nil {
		return l, err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	for _, r := range t.Routers {
		ns := l.ns(r)
		if _, err := run(ctx, "ip", "netns", "add", ns); err != nil {
			return l, err
		}
		l.made = append(l.made, ns)
		// No duplicate address detection: addresses are usable at once
		// and the link-local addresses stay the configured ones.
		if _, err := run(ctx, "ip", "netns", "exec", ns, "sysctl", "-qw",
			"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
			"net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"); err != nil {
			return l, err
		}
		if _, err := run(ctx, "ip", "-n", ns, "link", "set", "lo", "up"); err != nil {
			return l, err
		}
		d := l.rdir(r)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return l, err
		}
		if err := os.Chown(d, uid, gid); err != nil {
			return l, err
		}
	}
	for _, k := range t.Links {
		a, b := l.ns(k.A), l.ns(k.B)
		if _, err := run(ctx, "ip", "-n", a, "link", "add", k.IA.Name, "type", "veth", "peer", "name", k.IB.Name, "netns", b); err != nil {
			return l, err
		}
		for _, x := range []struct {
			ns string
			f  *Iface
		}{{a, k.IA}, {b, k.IB}} {
			// addrgenmode none: the only link-local address is the one
			// frr.conf sets, so farend knows the OSPFv3 next hops.
			if _, err := run(ctx, "ip", "-n", x.ns, "link", "set", x.f.Name, "addrgenmode", "none", "mtu", strconv.Itoa(x.f.MTU), "up"); err != nil {
				return l, err
			}
		}
	}
	for _, r := range t.Routers {
		d := l.rdir(r)
		if err := os.WriteFile(filepath.Join(d, "frr.conf"), []byte(t.Config(r)), 0o644); err != nil {
			return l, err
		}
		for _, dm := range daemons {
			args := []string{"netns", "exec", l.ns(r), filepath.Join(FRRDir, dm), "-d", "-u", "frr", "-g", "frr",
				"-z", filepath.Join(d, "zserv.api"), "--vty_socket", d, "-i", filepath.Join(d, dm+".pid"),
				"--log", "file:" + filepath.Join(d, dm+".log"), "-f", "/dev/null"}
			if _, err := run(ctx, "ip", args...); err != nil {
				return l, err
			}
			if pid, err := readPid(filepath.Join(d, dm+".pid")); err == nil {
				l.pids = append(l.pids, pid)
			}
			if dm == "zebra" {
				if err := waitFile(ctx, filepath.Join(d, "zserv.api")); err != nil {
					return l, err
				}
			}
		}
		for _, dm := range daemons {
			if err := waitFile(ctx, filepath.Join(d, dm+".vty")); err != nil {
				return l, err
			}
		}
	}
	// Interfaces get their addresses first, and OSPF its configuration a
	// second later: FRR creates its OSPF interfaces in interface-name
	// order when it already knows the addresses (ospfd/ospfd.c
	// ospf_network_run, FOR_ALL_INTERFACES), but in the order the
	// addresses arrive from zebra otherwise, and that order picks the NSSA
	// forwarding address (ospf_get_nssa_ip). Every router gets its
	// configuration at the same moment, so that designated routers are
	// elected among routers that start together (the election does not
	// preempt a DR that came up alone first, and OSPFv3 next hops depend
	// on who the DR is).
	for _, phase := range []string{"addresses.conf", "frr.conf"} {
		errs := make(chan error, len(t.Routers))
		for _, r := range t.Routers {
			go func() {
				d := l.rdir(r)
				f := filepath.Join(d, phase)
				if phase == "addresses.conf" {
					if err := os.WriteFile(f, []byte(t.Addresses(r)), 0o644); err != nil {
						errs <- err
						return
					}
				}
				out, err := run(ctx, "vtysh", "--vty_socket", d, "-f", f)
				if err != nil {
					err = fmt.Errorf("%w (%s)", err, out)
				}
				errs <- err
			}()
		}
		for range t.Routers {
			if err := <-errs; err != nil {
				return l, err
			}
		}
		if phase == "addresses.conf" {
			select {
			case <-ctx.Done():
				return l, ctx.Err()
			case <-time.After(time.Second):
			}
		}
	}
	return l, nil
}

func readPid(f string) (int, error) {
	b, err := os.ReadFile(f)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

func waitFile(ctx context.Context, f string) error {
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
	return errors.New("ospftest: " + f + " did not appear")
}

// Vtysh runs show commands on one router.
func (l *Lab) Vtysh(ctx context.Context, r *Router, cmd string) ([]byte, error) {
	return run(ctx, "vtysh", "--vty_socket", l.rdir(r), "-c", cmd)
}

// Links is the router namespace's `ip -j -d link show`.
func (l *Lab) LinkJSON(ctx context.Context, r *Router) ([]byte, error) {
	return run(ctx, "ip", "-n", l.ns(r), "-j", "-d", "link", "show")
}

// Close stops the daemons this lab started (by their pids) and deletes
// its namespaces and directory.
func (l *Lab) Close() {
	for _, r := range l.T.Routers {
		for _, dm := range daemons {
			if pid, err := readPid(filepath.Join(l.rdir(r), dm+".pid")); err == nil {
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
		_, _ = run(context.Background(), "ip", "netns", "del", ns)
	}
	_ = os.RemoveAll(l.Dir)
}
