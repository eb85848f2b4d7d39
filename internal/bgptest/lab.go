package bgptest

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

var daemons = []string{"zebra", "staticd", "bgpd"}

// Prereq returns "" when the harness can run (root, iproute2, FRR's
// daemons and vtysh, the frr user), else what is missing.
func Prereq() string {
	if os.Geteuid() != 0 {
		return "the FRR BGP differential test needs root (network namespaces)"
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
	T      *Topology
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
		return out.Bytes(), fmt.Errorf("bgptest: %s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

func (l *Lab) ns(r *Router) string     { return l.Prefix + r.Name }
func (l *Lab) rdir(r *Router) string   { return filepath.Join(l.Dir, r.Name) }
func (l *Lab) conf(r *Router) string   { return filepath.Join(l.rdir(r), "frr.conf") }
func (l *Lab) vtyDir(r *Router) string { return l.rdir(r) }

// Start creates the namespaces and links, starts the daemons and applies
// every router's configuration at the same moment. Close undoes
// everything, also after an error.
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
		if _, err := run(ctx, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"); err != nil {
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
		if _, err := run(ctx, "ip", "-n", l.ns(k.A), "link", "add", k.IA.Name, "type", "veth", "peer", "name", k.IB.Name, "netns", l.ns(k.B)); err != nil {
			return l, err
		}
		for _, x := range []struct {
			ns, name string
		}{{l.ns(k.A), k.IA.Name}, {l.ns(k.B), k.IB.Name}} {
			if _, err := run(ctx, "ip", "-n", x.ns, "link", "set", x.name, "up"); err != nil {
				return l, err
			}
		}
	}
	for _, r := range t.Routers {
		d := l.rdir(r)
		if err := os.WriteFile(l.conf(r), []byte(t.Config(r)), 0o644); err != nil {
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
	errs := make(chan error, len(t.Routers))
	for _, r := range t.Routers {
		go func() {
			out, err := run(ctx, "vtysh", "--vty_socket", l.rdir(r), "-f", l.conf(r))
			if err != nil {
				// vtysh -f warns about route-maps named before they are
				// defined and returns non-zero; the maps bind once defined.
				if !strings.Contains(string(out)+err.Error(), "does not exist") {
					err = fmt.Errorf("%w (%s)", err, out)
				} else {
					err = nil
				}
			}
			errs <- err
		}()
	}
	for range t.Routers {
		if err := <-errs; err != nil {
			return l, err
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
	return errors.New("bgptest: " + f + " did not appear")
}

// Vtysh runs a show command on one router.
func (l *Lab) Vtysh(ctx context.Context, r *Router, cmd string) ([]byte, error) {
	return run(ctx, "vtysh", "--vty_socket", l.vtyDir(r), "-c", cmd)
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
