package ospftest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"farend/internal/frrlab"
	"farend/internal/ospf"
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
	//
	// With virtual links, redistribution comes last, once the virtual
	// links are Full: ospfd 8.4 leaves type-4 LSAs out of the database
	// exchange over a virtual link (ospfd/ospf_nsm.c nsm_negotiation_done
	// skips ASBR-summary, AS-external and AS-opaque LSAs on virtual
	// links; RFC 2328 10.3 leaves out only AS-external-LSAs), so a type-4
	// LSA originated before the link came up never crosses it until it is
	// refreshed 30 minutes later, and the externals of its ASBR are
	// missing beyond. farend predicts the state after that refresh.
	phases := []string{"addresses.conf", "frr.conf"}
	if t.hasVLinks() {
		phases = []string{"addresses.conf", "early.conf", "late.conf"}
	}
	for _, phase := range phases {
		if phase == "late.conf" {
			if err := l.waitVLinks(ctx, 30*time.Second); err != nil {
				return l, err
			}
		}
		errs := make(chan error, len(t.Routers))
		for _, r := range t.Routers {
			go func() {
				f := filepath.Join(l.RouterDir(r.Name), phase)
				text := ""
				switch phase {
				case "addresses.conf":
					text = t.Addresses(r)
				case "early.conf":
					text, _ = splitRedistribution(t.Config(r))
				case "late.conf":
					_, text = splitRedistribution(t.Config(r))
				}
				if phase != "frr.conf" {
					if text == "" {
						errs <- nil
						return
					}
					if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
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

// hasVLinks reports whether a router of the topology has a virtual link.
func (t *Topology) hasVLinks() bool {
	for _, r := range t.Routers {
		if len(r.VLinks) > 0 {
			return true
		}
	}
	return false
}

// splitRedistribution splits a frr.conf into everything but the
// redistribution lines of its `router ospf` block (`redistribute`,
// `default-information`), and those lines in that block. OSPFv3 has no
// virtual links and keeps its lines (ospf6d 8.4 did not originate
// AS-external LSAs for a `redistribute static` given this late in one lab,
// seed 4 of GenerateVL, cause not found).
func splitRedistribution(conf string) (early, late string) {
	var e, l strings.Builder
	block := ""
	for _, line := range strings.Split(strings.TrimRight(conf, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "router "):
			block = line
		case line == "exit":
			block = ""
		case block == "router ospf" && (strings.HasPrefix(line, " redistribute ") || strings.HasPrefix(line, " default-information ")):
			fmt.Fprintf(&l, "%s\n%s\nexit\n", block, line)
			continue
		}
		e.WriteString(line + "\n")
	}
	return e.String(), l.String()
}

// waitVLinks waits until every virtual link configured on both ends with
// the same intervals is Full on both, or timeout (the test then compares
// and reports what FRR shows).
func (l *Lab) waitVLinks(ctx context.Context, timeout time.Duration) error {
	type end struct {
		r    *Router
		peer string
	}
	var ends []end
	for _, r := range l.T.Routers {
		for _, v := range r.VLinks {
			for _, p := range l.T.Routers {
				if p.N != v.Peer {
					continue
				}
				for _, w := range p.VLinks {
					if w.Peer == r.N && w.Area == v.Area && w.Hello == v.Hello && w.Dead == v.Dead {
						ends = append(ends, end{r, fmt.Sprintf("192.0.2.%d", p.N)})
					}
				}
			}
		}
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		full := 0
		for _, e := range ends {
			nb, err := l.neighbors(ctx, e.r)
			if err != nil {
				return err
			}
			for k, s := range nb {
				if strings.HasPrefix(k, "v2 nbr "+e.peer+" on VLINK") && s == ospf.StateFull {
					full++
					break
				}
			}
		}
		if full == len(ends) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return nil
}
