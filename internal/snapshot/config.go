package snapshot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"farend/internal/model"
	"farend/internal/source"
	"farend/internal/vendors"
	"farend/internal/vendors/ios"
)

// LoadConfigs reads every file under dir/configs (any name: the device is
// named after the file without its extension) with the dialect detected
// from its text, and the optional show/<name>/*.txt outputs, where <name>
// is the file's name or the configuration's hostname. found is false when
// there is no configs/ directory.
func LoadConfigs(dir string) (devs []*model.Device, found bool, err error) {
	entries, err := os.ReadDir(filepath.Join(dir, "configs"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		devs = append(devs, LoadConfig(dir, filepath.Join("configs", e.Name())))
	}
	sort.Slice(devs, func(i, j int) bool { return devs[i].Name < devs[j].Name })
	return devs, true, nil
}

// LoadConfig reads one configuration file, rel being its path relative to
// the snapshot directory dir.
func LoadConfig(dir, rel string) *model.Device {
	base := filepath.Base(rel)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	in := model.Input{What: "config", File: rel}
	data, err := os.ReadFile(filepath.Join(dir, rel))
	var d *model.Device
	switch {
	case err != nil:
		in.Err = err.Error()
		d = &model.Device{Kind: model.KindRouter}
	default:
		in.Present = true
		dia, ok := vendors.Detect(data)
		if !ok {
			d = &model.Device{Kind: model.KindRouter}
			d.Notes.Add(source.Pos{File: rel}, "the whole file", "dialect not recognised (expected IOS, VyOS or FRR)")
			break
		}
		d, _ = dia.Parse(rel, data)
	}
	d.Name = name
	d.Kind = model.KindRouter
	d.Inputs = append(d.Inputs, in)
	loadShow(dir, d)
	d.Notes.Sort()
	return d
}

// loadShow reads show/<name>/*.txt for a router: show version and boot
// console outputs fill Router.Platform.
func loadShow(dir string, d *model.Device) {
	names := []string{d.Name}
	if d.Router != nil && d.Router.Hostname != "" && d.Router.Hostname != d.Name {
		names = append(names, d.Router.Hostname)
	}
	for _, n := range names {
		sd := filepath.Join("show", n)
		files, err := filepath.Glob(filepath.Join(dir, sd, "*.txt"))
		if err != nil || len(files) == 0 {
			continue
		}
		sort.Strings(files)
		plat := &model.Platform{}
		for _, f := range files {
			rel := filepath.Join(sd, filepath.Base(f))
			in := model.Input{What: "show " + strings.TrimSuffix(filepath.Base(f), ".txt"), File: rel}
			data, err := os.ReadFile(f)
			if err != nil {
				in.Err = err.Error()
			} else {
				in.Present = true
				ios.ParseShowVersion(rel, data, plat)
			}
			d.Inputs = append(d.Inputs, in)
		}
		if d.Router == nil {
			d.Router = &model.Router{}
		}
		d.Router.Platform = plat
		return
	}
	d.Inputs = append(d.Inputs, model.Input{What: "show version", File: filepath.Join("show", d.Name, "show_version.txt")})
}
