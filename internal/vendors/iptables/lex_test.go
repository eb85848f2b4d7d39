package iptables

import (
	"math/rand"
	"reflect"
	"testing"
)

// splitRef is split as first written, one byte at a time: the reference
// for the faster one.
func splitRef(line string) ([]word, error) {
	var out []word
	i := 0
	for i < len(line) {
		c := line[i]
		if c == ' ' || c == '\t' {
			i++
			continue
		}
		start := i
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' && line[j] != '"' {
			j++
		}
		if j == len(line) || line[j] != '"' {
			out = append(out, word{s: line[i:j], start: start, end: j})
			i = j
			continue
		}
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

// TestSplit: split and head cut lines as splitRef does, on lines made of
// the bytes that matter (blanks, quotes, backslashes) and others.
func TestSplit(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte(" \t\"\\ab-\xff\x80\x00")
	lines := []string{"", " ", "-A X", `-A X -m comment --comment "a b" -j Y`, `-A "X Y" -j Z`, `a"b c"d`, `"abc\"def\\" x`, `"unterminated`, `x "a\`}
	for range 20000 {
		b := make([]byte, rng.Intn(40))
		for i := range b {
			b[i] = alphabet[rng.Intn(len(alphabet))]
		}
		lines = append(lines, string(b))
	}
	for _, line := range lines {
		want, wantErr := splitRef(line)
		ws, sp, err := split(line, nil, nil)
		var got []word
		for i := range ws {
			got = append(got, word{s: ws[i], start: sp[i].start, end: sp[i].end})
		}
		if err != wantErr || !reflect.DeepEqual(got, want) {
			t.Fatalf("split(%q) = %+v, %v; want %+v, %v", line, got, err, want, wantErr)
		}
		w0, w1, n, err := head(line)
		if err != wantErr || n != min(2, len(want)) {
			t.Fatalf("head(%q) = %d words, %v; want %d, %v", line, n, err, min(2, len(want)), wantErr)
		}
		if err == nil && n >= 1 && w0 != want[0] || err == nil && n == 2 && w1 != want[1] {
			t.Fatalf("head(%q) = %+v %+v; want %+v", line, w0, w1, want[:n])
		}
	}
}
