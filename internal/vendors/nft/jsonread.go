package nft

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON reader for libnftables output. encoding/json's decoding
// into any builds a map per object, which dominates the load time of large
// rulesets (kube-proxy's: tens of thousands of rules, each a few objects
// of one to four keys). This reader builds an ordered slice of key/value
// pairs per object instead, and is otherwise the same: strings are
// string, numbers json.Number, true/false bool, null nil, arrays []any,
// objects jobj. It accepts exactly RFC 8259 JSON (a duplicate key keeps
// both pairs; get returns the last, as encoding/json does).

// jobj is a JSON object: its pairs in order.
type jobj []jkv

type jkv struct {
	k string
	v any
}

// get returns the value of key k (the last one), or nil.
func (o jobj) get(k string) any {
	for i := len(o) - 1; i >= 0; i-- {
		if o[i].k == k {
			return o[i].v
		}
	}
	return nil
}

// has reports whether the object has key k.
func (o jobj) has(k string) bool {
	for i := range o {
		if o[i].k == k {
			return true
		}
	}
	return false
}

// maxNesting bounds the depth of arrays and objects (encoding/json's is
// 10000; libnftables output is a few levels deep).
const maxNesting = 1000

// reader reads JSON from data.
type reader struct {
	data  []byte
	i     int
	depth int
}

func (r *reader) errf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", r.i, fmt.Sprintf(format, args...))
}

func (r *reader) space() {
	for r.i < len(r.data) {
		switch r.data[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next non-blank byte (0 at the end).
func (r *reader) peek() byte {
	r.space()
	if r.i >= len(r.data) {
		return 0
	}
	return r.data[r.i]
}

func (r *reader) expect(c byte) error {
	if r.peek() != c {
		return r.errf("expected %q", c)
	}
	r.i++
	return nil
}

// value reads any JSON value.
func (r *reader) value() (any, error) {
	switch c := r.peek(); {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		return r.str()
	case c == '-' || c >= '0' && c <= '9':
		return r.number()
	case c == 't':
		return true, r.literal("true")
	case c == 'f':
		return false, r.literal("false")
	case c == 'n':
		return nil, r.literal("null")
	case c == 0:
		return nil, r.errf("unexpected end")
	}
	return nil, r.errf("unexpected %q", r.data[r.i])
}

func (r *reader) literal(s string) error {
	if len(r.data)-r.i < len(s) || string(r.data[r.i:r.i+len(s)]) != s {
		return r.errf("expected %s", s)
	}
	r.i += len(s)
	return nil
}

func (r *reader) object() (any, error) {
	r.i++ // {
	if r.depth++; r.depth > maxNesting {
		return nil, r.errf("nested too deep")
	}
	defer func() { r.depth-- }()
	var o jobj
	if r.peek() == '}' {
		r.i++
		return o, nil
	}
	for {
		if r.peek() != '"' {
			return o, r.errf("expected a key")
		}
		k, err := r.str()
		if err != nil {
			return o, err
		}
		if err := r.expect(':'); err != nil {
			return o, err
		}
		v, err := r.value()
		if err != nil {
			return o, err
		}
		o = append(o, jkv{k, v})
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return o, nil
		default:
			return o, r.errf("expected , or }")
		}
	}
}

func (r *reader) array() (any, error) {
	r.i++ // [
	if r.depth++; r.depth > maxNesting {
		return nil, r.errf("nested too deep")
	}
	defer func() { r.depth-- }()
	a := []any{}
	if r.peek() == ']' {
		r.i++
		return a, nil
	}
	for {
		v, err := r.value()
		if err != nil {
			return a, err
		}
		a = append(a, v)
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return a, nil
		default:
			return a, r.errf("expected , or ]")
		}
	}
}

func (r *reader) number() (any, error) {
	start := r.i
	d := r.data
	if r.i < len(d) && d[r.i] == '-' {
		r.i++
	}
	digits := func() int {
		n := 0
		for r.i < len(d) && d[r.i] >= '0' && d[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	intStart := r.i
	if digits() == 0 || (d[intStart] == '0' && r.i-intStart > 1) {
		return nil, r.errf("invalid number")
	}
	if r.i < len(d) && d[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return nil, r.errf("invalid number")
		}
	}
	if r.i < len(d) && (d[r.i] == 'e' || d[r.i] == 'E') {
		r.i++
		if r.i < len(d) && (d[r.i] == '+' || d[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return nil, r.errf("invalid number")
		}
	}
	return json.Number(d[start:r.i]), nil
}

// str reads a string, unescaping it.
func (r *reader) str() (string, error) {
	r.i++ // "
	d := r.data
	start := r.i
	// Fast path: no escapes, valid UTF-8.
	for r.i < len(d) {
		c := d[r.i]
		switch {
		case c == '"':
			s := d[start:r.i]
			r.i++
			if !utf8.Valid(s) {
				return string([]rune(string(s))), nil
			}
			return string(s), nil
		case c == '\\':
			return r.slowStr(start)
		case c < 0x20:
			return "", r.errf("control character in string")
		}
		r.i++
	}
	return "", r.errf("unterminated string")
}

func (r *reader) slowStr(start int) (string, error) {
	d := r.data
	b := append([]byte(nil), d[start:r.i]...)
	for r.i < len(d) {
		c := d[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(b) {
				return string([]rune(string(b))), nil
			}
			return string(b), nil
		case c < 0x20:
			return "", r.errf("control character in string")
		case c != '\\':
			b = append(b, c)
			r.i++
			continue
		}
		r.i++
		if r.i >= len(d) {
			break
		}
		e := d[r.i]
		r.i++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			rn, ok := r.hex4()
			if !ok {
				return "", r.errf("invalid \\u escape")
			}
			if utf16.IsSurrogate(rn) {
				save := r.i
				if r.i+1 < len(d) && d[r.i] == '\\' && d[r.i+1] == 'u' {
					r.i += 2
					if rn2, ok := r.hex4(); ok {
						if dec := utf16.DecodeRune(rn, rn2); dec != utf8.RuneError {
							b = utf8.AppendRune(b, dec)
							continue
						}
					}
				}
				r.i = save
				rn = utf8.RuneError
			}
			b = utf8.AppendRune(b, rn)
		default:
			return "", r.errf("invalid escape \\%c", e)
		}
	}
	return "", r.errf("unterminated string")
}

func (r *reader) hex4() (rune, bool) {
	if len(r.data)-r.i < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(r.data[r.i:r.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	r.i += 4
	return rune(n), true
}
