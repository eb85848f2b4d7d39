// Package source names places in snapshot files and collects what the
// parsers could not understand, so that nothing is dropped silently.
package source

import (
	"fmt"
	"sort"
)

// Pos is a place in an input file. Line is 1-based; for JSON arrays that
// tools print on one line, Index is the 0-based element instead and Line is
// 0.
//
// The zero Pos means "no position" (a value farend made up, such as a
// chain's default policy or a built-in default).
type Pos struct {
	File  string `json:"file,omitempty"`
	Line  int    `json:"line,omitempty"`
	Index int    `json:"index,omitempty"`
}

// IsZero reports whether p names no place.
func (p Pos) IsZero() bool { return p.File == "" }

// String prints "file:line", or "file[index]" for a JSON element.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line > 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s[%d]", p.File, p.Index)
	}
}

// Note is something a parser met and did not (fully) understand.
type Note struct {
	Pos Pos `json:"pos"`
	// Text is the input (already redacted of secrets by the parser) or a
	// description of what was not understood.
	Text string `json:"text"`
	// Why says what was not understood, e.g. "unknown match module".
	Why string `json:"why,omitempty"`
}

// String prints "file:line: not understood: text (why)".
func (n Note) String() string {
	s := fmt.Sprintf("%s: not understood: %s", n.Pos, n.Text)
	if n.Why != "" {
		s += " (" + n.Why + ")"
	}
	return s
}

// Notes is an ordered list of notes.
type Notes []Note

// Add appends a note.
func (ns *Notes) Add(p Pos, text, why string) {
	*ns = append(*ns, Note{Pos: p, Text: text, Why: why})
}

// Sort orders notes by file, line and index.
func (ns Notes) Sort() {
	sort.SliceStable(ns, func(i, j int) bool {
		a, b := ns[i].Pos, ns[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Index < b.Index
	})
}
