package nft

import (
	"fmt"
	"strings"

	nf "farend/internal/netfilter"
)

// item reads one expression of a rule's "expr" list.
func (r *ruleCtx) item(v any) (item, error) {
	k, body, ok := single(v)
	if !ok {
		return item{}, fmt.Errorf("not a statement")
	}
	m, _ := obj(body)
	switch k {
	case "match":
		return r.match(m)
	case "accept", "drop", "continue", "return", "jump", "goto":
		vd, text, err := verdict(v)
		if err != nil {
			return item{}, err
		}
		return item{stmt: &nf.NFTVerdict{Kind: vd.Kind, Chain: vd.Chain, Text: text}, text: text}, nil
	case "queue":
		return r.queue(m), nil
	case "counter":
		return r.counter(body), nil
	case "log":
		return r.log(m), nil
	case "limit", "quota":
		return r.limit(k, body)
	case "mangle":
		return r.mangle(m)
	case "notrack":
		return item{stmt: &nf.NFTNotrack{}, text: "notrack"}, nil
	case "reject":
		return r.reject(m), nil
	case "snat", "dnat", "masquerade", "redirect":
		return r.nat(k, m)
	case "vmap":
		return r.vmap(m)
	case "set", "map", "meter":
		return r.dynset(k, m)
	case "xt":
		return r.xtItem(m), nil
	case "ct count":
		n, _ := numField(m, "val")
		inv, _ := m.get("inv").(bool)
		text := fmt.Sprintf("ct count %s%d", map[bool]string{true: "over ", false: ""}[inv], n)
		return item{match: &nf.NFTOpaqueMatch{Text: text, Why: "the number of connections is not in the snapshot"}, text: text}, nil
	case "ct helper", "ct timeout", "ct expectation", "secmark", "synproxy":
		name, _ := body.(string)
		text := fmt.Sprintf("%s set %s", k, quote(name))
		if k == "synproxy" {
			text = "synproxy"
			return item{stmt: &nf.NFTOpaqueStmt{Text: text, Why: "synproxy answers SYNs itself and drops the packet or lets it through"}, text: text}, nil
		}
		return item{stmt: &nf.NFTNoop{Text: text, What: "configures the conntrack entry; no effect on this packet's path"}, text: text}, nil
	case "dup":
		text := "dup" + natTarget(m)
		return item{stmt: &nf.NFTNoop{Text: text, What: "a copy of the packet is sent there; the packet itself goes on"}, text: text}, nil
	case "flow":
		op, _ := str(m, "op")
		ft, _ := str(m, "flowtable")
		text := strings.TrimSpace(fmt.Sprintf("flow %s %s", op, ft))
		return item{stmt: &nf.NFTNoop{Text: text, What: "later packets of the connection are offloaded to the flowtable and skip these hooks"}, text: text}, nil
	case "last":
		return item{stmt: &nf.NFTNoop{Text: "last"}, text: "last"}, nil
	case "fwd", "tproxy":
		text := k + natTarget(m)
		r.opaque(text, "not modelled")
		return item{stmt: &nf.NFTOpaqueStmt{Text: text, Why: "it sends the packet elsewhere"}, text: text}, nil
	}
	text := k + " " + compact(body)
	r.opaque(compact(v), fmt.Sprintf("unknown statement %q", k))
	return item{stmt: &nf.NFTOpaqueStmt{Text: text, Why: fmt.Sprintf("unknown statement %q", k)}, text: text}, nil
}

// natTarget prints " to ADDR device DEV" for dup, fwd and tproxy.
func natTarget(m jobj) string {
	s := ""
	if a, ok := m.get("addr"), m.has("addr"); ok {
		s += " to " + plain(a)
	}
	if d, ok := str(m, "dev"); ok {
		s += " device " + quote(d)
	}
	if p, ok := m.get("port"), m.has("port"); ok {
		s += ":" + plain(p)
	}
	return s
}

// plain prints a scalar as it is, anything else compactly.
func plain(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	if n, ok := num(v); ok {
		return fmt.Sprint(n)
	}
	return compact(v)
}

// match reads {"op", "left", "right"}.
func (r *ruleCtx) match(m jobj) (item, error) {
	op, _ := str(m, "op")
	switch op {
	case "==", "!=", "<", ">", "<=", ">=", "in", "!":
	default:
		return item{}, fmt.Errorf("unknown operator %q", op)
	}
	keys, types, ltext, err := r.key(m.get("left"))
	if err != nil {
		return item{}, err
	}
	right := m.get("right")
	if _, isBool := right.(bool); isBool && len(keys) == 1 {
		// exists / missing: fib's NFTA_FIB_F_PRESENT, or a presence
		// check of an expression farend treats as opaque.
		if f, ok := keys[0].(*nf.NFTFib); ok {
			f.Flags |= nf.FIBPresent
		}
		types = []nf.NFTType{nf.NFTBoolean}
	}
	cmp := &nf.NFTCmp{Left: keys, Op: op}
	var rtext string
	switch x := right.(type) {
	case string:
		if strings.HasPrefix(x, "@") {
			s := r.table.NFT.Sets[x[1:]]
			if s == nil {
				return item{}, fmt.Errorf("set %s does not exist", x)
			}
			cmp.Set, rtext = s, x
			break
		}
		cmp.Right, rtext, err = tuple(types, right)
	default:
		if k, body, ok := single(right); ok && k == "set" {
			cmp.Set, rtext, err = r.anonSet(body, elemSpec{key: types})
		} else {
			cmp.Right, rtext, err = tuple(types, right)
		}
	}
	if err != nil {
		return item{}, err
	}
	if _, raw := keys[0].(*nf.NFTRawPayload); raw && len(keys) == 1 && len(cmp.Right) == 1 && cmp.Right[0].Lo == cmp.Right[0].Hi {
		// nft prints the value of a raw load in hex (`@th,0,32 !=
		// 0x7b0051`).
		rtext = fmt.Sprintf("0x%x", cmp.Right[0].Lo.Num)
	}
	cmp.Text = matchText(op, m.get("left"), keys, types, ltext, rtext, cmp.Set != nil)
	return item{match: cmp, text: cmp.Text}, nil
}

// matchText prints a match as nft does (nftables src/expression.c
// relational_expr_print, must_print_eq_op; a bitmask masked and compared
// prints as `value / mask`).
func matchText(op string, left any, keys []nf.NFTExpr, types []nf.NFTType, ltext, rtext string, isSet bool) string {
	if b, ok := keys[0].(*nf.NFTBinop); ok && len(keys) == 1 && b.Op == "&" && types[0].Bitmask() && !isSet {
		if imm, ok := b.Right.(*nf.NFTImmediate); ok {
			mask := strings.Trim(strings.ReplaceAll(imm.Text, " | ", ","), "()")
			neg := ""
			if op == "!=" {
				neg = "!= "
			}
			return fmt.Sprintf("%s %s%s / %s", b.Left, neg, rtext, mask)
		}
	}
	lk, _, _ := single(left)
	_, leftBinop := binopPrec[lk]
	switch op {
	case "in":
		return ltext + " " + rtext
	case "!":
		return ltext + " ! " + rtext
	case "==":
		if leftBinop || (len(types) == 1 && types[0].Bitmask() && !isSet && !strings.Contains(rtext, ",")) {
			return ltext + " == " + rtext
		}
		return ltext + " " + rtext
	}
	return ltext + " " + op + " " + rtext
}

// anonSet reads an anonymous set {"set": [...]} (or the data of a map
// or vmap).
func (r *ruleCtx) anonSet(body any, spec elemSpec) (*nf.NFTSet, string, error) {
	l, ok := body.([]any)
	if !ok {
		return nil, "", fmt.Errorf("set is not a list: %s", compact(body))
	}
	s := &nf.NFTSet{Family: r.fam, Table: r.table.Name, Pos: r.p.pos(r.i), KeyTypes: spec.key, DataTypes: spec.data, Map: spec.isMap, Verdicts: spec.verdicts}
	for _, ev := range l {
		e, err := element(spec, ev)
		if err != nil {
			return nil, "", err
		}
		s.Add(e)
	}
	return s, s.String(), nil
}

// setRef resolves "@name" or an anonymous {"set": [...]} for a map or
// vmap.
func (r *ruleCtx) setRef(v any, spec elemSpec) (*nf.NFTSet, string, error) {
	if s, ok := v.(string); ok && strings.HasPrefix(s, "@") {
		set := r.table.NFT.Sets[s[1:]]
		if set == nil {
			return nil, "", fmt.Errorf("map %s does not exist", s)
		}
		return set, s, nil
	}
	if k, body, ok := single(v); ok && k == "set" {
		return r.anonSet(body, spec)
	}
	return nil, "", fmt.Errorf("invalid map %s", compact(v))
}

func (r *ruleCtx) vmap(m jobj) (item, error) {
	keys, types, ktext, err := r.key(m.get("key"))
	if err != nil {
		return item{}, err
	}
	set, stext, err := r.setRef(m.get("data"), elemSpec{key: types, verdicts: true, isMap: true})
	if err != nil {
		return item{}, err
	}
	text := ktext + " vmap " + stext
	return item{stmt: &nf.NFTVmap{Key: keys, Map: set, Text: text}, text: text}, nil
}

func (r *ruleCtx) queue(m jobj) item {
	text := "queue"
	if fl, ok := strList(m.get("flags")); ok && len(fl) > 0 {
		text += " flags " + strings.Join(fl, ",")
	}
	switch q := m.get("num").(type) {
	case nil:
		text += " to 0"
	default:
		if k, body, ok := single(q); ok && k == "range" {
			l, _ := body.([]any)
			if len(l) == 2 {
				text += " to " + plain(l[0]) + "-" + plain(l[1])
				break
			}
		}
		text += " to " + plain(q)
	}
	return item{stmt: &nf.NFTVerdict{Kind: nf.Queue, Text: text}, text: text}
}

func (r *ruleCtx) mangle(m jobj) (item, error) {
	key, t, ktext, err := r.expr(m.get("key"), 0)
	if err != nil {
		return item{}, err
	}
	val, vtext, err := r.operand(m.get("value"), t, 0)
	if err != nil {
		return item{}, err
	}
	text := ktext + " set " + vtext
	return item{stmt: &nf.NFTMangle{Key: key, Value: val, Text: text}, text: text}, nil
}

func (r *ruleCtx) reject(m jobj) item {
	s := &nf.NFTReject{}
	s.Type, _ = str(m, "type")
	s.Code, _ = str(m, "expr")
	if s.Type == "" {
		switch r.fam {
		case nf.IPv4:
			s.Type = "icmp"
		case nf.IPv6:
			s.Type = "icmpv6"
		default:
			s.Type = "icmpx"
		}
	}
	if s.Code == "" && s.Type != "tcp reset" {
		s.Code = "port-unreachable"
	}
	if r.fam == nf.Inet || r.fam == nf.Bridge || r.fam == nf.Netdev {
		switch s.Type {
		case "icmp":
			s.Family = nf.IPv4
		case "icmpv6":
			s.Family = nf.IPv6
		}
	}
	text := "reject"
	switch {
	case s.Type == "tcp reset":
		text += " with tcp reset"
	case s.Type == "icmpx" && s.Code == "port-unreachable":
	case s.Code == "port-unreachable" && ((s.Type == "icmp" && r.fam == nf.IPv4) || (s.Type == "icmpv6" && r.fam == nf.IPv6)):
	default:
		text += " with " + s.Type + " " + s.Code
	}
	s.Text = text
	return item{stmt: s, text: text}
}

func (r *ruleCtx) xtItem(m jobj) item {
	typ, _ := str(m, "type")
	name, _ := str(m, "name")
	x := &nf.NFTXT{Target: typ == "target", Name: name}
	r.xt++
	if x.Target {
		return item{stmt: x, text: x.String()}
	}
	return item{match: x, text: x.String()}
}

// dynset reads `add @s { key }`, `update @s { key stmts }`, `update @m {
// key : value }` and `meter name { key stmts }`.
func (r *ruleCtx) dynset(kind string, m jobj) (item, error) {
	op, _ := str(m, "op")
	name, _ := str(m, "set")
	switch kind {
	case "meter":
		op = "meter"
		name, _ = str(m, "name")
	case "map":
		name, _ = str(m, "map")
	}
	name = strings.TrimPrefix(name, "@")
	set := r.table.NFT.Sets[name]
	if set == nil {
		return item{}, fmt.Errorf("set %q does not exist", name)
	}
	set.Dynamic = true
	keyField := "elem"
	if kind == "meter" {
		keyField = "key"
	}
	keys, _, ktext, err := r.key(m.get(keyField))
	if err != nil {
		return item{}, err
	}
	d := &nf.NFTDynset{Op: op, Key: keys, Set: set}
	inner := ktext
	if kind == "map" {
		_, _, dtext, err := r.key(m.get("data"))
		if err != nil {
			dtext = plain(m.get("data"))
		}
		inner += " : " + dtext
	}
	stmts, _ := m.get("stmt").([]any)
	if m.get("stmt") != nil && stmts == nil {
		// meter has one statement, not a list.
		stmts = []any{m.get("stmt")}
	}
	for _, sv := range stmts {
		k, _, _ := single(sv)
		it, err := r.item(sv)
		if err != nil {
			return item{}, err
		}
		if l, ok := it.match.(*nf.NFTLimit); ok && k == "limit" {
			d.Limit = l
		}
		inner += " " + it.text
	}
	if kind == "meter" {
		d.Text = fmt.Sprintf("meter %s { %s }", name, inner)
	} else {
		d.Text = fmt.Sprintf("%s @%s { %s }", op, name, inner)
	}
	return item{match: d, text: d.Text}, nil
}
