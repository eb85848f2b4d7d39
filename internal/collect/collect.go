// Package collect writes the snapshot of one live Linux host: the raw
// outputs of the host's own commands, laid out as DESIGN.md says
// (hosts/<name>/ip-link.json, iptables-save ...).
//
// Commands run through a Runner, so the same code serves `farend collect`
// on the host it runs on (Exec) and the kernel-differential harness, which
// collects from a network namespace (Netns). A command that fails leaves
// its file unwritten and its error in the returned list: a missing file
// means "unknown", never "empty".
package collect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Runner runs one command and returns its standard output. A non-nil error
// means the output must not be trusted.
type Runner func(ctx context.Context, name string, args ...string) ([]byte, error)

// Exec runs commands on this host (in this process's namespaces). Its
// errors carry the command's standard error.
func Exec(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return out, fmt.Errorf("%s: %w: %s", name, err, msg)
		}
		return out, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// Netns returns a Runner that runs each command inside the named network
// namespace with `ip netns exec NS`, through run.
func Netns(run Runner, ns string) Runner {
	return func(ctx context.Context, name string, args ...string) ([]byte, error) {
		return run(ctx, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
	}
}

// File is one file of a host snapshot and the command that produces it.
type File struct {
	// Name is the file name inside hosts/<name>/.
	Name string
	// Cmd is the command and its arguments.
	Cmd []string
	// Filter, when set, keeps part of the output (sysctl.txt keeps the
	// net.* lines).
	Filter func([]byte) []byte
}

// Files lists every file of a host snapshot, in the order they are
// collected. docker-inspect.json is optional in the layout and is not
// collected here.
func Files() []File {
	return []File{
		{Name: "ip-link.json", Cmd: []string{"ip", "-j", "-d", "link", "show"}},
		{Name: "ip-addr.json", Cmd: []string{"ip", "-j", "addr", "show"}},
		{Name: "ip-route.json", Cmd: []string{"ip", "-j", "-4", "route", "show", "table", "all"}},
		{Name: "ip6-route.json", Cmd: []string{"ip", "-j", "-6", "route", "show", "table", "all"}},
		{Name: "ip-rule.json", Cmd: []string{"ip", "-j", "-4", "rule", "show"}},
		{Name: "ip6-rule.json", Cmd: []string{"ip", "-j", "-6", "rule", "show"}},
		{Name: "sysctl.txt", Cmd: []string{"sysctl", "-a"}, Filter: NetLines},
		{Name: "iptables-save", Cmd: []string{"iptables-save", "-c"}},
		{Name: "ip6tables-save", Cmd: []string{"ip6tables-save", "-c"}},
		{Name: "nft.json", Cmd: []string{"nft", "-j", "list", "ruleset"}},
	}
}

// NetLines keeps the lines of `sysctl -a` output that start with "net.".
func NetLines(out []byte) []byte {
	var b bytes.Buffer
	for _, line := range bytes.SplitAfter(out, []byte("\n")) {
		if bytes.HasPrefix(line, []byte("net.")) {
			b.Write(line)
			if !bytes.HasSuffix(line, []byte("\n")) {
				b.WriteByte('\n')
			}
		}
	}
	return b.Bytes()
}

// HostDir is the directory of host name inside snapshot directory snap.
func HostDir(snap, name string) string {
	return filepath.Join(snap, "hosts", name)
}

// Write runs every command of Files through run and writes each output to
// snap/hosts/<name>/<file>. It returns one error per file it could not
// write (the command failed or printed nothing useful); the other files
// are written all the same. A file left from an earlier collection whose
// command now fails is removed, so that it reads as unknown.
func Write(ctx context.Context, run Runner, snap, name string) []error {
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return []error{fmt.Errorf("collect: invalid host name %q", name)}
	}
	dir := HostDir(snap, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return []error{fmt.Errorf("collect: %w", err)}
	}
	var errs []error
	for _, f := range Files() {
		path := filepath.Join(dir, f.Name)
		out, err := run(ctx, f.Cmd[0], f.Cmd[1:]...)
		if err == nil && f.Filter != nil {
			out = f.Filter(out)
		}
		if err == nil && len(bytes.TrimSpace(out)) == 0 {
			err = errors.New("empty output")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("collect: %s: %s: %w", f.Name, strings.Join(f.Cmd, " "), err))
			if rmErr := os.Remove(path); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("collect: %w", rmErr))
			}
			continue
		}
		if err := writeFile(path, out); err != nil {
			errs = append(errs, fmt.Errorf("collect: %s: %w", f.Name, err))
		}
	}
	return errs
}

// writeFile writes data to path through a temporary file and a rename, so
// that a reader never sees half a file.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
