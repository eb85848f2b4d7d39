package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"farend/internal/model"
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
				type config struct {
					File       string  `json:"file"`
					Dialect    string  `json:"dialect"`
					Generation string  `json:"generation,omitempty"`
					Version    string  `json:"version,omitempty"`
					Lines      int     `json:"lines"`
					Understood int     `json:"understood"`
					Percent    float64 `json:"percent"`
				}
				type dev struct {
					Name   string   `json:"name"`
					Config *config  `json:"config,omitempty"`
					Inputs any      `json:"inputs"`
					Notes  []string `json:"not_understood"`
				}
				var ds []dev
				for _, d := range s.Devices {
					x := dev{Name: d.Name, Inputs: d.Inputs, Notes: []string{}}
					if r := d.Router; r != nil && r.Config.File != "" {
						c := r.Config
						x.Config = &config{File: c.File, Dialect: c.Dialect, Generation: c.Generation, Version: r.Version,
							Lines: c.Lines, Understood: c.Understood, Percent: c.Percent()}
					}
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
				if r := d.Router; r != nil && r.Config.File != "" {
					fmt.Fprintf(out, "  %s: %s, %d of %d lines understood (%.1f%%)\n", r.Config.File, dialectName(r), r.Config.Understood, r.Config.Lines, r.Config.Percent())
					fmt.Fprintf(out, "  %d interfaces, %d VRFs, %d OSPF processes, %d BGP instances, %d static routes, %d ACLs\n",
						len(d.Interfaces), len(r.VRFs), len(r.OSPF), len(r.BGP), len(r.Statics), len(r.ACLs))
				} else {
					fmt.Fprintf(out, "  %d interfaces, %d routes, %d+%d policy rules\n", len(d.Interfaces), len(d.Routes), len(d.Rules4), len(d.Rules6))
				}
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

// dialectName describes a router's dialect: "ios 15.1", "vyos-config.boot
// (vyatta generation) 1.0.3", "frr 8.4.4".
func dialectName(r *model.Router) string {
	s := r.Config.Dialect
	if r.Config.Generation != "" {
		s += " (" + r.Config.Generation + " generation)"
	}
	if r.Version != "" {
		s += " " + r.Version
	}
	return s
}
