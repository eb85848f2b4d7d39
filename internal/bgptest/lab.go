package bgptest

import (
	"context"
	"fmt"
	"strings"

	"farend/internal/frrlab"
)

var spec = &frrlab.Spec{
	Name:    "bgptest",
	Daemons: []string{"zebra", "staticd", "bgpd", "ospfd"},
	Sysctls: []string{"net.ipv4.ip_forward=1"},
}

// Prereq returns "" when the harness can run (root, iproute2, FRR's
// daemons and vtysh, the frr user), else what is missing.
func Prereq() string { return spec.Prereq("the FRR BGP differential test") }

// Lab is one topology running in namespaces.
type Lab struct {
	*frrlab.Lab
	T *Topology
}

// Start creates the namespaces and links, starts the daemons and applies
// every router's configuration at the same moment. Close undoes
// everything, also after an error.
func Start(ctx context.Context, t *Topology, prefix, dir string) (*Lab, error) {
	l := &Lab{Lab: frrlab.New(spec, prefix, dir), T: t}
	var routers []frrlab.Router
	for _, r := range t.Routers {
		routers = append(routers, frrlab.Router{Name: r.Name, Config: t.Config(r)})
	}
	var links []frrlab.Link
	for _, k := range t.Links {
		links = append(links, frrlab.Link{A: k.A.Name, IA: k.IA.Name, B: k.B.Name, IB: k.IB.Name})
	}
	if err := l.Build(ctx, routers, links); err != nil {
		return l, err
	}
	errs := make(chan error, len(t.Routers))
	for _, r := range t.Routers {
		go func() {
			out, err := l.Apply(ctx, r.Name, l.Conf(r.Name))
			if err != nil {
				// vtysh -f warns about route-maps named before they are
				// defined and returns non-zero; the maps bind once defined.
				if !strings.Contains(string(out)+err.Error(), "does not exist") {
					err = fmt.Errorf("%w (%s)", err, out)
				} else {
					err = nil
				}
			}
			errs <- err
		}()
	}
	for range t.Routers {
		if err := <-errs; err != nil {
			return l, err
		}
	}
	return l, nil
}

// Vtysh runs a show command on one router.
func (l *Lab) Vtysh(ctx context.Context, r *Router, cmd string) ([]byte, error) {
	return l.Lab.Vtysh(ctx, r.Name, cmd)
}
