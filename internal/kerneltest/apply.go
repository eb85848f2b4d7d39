package kerneltest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// traceTableName is the nft table the harness adds to every host. Its
// events are markers, never reported as rules.
const traceTableName = "fktrace"

// traceTable sets nftrace on every packet before anything else sees it
// (priority -2^31 on prerouting and output), so that nf_tables reports
// every rule and policy on the packet's way, in true order, for
// iptables-nft and native tables alike. The *_last chains run after every
// other chain of their hook: reaching in_last means the packet passed
// INPUT and is delivered, fwd_last and post_last that it passed FORWARD
// and POSTROUTING. Their rule carries headers as they are then (after NAT).
const traceTable = `table inet fktrace {
	chain pre { type filter hook prerouting priority -2147483648; policy accept; meta nftrace set 1; }
	chain out { type filter hook output priority -2147483648; policy accept; meta nftrace set 1; }
	chain in_last { type filter hook input priority 2147483647; policy accept; counter; }
	chain fwd_last { type filter hook forward priority 2147483647; policy accept; counter; }
	chain post_last { type filter hook postrouting priority 2147483647; policy accept; counter; }
}
`

// handleKey names an nft rule by its handle.
type handleKey struct {
	family, table, chain string
	handle               uint64
}

// Apply undoes the previous Config and applies cfg: sysctls, policy rules,
// routes, the netfilter ruleset. The ruleset is reloaded only when its
// text changed (conntrack is flushed before every injection anyway).
func (l *Lab) Apply(ctx context.Context, cfg Config) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return fmt.Errorf("kerneltest: lab %s is closed", l.id)
	}
	if err := cfg.checkDoc(); err != nil {
		return err
	}
	// Sysctls: back to the baseline, in reverse order of writing, then the
	// new ones; nothing at all when they are those of the last case
	// (toggling forwarding makes the kernel redo router state and send
	// MLD reports).
	sys := l.expandSysctls(cfg.Sysctls)
	if !slices.Equal(sys, l.lastSysctls) || l.lastSysctls == nil {
		l.lastSysctls = nil
		if len(l.restore) > 0 {
			rev := make([]Sysctl, len(l.restore))
			for i, s := range l.restore {
				rev[len(rev)-1-i] = s
			}
			l.restore = nil
			if _, err := writeSysctls(l.hostNS, rev); err != nil {
				return err
			}
		}
		prev, err := writeSysctls(l.hostNS, sys)
		l.restore = prev
		if err != nil {
			return err
		}
		l.lastSysctls = append([]Sysctl{}, sys...)
	}

	// Policy rules and routes: flush ours, restore the default rules
	// (before routes: adding a route via a gateway looks the gateway up
	// through the rules), add the case's routes, then its rules.
	var batches [2][]string
	for i, v6 := range []bool{false, true} {
		lines := []string{"rule flush", "rule add pref 32766 lookup main"}
		if !v6 {
			lines = append(lines, "rule add pref 32767 lookup default")
		}
		lines = append(lines, "route flush table all proto static")
		for _, r := range cfg.Routes {
			if r.Is6() == v6 {
				lines = append(lines, "route add "+r.Args())
			}
		}
		for _, r := range cfg.Rules {
			if r.Is6() == v6 {
				lines = append(lines, "rule add "+r.Args())
			}
		}
		batches[i] = lines
	}
	if routing := strings.Join(batches[0], "\n") + "\n-6\n" + strings.Join(batches[1], "\n"); routing != l.lastRouting {
		l.lastRouting = ""
		for i, fam := range []string{"-4", "-6"} {
			if err := ipBatch(ctx, l.hostNS, fam, batches[i]); err != nil {
				return err
			}
		}
		l.lastRouting = routing
	}

	key := cfg.IPTables + "\x00" + cfg.IP6Tables + "\x00" + cfg.NFT
	if key != l.rulesetKey || l.positions == nil {
		l.rulesetKey = ""
		if err := l.loadRuleset(ctx, cfg); err != nil {
			return err
		}
		l.rulesetKey = key
	}
	return nil
}

// expandSysctls adds, after each default.X key, the same value for every
// lab interface that has no key of its own (what creating the interfaces
// after setting the default would have done).
func (l *Lab) expandSysctls(in []Sysctl) []Sysctl {
	explicit := map[string]bool{}
	for _, s := range in {
		explicit[s.Key] = true
	}
	var out []Sysctl
	for _, s := range in {
		out = append(out, s)
		for _, fam := range []string{"net.ipv4.conf.", "net.ipv6.conf."} {
			rest, ok := strings.CutPrefix(s.Key, fam+"default.")
			if !ok {
				continue
			}
			for _, ll := range l.links {
				k := fam + ll.Name + "." + rest
				if strings.Contains(ll.Name, ".") {
					k = strings.ReplaceAll(fam, ".", "/") + ll.Name + "/" + rest
				}
				if !explicit[k] {
					out = append(out, Sysctl{Key: k, Value: s.Value})
				}
			}
		}
	}
	return out
}

// loadRuleset replaces the whole nftables ruleset: the native text, the
// trace table, then the iptables and ip6tables texts, and records where
// each rule handle sits in its chain.
func (l *Lab) loadRuleset(ctx context.Context, cfg Config) error {
	script := "flush ruleset\n" + cfg.NFT + "\n" + traceTable
	if _, err := nsOutput(ctx, l.hostNS, []byte(script), "nft", "-f", "-"); err != nil {
		return err
	}
	if strings.TrimSpace(cfg.IPTables) != "" {
		if _, err := nsOutput(ctx, l.hostNS, []byte(cfg.IPTables), "iptables-restore"); err != nil {
			return err
		}
	}
	if strings.TrimSpace(cfg.IP6Tables) != "" {
		if _, err := nsOutput(ctx, l.hostNS, []byte(cfg.IP6Tables), "ip6tables-restore"); err != nil {
			return err
		}
	}
	out, err := nsOutput(ctx, l.hostNS, nil, "nft", "-j", "list", "ruleset")
	if err != nil {
		return err
	}
	pos, err := rulePositions(out)
	if err != nil {
		return err
	}
	l.positions = pos
	return nil
}

// rulePositions maps every rule handle of `nft -j list ruleset` to its
// 1-based position in its chain (the order nft lists is the chain's order;
// for iptables-nft tables it is iptables' rule number).
func rulePositions(js []byte) (map[handleKey]int, error) {
	var doc struct {
		Nftables []map[string]json.RawMessage `json:"nftables"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		return nil, fmt.Errorf("kerneltest: nft -j list ruleset: %w", err)
	}
	pos := map[handleKey]int{}
	count := map[handleKey]int{}
	for _, obj := range doc.Nftables {
		raw, ok := obj["rule"]
		if !ok {
			continue
		}
		var r struct {
			Family string `json:"family"`
			Table  string `json:"table"`
			Chain  string `json:"chain"`
			Handle uint64 `json:"handle"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("kerneltest: nft -j rule: %w", err)
		}
		c := handleKey{family: r.Family, table: r.Table, chain: r.Chain}
		count[c]++
		pos[handleKey{r.Family, r.Table, r.Chain, r.Handle}] = count[c]
	}
	return pos, nil
}
