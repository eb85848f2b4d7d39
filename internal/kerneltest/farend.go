package kerneltest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"farend/internal/cli"
	"farend/internal/collect"
	"farend/internal/packet"
)

// Collect writes the lab host's snapshot into snap/hosts/<host>/ with the
// code of `farend collect`: the same commands (ip -j ..., iptables-save
// -c, sysctl -a ...), run inside the host's namespace, the same files.
// An iptables-save or ip6tables-save that prints nothing (no table of
// that family is loaded), or that cannot parse a native nft table named
// like an iptables table, is not an error here: its file stays missing,
// which farend reads as "no rules known", as on a real host.
func (l *Lab) Collect(ctx context.Context, snap string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("kerneltest: lab %s is closed", l.id)
	}
	run := func(ctx context.Context, name string, args ...string) ([]byte, error) {
		return nsOutput(ctx, l.hostNS, nil, name, args...)
	}
	var errs []error
	for _, err := range collect.Write(ctx, run, snap, l.topo.Host) {
		if msg := err.Error(); strings.Contains(msg, "tables-save -c: empty output") {
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "tables-save") && strings.Contains(msg, "Parsing nftables rule failed") {
			// iptables-nft-save cannot parse a native table named like
			// an iptables table whose rules it does not know (exit 3,
			// "meta sreg key not supported"): farend collect leaves the
			// file out, as here, and farend reads the tables from
			// nft.json.
			continue
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// FarendArgs are the arguments of the `farend trace` command that asks
// about p arriving on interface in of host, in snapshot snap, as JSON:
// every property of the packet the lab sends is given (length and TTL
// included), so that farend and the kernel see the same packet.
func FarendArgs(snap, host, in string, p packet.Packet) []string {
	args := []string{"trace", snap, "--node", host, "--in", in,
		"--src", p.Src.String(), "--dst", p.Dst.String(),
		"--proto", packet.ProtoName(p.Proto, p.Is6())}
	switch {
	case p.HasPorts():
		args = append(args, "--sport", fmt.Sprint(p.SPort), "--dport", fmt.Sprint(p.DPort))
		if p.Proto == packet.ProtoTCP {
			f := packet.TCPFlagsString(p.TCPFlags)
			if f == "" {
				f = "NONE"
			}
			args = append(args, "--tcp-flags", f)
		}
	case p.IsICMP():
		args = append(args, "--icmp-type", fmt.Sprintf("%d/%d", p.ICMPType, p.ICMPCode))
	}
	ttl := p.TTL
	if ttl == 0 {
		ttl = 64
	}
	length := p.Length
	if length == 0 {
		length = ipLength(p)
	}
	args = append(args, "--ttl", fmt.Sprint(ttl), "--length", fmt.Sprint(length), fmt.Sprintf("--df=%t", p.DF))
	if p.TOS != 0 {
		args = append(args, "--tos", fmt.Sprintf("0x%02x", p.TOS))
	}
	args = append(args, "--json")
	return args
}

// FarendTrace runs `farend trace ... --json` (FarendArgs) in this process
// and returns what it prints.
func FarendTrace(snap, host, in string, p packet.Packet) ([]byte, error) {
	var out, errb bytes.Buffer
	args := FarendArgs(snap, host, in, p)
	if rc := cli.Main(args, &out, &errb); rc != 0 {
		return nil, fmt.Errorf("kerneltest: farend %s: exit %d: %s", strings.Join(args, " "), rc, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}
