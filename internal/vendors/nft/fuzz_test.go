package nft

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: no input makes Parse panic, and the invariants hold for
// whatever it reads (every object understood or noted, a well-formed
// model, final verdicts from every base chain).
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 40000 {
			f.Add(data)
		}
	}
	for _, s := range []string{
		`{"nftables": []}`,
		`{"nftables": [{"table": {"family": "inet", "name": "t"}}, {"chain": {"family": "inet", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}, {"rule": {"family": "inet", "table": "t", "chain": "c", "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}}]}`,
		`{"nftables": [{"table": {"family": "ip", "name": "t"}}, {"chain": {"family": "ip", "table": "t", "name": "a", "type": "filter", "hook": "input", "prio": 0}}, {"rule": {"family": "ip", "table": "t", "chain": "a", "expr": [{"jump": {"target": "a"}}]}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkInvariants(t, "fuzz.json", data)
	})
}

// toPlain converts the reader's values to encoding/json's (objects as
// maps, the last of duplicate keys winning).
func toPlain(v any) any {
	switch x := v.(type) {
	case jobj:
		m := make(map[string]any, len(x))
		for _, kv := range x {
			m[kv.k] = toPlain(kv.v)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toPlain(e)
		}
		return out
	}
	return v
}

// FuzzJSONReader: the reader accepts exactly what encoding/json accepts
// and reads the same values (a differential test against the standard
// library).
func FuzzJSONReader(f *testing.F) {
	for _, s := range []string{`{"a": [1, -2.5e3, "x\u00e9\ud83d\ude00", true, null, {}]}`, `"\ud800\u0041"`, `01`, `[1,]`, "\"a\xffb\"", `{"a":1,"a":2}`, ` [ ] `, `{"nftables": [{"metainfo": {"version": "1.0.6"}}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &reader{data: data}
		v, err := r.value()
		if err == nil {
			if r.space(); r.i != len(data) {
				err = r.errf("trailing data")
			}
		}
		if err != nil && strings.Contains(err.Error(), "nested too deep") {
			return
		}
		if valid := json.Valid(data); valid != (err == nil) {
			t.Fatalf("%q: encoding/json valid %v, reader error %v", data, valid, err)
		}
		if err != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var w any
		if err := dec.Decode(&w); err != nil {
			t.Fatal(err)
		}
		if got := toPlain(v); !reflect.DeepEqual(got, w) {
			t.Fatalf("%q:\n reader %#v\n stdlib %#v", data, got, w)
		}
	})
}
