package snapshot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/source"
	"farend/internal/vendors/iptables"
	"farend/internal/vendors/linux"
	"farend/internal/vendors/nft"
)

// hostFile is one expected file of a Linux host (DESIGN.md layout).
type hostFile struct {
	what string
	name string
	load func(d *model.Device, file string, data []byte) source.Notes
}

// hostFiles are read in this order: links before addresses.
var hostFiles = []hostFile{
	{"links", "ip-link.json", func(d *model.Device, f string, b []byte) source.Notes {
		ifs, n := linux.ParseLinks(f, b)
		d.Interfaces = ifs
		return n
	}},
	{"addresses", "ip-addr.json", func(d *model.Device, f string, b []byte) source.Notes {
		ifs, n := linux.ParseAddrs(f, b, d.Interfaces)
		d.Interfaces = ifs
		return n
	}},
	{"routes4", "ip-route.json", func(d *model.Device, f string, b []byte) source.Notes {
		rs, n := linux.ParseRoutes(f, b, false)
		d.Routes = append(d.Routes, rs...)
		return n
	}},
	{"routes6", "ip6-route.json", func(d *model.Device, f string, b []byte) source.Notes {
		rs, n := linux.ParseRoutes(f, b, true)
		d.Routes = append(d.Routes, rs...)
		return n
	}},
	{"rules4", "ip-rule.json", func(d *model.Device, f string, b []byte) source.Notes {
		rs, n := linux.ParseRules(f, b, false)
		d.Rules4 = rs
		if d.Rules4 == nil {
			d.Rules4 = []model.RouteRule{}
		}
		return n
	}},
	{"rules6", "ip6-rule.json", func(d *model.Device, f string, b []byte) source.Notes {
		rs, n := linux.ParseRules(f, b, true)
		d.Rules6 = rs
		if d.Rules6 == nil {
			d.Rules6 = []model.RouteRule{}
		}
		return n
	}},
	{"sysctl", "sysctl.txt", func(d *model.Device, f string, b []byte) source.Notes {
		s, n := linux.ParseSysctl(f, b)
		d.Sysctl = s
		return n
	}},
	{"iptables", "iptables-save", func(d *model.Device, f string, b []byte) source.Notes {
		rs, n := iptables.Parse(f, b, netfilter.IPv4)
		d.Filter4 = rs
		return n
	}},
	{"ip6tables", "ip6tables-save", func(d *model.Device, f string, b []byte) source.Notes {
		rs, n := iptables.Parse(f, b, netfilter.IPv6)
		d.Filter6 = rs
		return n
	}},
	{"nftables", "nft.json", func(d *model.Device, f string, b []byte) source.Notes {
		rs, n := nft.Parse(f, b)
		d.NFT = rs
		return n
	}},
}

// LoadHost reads one hosts/<name>/ directory. rel is the directory's path
// relative to the snapshot, used in positions. Missing files are recorded
// in Device.Inputs as not present: their data is unknown.
func LoadHost(dir, name, rel string) *model.Device {
	d := &model.Device{Name: name, Kind: model.KindLinux}
	for _, hf := range hostFiles {
		file := filepath.Join(rel, hf.name)
		in := model.Input{What: hf.what, File: file}
		data, err := os.ReadFile(filepath.Join(dir, hf.name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			in.Err = err.Error()
		default:
			in.Present = true
			d.Notes = append(d.Notes, hf.load(d, file, data)...)
		}
		d.Inputs = append(d.Inputs, in)
	}
	dropShadowedNotes(d)
	d.Notes.Sort()
	return d
}
