package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	netsim "farend/internal/network"
	"farend/internal/sim"
	"farend/internal/snapshot"
	"farend/internal/topology"
	"farend/internal/trace"
)

// traceNetwork is `farend trace --from`: the packet across the devices.
func traceNetwork(cmd *cobra.Command, dir string, f traceFlags, req sim.Request) error {
	s, err := snapshot.Load(dir)
	if err != nil {
		return err
	}
	node, iface, _ := strings.Cut(f.from, ":")
	d := s.Device(node)
	if d == nil {
		return usagef("--from: no device %q in %s (it has: %s)", node, dir, strings.Join(s.Names(), ", "))
	}
	if iface != "" && len(d.Interfaces) > 0 && d.Interface(iface) == nil {
		var names []string
		for _, itf := range d.Interfaces {
			names = append(names, itf.Name)
		}
		return usagef("--from: %s has no interface %q (it has: %s)", node, iface, strings.Join(names, ", "))
	}
	n := netsim.New(s.Devices, topology.Build(s))
	nreq := netsim.Request{From: node, In: iface, Pkt: req.Pkt, CtState: req.CtState}
	out := cmd.OutOrStdout()
	if !f.bothWays {
		t, err := n.Trace(nreq)
		if err != nil {
			return usageError{err}
		}
		if f.json {
			return writeJSON(out, t)
		}
		trace.WriteText(out, t)
		return nil
	}
	b, err := n.TraceBothWays(nreq)
	if err != nil {
		return usageError{err}
	}
	if f.json {
		return writeJSON(out, b)
	}
	fmt.Fprintln(out, "=== request")
	trace.WriteText(out, b.Request)
	fmt.Fprintln(out, "\n=== reply")
	if b.Reply == nil {
		fmt.Fprintln(out, b.NoReply)
		return nil
	}
	trace.WriteText(out, *b.Reply)
	if len(b.Asymmetric) > 0 {
		fmt.Fprintln(out, "\nasymmetric path:")
		for _, a := range b.Asymmetric {
			fmt.Fprintf(out, "  %s\n", a)
		}
	}
	switch b.Reply.Disposition {
	case trace.Accepted, trace.DeliveredToSubnet, trace.ExitsNetwork:
		if len(b.Asymmetric) == 0 {
			fmt.Fprintln(out, "\nthe reply retraces the request, device by device")
		}
	default:
		fmt.Fprintf(out, "\nthe reply does not come back: %s\n", b.Reply.Disposition)
	}
	return nil
}
