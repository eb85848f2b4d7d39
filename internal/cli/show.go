package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"farend/internal/model"
	"farend/internal/snapshot"
)

// showSections are the parts `farend show` prints.
var showSections = []string{"interfaces", "vrfs", "ospf", "bgp", "acls"}

func newShow() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show SNAPSHOT NODE [interfaces|vrfs|ospf|bgp|acls]",
		Short: "Print the vendor-neutral model farend built for one router, to check the parse",
		Example: `  farend show snap cisco2 ospf
  farend show snap vyos1 bgp --json`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := snapshot.Load(args[0])
			if err != nil {
				return err
			}
			d := findNode(s, args[1])
			if d == nil {
				return usagef("no device %q in %s (it has: %s)", args[1], args[0], strings.Join(s.Names(), ", "))
			}
			sections := showSections
			if len(args) == 3 {
				ok := false
				for _, x := range showSections {
					ok = ok || x == args[2]
				}
				if !ok {
					return usagef("unknown section %q (want one of %s)", args[2], strings.Join(showSections, ", "))
				}
				sections = []string{args[2]}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return showJSON(out, d, sections)
			}
			showText(out, d, sections)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// findNode finds a device by name, or a router by its hostname.
func findNode(s *snapshot.Snapshot, name string) *model.Device {
	if d := s.Device(name); d != nil {
		return d
	}
	for _, d := range s.Devices {
		if d.Router != nil && d.Router.Hostname == name {
			return d
		}
	}
	return nil
}

// showJSON prints the chosen sections of the model.
func showJSON(w io.Writer, d *model.Device, sections []string) error {
	r := d.Router
	if r == nil {
		r = &model.Router{}
	}
	out := map[string]any{"name": d.Name, "kind": d.Kind.String()}
	for _, s := range sections {
		switch s {
		case "interfaces":
			type iface struct {
				model.Interface
				Config *model.IfaceConfig `json:"config,omitempty"`
			}
			var l []iface
			for i := range d.Interfaces {
				l = append(l, iface{Interface: d.Interfaces[i], Config: r.Iface(d.Interfaces[i].Name)})
			}
			out["interfaces"] = l
		case "vrfs":
			out["vrfs"] = r.VRFs
			out["static_routes"] = r.Statics
		case "ospf":
			out["ospf"] = r.OSPF
		case "bgp":
			out["bgp"] = r.BGP
			out["prefix_lists"] = r.PrefixLists
			out["route_maps"] = r.RouteMaps
			out["community_lists"] = r.CommunityLists
			out["as_path_lists"] = r.ASPathLists
		case "acls":
			out["acls"] = r.ACLs
			out["acl_uses"] = r.ACLUses
		}
	}
	if len(sections) == len(showSections) {
		out["platform"] = r.Platform
		out["secrets"] = r.Secrets
		out["config"] = r.Config
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// showText prints the chosen sections for people.
func showText(w io.Writer, d *model.Device, sections []string) {
	r := d.Router
	if r == nil {
		r = &model.Router{}
	}
	fmt.Fprintf(w, "%s (%s)", d.Name, d.Kind)
	if r.Hostname != "" && r.Hostname != d.Name {
		fmt.Fprintf(w, " hostname %s", r.Hostname)
	}
	if r.Config.File != "" {
		fmt.Fprintf(w, ", %s, %s", r.Config.File, dialectName(r))
	}
	fmt.Fprintln(w)
	if p := r.Platform; p != nil && len(sections) == len(showSections) {
		fmt.Fprintf(w, "platform: %s %s %s, memory %dK/%dK", p.Model, p.Software, p.Version, p.MainMemoryKB, p.IOMemoryKB)
		for _, m := range p.MemoryWarnings {
			fmt.Fprintf(w, "; console: %s", m)
		}
		fmt.Fprintln(w)
	}
	for _, s := range sections {
		switch s {
		case "interfaces":
			showIfaces(w, d, r)
		case "vrfs":
			showVRFs(w, r)
		case "ospf":
			showOSPF(w, r)
		case "bgp":
			showBGP(w, r)
		case "acls":
			showACLs(w, r)
		}
	}
	if len(r.Secrets) > 0 && len(sections) == len(showSections) {
		fmt.Fprintf(w, "secrets: %d configured (values never shown)\n", len(r.Secrets))
	}
}

func setting(s model.Setting) string {
	switch {
	case !s.Known():
		return "?"
	case s.Default:
		return fmt.Sprintf("%d*", s.Value)
	}
	return fmt.Sprint(s.Value)
}

func showIfaces(w io.Writer, d *model.Device, r *model.Router) {
	fmt.Fprintln(w, "interfaces: (* = vendor default)")
	for _, ifc := range d.Interfaces {
		state := "up"
		if !ifc.Up {
			state = "shutdown"
		}
		fmt.Fprintf(w, "  %-18s %-9s %-8s mtu %d", ifc.Name, ifc.Kind, state, ifc.MTU)
		if c := r.Iface(ifc.Name); c != nil {
			if c.VRF != "" {
				fmt.Fprintf(w, " vrf %s", c.VRF)
			}
			fmt.Fprintf(w, " ip-mtu %s ipv6-mtu %s bw %s", setting(c.IPMTU), setting(c.IP6MTU), setting(c.Bandwidth))
			if c.VLAN != 0 {
				fmt.Fprintf(w, " vlan %d", c.VLAN)
			}
		}
		fmt.Fprintln(w)
		for _, a := range ifc.Addrs {
			sec := ""
			if a.Secondary {
				sec = " secondary"
			}
			fmt.Fprintf(w, "    %s%s\n", a.Prefix, sec)
		}
		if t := ifc.Tunnel; t != nil {
			fmt.Fprintf(w, "    tunnel %s %s -> %s\n", t.Mode, t.Local, t.Remote)
		}
	}
}

func showVRFs(w io.Writer, r *model.Router) {
	fmt.Fprintln(w, "vrfs:")
	for _, v := range r.VRFs {
		fmt.Fprintf(w, "  %s rd %q ipv4 %v ipv6 %v\n", v.Name, v.RD, v.IPv4, v.IPv6)
	}
	fmt.Fprintln(w, "static routes:")
	for _, s := range r.Statics {
		vrf := s.VRF
		if vrf == "" {
			vrf = "global"
		}
		fmt.Fprintf(w, "  [%s] %s via %s %s distance %s\n", vrf, s.Prefix, s.NextHop, s.Interface, setting(s.Distance))
	}
}

func showOSPF(w io.Writer, r *model.Router) {
	for _, p := range r.OSPF {
		fmt.Fprintf(w, "ospfv%d process %q vrf %q router-id %s ref-bw %s", p.Version, p.ID, p.VRF, p.RouterID, setting(p.ReferenceBandwidth))
		if p.Version == 2 {
			fmt.Fprintf(w, " rfc1583-compatible %s", setting(p.RFC1583Compatible))
		}
		fmt.Fprintln(w)
		if p.VPNPEWhy != "" {
			fmt.Fprintf(w, "  PE mode %v: %s\n", p.VPNPE, p.VPNPEWhy)
		}
		if p.DomainTag != nil {
			fmt.Fprintf(w, "  domain-tag %d (%s)\n", p.DomainTag.Value, p.DomainTag.Pos)
		}
		if p.DefaultMetric != nil {
			fmt.Fprintf(w, "  default-metric %d (%s)\n", p.DefaultMetric.Value, p.DefaultMetric.Pos)
		}
		for _, a := range p.Areas {
			fmt.Fprintf(w, "  area %s %s", a.ID, a.Type)
			if a.NoSummary {
				fmt.Fprint(w, " no-summary")
			}
			fmt.Fprintln(w)
		}
		for _, i := range p.Interfaces {
			fmt.Fprintf(w, "  %-16s area %s %s cost %s hello %s dead %s prio %s mtu %s", i.Name, i.Area, i.Network,
				setting(i.Cost), setting(i.Hello), setting(i.Dead), setting(i.Priority), setting(i.MTU))
			if i.MTUIgnore {
				fmt.Fprint(w, " mtu-ignore")
			}
			if i.Passive {
				fmt.Fprint(w, " passive")
			}
			if i.Auth != model.AuthNone {
				fmt.Fprintf(w, " auth %s", i.Auth)
			}
			fmt.Fprintf(w, "  (by %s)\n", i.EnabledBy)
			if i.MTU.From != "" {
				fmt.Fprintf(w, "    mtu: %s\n", i.MTU.From)
			}
		}
		for _, rd := range p.Redistribute {
			fmt.Fprintf(w, "  redistribute %s subnets=%v route-map %q", rd.Protocol, rd.Subnets, rd.RouteMap)
			if rd.Metric != 0 || rd.MetricType != 0 || rd.Tag != 0 {
				fmt.Fprintf(w, " metric %d metric-type %d tag %d", rd.Metric, rd.MetricType, rd.Tag)
			}
			fmt.Fprintln(w)
		}
	}
}

func showBGP(w io.Writer, r *model.Router) {
	for _, b := range r.BGP {
		fmt.Fprintf(w, "bgp as %d vrf %q router-id %s profile %q\n", b.ASN, b.VRF, b.RouterID, b.Profile)
		fmt.Fprintf(w, "  ebgp-requires-policy %v (%s)\n", b.EBGPRequiresPolicy.On, flagFrom(b.EBGPRequiresPolicy))
		if b.RedistributeInternal {
			fmt.Fprintln(w, "  bgp redistribute-internal (iBGP routes go into IGPs)")
		}
		fmt.Fprintf(w, "  default ipv4-unicast %v (%s)\n", b.DefaultIPv4Unicast.On, flagFrom(b.DefaultIPv4Unicast))
		for _, af := range b.AFs {
			for _, n := range af.Networks {
				fmt.Fprintf(w, "  %s %s network %s\n", af.AFI, af.SAFI, n.Prefix)
			}
			for _, a := range af.Aggregates {
				fmt.Fprintf(w, "  %s %s aggregate %s summary-only=%v\n", af.AFI, af.SAFI, a.Prefix, a.SummaryOnly)
			}
		}
		for _, peers := range [][]model.BGPPeer{b.PeerGroups, b.Neighbors} {
			for _, p := range peers {
				fmt.Fprintf(w, "  neighbor %s remote-as %d%s", p.Name(), p.RemoteAS, p.RemoteASKind)
				if p.PeerGroup != "" {
					fmt.Fprintf(w, " peer-group %s", p.PeerGroup)
				}
				if p.UpdateSource != "" {
					fmt.Fprintf(w, " update-source %s", p.UpdateSource)
				}
				if p.EBGPMultihop != 0 {
					fmt.Fprintf(w, " ebgp-multihop %d", p.EBGPMultihop)
				}
				if p.HasPassword {
					fmt.Fprint(w, " password <redacted>")
				}
				fmt.Fprintln(w)
				for _, a := range p.AFs {
					fmt.Fprintf(w, "    %s %s active %v in[rm %q pl %q] out[rm %q pl %q]", a.AFI, a.SAFI, a.Active.On,
						a.RouteMapIn, a.PrefixListIn, a.RouteMapOut, a.PrefixListOut)
					if a.NextHopSelf {
						fmt.Fprint(w, " next-hop-self")
					}
					if a.RRClient {
						fmt.Fprint(w, " rr-client")
					}
					fmt.Fprintf(w, " send-community %v\n", a.SendCommunity.On)
				}
			}
		}
	}
	for _, pl := range r.PrefixLists {
		fmt.Fprintf(w, "prefix-list %s:", pl.Name)
		for _, e := range pl.Entries {
			fmt.Fprintf(w, " [%d %s %s ge %d le %d]", e.Seq, permit(e.Permit), e.Prefix, e.GE, e.LE)
		}
		fmt.Fprintln(w)
	}
	for _, rm := range r.RouteMaps {
		for _, e := range rm.Entries {
			fmt.Fprintf(w, "route-map %s %s %d:", rm.Name, permit(e.Permit), e.Seq)
			for _, m := range e.Matches {
				fmt.Fprintf(w, " match %s %s;", m.What, strings.Join(m.Values, " "))
			}
			for _, m := range e.Sets {
				fmt.Fprintf(w, " set %s %s;", m.What, strings.Join(m.Values, " "))
			}
			fmt.Fprintln(w)
		}
	}
}

func flagFrom(f model.Flag) string {
	if f.Default {
		return "default: " + f.From
	}
	return "configured at " + f.Pos.String()
}

func permit(b bool) string {
	if b {
		return "permit"
	}
	return "deny"
}

func showACLs(w io.Writer, r *model.Router) {
	for _, a := range r.ACLs {
		fam := "ipv4"
		if a.IPv6 {
			fam = "ipv6"
		}
		kind := "standard"
		if a.Extended {
			kind = "extended"
		}
		fmt.Fprintf(w, "acl %s (%s %s)\n", a.Name, fam, kind)
		for _, e := range a.Entries {
			fmt.Fprintf(w, "  %s\n", e.Text)
		}
	}
	for _, u := range r.ACLUses {
		fmt.Fprintf(w, "acl %s applied: %s %s\n", u.ACL, u.Where, u.Direction)
	}
}
