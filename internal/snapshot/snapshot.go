// Package snapshot finds the devices of a snapshot directory (DESIGN.md
// layout) and loads each with its vendor parsers.
package snapshot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
)

// Snapshot is everything loaded from one snapshot directory.
type Snapshot struct {
	Dir     string
	Devices []*model.Device
}

// Device returns the device named name, or nil.
func (s *Snapshot) Device(name string) *model.Device {
	for _, d := range s.Devices {
		if d.Name == name {
			return d
		}
	}
	return nil
}

// Names lists the device names.
func (s *Snapshot) Names() []string {
	var out []string
	for _, d := range s.Devices {
		out = append(out, d.Name)
	}
	return out
}

// Notes gathers every device's notes.
func (s *Snapshot) Notes() source.Notes {
	var out source.Notes
	for _, d := range s.Devices {
		out = append(out, d.Notes...)
	}
	return out
}

// Load reads every host under dir/hosts (a directory of command outputs,
// or a Batfish host file <name>.json: LoadBatfishHost) and every router
// under dir/configs; a host directory named like a router configuration adds
// the kernel's view of that router (mergeHosts). A snapshot directory
// with neither is an error; so is one that cannot be read.
func Load(dir string) (*Snapshot, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("snapshot: %s is not a directory", dir)
	}
	s := &Snapshot{Dir: dir}
	routers, haveConfigs, err := LoadConfigs(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	hostsDir := filepath.Join(dir, "hosts")
	entries, err := os.ReadDir(hostsDir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("snapshot: %w", err)
		}
		if !haveConfigs {
			return nil, fmt.Errorf("snapshot: %s has no hosts/ or configs/ directory (expected hosts/<name>/ with ip-route.json, iptables-save ... or configs/<name>.cfg)", dir)
		}
	}
	dirs := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dirs[e.Name()] = true
		d := LoadHost(filepath.Join(hostsDir, e.Name()), e.Name(), filepath.Join("hosts", e.Name()))
		s.Devices = append(s.Devices, d)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		rel := filepath.Join("hosts", e.Name())
		if name := strings.TrimSuffix(e.Name(), ".json"); dirs[name] {
			d := s.Device(name)
			d.Notes.Add(source.Pos{File: rel, Line: 1}, "the whole file", "hosts/"+name+"/ describes the same host; this Batfish host file is not read")
			d.Notes.Sort()
			continue
		}
		s.Devices = append(s.Devices, LoadBatfishHost(dir, rel))
	}
	s.Devices = mergeHosts(append(s.Devices, routers...))
	sort.Slice(s.Devices, func(i, j int) bool { return s.Devices[i].Name < s.Devices[j].Name })
	return s, nil
}
