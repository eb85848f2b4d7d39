package linux

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"farend/internal/model"
	"farend/internal/source"
)

// ParseSysctl reads the output of `sysctl -a` (procps): "key = value"
// lines ("key=value" is accepted too). Values are kept as printed, with
// inner tabs ("net.ipv4.tcp_rmem = 4096\t131072\t6291456"). Keys are
// kept as printed as well: sysctl shows a '.' in an interface name as
// '/' ("net.ipv4.conf.eth0/10.rp_filter" for eth0.10). Blank lines are
// skipped; sysctl's own error lines ("sysctl: permission denied on key
// ...", "sysctl: reading key ...") and anything else become notes, and so
// does a key given twice (the last value wins). The result is never nil.
func ParseSysctl(file string, data []byte) (model.Sysctl, source.Notes) {
	s := model.Sysctl{}
	var notes source.Notes
	first := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		pos := source.Pos{File: file, Line: line}
		t := strings.TrimSpace(sc.Text())
		switch {
		case t == "":
			continue
		case strings.HasPrefix(t, "sysctl:"):
			notes.Add(pos, printable(t), "sysctl could not read this key; its value is unknown")
			continue
		case strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";"):
			continue // comments, as in sysctl.conf
		}
		k, v, ok := strings.Cut(t, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			notes.Add(pos, printable(t), "expected key = value")
			continue
		}
		v = strings.TrimSpace(v)
		if l, dup := first[k]; dup {
			notes.Add(pos, printable(t), "key also on line "+strconv.Itoa(l)+"; this value is used")
		} else {
			first[k] = line
		}
		s[k] = v
	}
	if err := sc.Err(); err != nil {
		notes.Add(source.Pos{File: file, Line: line + 1}, "unreadable line", err.Error()+"; the rest of the file is lost")
	}
	return s, notes
}

// printable returns s, or s quoted when it holds control characters or
// invalid UTF-8, so that a note never prints raw junk.
func printable(s string) string {
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) && r != '\t' {
			return strconv.Quote(s)
		}
	}
	return s
}
