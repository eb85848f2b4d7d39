package nft

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	nf "farend/internal/netfilter"
)

// constant reads one constant of datatype t as libnftables prints it in
// JSON (a string, a number, a boolean, a list of flags, {"|": [...]},
// {"prefix": ...}, {"range": [...]}), and returns it with its text as
// `nft list` prints it.
func constant(t nf.NFTType, v any) (nf.NFTRange, string, error) {
	switch x := v.(type) {
	case string:
		return strConst(t, x)
	case json.Number:
		n, ok := num(x)
		if !ok {
			return nf.NFTRange{}, "", fmt.Errorf("invalid number %s", x)
		}
		if t == nf.NFTIPv4Addr || t == nf.NFTIPv6Addr || t == nf.NFTIfname || t == nf.NFTString {
			return nf.NFTRange{}, "", fmt.Errorf("a number where %s was expected", t)
		}
		if t == nf.NFTOpaque {
			return opaqueConst(string(x)), string(x), nil
		}
		return nf.NFTSingle(nf.NFTNum(n)), nf.NFTFormatNum(t, n), nil
	case bool:
		n := uint64(0)
		text := "missing"
		if x {
			n, text = 1, "exists"
		}
		if t != nf.NFTBoolean && t != nf.NFTOpaque {
			text = fmt.Sprint(x)
		}
		return nf.NFTSingle(nf.NFTNum(n)), text, nil
	case []any:
		// A list of flags: their OR (ct state established,related).
		var n uint64
		parts := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				r, text, err := constant(t, e)
				if err != nil || !r.Lo.Known() || r.Lo.IsAddr() || r.Lo.Str != "" {
					return nf.NFTRange{}, "", fmt.Errorf("invalid flag list %s", compact(v))
				}
				n |= r.Lo.Num
				parts = append(parts, text)
				continue
			}
			f, ok := nf.NFTSymbol(t, s)
			if !ok {
				return nf.NFTRange{}, "", fmt.Errorf("unknown %s %q", t, s)
			}
			n |= f
			parts = append(parts, s)
		}
		return nf.NFTSingle(nf.NFTNum(n)), strings.Join(parts, ","), nil
	case jobj:
		k, body, ok := single(x)
		if !ok {
			return nf.NFTRange{}, "", fmt.Errorf("invalid value %s", compact(v))
		}
		switch k {
		case "prefix":
			m, _ := obj(body)
			if n, isNum := m.get("addr").(json.Number); isNum {
				return numPrefix(t, n, m)
			}
			a, _ := str(m, "addr")
			l, ok := numField(m, "len")
			addr, err := netip.ParseAddr(a)
			if !ok || err != nil || l > uint64(addr.BitLen()) {
				return nf.NFTRange{}, "", fmt.Errorf("invalid prefix %s", compact(body))
			}
			return nf.NFTPrefixRange(netip.PrefixFrom(addr, int(l))), fmt.Sprintf("%s/%d", addr, l), nil
		case "range":
			l, ok := body.([]any)
			if !ok || len(l) != 2 {
				return nf.NFTRange{}, "", fmt.Errorf("invalid range %s", compact(body))
			}
			lo, ltext, err := constant(t, l[0])
			if err != nil {
				return nf.NFTRange{}, "", err
			}
			hi, htext, err := constant(t, l[1])
			if err != nil {
				return nf.NFTRange{}, "", err
			}
			return nf.NFTRange{Lo: lo.Lo, Hi: hi.Hi}, ltext + "-" + htext, nil
		case "|":
			l, ok := body.([]any)
			if !ok || len(l) == 0 {
				return nf.NFTRange{}, "", fmt.Errorf("invalid value %s", compact(v))
			}
			var n uint64
			parts := make([]string, 0, len(l))
			for _, e := range l {
				r, text, err := constant(t, e)
				if err != nil {
					return nf.NFTRange{}, "", err
				}
				if !r.Lo.Known() || r.Lo.IsAddr() || r.Lo.Str != "" {
					return nf.NFTRange{}, "", fmt.Errorf("invalid value %s", compact(v))
				}
				n |= r.Lo.Num
				parts = append(parts, text)
			}
			return nf.NFTSingle(nf.NFTNum(n)), strings.Join(parts, " | "), nil
		}
	}
	return nf.NFTRange{}, "", fmt.Errorf("invalid value %s", compact(v))
}

// opaqueConst is a constant of a type farend does not model: nothing is
// known of it, so comparisons with it are undecidable.
func opaqueConst(text string) nf.NFTRange {
	v := nf.NFTValue{Unknown: ^uint64(0)}
	return nf.NFTRange{Lo: v, Hi: v}
}

// quote prints a string constant as nft does: in double quotes, as is.
func quote(s string) string { return `"` + s + `"` }

func strConst(t nf.NFTType, s string) (nf.NFTRange, string, error) {
	switch t {
	case nf.NFTIPv4Addr, nf.NFTIPv6Addr:
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" || (t == nf.NFTIPv4Addr) != a.Is4() {
			return nf.NFTRange{}, "", fmt.Errorf("invalid %s %q", t, s)
		}
		return nf.NFTSingle(nf.NFTAddr(a)), s, nil
	case nf.NFTIfname:
		// A trailing "*" is a wildcard (the kernel compares the bytes
		// before it); "\*" is a literal star (nftables src/datatype.c
		// string_type_print).
		if strings.HasSuffix(s, "*") && !strings.HasSuffix(s, `\*`) {
			p := unescapeStar(strings.TrimSuffix(s, "*"))
			return nf.NFTRange{Lo: nf.NFTStr(p), Hi: nf.NFTStr(p), Wildcard: true}, quote(s), nil
		}
		return nf.NFTSingle(nf.NFTStr(unescapeStar(s))), quote(s), nil
	case nf.NFTIfindex:
		if n, err := strconv.ParseUint(s, 10, 32); err == nil {
			if n == 0 {
				return nf.NFTSingle(nf.NFTNum(0)), s, nil
			}
			// An index nft could not name: the device is gone, or
			// farend cannot map it.
			return opaqueConst(s), s, nil
		}
		return nf.NFTSingle(nf.NFTStr(s)), quote(s), nil
	case nf.NFTString:
		return nf.NFTSingle(nf.NFTStr(s)), quote(s), nil
	case nf.NFTOpaque:
		return opaqueConst(s), s, nil
	case nf.NFTMark:
		n, ok := nf.NFTSymbol(t, s)
		if !ok {
			return nf.NFTRange{}, "", fmt.Errorf("invalid mark %q", s)
		}
		return nf.NFTSingle(nf.NFTNum(n)), nf.NFTFormatNum(t, n), nil
	}
	n, ok := nf.NFTSymbol(t, s)
	if !ok {
		return nf.NFTRange{}, "", fmt.Errorf("unknown %s %q", t, s)
	}
	return nf.NFTSingle(nf.NFTNum(n)), s, nil
}

func unescapeStar(s string) string { return strings.ReplaceAll(s, `\*`, "*") }

// tuple reads a value of a (possibly concatenated) key: {"concat": [...]}
// for several types, one constant otherwise.
func tuple(types []nf.NFTType, v any) ([]nf.NFTRange, string, error) {
	if k, body, ok := single(v); ok && k == "concat" {
		l, ok := body.([]any)
		if !ok || len(l) != len(types) {
			return nil, "", fmt.Errorf("concatenation %s does not fit the key's %d parts", compact(v), len(types))
		}
		out := make([]nf.NFTRange, len(l))
		parts := make([]string, len(l))
		for i, e := range l {
			r, text, err := constant(types[i], e)
			if err != nil {
				return nil, "", err
			}
			out[i], parts[i] = r, text
		}
		return out, strings.Join(parts, " . "), nil
	}
	if len(types) != 1 {
		return nil, "", fmt.Errorf("value %s for a concatenation of %d parts", compact(v), len(types))
	}
	r, text, err := constant(types[0], v)
	if err != nil {
		return nil, "", err
	}
	return []nf.NFTRange{r}, text, nil
}

// verdict reads a verdict ({"accept": null}, {"jump": {"target": "x"}}).
func verdict(v any) (nf.Verdict, string, error) {
	k, body, ok := single(v)
	if !ok {
		return nf.Verdict{}, "", fmt.Errorf("invalid verdict %s", compact(v))
	}
	switch k {
	case "accept":
		return nf.Verdict{Kind: nf.Accept}, k, nil
	case "drop":
		return nf.Verdict{Kind: nf.Drop}, k, nil
	case "return":
		return nf.Verdict{Kind: nf.Return}, k, nil
	case "continue":
		return nf.Verdict{}, k, nil
	case "jump", "goto":
		m, _ := obj(body)
		t, ok := str(m, "target")
		if !ok || t == "" {
			return nf.Verdict{}, "", fmt.Errorf("invalid %s %s", k, compact(body))
		}
		kind := nf.Jump
		if k == "goto" {
			kind = nf.Goto
		}
		return nf.Verdict{Kind: kind, Chain: t}, k + " " + t, nil
	}
	return nf.Verdict{}, "", fmt.Errorf("invalid verdict %s", compact(v))
}

// elemSpec says how to read the elements of a set.
type elemSpec struct {
	key, data []nf.NFTType
	verdicts  bool
	isMap     bool
}

// element reads one set or map element: a key (value, prefix, range,
// concatenation, possibly wrapped in {"elem": {"val": ...}}) and, in a
// map, [key, data].
func element(spec elemSpec, v any) (nf.NFTElem, error) {
	var e nf.NFTElem
	keyv, datav := v, any(nil)
	if spec.isMap {
		l, ok := v.([]any)
		if !ok || len(l) != 2 {
			return e, fmt.Errorf("map element %s is not [key, value]", compact(v))
		}
		keyv, datav = l[0], l[1]
	}
	comment := ""
	if k, body, ok := single(keyv); ok && k == "elem" {
		m, _ := obj(body)
		keyv = m.get("val")
		comment, _ = str(m, "comment")
	}
	key, text, err := tuple(spec.key, keyv)
	if err != nil {
		return e, err
	}
	e.Key = key
	if spec.isMap {
		if spec.verdicts {
			vd, vtext, err := verdict(datav)
			if err != nil {
				return e, err
			}
			e.Verdict = vd
			text += " : " + vtext
		} else {
			d, dtext, err := tuple(spec.data, datav)
			if err != nil {
				return e, err
			}
			for _, r := range d {
				e.Data = append(e.Data, r.Lo)
			}
			text += " : " + dtext
		}
	}
	if comment != "" {
		text += " comment " + quote(comment)
	}
	e.Text = text
	return e, nil
}

// numPrefix reads a prefix of a number, {"addr": 65536, "len": 16}: nft
// lists `meta mark & 0xffff0000 == 0x10000` as `meta mark
// 0x00010000/16` (nftables src/netlink_delinearize.c
// relational_binop_postprocess turns a bitwise AND with a prefix mask and
// a compare into a prefix); the kernel runs `bitwise reg & mask` and `cmp
// eq`, so the values that match are those from addr & mask to addr with
// every bit below the prefix set. The length counts from the top of the
// type's width, so only types of a known width are read.
func numPrefix(t nf.NFTType, addr json.Number, m jobj) (nf.NFTRange, string, error) {
	width := nftTypeBits[t]
	a, ok1 := num(addr)
	l, ok2 := numField(m, "len")
	if width == 0 || !ok1 || !ok2 || l > uint64(width) {
		return nf.NFTRange{}, "", fmt.Errorf("invalid prefix %s of %s", compact(m), t)
	}
	all := uint64(1)<<width - 1
	mask := all &^ (uint64(1)<<(uint64(width)-l) - 1)
	lo := a & mask
	return nf.NFTRange{Lo: nf.NFTNum(lo), Hi: nf.NFTNum(lo | (all &^ mask))}, fmt.Sprintf("%s/%d", nf.NFTFormatNum(t, a), l), nil
}

// nftTypeBits are the widths of the integer types nft may list with a
// prefix (nftables src/datatype.c, ct.c, meta.c, proto.c: each type's
// size); plain integers have the width of their expression, which the
// type does not tell.
var nftTypeBits = map[nf.NFTType]int{
	nf.NFTMark: 32, nf.NFTCtState: 32, nf.NFTCtStatus: 32, nf.NFTIfindex: 32,
	nf.NFTInetService: 16, nf.NFTEtherType: 16,
	nf.NFTInetProto: 8, nf.NFTTCPFlag: 8, nf.NFTICMPType: 8, nf.NFTICMPCode: 8,
	nf.NFTICMPv6Type: 8, nf.NFTICMPv6Code: 8, nf.NFTPktType: 8, nf.NFTNFProto: 8,
	nf.NFTCtDir: 8,
}
