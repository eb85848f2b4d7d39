// Command farend answers where a packet goes and why, from a snapshot of
// the devices. See `farend --help`.
package main

import (
	"os"

	"farend/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
