package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"farend/internal/snapshot"
)

func newParse() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "parse SNAPSHOT",
		Short: "Show what farend read from each file, and every line it did not understand",
		Example: `  farend parse snap
  farend parse snap --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := snapshot.Load(args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				type dev struct {
					Name   string   `json:"name"`
					Inputs any      `json:"inputs"`
					Notes  []string `json:"not_understood"`
				}
				var ds []dev
				for _, d := range s.Devices {
					x := dev{Name: d.Name, Inputs: d.Inputs, Notes: []string{}}
					for _, n := range d.Notes {
						x.Notes = append(x.Notes, n.String())
					}
					ds = append(ds, x)
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(ds)
			}
			for _, d := range s.Devices {
				fmt.Fprintf(out, "%s (%s)\n", d.Name, d.Kind)
				for _, in := range d.Inputs {
					state := "read"
					switch {
					case in.Err != "":
						state = "unreadable: " + in.Err
					case !in.Present:
						state = "missing: unknown"
					}
					fmt.Fprintf(out, "  %-34s %s\n", in.File, state)
				}
				fmt.Fprintf(out, "  %d interfaces, %d routes, %d+%d policy rules\n", len(d.Interfaces), len(d.Routes), len(d.Rules4), len(d.Rules6))
				for _, n := range d.Notes {
					fmt.Fprintf(out, "  %s\n", n)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
