// Package vendors names every router configuration dialect farend reads,
// in the order detection tries them.
package vendors

import (
	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors/frr"
	"farend/internal/vendors/ios"
	"farend/internal/vendors/vyos"
)

// Dialect is one configuration format: how to recognise it and how to
// read it.
type Dialect struct {
	Name   string
	Detect func(data []byte) bool
	Parse  func(file string, data []byte) (*model.Device, source.Notes)
}

// Dialects lists the router dialects in detection order: VyOS first (its
// footer and brace syntax are unambiguous), then FRR (whose syntax IOS
// shares, told apart by `frr version`, CIDR addresses and `exit`), then
// IOS, which accepts any Cisco-like text.
func Dialects() []Dialect {
	return []Dialect{
		{Name: "vyos", Detect: vyos.Detect, Parse: vyos.Parse},
		{Name: "frr", Detect: frr.Detect, Parse: frr.Parse},
		{Name: "ios", Detect: ios.Detect, Parse: ios.Parse},
	}
}

// Detect returns the first dialect that recognises data.
func Detect(data []byte) (Dialect, bool) {
	for _, d := range Dialects() {
		if d.Detect(data) {
			return d, true
		}
	}
	return Dialect{}, false
}
