package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"farend/internal/model"
	"farend/internal/rib"
	"farend/internal/snapshot"
)

func newRoutes() *cobra.Command {
	var node, vrf string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "routes SNAPSHOT [NODE | --node NAME] [--vrf VRF]",
		Short: "Print a host's policy rules and routing tables like ip rule / ip route show table all, or a router's RIB like show ip route",
		Example: `  farend routes snap --node fc20
  farend routes snap --node fc20 --json
  farend routes snap cisco2 --vrf vrf1`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				if node != "" && node != args[1] {
					return usagef("node given twice: %q and --node %q", args[1], node)
				}
				node = args[1]
			}
			s, d, err := loadDevice(args[0], node)
			if err != nil {
				if s2, err2 := snapshot.Load(args[0]); err2 == nil && node != "" {
					if r := findNode(s2, node); r != nil {
						s, d, err = s2, r, nil
					}
				}
				if err != nil {
					return err
				}
			}
			if d.Router != nil {
				return routerRoutes(cmd.OutOrStdout(), s, d, vrf, asJSON)
			}
			if vrf != "" {
				return usagef("--vrf applies to routers; %s is a Linux host (its tables are all printed)", d.Name)
			}
			f := rib.New(d)
			if asJSON {
				return writeRoutesJSON(cmd.OutOrStdout(), d, f)
			}
			writeRoutes(cmd.OutOrStdout(), d, f)
			return nil
		},
	}
	cmd.Flags().StringVar(&node, "node", "", "the host or router (optional when the snapshot has one)")
	cmd.Flags().StringVar(&vrf, "vrf", "", "a router's VRF (default: the global table)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeRoutes(w io.Writer, d *model.Device, f *rib.FIB) {
	for _, v6 := range []bool{false, true} {
		fam := "IPv4"
		rulesWhat, routesWhat := "rules4", "routes4"
		if v6 {
			fam, rulesWhat, routesWhat = "IPv6", "rules6", "routes6"
		}
		fmt.Fprintf(w, "%s policy rules (ip %srule):\n", fam, map[bool]string{true: "-6 "}[v6])
		if !d.Known(rulesWhat) {
			fmt.Fprintf(w, "  (rules file missing: unknown; the kernel defaults are assumed)\n")
		}
		for _, r := range f.Rules(v6) {
			fmt.Fprintf(w, "  %s\n", rib.RuleString(r))
		}
		fmt.Fprintf(w, "\n%s routes (ip %sroute show table all):\n", fam, map[bool]string{true: "-6 "}[v6])
		if !d.Known(routesWhat) {
			fmt.Fprintf(w, "  (routes file missing: unknown)\n")
		}
		for _, id := range f.TableIDs(v6) {
			fmt.Fprintf(w, "  table %s:\n", rib.TableName(id))
			for _, r := range f.Table(id, v6) {
				fmt.Fprintf(w, "    %s\n", rib.RouteString(r))
			}
		}
		fmt.Fprintln(w)
	}
}

type routesJSON struct {
	Node   string          `json:"node"`
	Family string          `json:"family"`
	Rules  []string        `json:"rules"`
	Tables []tableJSON     `json:"tables"`
	Known  map[string]bool `json:"known"`
}

type tableJSON struct {
	Table  string      `json:"table"`
	Routes []routeJSON `json:"routes"`
}

type routeJSON struct {
	Text   string `json:"text"`
	Type   string `json:"type"`
	Dst    string `json:"dst"`
	Dev    string `json:"dev,omitempty"`
	Via    string `json:"via,omitempty"`
	Metric uint32 `json:"metric"`
	Source string `json:"source,omitempty"`
}

func writeRoutesJSON(w io.Writer, d *model.Device, f *rib.FIB) error {
	var out []routesJSON
	for _, v6 := range []bool{false, true} {
		rj := routesJSON{Node: d.Name, Family: "ipv4", Known: map[string]bool{"rules": d.Known("rules4"), "routes": d.Known("routes4")}}
		if v6 {
			rj.Family = "ipv6"
			rj.Known = map[string]bool{"rules": d.Known("rules6"), "routes": d.Known("routes6")}
		}
		for _, r := range f.Rules(v6) {
			rj.Rules = append(rj.Rules, rib.RuleString(r))
		}
		for _, id := range f.TableIDs(v6) {
			tj := tableJSON{Table: rib.TableName(id)}
			for _, r := range f.Table(id, v6) {
				x := routeJSON{Text: rib.RouteString(r), Type: r.Type.String(), Dst: r.Dst.String(), Metric: r.Metric, Source: r.Pos.String()}
				if len(r.Nexthops) > 0 {
					x.Dev = r.Nexthops[0].Dev
					if r.Nexthops[0].Gateway.IsValid() {
						x.Via = r.Nexthops[0].Gateway.String()
					}
				}
				tj.Routes = append(tj.Routes, x)
			}
			rj.Tables = append(rj.Tables, tj)
		}
		out = append(out, rj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
