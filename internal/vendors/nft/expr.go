package nft

import (
	"fmt"
	"strings"

	nf "farend/internal/netfilter"
)

// maxDepth bounds the nesting of expressions farend follows.
const maxDepth = 32

// key reads an expression in key position (the left of a match, the key
// of a map or set statement): several expressions for a concatenation.
func (r *ruleCtx) key(v any) ([]nf.NFTExpr, []nf.NFTType, string, error) {
	if k, body, ok := single(v); ok && k == "concat" {
		l, ok := body.([]any)
		if !ok || len(l) == 0 {
			return nil, nil, "", fmt.Errorf("invalid concatenation %s", compact(v))
		}
		var exprs []nf.NFTExpr
		var types []nf.NFTType
		parts := make([]string, 0, len(l))
		for _, e := range l {
			x, t, text, err := r.expr(e, 1)
			if err != nil {
				return nil, nil, "", err
			}
			exprs, types, parts = append(exprs, x), append(types, t), append(parts, text)
		}
		return exprs, types, strings.Join(parts, " . "), nil
	}
	x, t, text, err := r.expr(v, 0)
	if err != nil {
		return nil, nil, "", err
	}
	return []nf.NFTExpr{x}, []nf.NFTType{t}, text, nil
}

// binopPrec is nftables' operator precedence for printing (src/
// expression.c binop_arg_print: an operand of lower precedence is put in
// parentheses).
var binopPrec = map[string]int{"<<": 4, ">>": 4, "&": 3, "^": 2, "|": 1}

// expr reads one expression that loads a value. Expressions farend does
// not evaluate become NFTOpaqueExpr (Maybe when loaded); err is set only
// for malformed JSON.
func (r *ruleCtx) expr(v any, depth int) (nf.NFTExpr, nf.NFTType, string, error) {
	if depth > maxDepth {
		return nil, 0, "", fmt.Errorf("expression nested too deep")
	}
	k, body, ok := single(v)
	if !ok {
		return nil, 0, "", fmt.Errorf("not an expression: %s", compact(v))
	}
	m, _ := obj(body)
	switch k {
	case "payload":
		proto, hasProto := str(m, "protocol")
		field, _ := str(m, "field")
		if !hasProto {
			base, _ := str(m, "base")
			off, _ := numField(m, "offset")
			l, _ := numField(m, "len")
			text := fmt.Sprintf("@%s,%d,%d", base, off, l)
			if (base == "nh" || base == "th") && l > 0 && l <= 64 && off < 1<<16 {
				e := &nf.NFTRawPayload{Base: base, Offset: int(off), Len: int(l)}
				return e, nf.NFTInteger, text, nil
			}
			return &nf.NFTOpaqueExpr{Text: text, Why: "a raw payload expression is not modelled", Typ: nf.NFTOpaque}, nf.NFTOpaque, text, nil
		}
		if field == "" {
			return nil, 0, "", fmt.Errorf("payload without a field: %s", compact(v))
		}
		t := nf.NFTPayloadType(proto, field)
		if t == nf.NFTOpaque {
			text := proto + " " + field
			r.opaque(text, fmt.Sprintf("farend does not model %s headers", proto))
			return &nf.NFTOpaqueExpr{Text: text, Why: fmt.Sprintf("farend does not model %s headers", proto), Typ: t}, t, text, nil
		}
		e := &nf.NFTPayload{Proto: proto, Field: field}
		return e, t, e.String(), nil
	case "meta":
		key, _ := str(m, "key")
		if key == "" {
			return nil, 0, "", fmt.Errorf("meta without a key: %s", compact(v))
		}
		e := &nf.NFTMeta{Key: key}
		return e, nf.NFTMetaType(key), e.String(), nil
	case "ct":
		key, _ := str(m, "key")
		if key == "" {
			return nil, 0, "", fmt.Errorf("ct without a key: %s", compact(v))
		}
		dir, _ := str(m, "dir")
		if fam, ok := str(m, "family"); ok && fam != "" {
			key = fam + " " + key
		}
		e := &nf.NFTCt{Key: key, Dir: dir}
		return e, nf.NFTCtType(key), e.String(), nil
	case "fib":
		res, _ := str(m, "result")
		flags, ok := strList(m.get("flags"))
		if !ok || res == "" {
			return nil, 0, "", fmt.Errorf("invalid fib: %s", compact(v))
		}
		e := &nf.NFTFib{Result: res}
		for _, f := range flags {
			switch f {
			case "saddr":
				e.Flags |= nf.FIBSaddr
			case "daddr":
				e.Flags |= nf.FIBDaddr
			case "mark":
				e.Flags |= nf.FIBMark
			case "iif":
				e.Flags |= nf.FIBIIF
			case "oif":
				e.Flags |= nf.FIBOIF
			default:
				return nil, 0, "", fmt.Errorf("unknown fib flag %q", f)
			}
		}
		return e, e.Type(), e.String(), nil
	case "&", "|", "^", "<<", ">>":
		l, ok := body.([]any)
		if !ok || len(l) != 2 {
			return nil, 0, "", fmt.Errorf("invalid %s: %s", k, compact(v))
		}
		left, lt, ltext, err := r.expr(l[0], depth+1)
		if err != nil {
			return nil, 0, "", err
		}
		rt := lt
		if k == "<<" || k == ">>" {
			rt = nf.NFTInteger
		}
		right, rtext, err := r.operand(l[1], rt, depth+1)
		if err != nil {
			return nil, 0, "", err
		}
		ltext = parens(l[0], k, ltext)
		rtext = parens(l[1], k, rtext)
		text := ltext + " " + k + " " + rtext
		return &nf.NFTBinop{Op: k, Left: left, Right: right, Text: text}, lt, text, nil
	case "numgen":
		mode, _ := str(m, "mode")
		mod, _ := numField(m, "mod")
		off, _ := numField(m, "offset")
		text := fmt.Sprintf("numgen %s mod %d", mode, mod)
		if off != 0 {
			text += fmt.Sprintf(" offset %d", off)
		}
		return &nf.NFTNumgen{Mode: mode, Mod: mod, Offset: off, Text: text}, nf.NFTInteger, text, nil
	case "jhash", "symhash":
		text := k
		if k == "jhash" {
			_, _, etext, err := r.expr(m.get("expr"), depth+1)
			if err != nil {
				etext = compact(m.get("expr"))
			}
			text += " " + etext
		}
		mod, _ := numField(m, "mod")
		text += fmt.Sprintf(" mod %d", mod)
		if seed, ok := numField(m, "seed"); ok && seed != 0 {
			text += fmt.Sprintf(" seed 0x%x", seed)
		}
		if off, _ := numField(m, "offset"); off != 0 {
			text += fmt.Sprintf(" offset %d", off)
		}
		return &nf.NFTOpaqueExpr{Text: text, Why: "a hash of the packet farend does not compute"}, nf.NFTInteger, text, nil
	case "rt", "socket", "osf", "ipsec", "exthdr", "tcp option", "ip option", "sctp chunk", "dccp option":
		text := opaqueText(k, m)
		r.opaque(text, "not modelled")
		return &nf.NFTOpaqueExpr{Text: text, Why: "farend does not model it", Typ: nf.NFTOpaque}, nf.NFTOpaque, text, nil
	}
	return nil, 0, "", fmt.Errorf("unknown expression %q", k)
}

// operand reads the right operand of a bitwise operation: an expression
// or a constant of type t.
func (r *ruleCtx) operand(v any, t nf.NFTType, depth int) (nf.NFTExpr, string, error) {
	if k, body, ok := single(v); ok && k == "map" {
		return r.mapExpr(body, t)
	}
	if isExpr(v) {
		e, _, text, err := r.expr(v, depth)
		return e, text, err
	}
	c, text, err := constant(t, v)
	if err != nil {
		return nil, "", err
	}
	if t.Bitmask() {
		if l, ok := v.([]any); ok && len(l) > 1 {
			text = "(" + strings.ReplaceAll(text, ",", " | ") + ")"
		}
	}
	return &nf.NFTImmediate{Value: c.Lo, Typ: t, Text: text}, text, nil
}

// isExpr reports whether v is an expression that loads a value (rather
// than a constant).
func isExpr(v any) bool {
	k, _, ok := single(v)
	if !ok {
		return false
	}
	switch k {
	case "payload", "meta", "ct", "fib", "&", "|", "^", "<<", ">>", "numgen", "jhash", "symhash",
		"rt", "socket", "osf", "ipsec", "exthdr", "tcp option", "ip option", "sctp chunk", "dccp option", "concat", "map":
		return true
	}
	return false
}

// parens puts an operand of lower precedence than op in parentheses.
func parens(v any, op, text string) string {
	k, _, ok := single(v)
	if !ok {
		return text
	}
	if p, isOp := binopPrec[k]; isOp && p < binopPrec[op] {
		return "(" + text + ")"
	}
	return text
}

// opaqueText prints an expression farend does not model, close to nft.
func opaqueText(k string, m jobj) string {
	key, _ := str(m, "key")
	switch k {
	case "rt":
		if f, ok := str(m, "family"); ok && f != "" {
			return "rt " + f + " " + key
		}
		return "rt " + key
	case "socket", "ipsec":
		return k + " " + key
	case "osf":
		s := "osf"
		if ttl, ok := str(m, "ttl"); ok {
			s += " ttl " + ttl
		}
		return s + " " + key
	case "exthdr", "tcp option", "ip option", "sctp chunk", "dccp option":
		name, _ := str(m, "name")
		s := k + " " + name
		if f, ok := str(m, "field"); ok {
			s += " " + f
		}
		return strings.TrimSpace(s)
	}
	return k + " " + compact(m)
}

// mapExpr reads a map lookup used as a value of type t ({"map": {"key":
// K, "data": "@m" or {"set": [[k, v] ...]}}}: `meta mark set tcp dport
// map { 80 : 0x1 }`).
func (r *ruleCtx) mapExpr(body any, t nf.NFTType) (nf.NFTExpr, string, error) {
	m, _ := obj(body)
	keys, types, ktext, err := r.key(m.get("key"))
	if err != nil {
		return nil, "", err
	}
	data := []nf.NFTType{t}
	if name, ok := m.get("data").(string); ok && strings.HasPrefix(name, "@") {
		if set := r.table.NFT.Sets[name[1:]]; set != nil && len(set.DataTypes) > 0 {
			data = set.DataTypes
		}
	}
	set, stext, err := r.setRef(m.get("data"), elemSpec{key: types, data: data, isMap: true})
	if err != nil {
		return nil, "", err
	}
	text := ktext + " map " + stext
	return &nf.NFTMapExpr{Key: keys, Map: set, Typ: data[0], Text: text}, text, nil
}
