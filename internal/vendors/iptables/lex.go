package iptables

import (
	"errors"
	"math/bits"
	"strings"
)

// word is one argument of a rule line after unquoting, with the byte span
// it had in the line.
type word struct {
	s          string
	start, end int
}

var errQuote = errors.New("unterminated quote")

// span is the byte span a word had in its line (quotes included), so
// that parts farend does not understand can be kept exactly as written.
type span struct{ start, end int }

// split cuts a rule line into words the way iptables-restore does
// (iptables xshared.c add_param_to_argv): blanks separate words; a double
// quote opens a quoted part in which a backslash escapes the next
// character; the closing quote ends the word. Outside quotes a backslash
// is an ordinary character. It appends the words to ws and their spans to
// spans.
func split(line string, ws []string, spans []span) ([]string, []span, error) {
	i := 0
	for {
		w, next, ok, err := nextWord(line, i)
		if !ok {
			return ws, spans, nil
		}
		ws = append(ws, w.s)
		spans = append(spans, span{w.start, w.end})
		if err != nil {
			return ws, spans, err
		}
		i = next
	}
}

// nextWord returns the word of line that starts at or after i (ok false
// when only blanks are left) and the index after it. A word is a
// substring of line unless it has a quoted part that does not make up
// the whole word or that contains a backslash.
func nextWord(line string, i int) (w word, next int, ok bool, err error) {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i == len(line) {
		return word{}, i, false, nil
	}
	start := i
	// Fast path: an unquoted word is a substring of the line.
	j := indexWordEnd(line, i)
	if j == len(line) || line[j] != '"' {
		return word{s: line[i:j], start: start, end: j}, j, true, nil
	}
	// The word has a quoted part; it ends at the closing quote. Without a
	// backslash in it, a word that is all quoted part is a substring too.
	if i == j {
		k := indexQuoteEnd(line, j+1)
		if k < len(line) && line[k] == '"' {
			return word{s: line[j+1 : k], start: start, end: k + 1}, k + 1, true, nil
		}
	}
	var b strings.Builder
	b.WriteString(line[i:j])
	i = j + 1
	closed := false
	for i < len(line) {
		c := line[i]
		if c == '\\' && i+1 < len(line) {
			b.WriteByte(line[i+1])
			i += 2
			continue
		}
		i++
		if c == '"' {
			closed = true
			break
		}
		b.WriteByte(c)
	}
	w = word{s: b.String(), start: start, end: i}
	if !closed {
		return w, i, true, errQuote
	}
	return w, i, true, nil
}

// head returns the first two words of a rule line as split returns them
// (n is how many there are, at most 2), and split's error for the whole
// line, without cutting up the rest of it.
func head(line string) (w0, w1 word, n int, err error) {
	w0, i, ok, err := nextWord(line, 0)
	if !ok || err != nil {
		return w0, w1, b2i(ok), err
	}
	w1, i, ok, err = nextWord(line, i)
	if !ok || err != nil {
		return w0, w1, 1 + b2i(ok), err
	}
	if unterminated(line[i:]) {
		err = errQuote
	}
	return w0, w1, 2, err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// unterminated reports whether split would find a quote that is not
// closed in s (which starts outside quotes).
func unterminated(s string) bool {
	for {
		q := strings.IndexByte(s, '"')
		if q < 0 {
			return false
		}
		i := q + 1
		for {
			i = indexQuoteEnd(s, i)
			if i >= len(s) {
				return true
			}
			c := s[i]
			if c == '\\' && i+1 < len(s) {
				i += 2
				continue
			}
			i++
			if c == '"' {
				break
			}
		}
		s = s[i:]
	}
}

// indexWordEnd returns the index of the first blank or double quote of s
// at or after i, or len(s).
func indexWordEnd(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i)
		if m := eqMask(x, ' ') | eqMask(x, '\t') | eqMask(x, '"'); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '"' {
		i++
	}
	return i
}

// indexQuoteEnd returns the index of the first double quote or backslash
// of s at or after i, or len(s).
func indexQuoteEnd(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i)
		if m := eqMask(x, '"') | eqMask(x, '\\'); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(s) && s[i] != '"' && s[i] != '\\' {
		i++
	}
	return i
}

// load64 returns s[i:i+8] as a little-endian number.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// eqMask returns a mask with the top bit of the bytes of x that equal c
// set. Bytes above (more significant than) one that equals c may be set
// wrongly, so only the lowest set bit is reliable.
func eqMask(x uint64, c byte) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	v := x ^ lo*uint64(c)
	return (v - lo) &^ v & hi
}
