package iptables

import "errors"

// word is one argument of a rule line after unquoting, with the byte span
// it had in the line (quotes included), so that parts farend does not
// understand can be kept exactly as written.
type word struct {
	s          string
	start, end int
}

var errQuote = errors.New("unterminated quote")

// split cuts a rule line into words the way iptables-restore does
// (iptables xshared.c add_param_to_argv): blanks separate words; a double
// quote opens a quoted part in which a backslash escapes the next
// character; the closing quote ends the word. Outside quotes a backslash
// is an ordinary character. buf is reused.
func split(line string, buf []word) ([]word, error) {
	out := buf[:0]
	i := 0
	for i < len(line) {
		c := line[i]
		if c == ' ' || c == '\t' {
			i++
			continue
		}
		start := i
		// Fast path: an unquoted word is a substring of the line.
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' && line[j] != '"' {
			j++
		}
		if j == len(line) || line[j] != '"' {
			out = append(out, word{s: line[i:j], start: start, end: j})
			i = j
			continue
		}
		// Slow path: the word has a quoted part; it ends at the closing
		// quote.
		b := []byte(line[i:j])
		i = j + 1
		closed := false
		for i < len(line) {
			c := line[i]
			if c == '\\' && i+1 < len(line) {
				b = append(b, line[i+1])
				i += 2
				continue
			}
			i++
			if c == '"' {
				closed = true
				break
			}
			b = append(b, c)
		}
		out = append(out, word{s: string(b), start: start, end: i})
		if !closed {
			return out, errQuote
		}
	}
	return out, nil
}
