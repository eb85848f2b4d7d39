package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"farend/internal/bgp"
	"farend/internal/snapshot"
)

func newBGP() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bgp",
		Short: "BGP sessions between the snapshot's routers, and why one is down or carries nothing",
	}
	cmd.AddCommand(newBGPSessions())
	return cmd
}

// sessionJSON is the stable JSON form of one session.
type sessionJSON struct {
	A      string   `json:"a"`
	AAddr  string   `json:"a_address,omitempty"`
	AAS    uint32   `json:"a_as"`
	B      string   `json:"b"`
	BAddr  string   `json:"b_address,omitempty"`
	BAS    uint32   `json:"b_as"`
	EBGP   bool     `json:"ebgp"`
	State  string   `json:"state"`
	Why    []string `json:"why,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	IPv4UC bool     `json:"ipv4_unicast"`
}

func newBGPSessions() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sessions SNAPSHOT",
		Short: "Every BGP session the routers' configurations describe: Established or why not, and what it does not carry",
		Long: `sessions pairs the routers' neighbor statements (addresses, AS numbers,
update-source, passwords, eBGP hop limits) and says which sessions come up
and why the others stay down, with the fix; for an Established session it
says what it does not carry (FRR's ebgp-requires-policy without route-maps,
RFC 8212).`,
		Example: `  farend bgp sessions snap
  farend bgp sessions snap --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := snapshot.Load(args[0])
			if err != nil {
				return err
			}
			res := bgp.Solve(s.Devices)
			out := []sessionJSON{}
			for _, x := range res.Sessions {
				j := sessionJSON{A: x.A.Name(), AAS: x.ASA, BAS: x.ASB, EBGP: x.EBGP, State: x.State, Why: x.Why, Notes: x.Notes, IPv4UC: x.IPv4}
				if x.B != nil {
					j.B = x.B.Name()
				} else {
					j.B = x.APeer.Name()
				}
				if x.AAddr.IsValid() {
					j.AAddr = x.AAddr.String()
				}
				if x.BAddr.IsValid() {
					j.BAddr = x.BAddr.String()
				}
				out = append(out, j)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), out)
			}
			writeBGPSessions(cmd.OutOrStdout(), out)
			if ns := append(append([]string(nil), res.Notes...), res.Unknown...); len(ns) > 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "\nnotes (what a route does not do, and what farend did not evaluate):")
				for _, n := range ns {
					fmt.Fprintf(cmd.OutOrStdout(), "  %s\n", n)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func writeBGPSessions(w io.Writer, ss []sessionJSON) {
	if len(ss) == 0 {
		fmt.Fprintln(w, "no router of the snapshot has a BGP neighbor")
		return
	}
	for _, x := range ss {
		kind := "iBGP"
		if x.EBGP {
			kind = "eBGP"
		}
		if x.BAS == 0 && !x.EBGP {
			kind = "BGP" // the far end's AS is not known
		}
		as := func(n uint32) string {
			if n == 0 {
				return "AS ?"
			}
			return fmt.Sprintf("AS %d", n)
		}
		addr := func(a string) string {
			if a == "" {
				return "?"
			}
			return a
		}
		fmt.Fprintf(w, "%s (%s, %s) - %s (%s, %s), %s: %s\n", x.A, addr(x.AAddr), as(x.AAS), x.B, addr(x.BAddr), as(x.BAS), kind, x.State)
		for _, s := range append(append([]string(nil), x.Why...), x.Notes...) {
			fmt.Fprintf(w, "    %s\n", s)
		}
	}
}
