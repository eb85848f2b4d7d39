package linux

import (
	"net/netip"
	"strconv"

	"farend/internal/source"
)

// obj reads the fields of one JSON object of one array element and keeps
// account of them: every field ends up used, ignored (in an explicit
// known-and-ignored set) or noted. finish notes whatever is left.
type obj struct {
	n *node
	// path prefixes keys in notes: "" for the element itself,
	// "linkinfo.info_data." or "nexthops[1]." for nested objects.
	path  string
	pos   source.Pos
	notes *source.Notes
}

func newObj(n *node, pos source.Pos, notes *source.Notes) obj {
	return obj{n: n, pos: pos, notes: notes}
}

// take returns the first unread field named key and marks it used, or nil.
// Duplicate keys are handed out in input order.
func (o obj) take(key string) *field {
	for _, f := range o.n.fields {
		if f.state == unread && f.key == key {
			f.state = used
			return f
		}
	}
	return nil
}

// has reports whether an unread field named key is left.
func (o obj) has(key string) bool {
	for _, f := range o.n.fields {
		if f.state == unread && f.key == key {
			return true
		}
	}
	return false
}

// bad reports f as not understood, with why.
func (o obj) bad(f *field, why string) {
	f.state = noted
	markAll(f.val, noted)
	o.notes.Add(o.pos, o.path+f.key+"="+f.val.String(), why)
}

// markAll sets the state of every unread field inside n, at any depth:
// a value reported or ignored as a whole accounts for its contents.
func markAll(n *node, st state) {
	for _, f := range n.fields {
		if f.state == unread {
			f.state = st
		}
		markAll(f.val, st)
	}
	for _, e := range n.elems {
		markAll(e, st)
	}
}

// str takes a string field.
func (o obj) str(key string) (string, bool) {
	f := o.take(key)
	if f == nil {
		return "", false
	}
	if f.val.kind != kString {
		o.bad(f, "expected a string")
		return "", false
	}
	return f.val.text, true
}

// uint takes an unsigned number of at most bits bits. iproute2 prints some
// numbers as strings ("table":"100", "suppress_ifgroup":"5"); both forms
// are accepted, in decimal or 0x hex.
func (o obj) uint(key string, bits int) (uint64, bool) {
	f := o.take(key)
	if f == nil {
		return 0, false
	}
	return o.uintOf(f, bits)
}

func (o obj) uintOf(f *field, bits int) (uint64, bool) {
	if f.val.kind != kNumber && f.val.kind != kString {
		o.bad(f, "expected a number")
		return 0, false
	}
	v, err := strconv.ParseUint(f.val.text, 0, bits)
	if err != nil {
		o.bad(f, "expected an unsigned number of "+strconv.Itoa(bits)+" bits")
		return 0, false
	}
	return v, true
}

// int takes a signed number.
func (o obj) int(key string) (int, bool) {
	f := o.take(key)
	if f == nil {
		return 0, false
	}
	if f.val.kind != kNumber && f.val.kind != kString {
		o.bad(f, "expected a number")
		return 0, false
	}
	v, err := strconv.ParseInt(f.val.text, 0, 32)
	if err != nil {
		o.bad(f, "expected a number")
		return 0, false
	}
	return int(v), true
}

// boolean takes a true/false field.
func (o obj) boolean(key string) (bool, bool) {
	f := o.take(key)
	if f == nil {
		return false, false
	}
	if f.val.kind != kBool {
		o.bad(f, "expected true or false")
		return false, false
	}
	return f.val.b, true
}

// flag takes a field whose presence is the information: iproute2 prints
// `"not":null`, `"l3mdev":null` (print_null) and `"secondary":true`
// (print_bool). false means absent.
func (o obj) flag(key string) bool {
	f := o.take(key)
	if f == nil {
		return false
	}
	switch f.val.kind {
	case kNull:
		return true
	case kBool:
		return f.val.b
	}
	o.bad(f, "expected null or a boolean")
	return false
}

// addr takes an IP address field.
func (o obj) addr(key string) (netip.Addr, bool) {
	f := o.take(key)
	if f == nil {
		return netip.Addr{}, false
	}
	if f.val.kind != kString {
		o.bad(f, "expected an address")
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(f.val.text)
	if err != nil || a.Zone() != "" {
		o.bad(f, "not an IP address")
		return netip.Addr{}, false
	}
	return a, true
}

// sub takes a nested object; the caller must finish it.
func (o obj) sub(key string) (obj, bool) {
	f := o.take(key)
	if f == nil {
		return obj{}, false
	}
	if f.val.kind != kObject {
		o.bad(f, "expected an object")
		return obj{}, false
	}
	return obj{n: f.val, path: o.path + key + ".", pos: o.pos, notes: o.notes}, true
}

// elem makes an obj of the i-th element of the array field key, or false
// (with a note) when that element is not an object.
func (o obj) elem(key string, i int, e *node) (obj, bool) {
	if e.kind != kObject {
		markAll(e, noted)
		o.notes.Add(o.pos, o.path+key+"["+strconv.Itoa(i)+"]="+e.String(), "expected an object")
		return obj{}, false
	}
	return obj{n: e, path: o.path + key + "[" + strconv.Itoa(i) + "].", pos: o.pos, notes: o.notes}, true
}

// arr takes an array field.
func (o obj) arr(key string) ([]*node, bool) {
	f := o.take(key)
	if f == nil {
		return nil, false
	}
	if f.val.kind != kArray {
		o.bad(f, "expected an array")
		return nil, false
	}
	return f.val.elems, true
}

// strs takes an array of strings (flags); non-strings are noted.
func (o obj) strs(key string) []string {
	elems, ok := o.arr(key)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range elems {
		if e.kind != kString {
			markAll(e, noted)
			o.notes.Add(o.pos, o.path+key+"="+e.String(), "expected a string")
			continue
		}
		out = append(out, e.text)
	}
	return out
}

// noteValue reports one value of a field (such as one unknown flag of a
// flags array) as not understood.
func (o obj) noteValue(key, value, why string) {
	o.notes.Add(o.pos, o.path+key+"="+strconv.Quote(value), why)
}

// ignore marks every unread field whose key is in set as known and
// ignored. The set's values say why; they document, nothing reads them.
func (o obj) ignore(set map[string]string) {
	for _, f := range o.n.fields {
		if f.state == unread {
			if _, ok := set[f.key]; ok {
				f.state = ignored
				markAll(f.val, ignored)
			}
		}
	}
}

// ignoreAll marks every unread field of o as known and ignored; for
// option blocks whose remaining keys farend does not model and that do
// not change where a packet goes.
func (o obj) ignoreAll() {
	for _, f := range o.n.fields {
		if f.state == unread {
			f.state = ignored
			markAll(f.val, ignored)
		}
	}
}

// finish notes every field nobody consumed or ignored.
func (o obj) finish() {
	for _, f := range o.n.fields {
		if f.state == unread {
			o.bad(f, "unknown key")
		}
	}
}
