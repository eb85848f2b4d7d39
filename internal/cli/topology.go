package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"farend/internal/snapshot"
	"farend/internal/topology"
)

func newTopology() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "topology SNAPSHOT",
		Short: "Show the layer-3 links between the snapshot's devices, why each was inferred, and what could not be paired",
		Long: `farend topology infers the layer-3 links of a snapshot and says why:

  - interfaces whose connected prefixes are the same subnet (loopbacks,
    link-local and /32, /128 host addresses left out); two interfaces make a
    link, more a multi-access segment (LAN);
  - point-to-point addresses whose peer is another device's address;
  - tunnels (Linux sit, gre, ipip, ip6tnl, ip6gre; IOS and VyOS tunnel
    interfaces) whose local and remote addresses mirror each other, with the
    outer IP protocol both ends accept;
  - SNAPSHOT/links.yaml, which adds and removes links:

      links:
        - a: fc20:sit1          # NODE:IFACE
          b: r1:Tunnel0
          why: NATed 6in4 tunnel  # optional
      remove:
        - a: r1:GigabitEthernet0/4
          b: r2:eth4
        - a: r1:GigabitEthernet0/5  # without b: every link of the interface

It lists what could not be paired and why: a tunnel whose remote is no
device's address or whose far end has a different mode, a /31 or /127 whose
other address is missing, overlapping prefixes of different lengths, an
address configured twice, links.yaml entries that name nothing.`,
		Example: `  farend topology snap
  farend topology snap --json
  farend topology internal/ospf/testdata/scenarios/06-ospfv3-gre-mtu/broken`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := snapshot.Load(args[0])
			if err != nil {
				return err
			}
			t := topology.Build(s)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(t)
			}
			writeTopology(out, t)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeTopology(w io.Writer, t *topology.Topology) {
	noun := "devices"
	if len(t.Devices) == 1 {
		noun = "device"
	}
	fmt.Fprintf(w, "%d %s: %s\n", len(t.Devices), noun, strings.Join(t.Devices, ", "))
	switch in := t.LinksFile; {
	case in.Err != "":
		fmt.Fprintf(w, "%s: unreadable: %s\n", in.File, in.Err)
	case !in.Present:
		fmt.Fprintf(w, "%s: missing: links are inferred from addresses and tunnels only\n", in.File)
	default:
		fmt.Fprintf(w, "%s: read\n", in.File)
	}
	fmt.Fprintf(w, "\nlinks (%d):\n", len(t.Links))
	for _, l := range t.Links {
		writeLink(w, l)
	}
	fmt.Fprintf(w, "\nsegments (%d):\n", len(t.Segments))
	for _, g := range t.Segments {
		var ps []string
		for _, p := range g.Prefixes {
			ps = append(ps, p.String())
		}
		fmt.Fprintf(w, "  %s\n", strings.Join(ps, ", "))
		for _, m := range g.Members {
			var as []string
			for _, a := range m.Addrs {
				as = append(as, a.String())
			}
			fmt.Fprintf(w, "    %s %s\n", m.Endpoint, strings.Join(as, " "))
		}
		for _, r := range g.Reasons {
			fmt.Fprintf(w, "    %s: %s\n", r.Kind, r.Text)
		}
	}
	fmt.Fprintf(w, "\nnot paired (%d):\n", len(t.Unpaired))
	for _, u := range t.Unpaired {
		ep := u.Endpoint.String()
		if ep == "" {
			ep = "-"
		}
		fmt.Fprintf(w, "  %s  %s: %s\n", ep, u.Kind, u.Reason)
	}
	if len(t.Removed) > 0 {
		fmt.Fprintf(w, "\nremoved by %s (%d):\n", t.LinksFile.File, len(t.Removed))
		for _, l := range t.Removed {
			writeLink(w, l)
		}
	}
	if len(t.Notes) > 0 {
		fmt.Fprintf(w, "\nnot understood (%d):\n", len(t.Notes))
		for _, n := range t.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
}

func writeLink(w io.Writer, l topology.Link) {
	down := ""
	if len(l.Down) > 0 {
		var ds []string
		for _, d := range l.Down {
			ds = append(ds, d.String())
		}
		down = " (down: " + strings.Join(ds, ", ") + ")"
	}
	fmt.Fprintf(w, "  %s -- %s%s\n", l.A, l.B, down)
	for _, r := range l.Reasons {
		fmt.Fprintf(w, "    %s: %s\n", r.Kind, r.Text)
	}
}
