package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"farend/internal/bgp"
	"farend/internal/model"
	"farend/internal/ospf"
	"farend/internal/snapshot"
)

func newOSPF() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ospf",
		Short: "OSPF adjacencies and link state databases, with the reason when something does not come up",
	}
	cmd.AddCommand(newOSPFNeighbors(), newOSPFLSDB())
	return cmd
}

func newOSPFNeighbors() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "neighbors SNAPSHOT",
		Short: "Every OSPFv2/OSPFv3 adjacency the snapshot's routers would form, or why not, and the fix",
		Example: `  farend ospf neighbors snap
  farend ospf neighbors snap --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := snapshot.Load(args[0])
			if err != nil {
				return err
			}
			res := ospf.Compute(s.Devices)
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), res.Adjacencies)
			}
			writeNeighbors(cmd.OutOrStdout(), res)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func writeNeighbors(w io.Writer, res *ospf.Result) {
	if len(res.Adjacencies) == 0 {
		fmt.Fprintln(w, "no link has OSPF running on two routers")
		return
	}
	for i, a := range res.Adjacencies {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "OSPFv%d %s %s -- %s %s: %s\n", a.Version, a.A.Node, a.A.Iface, a.B.Node, a.B.Iface, a.Status)
		if a.Link != "" {
			fmt.Fprintf(w, "  link: %s\n", a.Link)
		}
		for _, e := range []ospf.End{a.A, a.B} {
			mtu := "?"
			if e.MTU > 0 {
				mtu = fmt.Sprint(e.MTU)
			}
			passive := ""
			if e.Passive {
				passive = " passive"
			}
			fmt.Fprintf(w, "  %-10s %-16s router-id %-15s area %s (%s) %s hello %d dead %d mtu %s%s  state %s\n",
				e.Node, e.Iface, e.RouterID, e.Area, e.AreaType, e.Network, e.Hello, e.Dead, mtu, passive, e.State)
		}
		if a.Status == ospf.MTUMismatch {
			for _, e := range []ospf.End{a.A, a.B} {
				fmt.Fprintf(w, "  %s mtu: %s\n", e.Node, e.MTUFrom)
			}
		}
		fmt.Fprintf(w, "  why: %s\n", a.Reason)
		for _, f := range a.Fixes {
			fmt.Fprintf(w, "  fix on %s (%s):\n", f.Node, f.Why)
			for _, c := range f.Commands {
				fmt.Fprintf(w, "    %s\n", c)
			}
		}
	}
}

func newOSPFLSDB() *cobra.Command {
	var asJSON bool
	var vrf string
	cmd := &cobra.Command{
		Use:   "lsdb SNAPSHOT NODE [--vrf VRF]",
		Short: "A router's OSPF link state databases: every LSA, whether it gives a route, and why not",
		Example: `  farend ospf lsdb snap cisco2 --vrf vrf1
  farend ospf lsdb snap vyos1 --json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := snapshot.Load(args[0])
			if err != nil {
				return err
			}
			d := findNode(s, args[1])
			if d == nil {
				return usagef("no device %q in %s (it has: %s)", args[1], args[0], strings.Join(s.Names(), ", "))
			}
			solved := bgp.Solve(s.Devices)
			res := solved.OSPF()
			v := vrf
			if !cmd.Flags().Changed("vrf") {
				v = "*"
			}
			ins := res.InstancesOf(d, v)
			if len(ins) == 0 {
				return usagef("%s runs no OSPF process%s", d.Name, vrfText(vrf, v))
			}
			if asJSON {
				type inst struct {
					Instance string         `json:"instance"`
					RouterID string         `json:"router_id"`
					ABR      bool           `json:"abr"`
					ABRWhy   string         `json:"abr_why,omitempty"`
					LSAs     []ospf.DBEntry `json:"lsas"`
					Notes    []string       `json:"notes,omitempty"`
				}
				var out []inst
				for _, in := range ins {
					notes := in.Notes
					if solved.Unsettled != "" {
						notes = append([]string{solved.Unsettled}, notes...)
					}
					out = append(out, inst{in.Name(), in.RouterID.String(), in.ABR, in.ABRWhy, res.LSDB(in), notes})
				}
				return writeJSON(cmd.OutOrStdout(), out)
			}
			if solved.Unsettled != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "note: %s\n\n", solved.Unsettled)
			}
			for i, in := range ins {
				if i > 0 {
					fmt.Fprintln(cmd.OutOrStdout())
				}
				writeLSDB(cmd.OutOrStdout(), res, in)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&vrf, "vrf", "", "only the processes of this VRF (\"\" is the global table)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func vrfText(vrf, v string) string {
	if v == "*" {
		return ""
	}
	if vrf == "" {
		return " in the global table"
	}
	return " in VRF " + vrf
}

func writeLSDB(w io.Writer, res *ospf.Result, in *ospf.Instance) {
	fmt.Fprintf(w, "%s, router-id %s (%s)\n", in.Name(), in.RouterID, in.RouterIDFrom)
	if in.ABRWhy != "" {
		role := "area border router"
		if !in.ABR {
			role = "not an area border router"
		}
		fmt.Fprintf(w, "  %s: %s\n", role, in.ABRWhy)
	}
	cur := ""
	for _, e := range res.LSDB(in) {
		head := "AS-external LSAs"
		if e.Scope == "area" {
			head = fmt.Sprintf("area %s (%s)", e.Area, areaTypeOf(in, e.Area))
		}
		if head != cur {
			fmt.Fprintf(w, "  %s:\n", head)
			cur = head
		}
		mark := "used"
		if !e.Used {
			mark = "NOT USED"
		}
		fmt.Fprintf(w, "    %-18s %-18s adv %-15s %-8s %s\n", e.LSA.Type.Name(in.Version), e.LSA.ID(), e.LSA.AdvRouter, mark, e.LSA.Summary())
		if !e.Used || e.LSA.Origin() == in {
			fmt.Fprintf(w, "      %s\n", e.Why)
		}
	}
	for _, n := range in.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

func areaTypeOf(in *ospf.Instance, a model.AreaID) string {
	if ar := in.Proc.Area(a); ar != nil {
		return ar.Type.String()
	}
	return "normal"
}
