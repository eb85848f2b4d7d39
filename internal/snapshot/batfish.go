package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"farend/internal/model"
	"farend/internal/netfilter"
	"farend/internal/source"
	"farend/internal/vendors/iptables"
)

// LoadBatfishHost reads a Batfish host file, hosts/<name>.json, so that
// Batfish snapshots load unchanged. The format is Batfish's "Modeling
// hosts" (https://batfish.readthedocs.io/en/latest/formats.html#modeling-hosts)
// as batfish/batfish reads it in
// projects/batfish/src/main/java/org/batfish/representation/host/HostConfiguration.java
// (hostname, hostInterfaces, iptablesFile, overlay) and HostInterface.java
// (name, prefix, otherPrefixes, gateway, bandwidth, shared, vrf):
//
//	{"hostname": "host1", "iptablesFile": "iptables/host1.iptables",
//	 "hostInterfaces": {"eth0": {"name": "eth0", "prefix": "2.128.0.101/24", "gateway": "2.128.0.1"}}}
//
// The device is named after the file, like a router under configs/. Its
// routes are the ones Batfish gives a host: each address's local and
// connected routes, a default route via the first gateway (interfaces in
// name order), or, with no gateway at all, a default route out of the
// first interface (HostConfiguration.toVendorIndependentConfiguration).
// iptablesFile is relative to the snapshot and in iptables-save format; it
// is read with the iptables parser as the IPv4 ruleset. Keys farend does
// not know are reported as not understood.
func LoadBatfishHost(dir, rel string) *model.Device {
	name := strings.TrimSuffix(filepath.Base(rel), filepath.Ext(rel))
	d := &model.Device{Name: name, Kind: model.KindLinux}
	in := model.Input{What: "batfish host", File: rel}
	data, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		in.Err = err.Error()
		d.Inputs = append(d.Inputs, in)
		return d
	}
	in.Present = true
	d.Inputs = append(d.Inputs, in)
	b := &bfHost{dir: dir, rel: rel, data: data, d: d}
	b.read()
	d.Notes.Sort()
	return d
}

type bfHost struct {
	dir, rel string
	data     []byte
	d        *model.Device
	// gateway is the first interface gateway, gwIface its interface.
	gateway netip.Addr
	gwIface string
	gwPos   source.Pos
}

func (b *bfHost) pos(line int) source.Pos { return source.Pos{File: b.rel, Line: line} }

func (b *bfHost) note(line int, text, why string) { b.d.Notes.Add(b.pos(line), text, why) }

func (b *bfHost) read() {
	top, err := members(b.data, b.data, 0)
	if err != nil {
		b.note(1, "the whole file", "not a JSON object: "+err.Error())
		return
	}
	ipt := ""
	iptLine := 0
	for _, m := range top {
		switch m.key {
		case "hostname":
			var s string
			if json.Unmarshal(m.val, &s) != nil {
				b.note(m.line, `"hostname": `+string(m.val), "expected a string")
			}
		case "iptablesFile":
			if json.Unmarshal(m.val, &ipt) != nil {
				b.note(m.line, `"iptablesFile": `+string(m.val), "expected a path")
			}
			iptLine = m.line
		case "overlay":
			var on bool
			if json.Unmarshal(m.val, &on) != nil || on {
				b.note(m.line, `"overlay": `+string(m.val), "a host on a router's underlay is not modelled")
			}
		case "hostInterfaces":
			b.interfaces(m)
		default:
			b.note(m.line, fmt.Sprintf("%q", m.key), "unknown key of a Batfish host")
		}
	}
	b.routes()
	// The interfaces' kinds and MTUs (ip-link.json) stay unknown.
	b.d.Inputs = append(b.d.Inputs,
		model.Input{What: "addresses", File: b.rel + " hostInterfaces", Present: true},
		model.Input{What: "routes4", File: b.rel + " gateway", Present: true})
	b.iptables(ipt, iptLine)
}

// interfaces reads hostInterfaces, in name order as Batfish keeps them.
func (b *bfHost) interfaces(m member) {
	ifs, err := members(m.val, b.data, m.off)
	if err != nil {
		b.note(m.line, `"hostInterfaces"`, "expected an object of interfaces: "+err.Error())
		return
	}
	sort.SliceStable(ifs, func(i, j int) bool { return ifs[i].key < ifs[j].key })
	for _, f := range ifs {
		ifc := model.Interface{Name: f.key, Index: len(b.d.Interfaces) + 1, Up: true, LowerUp: true, Pos: b.pos(f.line)}
		keys, err := members(f.val, b.data, f.off)
		if err != nil {
			b.note(f.line, fmt.Sprintf("%q", f.key), "expected an interface object: "+err.Error())
			continue
		}
		for _, k := range keys {
			b.ifaceKey(&ifc, k)
		}
		b.d.Interfaces = append(b.d.Interfaces, ifc)
	}
}

func (b *bfHost) ifaceKey(ifc *model.Interface, k member) {
	text := fmt.Sprintf("%q: %s", k.key, k.val)
	addr := func(raw json.RawMessage) bool {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return false
		}
		ifc.Addrs = append(ifc.Addrs, model.Address{Prefix: p, Scope: "global"})
		return true
	}
	switch k.key {
	case "name":
		var s string
		if json.Unmarshal(k.val, &s) != nil || s != ifc.Name {
			b.note(k.line, text, "differs from the interface's key "+ifc.Name+", which names it")
		}
	case "prefix":
		if !addr(k.val) {
			b.note(k.line, text, "expected an address with its prefix length")
		}
	case "otherPrefixes":
		var list []json.RawMessage
		if json.Unmarshal(k.val, &list) != nil {
			b.note(k.line, text, "expected a list of addresses with prefix lengths")
			return
		}
		for _, r := range list {
			if !addr(r) {
				b.note(k.line, string(r), "expected an address with its prefix length")
			}
		}
	case "gateway":
		var s string
		a, err := netip.Addr{}, error(nil)
		if err = json.Unmarshal(k.val, &s); err == nil {
			a, err = netip.ParseAddr(s)
		}
		if err != nil {
			b.note(k.line, text, "expected an IP address")
			return
		}
		if !b.gateway.IsValid() {
			b.gateway, b.gwIface, b.gwPos = a, ifc.Name, b.pos(k.line)
		}
	case "bandwidth":
		// Only OSPF costs and capacity read it; forwarding does not.
		var f float64
		if json.Unmarshal(k.val, &f) != nil {
			b.note(k.line, text, "expected a number")
		}
	case "shared":
		var on bool
		if json.Unmarshal(k.val, &on) != nil || on {
			b.note(k.line, text, "source NAT to the interface address (shared) is not modelled")
		}
	case "vrf":
		b.note(k.line, text, "VRFs of Batfish hosts are not modelled")
	default:
		b.note(k.line, fmt.Sprintf("%q", k.key), "unknown key of a Batfish host interface")
	}
}

// routes adds the routes Batfish gives a host (see LoadBatfishHost).
func (b *bfHost) routes() {
	d := b.d
	for _, ifc := range d.Interfaces {
		for _, a := range ifc.Addrs {
			if !a.Prefix.Addr().Is4() {
				continue
			}
			nh := []model.Nexthop{{Dev: ifc.Name}}
			d.Routes = append(d.Routes,
				model.Route{Table: model.TableLocal, Type: model.RouteLocal, Dst: netip.PrefixFrom(a.Prefix.Addr(), 32), Protocol: "kernel", Scope: "host", PrefSrc: a.Prefix.Addr(), Nexthops: nh, Pos: ifc.Pos},
				model.Route{Table: model.TableMain, Dst: a.Prefix.Masked(), Protocol: "kernel", Scope: "link", PrefSrc: a.Prefix.Addr(), Nexthops: nh, Pos: ifc.Pos})
		}
	}
	def := netip.MustParsePrefix("0.0.0.0/0")
	switch {
	case b.gateway.IsValid():
		d.Routes = append(d.Routes, model.Route{Table: model.TableMain, Dst: def, Protocol: "static", Scope: "global",
			Nexthops: []model.Nexthop{{Gateway: b.gateway, Dev: b.gwIface}}, Pos: b.gwPos})
	case len(d.Interfaces) > 0:
		d.Routes = append(d.Routes, model.Route{Table: model.TableMain, Dst: def, Protocol: "static", Scope: "link",
			Nexthops: []model.Nexthop{{Dev: d.Interfaces[0].Name}}, Pos: d.Interfaces[0].Pos})
	}
}

// iptables reads the file iptablesFile names, relative to the snapshot.
func (b *bfHost) iptables(file string, line int) {
	in := model.Input{What: "iptables", File: filepath.ToSlash(filepath.Clean(file))}
	if file == "" {
		in.File = b.rel + " iptablesFile"
		b.d.Inputs = append(b.d.Inputs, in)
		return
	}
	if filepath.IsAbs(file) || strings.HasPrefix(in.File, "../") {
		b.note(line, `"iptablesFile": `+fmt.Sprintf("%q", file), "must be a path inside the snapshot")
		b.d.Inputs = append(b.d.Inputs, in)
		return
	}
	data, err := os.ReadFile(filepath.Join(b.dir, in.File))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		in.Err = err.Error()
	default:
		in.Present = true
		rs, notes := iptables.Parse(in.File, data, netfilter.IPv4)
		b.d.Filter4 = rs
		b.d.Notes = append(b.d.Notes, notes...)
	}
	b.d.Inputs = append(b.d.Inputs, in)
}

// member is one key of a JSON object, its raw value, the value's offset
// in the whole file and the key's line.
type member struct {
	key  string
	val  json.RawMessage
	off  int
	line int
}

// members lists the keys of the JSON object obj, which starts at offset
// base of file, in file order.
func members(obj, file []byte, base int) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("not an object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		keyEnd := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		off := base + int(dec.InputOffset()) - len(raw)
		out = append(out, member{key: key, val: raw, off: off, line: 1 + bytes.Count(file[:base+keyEnd], []byte("\n"))})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}
