package cli

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/spf13/cobra"

	"farend/internal/packet"
	"farend/internal/rib"
)

func newRouteGet() *cobra.Command {
	var node, dst, from, iif, oif, mark, proto string
	var sport, dport int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "route-get SNAPSHOT --dst IP [--from IP] [--iif IFACE] [--mark M]",
		Short: "Do what `ip route get` does on the host: one policy-routed lookup",
		Long: `route-get performs one lookup through the policy rules and tables, as
"ip route get TO from FROM iif IIF mark MARK" would on the host, and names the
rule and table that decided. With --iif lo (the default) it is the lookup of a
locally generated packet, and of the reverse-path checks.`,
		Example: `  farend route-get snap --node fc20 --dst 2001:db8:2::1 --from 2001:db8:d0c::2
  farend route-get snap --dst 192.0.2.7 --iif eth1 --mark 0x1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := netip.ParseAddr(dst)
			if err != nil {
				return usagef("--dst: %v", err)
			}
			fl := rib.Flow{Dst: d.Unmap(), IIF: iif, OIF: oif}
			if from != "" {
				s, err := netip.ParseAddr(from)
				if err != nil {
					return usagef("--from: %v", err)
				}
				fl.Src = s.Unmap()
			}
			m, err := strconv.ParseUint(mark, 0, 32)
			if err != nil {
				return usagef("--mark: %v", err)
			}
			fl.Mark = uint32(m)
			if proto != "" {
				n, err := packet.ParseProto(proto)
				if err != nil {
					return usagef("--proto: %v", err)
				}
				fl.Proto = n
			}
			fl.SPort, fl.DPort = uint16(sport), uint16(dport)
			_, dev, err := loadDevice(args[0], node)
			if err != nil {
				return err
			}
			res := rib.New(dev).Lookup(fl)
			out := cmd.OutOrStdout()
			if asJSON {
				j := map[string]any{"flow": fl.String(), "error": res.Err.String(), "type": res.Type.String(), "steps": res.Steps}
				if res.Route != nil {
					j["route"] = rib.RouteString(res.Route)
					j["table"] = rib.TableName(res.Table)
					j["source"] = res.Route.Pos.String()
				}
				if res.Rule != nil {
					j["rule"] = rib.RuleString(res.Rule)
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(j)
			}
			fmt.Fprintf(out, "lookup %s\n", fl)
			for _, s := range res.Steps {
				fmt.Fprintf(out, "  %s\n", s)
			}
			if res.Err != rib.OK {
				fmt.Fprintf(out, "result: %s\n", res.Err)
				return nil
			}
			fmt.Fprintf(out, "result: %s (table %s", rib.RouteString(res.Route), rib.TableName(res.Table))
			if res.Rule != nil {
				fmt.Fprintf(out, ", rule %d", res.Rule.Priority)
			}
			fmt.Fprintf(out, ")   [%s]\n", res.Route.Pos)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&node, "node", "", "the host (optional when the snapshot has one)")
	fl.StringVar(&dst, "dst", "", "destination address (required)")
	fl.StringVar(&from, "from", "", "source address")
	fl.StringVar(&iif, "iif", "lo", "input interface (lo: a locally generated packet)")
	fl.StringVar(&oif, "oif", "", "output interface")
	fl.StringVar(&mark, "mark", "0", "fwmark")
	fl.StringVar(&proto, "proto", "", "IP protocol (for ipproto rules)")
	fl.IntVar(&sport, "sport", 0, "source port (for sport rules)")
	fl.IntVar(&dport, "dport", 0, "destination port (for dport rules)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("dst")
	return cmd
}
