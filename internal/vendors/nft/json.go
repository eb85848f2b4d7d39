package nft

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The JSON of libnftables, as the reader of jsonread.go returns it:
// objects are jobj, arrays []any, numbers json.Number, plus string, bool
// and nil. These helpers read it without ever panicking.

// obj returns v as an object.
func obj(v any) (jobj, bool) {
	m, ok := v.(jobj)
	return m, ok
}

// single returns the only key of a one-key object ({"payload": {...}}).
func single(v any) (string, any, bool) {
	m, ok := obj(v)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	return m[0].k, m[0].v, true
}

// str returns m's value of k as a string.
func str(m jobj, k string) (string, bool) {
	s, ok := m.get(k).(string)
	return s, ok
}

// num returns v as an unsigned integer.
func num(v any) (uint64, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.ParseUint(string(x), 10, 64)
		if err != nil {
			f, err := x.Float64()
			if err != nil || f < 0 || f > 1<<63 || f != float64(uint64(f)) {
				return 0, false
			}
			return uint64(f), true
		}
		return n, true
	case float64:
		if x < 0 || x > 1<<63 || x != float64(uint64(x)) {
			return 0, false
		}
		return uint64(x), true
	}
	return 0, false
}

// inum returns v as a signed integer (chain priorities).
func inum(v any) (int64, bool) {
	if x, ok := v.(json.Number); ok {
		n, err := strconv.ParseInt(string(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// numField returns m[k] as an unsigned integer.
func numField(m jobj, k string) (uint64, bool) {
	return num(m.get(k))
}

// strList returns v as a list of strings: a string is a list of one
// (libnftables prints one flag as a string, several as an array).
func strList(v any) ([]string, bool) {
	switch x := v.(type) {
	case nil:
		return nil, true
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// compact prints v as JSON on one line, keys sorted, for notes. Long
// values are cut.
func compact(v any) string {
	var b strings.Builder
	writeCompact(&b, v, 0)
	s := b.String()
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

func writeCompact(b *strings.Builder, v any, depth int) {
	if depth > 20 || b.Len() > 400 {
		b.WriteString("…")
		return
	}
	switch x := v.(type) {
	case jobj:
		b.WriteByte('{')
		for i, kv := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%q: ", kv.k)
			writeCompact(b, kv.v, depth+1)
		}
		b.WriteByte('}')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "%q: ", k)
			writeCompact(b, x[k], depth+1)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeCompact(b, e, depth+1)
		}
		b.WriteByte(']')
	case string:
		fmt.Fprintf(b, "%q", x)
	case json.Number:
		b.WriteString(string(x))
	case nil:
		b.WriteString("null")
	default:
		fmt.Fprint(b, x)
	}
}
