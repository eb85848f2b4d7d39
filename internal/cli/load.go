package cli

import (
	"fmt"
	"strings"

	"farend/internal/model"
	"farend/internal/snapshot"
)

// loadDevice loads the snapshot and picks the device: the one named, or
// the only one.
func loadDevice(dir, node string) (*snapshot.Snapshot, *model.Device, error) {
	s, err := snapshot.Load(dir)
	if err != nil {
		return nil, nil, err
	}
	if node == "" {
		if len(s.Devices) != 1 {
			return nil, nil, usagef("the snapshot has %d devices (%s): choose one with --node", len(s.Devices), strings.Join(s.Names(), ", "))
		}
		return s, s.Devices[0], nil
	}
	d := s.Device(node)
	if d == nil {
		return nil, nil, usagef("no device %q in %s (it has: %s)", node, dir, strings.Join(s.Names(), ", "))
	}
	return s, d, nil
}

// noteSummary says how many lines of a device's inputs were not understood.
func noteSummary(d *model.Device) string {
	if len(d.Notes) == 0 {
		return ""
	}
	if len(d.Notes) == 1 {
		return fmt.Sprintf("1 input line of %s was not understood: see `farend parse`", d.Name)
	}
	return fmt.Sprintf("%d input lines of %s were not understood: see `farend parse`", len(d.Notes), d.Name)
}
