package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"farend/internal/collect"
)

func newCollect() *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "collect SNAPSHOT [--name NAME]",
		Short: "Write a snapshot of the Linux host farend runs on",
		Long: `collect runs the host's own tools (ip -j -d link, ip -j addr, ip -j route/rule
for both families, sysctl -a, iptables-save -c, ip6tables-save -c, nft -j list
ruleset) and writes their output to SNAPSHOT/hosts/NAME/, the layout every other
command reads. Run it as root so that the firewall rules can be read. A command
that fails leaves its file out: farend then treats that data as unknown.`,
		Example: `  sudo farend collect ./snap
  farend trace ./snap --in eth0 --src 192.0.2.7 --dst 198.51.100.10 --proto tcp --dport 22`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if name == "" {
				h, err := os.Hostname()
				if err != nil {
					return fmt.Errorf("collect: no --name and no hostname: %w", err)
				}
				name = h
			}
			errs := collect.Write(context.Background(), collect.Exec, args[0], name)
			for _, e := range errs {
				fmt.Fprintf(cmd.ErrOrStderr(), "farend: collect: %v (that file is left out: unknown)\n", e)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", collect.HostDir(args[0], name))
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the host's name in the snapshot (default: the hostname)")
	return cmd
}
