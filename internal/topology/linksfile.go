package topology

import (
	"strconv"
	"strings"

	"farend/internal/source"
)

// LinksFile is a parsed links.yaml: links farend cannot infer from
// addressing (re-used or link-local address space, a tunnel whose far end
// is NATed) and inferred links that are wrong. The format is a small,
// fixed subset of YAML:
//
//	# comments run to the end of the line
//	links:                      # links to add
//	  - a: fc20:sit1            # NODE:IFACE, as `farend parse` names them
//	    b: r1:Tunnel0
//	    why: NATed 6in4 tunnel  # optional, printed with the link
//	  - {a: sw1:eth0, b: sw2:eth0}
//	remove:                     # inferred links to drop
//	  - a: r1:GigabitEthernet0/4
//	    b: r2:eth4
//	  - a: r1:GigabitEthernet0/5  # no b: every link and segment of the interface
//
// NODE is split from IFACE at the first colon; values may be quoted ("..."
// or '...'). Removals apply before additions, so a removal and an addition
// together override what was inferred. Every line is either understood or
// reported as `links.yaml:N: not understood: ...`.
type LinksFile struct {
	File   string
	Add    []LinkSpec
	Remove []LinkSpec
	Notes  source.Notes
	// Lines counts the lines that are neither blank nor comments;
	// Understood of them were understood, the others are in Notes.
	Lines, Understood int
}

// LinkSpec is one entry of links.yaml.
type LinkSpec struct {
	A Endpoint
	// B is zero in a removal that detaches A from everything.
	B   Endpoint
	Why string
	Pos source.Pos
}

// ParseLinksFile parses links.yaml; file names it in positions.
func ParseLinksFile(file string, data []byte) *LinksFile {
	lines := strings.Split(string(data), "\n")
	p := &linksParser{f: &LinksFile{File: file}, state: make([]int8, len(lines)+1)}
	for i, l := range lines {
		p.line(i+1, strings.TrimSuffix(l, "\r"))
	}
	p.flush()
	for _, s := range p.state {
		switch s {
		case lineOK:
			p.f.Lines++
			p.f.Understood++
		case lineNoted:
			p.f.Lines++
		}
	}
	p.f.Notes.Sort()
	return p.f
}

const (
	lineBlank int8 = iota
	lineOK
	lineNoted
)

type linksParser struct {
	f       *LinksFile
	state   []int8
	section string // "links", "remove", "?" (unknown) or "" (none yet)
	started bool
	cur     *linkItem
}

// linkItem is a list entry being read.
type linkItem struct {
	spec      LinkSpec
	line      int
	dash      int // indentation of the "-"
	keyIndent int // indentation of the keys; -1 until known
	closed    bool
	bad       bool
	seen      map[string]bool
}

func (p *linksParser) note(n int, text, why string) {
	p.state[n] = lineNoted
	p.f.Notes.Add(source.Pos{File: p.f.File, Line: n}, text, why)
}

func (p *linksParser) line(n int, raw string) {
	content := strings.TrimRight(stripComment(raw), " \t")
	if strings.TrimSpace(content) == "" {
		return
	}
	p.state[n] = lineOK
	body := strings.TrimLeft(content, " ")
	indent := len(content) - len(body)
	if strings.HasPrefix(body, "\t") {
		p.note(n, strings.TrimSpace(content), "tab in the indentation (YAML indents with spaces)")
		return
	}
	if !p.started && indent == 0 && body == "---" {
		p.started = true
		return
	}
	p.started = true
	if body == "-" || strings.HasPrefix(body, "- ") {
		p.item(n, indent, body)
		return
	}
	if indent == 0 {
		p.flush()
		key, val, ok := cutKey(body)
		switch {
		case !ok:
			p.section = "?"
			p.note(n, body, "expected links: or remove:")
		case key != "links" && key != "remove":
			p.section = "?"
			p.note(n, body, "unknown section: expected links: or remove:")
		case val != "" && val != "[]":
			p.section = key
			p.note(n, body, "expected the list on the following lines")
		default:
			p.section = key
		}
		return
	}
	c := p.cur
	if c == nil || c.closed || indent <= c.dash {
		p.note(n, body, "expected a list entry (- a: NODE:IFACE)")
		return
	}
	if c.keyIndent < 0 {
		c.keyIndent = indent
	} else if indent != c.keyIndent {
		p.note(n, body, "indentation does not line up with the entry's other keys: ignored")
		return
	}
	p.keyValue(n, body)
}

// item starts a list entry: "- a: X", "- {a: X, b: Y}" or "-" with the
// keys on the following lines.
func (p *linksParser) item(n, indent int, body string) {
	p.flush()
	switch p.section {
	case "":
		p.note(n, body, "list entry before links: or remove:")
		return
	case "?":
		p.note(n, body, "list entry in an unknown section")
		return
	}
	rest := strings.TrimLeft(body[1:], " ")
	c := &linkItem{line: n, dash: indent, keyIndent: -1, seen: map[string]bool{}}
	c.spec.Pos = source.Pos{File: p.f.File, Line: n}
	p.cur = c
	switch {
	case rest == "":
	case strings.HasPrefix(rest, "{"):
		c.closed = true
		if !strings.HasSuffix(rest, "}") {
			p.note(n, body, "flow mapping without a closing }")
			c.bad = true
			return
		}
		for _, kv := range strings.Split(rest[1:len(rest)-1], ",") {
			if strings.TrimSpace(kv) == "" {
				continue
			}
			if !p.keyValue(n, strings.TrimSpace(kv)) {
				return
			}
		}
	default:
		c.keyIndent = indent + len(body) - len(rest)
		p.keyValue(n, rest)
	}
}

// keyValue reads one "key: value" of the current entry.
func (p *linksParser) keyValue(n int, s string) bool {
	c := p.cur
	key, val, ok := cutKey(s)
	if !ok {
		p.note(n, s, "expected key: value")
		c.bad = true
		return false
	}
	if c.seen[key] {
		p.note(n, s, key+" given twice: the first one counts")
		return true
	}
	c.seen[key] = true
	v, ok := unquote(val)
	if !ok {
		p.note(n, s, "badly quoted value")
		c.bad = true
		return false
	}
	switch key {
	case "a", "b":
		e, ok := ParseEndpoint(v)
		if !ok || strings.ContainsAny(v, " \t") {
			p.note(n, s, "expected NODE:IFACE")
			c.bad = true
			return false
		}
		if key == "a" {
			c.spec.A = e
		} else {
			c.spec.B = e
		}
	case "why":
		c.spec.Why = v
	default:
		p.note(n, s, "unknown key (expected a, b or why): ignored")
	}
	return true
}

// flush ends the current entry and keeps it if it is complete.
func (p *linksParser) flush() {
	c := p.cur
	p.cur = nil
	if c == nil || c.bad {
		return
	}
	switch {
	case c.spec.A.IsZero() && c.spec.B.IsZero():
		p.note(c.line, "-", "empty entry: expected a: NODE:IFACE")
	case c.spec.A.IsZero():
		p.note(c.line, "b: "+c.spec.B.String(), "entry without a")
	case p.section == "links" && c.spec.B.IsZero():
		p.note(c.line, "a: "+c.spec.A.String(), "a link needs both a and b")
	case p.section == "links":
		p.f.Add = append(p.f.Add, c.spec)
	default:
		p.f.Remove = append(p.f.Remove, c.spec)
	}
}

// cutKey splits "key: value" at the first colon followed by a space or
// the end of the line; the key is a bare word.
func cutKey(s string) (key, val string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] != ':' || i+1 < len(s) && s[i+1] != ' ' {
			continue
		}
		key = s[:i]
		if key == "" || strings.TrimFunc(key, isKeyRune) != "" {
			return "", "", false
		}
		return key, strings.TrimSpace(s[i+1:]), true
	}
	return "", "", false
}

func isKeyRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
}

// unquote reads a plain, "double" or 'single' quoted scalar.
func unquote(v string) (string, bool) {
	switch {
	case strings.HasPrefix(v, `"`):
		s, err := strconv.Unquote(v)
		return s, err == nil
	case strings.HasPrefix(v, "'"):
		if len(v) < 2 || !strings.HasSuffix(v, "'") {
			return "", false
		}
		in := v[1 : len(v)-1]
		if strings.Count(in, "'")%2 != 0 || strings.Contains(strings.ReplaceAll(in, "''", ""), "'") {
			return "", false
		}
		return strings.ReplaceAll(in, "''", "'"), true
	case v != "" && strings.ContainsRune("[]{}&*!|>%@`,", rune(v[0])):
		return "", false
	}
	return v, true
}

// stripComment removes a # comment: at the start of the line or after a
// space, and not inside quotes.
func stripComment(s string) string {
	var q byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return s[:i]
		}
	}
	return s
}
