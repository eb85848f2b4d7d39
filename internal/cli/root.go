// Package cli holds farend's subcommands, one file each.
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Version is farend's version, set at build time with
// -ldflags "-X farend/internal/cli.Version=...".
var Version = "0.1.0-dev"

// usageError marks errors that are the user's (exit status 2).
type usageError struct{ error }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// Main runs farend with args and returns the exit status: 0 success, 1 an
// error, 2 a usage error.
func Main(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "farend: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return 2
	}
	return 1
}

func isCobraUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown flag", "unknown command", "unknown shorthand", "accepts ", "requires at least", "flag needs an argument", "invalid argument", "required flag"} {
		if len(s) >= len(p) && containsWord(s, p) {
			return true
		}
	}
	return false
}

func containsWord(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "farend",
		Short: "Where did my packet go? Answers from a snapshot of your devices",
		Long: `farend reads a snapshot of Linux hosts (their own tools' output: iptables-save,
ip -j route/rule/addr/link, sysctl -a) and answers with the exact rule or
routing step that decided a packet's fate, the reason, and the fix.

Snapshot layout: SNAPSHOT/hosts/<name>/{ip-link.json, ip-addr.json, ip-route.json,
ip6-route.json, ip-rule.json, ip6-rule.json, sysctl.txt, iptables-save,
ip6tables-save}. Missing files mean "unknown" and are named in every answer.`,
		Example: `  farend trace examples/fourth-table --node fc20 --in sit1 \
      --src 2001:db8:2::1 --dst 2001:db8:d0c::2 --proto icmpv6
  farend routes examples/fourth-table --node fc20
  farend route-get examples/fourth-table --node fc20 --dst 2001:db8:2::1 --from 2001:db8:d0c::2 --iif lo
  farend ospf neighbors snap
  farend ospf lsdb snap cisco2 --vrf vrf1
  farend routes snap cisco2 --vrf vrf1
  farend topology snap`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newTrace(), newRoutes(), newRouteGet(), newParse(), newCollect(), newVersion(), newShow(), newOSPF(), newBGP(), newTopology())
	return root
}
