package nft

import (
	"sort"
	"strconv"
	"strings"

	nf "farend/internal/netfilter"
)

// nft merges adjacent payload matches of a rule into one compare when it
// compiles the rule (nftables src/rule.c stmt_reduce and
// payload_do_merge): within a run of expressions not broken by a
// statement, the matches of a payload field against a single value with
// ==, the implicit operator or != are sorted by header and offset, and
// neighbours of the same operator whose fields touch are joined while
// the joined field fits one 32-bit register (payload_can_merge). `tcp
// sport 22 tcp dport 80` becomes one 4-byte compare, which means the
// same. For != it does not: `tcp sport != 123 tcp dport != 81` becomes
// `[ payload load 4b @ transport header + 0 ] [ cmp neq 0x51007b00 ]`,
// which matches when either port differs, while `nft list` (and its
// JSON) still shows two matches, each of which would need its own port
// to differ. nftables 1.0.6 does this (seen with `nft --debug=netlink`);
// the bug was reported in March 2024 ("iptables-nft: Wrong payload
// merge of rule filter", netfilter-devel) and the fix drops OP_NEQ from
// stmt_reduce, so versions from 1.1.0 on are taken as not merging.
//
// mergeNegated finds the != groups nft would have merged and makes each
// one compare of the concatenated fields (NFTCmp with several keys and
// op !=: any field differs), in place of its first member.

// payloadField is where a header field sits: its base (network or
// transport header) and bit offset and length there.
type payloadField struct {
	base      string
	off, bits int
}

// mergesNegated reports whether nft of version v (from the JSON's
// metainfo) merges != matches: before 1.1.0.
func mergesNegated(v string) bool {
	f := strings.SplitN(v, ".", 3)
	if len(f) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(f[0])
	minor, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return major < 1 || (major == 1 && minor < 1)
}

// mergeCandidate is a payload match nft would consider for merging.
type mergeCandidate struct {
	idx   int
	cmp   *nf.NFTCmp
	field payloadField
	op    string
}

// candidate reports whether it is a match of a known payload field
// against one value with ==, the implicit operator or !=.
func candidate(it item) (*nf.NFTCmp, payloadField, bool) {
	c, ok := it.match.(*nf.NFTCmp)
	if !ok || c.Set != nil || len(c.Left) != 1 || len(c.Right) != 1 {
		return nil, payloadField{}, false
	}
	if c.Op != "==" && c.Op != "!=" && c.Op != "in" {
		return nil, payloadField{}, false
	}
	r := c.Right[0]
	if r.Wildcard || r.Lo != r.Hi || r.Lo.Unknown != 0 {
		return nil, payloadField{}, false
	}
	p, ok := c.Left[0].(*nf.NFTPayload)
	if !ok {
		return nil, payloadField{}, false
	}
	base, off, bits, ok := nf.NFTPayloadField(p.Proto, p.Field)
	return c, payloadField{base, off, bits}, ok
}

// mergeNegated returns items with each != group nft merged made one
// compare (see above).
func mergeNegated(items []item, version string) []item {
	if !mergesNegated(version) {
		return items
	}
	drop := map[int]bool{}
	var run []mergeCandidate
	flush := func() {
		if len(run) > 1 {
			mergeRun(items, run, drop)
		}
		run = run[:0]
	}
	for i, it := range items {
		if it.stmt != nil {
			// Must not merge across statements.
			flush()
			continue
		}
		// Other matches neither join nor break a run.
		if c, f, ok := candidate(it); ok {
			run = append(run, mergeCandidate{idx: i, cmp: c, field: f, op: c.Op})
		}
	}
	flush()
	if len(drop) == 0 {
		return items
	}
	out := make([]item, 0, len(items)-len(drop))
	for i, it := range items {
		if !drop[i] {
			out = append(out, it)
		}
	}
	return out
}

// mergeRun merges one run as payload_do_merge does: sorted by base and
// offset, neighbours of equal operator whose fields touch, while the
// joined field is byte-aligned and at most 32 bits (or not byte-aligned
// at all, which payload_can_merge lets through). Groups of != become one
// compare in items (at the first member's place); the others are
// marked in drop.
func mergeRun(items []item, run []mergeCandidate, drop map[int]bool) {
	sort.SliceStable(run, func(a, b int) bool {
		if run[a].field.base != run[b].field.base {
			return run[a].field.base < run[b].field.base
		}
		return run[a].field.off < run[b].field.off
	})
	var groups [][]mergeCandidate
	group := []mergeCandidate{run[0]}
	end, bits := run[0].field.off+run[0].field.bits, run[0].field.bits
	for _, c := range run[1:] {
		aligned := c.field.off%8 == 0 && c.field.bits%8 == 0 && (end-bits)%8 == 0 && bits%8 == 0
		fits := !aligned || bits+c.field.bits <= 32
		if c.field.base == group[0].field.base && c.field.off == end && c.op == group[0].op && fits {
			group = append(group, c)
			end, bits = end+c.field.bits, bits+c.field.bits
			continue
		}
		groups = append(groups, group)
		group = []mergeCandidate{c}
		end, bits = c.field.off+c.field.bits, c.field.bits
	}
	groups = append(groups, group)
	for _, g := range groups {
		if len(g) < 2 || g[0].op != "!=" {
			continue
		}
		sort.Slice(g, func(a, b int) bool { return g[a].idx < g[b].idx })
		m := &nf.NFTCmp{Op: "!=", Merged: true}
		var texts []string
		for _, c := range g {
			m.Left = append(m.Left, c.cmp.Left...)
			m.Right = append(m.Right, c.cmp.Right...)
			texts = append(texts, c.cmp.Text)
			drop[c.idx] = true
		}
		m.Text = strings.Join(texts, " ")
		delete(drop, g[0].idx)
		items[g[0].idx] = item{match: m, text: m.Text}
	}
}
