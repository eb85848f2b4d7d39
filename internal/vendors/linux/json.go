package linux

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"farend/internal/source"
)

// kind is the JSON type of a node.
type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kObject
	kArray
)

// node is one decoded JSON value. Objects keep their keys in input order
// and keep duplicates: iproute2 prints some keys twice in one object (a
// route with `encap ip` has the route's "dst" and then the tunnel's "dst",
// ip/iproute_lwtunnel.c), so a map would lose data.
type node struct {
	kind   kind
	text   string // string value, or the literal of a number
	b      bool
	fields []*field
	elems  []*node
}

// state records what the parser did with a field, so that nothing is
// dropped silently (DESIGN.md house style 6).
type state uint8

const (
	unread  state = iota // nobody looked at it yet
	used                 // consumed into the model
	ignored              // in a known-and-ignored set (display only, derived)
	noted                // reported in the notes
)

// field is one key/value pair of an object.
type field struct {
	key   string
	val   *node
	state state
}

// maxDepth bounds nesting; iproute2 never nests deeper than 5.
const maxDepth = 32

// decodeArray reads the top-level JSON array that `ip -j` prints and
// returns its elements. On malformed input it returns the elements read so
// far and a note; it never panics.
func decodeArray(file string, data []byte) ([]*node, source.Notes) {
	var notes source.Notes
	if len(bytes.TrimSpace(data)) == 0 {
		notes.Add(source.Pos{File: file}, "empty file", "expected a JSON array")
		return nil, notes
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		notes.Add(source.Pos{File: file}, firstLine(data), "not a JSON array")
		return nil, notes
	}
	// Several arrays one after another (the outputs of two commands in one
	// file) are read as one.
	var elems []*node
	for {
		for dec.More() {
			n, err := readValue(dec, 0)
			if err != nil {
				notes.Add(source.Pos{File: file, Index: len(elems)}, "malformed JSON",
					fmt.Sprintf("at byte %d: %v; elements from here on are lost", dec.InputOffset(), err))
				return elems, notes
			}
			elems = append(elems, n)
		}
		if _, err := dec.Token(); err != nil { // the closing ']'
			notes.Add(source.Pos{File: file, Index: len(elems)}, "malformed JSON",
				fmt.Sprintf("at byte %d: %v", dec.InputOffset(), err))
			return elems, notes
		}
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			return elems, notes
		}
		if err != nil || tok != json.Delim('[') {
			notes.Add(source.Pos{File: file, Index: len(elems)}, firstLine(data[min(int(off), len(data)):]),
				fmt.Sprintf("trailing data after the JSON array at byte %d", off))
			return elems, notes
		}
	}
}

var errDepth = errors.New("nesting too deep")

func readValue(dec *json.Decoder, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errDepth
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &node{kind: kNull}, nil
	case bool:
		return &node{kind: kBool, b: t}, nil
	case json.Number:
		return &node{kind: kNumber, text: string(t)}, nil
	case string:
		return &node{kind: kString, text: t}, nil
	case json.Delim:
		switch t {
		case '{':
			n := &node{kind: kObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", kt)
				}
				v, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, &field{key: key, val: v})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '[':
			n := &node{kind: kArray}
			for dec.More() {
				v, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// String renders n as compact JSON, for notes.
func (n *node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	if n == nil {
		b.WriteString("null")
		return
	}
	switch n.kind {
	case kNull:
		b.WriteString("null")
	case kBool:
		b.WriteString(strconv.FormatBool(n.b))
	case kNumber:
		b.WriteString(n.text)
	case kString:
		b.WriteString(strconv.Quote(n.text))
	case kObject:
		b.WriteByte('{')
		for i, f := range n.fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Quote(f.key))
			b.WriteByte(':')
			f.val.write(b)
		}
		b.WriteByte('}')
	case kArray:
		b.WriteByte('[')
		for i, e := range n.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			e.write(b)
		}
		b.WriteByte(']')
	}
}

// firstLine returns the start of data for a note, at most 80 bytes.
func firstLine(data []byte) string {
	s := string(data)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return strconv.Quote(s)
}
