package cisco

import (
	"strings"

	"farend/internal/model"
	"farend/internal/source"
	secrets "farend/internal/vendors/secret"
)

// Line states.
const (
	Unmarked   uint8 = iota // nothing has claimed the line yet
	Understood              // read into the model, or nothing to read
	Noted                   // reported as not understood
)

// Line is one input line, already redacted and split into words.
type Line struct {
	Num    int
	Indent int
	Words  []string
	Kids   []*Line
	State  uint8 // Unmarked, Understood or Noted
}

// Text is the line's words joined by spaces.
func (l *Line) Text() string { return strings.Join(l.Words, " ") }

// Word returns the i-th word or "".
func (l *Line) Word(i int) string {
	if i < len(l.Words) {
		return l.Words[i]
	}
	return ""
}

// Lines holds the lines of one file, their nesting and the notes on them.
type Lines struct {
	File  string
	All   []*Line // every line, in order
	Roots []*Line // the lines at the top of the nesting
	Notes source.Notes
}

// Pos is where l stands.
func (d *Lines) Pos(l *Line) source.Pos { return source.Pos{File: d.File, Line: l.Num} }

// OK marks l understood.
func (d *Lines) OK(l *Line) {
	if l.State == Unmarked {
		l.State = Understood
	}
}

// OKAll marks l and all its descendants understood.
func (d *Lines) OKAll(l *Line) {
	d.OK(l)
	for _, k := range l.Kids {
		d.OKAll(k)
	}
}

// Bad reports l as not understood, with why.
func (d *Lines) Bad(l *Line, why string) {
	if l.State == Noted {
		return
	}
	l.State = Noted
	d.Notes.Add(d.Pos(l), l.Text(), why)
}

// BadAll reports l and its descendants.
func (d *Lines) BadAll(l *Line, why string) {
	d.Bad(l, why)
	for _, k := range l.Kids {
		d.BadAll(k, why)
	}
}

// Mark marks l understood, or reports it with n.
func (d *Lines) Mark(l *Line, n Note) {
	switch {
	case n.Why == "":
		d.OK(l)
	case n.Subtree:
		d.BadAll(l, n.Why)
	default:
		d.Bad(l, n.Why)
	}
}

// Finish reports every line nothing claimed as an unknown command and
// returns how many lines are understood.
func (d *Lines) Finish() int {
	n := 0
	for _, l := range d.All {
		if l.State == Unmarked {
			d.Bad(l, "unknown command")
		}
		if l.State == Understood {
			n++
		}
	}
	return n
}

// Add appends the next line, numbered after the last.
func (d *Lines) Add() *Line {
	l := &Line{Num: len(d.All) + 1}
	d.All = append(d.All, l)
	return l
}

// Split reads the raw text s of l: its indentation, and its words,
// redacted, with a secret recorded in r. It returns the text after the
// indentation, and false when l is understood as it stands: blank, a
// comment, `end`, or the banner `show running-config` prints.
func (d *Lines) Split(l *Line, s string, r *model.Router) (string, bool) {
	indent := 0
	for indent < len(s) && (s[indent] == ' ' || s[indent] == '\t') {
		indent++
	}
	t := s[indent:]
	if t == "" || t[0] == '!' || t[0] == '#' || t == "end" ||
		strings.HasPrefix(t, "Building configuration") || strings.HasPrefix(t, "Current configuration") {
		l.State = Understood
		return t, false
	}
	l.Indent = indent
	l.Words = strings.Fields(t)
	if len(l.Words) == 0 {
		l.State = Understood // other white space only
		return t, false
	}
	var secret string
	if l.Words, secret = secrets.Redact(l.Words); secret != "" {
		r.Secrets = append(r.Secrets, model.Secret{What: secret, Pos: d.Pos(l)})
	}
	return t, true
}

// Nest places l under the nearest line of stack indented less, or among
// the roots, and returns the stack with l on top.
func (d *Lines) Nest(stack []*Line, l *Line) []*Line {
	for len(stack) > 0 && stack[len(stack)-1].Indent >= l.Indent {
		stack = stack[:len(stack)-1]
	}
	if len(stack) == 0 {
		d.Roots = append(d.Roots, l)
	} else {
		par := stack[len(stack)-1]
		par.Kids = append(par.Kids, l)
	}
	return append(stack, l)
}
