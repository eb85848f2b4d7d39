package vyos

import (
	"strings"

	"farend/internal/model"
	"farend/internal/source"
)

// node is one word of the configuration tree. config.boot and `set`
// command lists both become the same tree: `ethernet eth0 { address
// 192.0.2.1/24 }` and `set interfaces ethernet eth0 address
// '192.0.2.1/24'` give interfaces -> ethernet -> eth0 -> address ->
// 192.0.2.1/24. A tag value and a leaf value are children like keywords.
type node struct {
	word   string
	kids   []*node
	parent *node
	// used is set when the interpreter understood this node; why says why
	// a node was reported instead.
	used bool
	why  string
}

// child returns the child word w, or nil. It does not mark anything.
func (n *node) child(w string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.word == w {
			return k
		}
	}
	return nil
}

// add returns the child w, creating it.
func (n *node) add(w string) *node {
	if c := n.child(w); c != nil {
		return c
	}
	c := &node{word: w, parent: n}
	n.kids = append(n.kids, c)
	return c
}

// use marks n understood and returns it.
func (n *node) use() *node {
	if n != nil {
		n.used = true
	}
	return n
}

// useAll marks n and its subtree understood.
func (n *node) useAll() {
	if n == nil {
		return
	}
	n.used = true
	for _, k := range n.kids {
		k.useAll()
	}
}

// reject marks n and its subtree not understood, for why: what was read
// of it turned out unusable.
func (n *node) reject(why string) {
	if n == nil {
		return
	}
	n.used = false
	for _, k := range n.kids {
		k.reject(why)
	}
	n.why = why
}

// report marks the subtree of n as reported for why (unless already
// understood, or already reported with a reason of its own).
func (n *node) report(why string) {
	if n == nil {
		return
	}
	if !n.used && n.why == "" {
		n.why = why
	}
	for _, k := range n.kids {
		k.report(why)
	}
}

// val returns the value of the leaf w (its first child) and marks both.
func (n *node) val(w string) (string, bool) {
	c := n.child(w)
	if c == nil || len(c.kids) == 0 {
		return "", false
	}
	c.use()
	c.kids[0].use()
	return c.kids[0].word, true
}

// vals returns every value of the multi-valued leaf w and marks them.
func (n *node) vals(w string) []string {
	c := n.child(w)
	if c == nil {
		return nil
	}
	c.use()
	var out []string
	for _, k := range c.kids {
		k.use()
		out = append(out, k.word)
	}
	return out
}

// tags returns the instances of the tag node w (`ethernet eth0 {...}` ->
// eth0), marking w and each instance.
func (n *node) tags(w string) []*node {
	c := n.child(w)
	if c == nil {
		return nil
	}
	c.use()
	for _, k := range c.kids {
		k.use()
	}
	return c.kids
}

// has reports whether the valueless leaf or container w exists, marking
// it (not its children).
func (n *node) has(w string) bool {
	c := n.child(w)
	if c == nil {
		return false
	}
	c.use()
	return true
}

// ignore marks the subtree w understood: it exists and has no effect on
// what farend models.
func (n *node) ignore(ws ...string) {
	for _, w := range ws {
		n.child(w).useAll()
	}
}

// path returns the words from the root to n, separated by spaces.
func (n *node) path() string {
	var ws []string
	for x := n; x != nil && x.parent != nil; x = x.parent {
		ws = append(ws, x.word)
	}
	for i, j := 0, len(ws)-1; i < j; i, j = i+1, j-1 {
		ws[i], ws[j] = ws[j], ws[i]
	}
	return strings.Join(ws, " ")
}

// tree is a configuration read into nodes, with the node each line ends
// at (nil for comment, blank and closing-brace lines, which are
// understood).
type tree struct {
	root    *node
	lineEnd []*node
	// bad are lines the reader itself could not place (unbalanced braces,
	// a `set` list line that is not a set command).
	bad     map[int]string
	badText map[int]string
	secrets []model.Secret
	footer  []string
}

// tokenize splits a line into words, honouring double and single quotes
// (which are removed).
func tokenize(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '\t' {
			i++
			continue
		}
		if c == '"' || c == '\'' {
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				out = append(out, s[i+1:])
				break
			}
			out = append(out, s[i+1:i+1+j])
			i += j + 2
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

// redact replaces the values after a secret keyword by model.Redacted.
// ctx are the words of the enclosing nodes. It returns what the secret is
// ("" when none).
func redact(ctx, words []string) string {
	snmp := false
	for _, w := range ctx {
		if strings.HasPrefix(w, "snmp") {
			snmp = true
		}
	}
	for k, w := range words {
		if strings.HasPrefix(w, "snmp") {
			snmp = true
		}
		from := k + 1
		switch {
		case snmp && w == "host":
			// IOS-like `snmp-server host ADDR ... COMMUNITY` read by
			// mistake: everything after the address.
			from = k + 2
		case !isSecretKey(w, snmp):
			continue
		}
		found := false
		for j := from; j < len(words); j++ {
			if words[j] != "{" && words[j] != "}" {
				words[j] = model.Redacted
				found = true
			}
		}
		if !found {
			return ""
		}
		return strings.TrimSpace(strings.Join(ctx, " ") + " " + strings.Join(words[:k+1], " "))
	}
	return ""
}

// isSecretKey reports whether the value after keyword w is a secret.
func isSecretKey(w string, snmp bool) bool {
	w = strings.ToLower(w)
	switch {
	case strings.Contains(w, "password"), strings.Contains(w, "secret"):
		return true
	case w == "key", strings.HasSuffix(w, "-key"), w == "key-string", w == "wpa-psk":
		return true
	case w == "md5", w == "sha", w == "sha1", w == "sha256", w == "sha384", w == "sha512":
		// IOS-like syntax read by mistake, or VyOS `authentication md5
		// key-id N md5-key KEY` on one `set` line: what follows may be a key.
		return true
	case w == "community" && snmp:
		return true
	}
	return false
}

// readBoot reads config.boot text into a tree.
func readBoot(file string, data []byte) *tree {
	t := &tree{root: &node{}, bad: map[int]string{}, badText: map[int]string{}}
	stack := []*node{t.root}
	var ctx []string // words of the open blocks, for redaction
	var ctxLen []int
	inComment := false
	n := 0
	forEachLine(data, func(s string) {
		n++
		t.lineEnd = append(t.lineEnd, nil)
		s = strings.TrimSpace(s)
		if inComment {
			if strings.Contains(s, "*/") {
				inComment = false
			}
			t.footer = append(t.footer, s)
			return
		}
		switch {
		case s == "":
			return
		case strings.HasPrefix(s, "/*"):
			if !strings.Contains(s, "*/") {
				inComment = true
			}
			t.footer = append(t.footer, s)
			return
		case strings.HasPrefix(s, "//"), strings.HasPrefix(s, "#"):
			t.footer = append(t.footer, s)
			return
		}
		words := tokenize(s)
		if what := redact(ctx, words); what != "" {
			t.secrets = append(t.secrets, model.Secret{What: what, Pos: source.Pos{File: file, Line: n}})
		}
		for len(words) > 0 && words[0] == "}" {
			if len(stack) == 1 {
				t.bad[n], t.badText[n] = "unbalanced }", s
				return
			}
			stack = stack[:len(stack)-1]
			ctx = ctx[:ctxLen[len(ctxLen)-1]]
			ctxLen = ctxLen[:len(ctxLen)-1]
			words = words[1:]
		}
		if len(words) == 0 {
			return
		}
		open, closeToo := false, false
		switch {
		case words[len(words)-1] == "{}":
			open, closeToo, words = true, true, words[:len(words)-1]
		case len(words) >= 2 && words[len(words)-2] == "{" && words[len(words)-1] == "}":
			open, closeToo, words = true, true, words[:len(words)-2]
		case words[len(words)-1] == "{":
			open, words = true, words[:len(words)-1]
		case strings.HasSuffix(words[len(words)-1], "{"):
			open = true
			words[len(words)-1] = strings.TrimSuffix(words[len(words)-1], "{")
		}
		cur := stack[len(stack)-1]
		for _, w := range words {
			cur = cur.add(w)
		}
		t.lineEnd[n-1] = cur
		if open && !closeToo {
			stack = append(stack, cur)
			ctxLen = append(ctxLen, len(ctx))
			ctx = append(ctx, words...)
		}
	})
	return t
}

// readSet reads `show configuration commands` output (`set ...` lines).
func readSet(file string, data []byte) *tree {
	t := &tree{root: &node{}, bad: map[int]string{}, badText: map[int]string{}}
	n := 0
	forEachLine(data, func(s string) {
		n++
		t.lineEnd = append(t.lineEnd, nil)
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "#") {
			return
		}
		words := tokenize(s)
		if what := redact(nil, words); what != "" {
			t.secrets = append(t.secrets, model.Secret{What: what, Pos: source.Pos{File: file, Line: n}})
		}
		if words[0] != "set" || len(words) < 2 {
			t.bad[n], t.badText[n] = "not a set command", strings.Join(words, " ")
			return
		}
		cur := t.root
		for _, w := range words[1:] {
			cur = cur.add(w)
		}
		t.lineEnd[n-1] = cur
	})
	return t
}

// forEachLine calls f on every line of data.
func forEachLine(data []byte, f func(string)) {
	s := string(data)
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		var l string
		if i < 0 {
			l, s = s, ""
		} else {
			l, s = s[:i], s[i+1:]
		}
		f(strings.TrimRight(l, "\r"))
	}
}
