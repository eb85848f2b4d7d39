package ospftest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"farend/internal/frrlab"
)

var spec = &frrlab.Spec{
	Name:    "ospftest",
	Daemons: []string{"zebra", "staticd", "ospfd", "ospf6d"},
	// No duplicate address detection: addresses are usable at once and
	// the link-local addresses stay the configured ones.
	Sysctls: []string{"net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
		"net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"},
}

// Prereq returns "" when the harness can run (root, iproute2, FRR's
// daemons and vtysh, the frr user), else what is missing.
func Prereq() string { return spec.Prereq("the FRR differential test") }

// Lab is one topology running in namespaces.
type Lab struct {
	*frrlab.Lab
	T *Topology
}

// Start creates the namespaces and links and starts the daemons with each
// router's configuration. Close undoes everything, also after an error.
func Start(ctx context.Context, t *Topology, prefix, dir string) (*Lab, error) {
	l := &Lab{Lab: frrlab.New(spec, prefix, dir), T: t}
	var routers []frrlab.Router
	for _, r := range t.Routers {
		routers = append(routers, frrlab.Router{Name: r.Name, Config: t.Config(r)})
	}
	// addrgenmode none: the only link-local address is the one frr.conf
	// sets, so farend knows the OSPFv3 next hops.
	var links []frrlab.Link
	for _, k := range t.Links {
		links = append(links, frrlab.Link{A: k.A.Name, IA: k.IA.Name, B: k.B.Name, IB: k.IB.Name,
			OptsA: []string{"addrgenmode", "none", "mtu", strconv.Itoa(k.IA.MTU)},
			OptsB: []string{"addrgenmode", "none", "mtu", strconv.Itoa(k.IB.MTU)}})
	}
	if err := l.Build(ctx, routers, links); err != nil {
		return l, err
	}
	// Interfaces get their addresses first, and OSPF its configuration a
	// second later: FRR creates its OSPF interfaces in interface-name
	// order when it already knows the addresses (ospfd/ospfd.c
	// ospf_network_run, FOR_ALL_INTERFACES), but in the order the
	// addresses arrive from zebra otherwise, and that order picks the NSSA
	// forwarding address (ospf_get_nssa_ip). Every router gets its
	// configuration at the same moment, so that designated routers are
	// elected among routers that start together (the election does not
	// preempt a DR that came up alone first, and OSPFv3 next hops depend
	// on who the DR is).
	for _, phase := range []string{"addresses.conf", "frr.conf"} {
		errs := make(chan error, len(t.Routers))
		for _, r := range t.Routers {
			go func() {
				f := filepath.Join(l.RouterDir(r.Name), phase)
				if phase == "addresses.conf" {
					if err := os.WriteFile(f, []byte(t.Addresses(r)), 0o644); err != nil {
						errs <- err
						return
					}
				}
				out, err := l.Apply(ctx, r.Name, f)
				if err != nil {
					err = fmt.Errorf("%w (%s)", err, out)
				}
				errs <- err
			}()
		}
		for range t.Routers {
			if err := <-errs; err != nil {
				return l, err
			}
		}
		if phase == "addresses.conf" {
			select {
			case <-ctx.Done():
				return l, ctx.Err()
			case <-time.After(time.Second):
			}
		}
	}
	return l, nil
}

// Vtysh runs show commands on one router.
func (l *Lab) Vtysh(ctx context.Context, r *Router, cmd string) ([]byte, error) {
	return l.Lab.Vtysh(ctx, r.Name, cmd)
}
