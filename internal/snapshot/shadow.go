package snapshot

import (
	"fmt"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/source"
)

// dropShadowedNotes removes the notes the nft.json parser writes about a
// table iptables-nft made ("iptables-nft table: N rules hold xt matches or
// targets ...") when iptables-save (or ip6tables-save) of the nf_tables
// backend lists the same table: its rules are read in full from there, so
// nothing of them is left not understood. `farend collect` on any host
// whose iptables is iptables-nft writes both files, each with the same
// tables. The rule is the one by which the simulation keeps such a table
// off the hooks (internal/sim Host.shadowed): a legacy iptables-save does
// not shadow anything, its tables are separate from nft's.
//
// Only that note of the table (at the table's own position) goes; other
// notes (a jump to a chain that does not exist, a table iptables-save
// does not show) stay.
func dropShadowedNotes(d *model.Device) {
	drop := map[source.Note]bool{}
	for _, rs := range d.NFT {
		var xt *netfilter.Ruleset
		switch rs.Family {
		case netfilter.IPv4:
			xt = d.Filter4
		case netfilter.IPv6:
			xt = d.Filter6
		default:
			continue
		}
		if xt == nil || xt.Backend == "legacy" {
			continue
		}
		for name, t := range rs.Tables {
			if t.NFT == nil || !t.NFT.IptablesNFT || xt.Table(name) == nil {
				continue
			}
			drop[source.Note{Pos: t.Pos, Text: fmt.Sprintf("table %s %s", rs.Family, name)}] = true
		}
	}
	if len(drop) == 0 {
		return
	}
	kept := d.Notes[:0]
	for _, n := range d.Notes {
		if !drop[source.Note{Pos: n.Pos, Text: n.Text}] {
			kept = append(kept, n)
		}
	}
	d.Notes = kept
}
