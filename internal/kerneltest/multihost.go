package kerneltest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
)

// Multi-host labs: two or three Linux hosts in a chain, each in its own
// network namespace, wired host to host by veths, with a silent edge peer
// namespace at either end of the chain (see MultiLab).

// MultiTopology is a chain of hosts h1 -- h2 [-- h3]: each host has its
// interfaces (Links), some wired to the next or previous host (To), the
// others edge links to a silent peer namespace.
type MultiTopology struct {
	// Name names the topology (the snapshot directory of its cases).
	Name  string      `json:"name"`
	Hosts []ChainHost `json:"hosts"`
}

// ChainHost is one host of a chain.
type ChainHost struct {
	Name  string      `json:"name"`
	Links []ChainLink `json:"links"`
	// Loopback are addresses on lo (a host's "service" addresses, on no
	// link).
	Loopback []netip.Prefix `json:"loopback,omitempty"`
}

// ChainLink is one host interface: a veth to another host of the chain
// (To, ToLink), or, when To is empty, to an edge peer namespace.
type ChainLink struct {
	Name  string         `json:"name"`
	Addrs []netip.Prefix `json:"addrs"`
	// To is the host at the other end and ToLink its interface there.
	To     string `json:"to,omitempty"`
	ToLink string `json:"to_link,omitempty"`
	// Peers are the machines behind an edge link: the host reaches each
	// through a permanent neighbour entry with a MAC of its own (the
	// edge peer namespace is a silent wire, as in Lab).
	Peers []netip.Addr `json:"peers,omitempty"`
}

// Key identifies the topology: equal keys build equal labs.
func (t MultiTopology) Key() string {
	b, _ := json.Marshal(t)
	return string(b)
}

// Host returns the host named name, or nil.
func (t MultiTopology) Host(name string) *ChainHost {
	for i := range t.Hosts {
		if t.Hosts[i].Name == name {
			return &t.Hosts[i]
		}
	}
	return nil
}

// Link returns the link named name of h, or nil.
func (h *ChainHost) Link(name string) *ChainLink {
	for i := range h.Links {
		if h.Links[i].Name == name {
			return &h.Links[i]
		}
	}
	return nil
}

func (t MultiTopology) check() error {
	if len(t.Hosts) < 2 {
		return errors.New("kerneltest: a chain needs at least two hosts")
	}
	names := map[string]bool{}
	for _, h := range t.Hosts {
		if h.Name == "" || names[h.Name] || strings.ContainsAny(h.Name, `/\ `) {
			return fmt.Errorf("kerneltest: bad or duplicate host name %q", h.Name)
		}
		names[h.Name] = true
	}
	for _, h := range t.Hosts {
		seen := map[string]bool{}
		for _, a := range h.Loopback {
			if err := checkDocAddr(h.Name+" lo address", a.Addr()); err != nil {
				return err
			}
		}
		for _, l := range h.Links {
			if l.Name == "" || len(l.Name) > 15 || l.Name == "lo" || l.Name == "a" || seen[l.Name] {
				return fmt.Errorf("kerneltest: %s: bad or duplicate link name %q", h.Name, l.Name)
			}
			seen[l.Name] = true
			for _, a := range l.Addrs {
				if err := checkDocAddr(h.Name+" "+l.Name+" address", a.Addr()); err != nil {
					return err
				}
			}
			for _, a := range l.Peers {
				if err := checkDocAddr(h.Name+" "+l.Name+" peer", a); err != nil {
					return err
				}
			}
			if l.To == "" {
				continue
			}
			o := t.Host(l.To)
			if o == nil {
				return fmt.Errorf("kerneltest: %s %s: no host %q", h.Name, l.Name, l.To)
			}
			ol := o.Link(l.ToLink)
			if ol == nil || ol.To != h.Name || ol.ToLink != l.Name {
				return fmt.Errorf("kerneltest: %s %s -> %s %s: the other end does not point back", h.Name, l.Name, l.To, l.ToLink)
			}
			if len(l.Peers) > 0 {
				return fmt.Errorf("kerneltest: %s %s: only edge links have peers", h.Name, l.Name)
			}
		}
	}
	return nil
}

// MultiLab is a MultiTopology built in namespaces: "fk<pid>-m<n>h<i>" for
// host i of the chain and "fk<pid>-m<n>e<i><j>" for the edge peer of link
// j of host i.
//
// Hosts find each other across their links by real address resolution
// (ARP, ND): no neighbour entries are made between hosts, and every
// Apply flushes the hosts' neighbour caches, so that every case resolves
// its next hops afresh and a next hop nobody holds stays unresolved (the
// kernel keeps the packet in the INCOMPLETE entry's queue; Inject reads
// the entry's state). Edge peers are silent wires, as in Lab: the host
// reaches the addresses behind an edge link through permanent neighbour
// entries, and a next hop on an edge link that has none stays
// unresolved too.
//
// Each host is a Lab of its own inside (its Apply, Collect, trace socket,
// conntrack flusher); the frames are written from one sender thread and
// kfree_skb is watched for that thread, for the whole chain.
type MultiLab struct {
	topo  MultiTopology
	id    string
	hosts []*Lab
	edges []*labLink // every edge link, the injection link first
	// edgeHost[i] is the index of the host of edges[i].
	edgeHost []int
	sender   *sender
	drops    *dropMon
	// DropMonErr says why kernel drop reasons are not available.
	DropMonErr error
	namespaces []string

	mu     sync.Mutex
	closed bool
}

// NewMultiLab builds topo in fresh namespaces. Close removes them.
func NewMultiLab(ctx context.Context, topo MultiTopology) (m *MultiLab, err error) {
	if err := topo.check(); err != nil {
		return nil, err
	}
	sweepStale(ctx)
	n := labSeq.Add(1)
	m = &MultiLab{topo: topo, id: fmt.Sprintf("%sm%d", nsPrefix(), n)}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	index := map[string]int{}
	for i, h := range topo.Hosts {
		index[h.Name] = i
		l := &Lab{id: m.id, hostNS: fmt.Sprintf("%sh%d", m.id, i+1), ifName: map[uint32]string{}}
		l.topo.Host = h.Name
		if err := run(ctx, nil, "ip", "netns", "add", l.hostNS); err != nil {
			return nil, err
		}
		m.namespaces = append(m.namespaces, l.hostNS)
		if _, err := writeSysctls(l.hostNS, baseSysctls); err != nil {
			return nil, err
		}
		m.hosts = append(m.hosts, l)
	}
	batches := make([][]string, len(topo.Hosts))
	neigh := make([][]string, len(topo.Hosts))
	var edgeNS []string
	for i, h := range topo.Hosts {
		l := m.hosts[i]
		b := []string{"link set lo up"}
		for _, a := range h.Loopback {
			b = append(b, addrLine(a, "lo"))
		}
		for j, lk := range h.Links {
			l.topo.Links = append(l.topo.Links, Link{Name: lk.Name, Addrs: lk.Addrs, Peers: lk.Peers})
			ll := &labLink{Link: l.topo.Links[j], hostMAC: mac(0x10+i, j, 0), neighMAC: map[netip.Addr]net.HardwareAddr{}}
			l.links = append(l.links, ll)
			switch {
			case lk.To == "":
				ll.peerNS = fmt.Sprintf("%se%d%d", m.id, i+1, j)
				ll.peerIf = "peer"
				ll.peerMAC = mac(0x20+i, j, 0)
				if err := run(ctx, nil, "ip", "netns", "add", ll.peerNS); err != nil {
					return nil, err
				}
				m.namespaces = append(m.namespaces, ll.peerNS)
				if _, err := writeSysctls(ll.peerNS, peerSysctls); err != nil {
					return nil, err
				}
				edgeNS = append(edgeNS, ll.peerNS)
				b = append(b, fmt.Sprintf("link add %s address %s type veth peer name %s address %s netns %s",
					lk.Name, ll.hostMAC, ll.peerIf, ll.peerMAC, ll.peerNS))
				for k, a := range lk.Peers {
					mc := mac(0x30+i, j, k+1)
					ll.neighMAC[a] = mc
					neigh[i] = append(neigh[i], fmt.Sprintf("neigh replace %s lladdr %s dev %s nud permanent", a, mc, lk.Name))
				}
				m.edges = append(m.edges, ll)
				m.edgeHost = append(m.edgeHost, i)
			case index[lk.To] > i:
				// Made from this side, the other end put in the next
				// host's namespace.
				o := index[lk.To]
				oj := 0
				for k, x := range topo.Hosts[o].Links {
					if x.Name == lk.ToLink {
						oj = k
					}
				}
				b = append(b, fmt.Sprintf("link add %s address %s type veth peer name %s address %s netns %s",
					lk.Name, ll.hostMAC, lk.ToLink, mac(0x10+o, oj, 0), m.hosts[o].hostNS))
			}
			b = append(b, "link set "+lk.Name+" up")
			for _, a := range lk.Addrs {
				b = append(b, addrLine(a, lk.Name))
			}
		}
		batches[i] = b
	}
	// In chain order: a host's batch makes the veths to later hosts,
	// whose batches then configure their ends.
	for i := range m.hosts {
		if err := ipBatch(ctx, m.hosts[i].hostNS, "", batches[i]); err != nil {
			return nil, err
		}
	}
	for _, ns := range edgeNS {
		if err := ipBatch(ctx, ns, "", []string{"link set lo up", "link set peer up"}); err != nil {
			return nil, err
		}
	}
	for i, l := range m.hosts {
		if err := ipBatch(ctx, l.hostNS, "", neigh[i]); err != nil {
			return nil, err
		}
		if err := l.readIfindexes(ctx); err != nil {
			return nil, err
		}
		if l.trace, err = openTraceSocket(l.hostNS); err != nil {
			return nil, err
		}
		if l.ct, err = openCTFlusher(l.hostNS); err != nil {
			return nil, err
		}
	}
	for _, ll := range m.edges {
		if ll.sock, err = openPeerSocket(ll.peerNS, ll.peerIf); err != nil {
			return nil, err
		}
	}
	if m.sender, err = startSender(); err != nil {
		return nil, err
	}
	m.drops, m.DropMonErr = startDropMon(m.id, m.sender.tid)
	return m, nil
}

func addrLine(a netip.Prefix, dev string) string {
	s := fmt.Sprintf("addr add %s dev %s", a, dev)
	if a.Addr().Is6() {
		s += " nodad"
	}
	return s
}

// Topology is what the lab was built from.
func (m *MultiLab) Topology() MultiTopology { return m.topo }

// HostNS is the namespace of the named host ("" if none).
func (m *MultiLab) HostNS(host string) string {
	if l := m.host(host); l != nil {
		return l.hostNS
	}
	return ""
}

func (m *MultiLab) host(name string) *Lab {
	for _, l := range m.hosts {
		if l.topo.Host == name {
			return l
		}
	}
	return nil
}

func (m *MultiLab) hostIndex(name string) int {
	for i, l := range m.hosts {
		if l.topo.Host == name {
			return i
		}
	}
	return -1
}

// Apply applies one Config per host (in chain order; a missing one is
// the empty Config) with Lab.Apply, then empties every host's neighbour
// cache but for the permanent entries of the edge links.
func (m *MultiLab) Apply(ctx context.Context, cfgs []Config) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return fmt.Errorf("kerneltest: lab %s is closed", m.id)
	}
	if len(cfgs) > len(m.hosts) {
		return fmt.Errorf("kerneltest: %d configs for %d hosts", len(cfgs), len(m.hosts))
	}
	// The hosts are independent: configure them at once.
	errs := make([]error, len(m.hosts))
	var wg sync.WaitGroup
	for i, l := range m.hosts {
		var c Config
		if i < len(cfgs) {
			c = cfgs[i]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Apply(ctx, c); err != nil {
				errs[i] = fmt.Errorf("%s: %w", l.topo.Host, err)
				return
			}
			errs[i] = ipBatch(ctx, l.hostNS, "", []string{"neigh flush all"})
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Collect writes every host's snapshot into snap/hosts/<host>/ (Lab.Collect
// for each).
func (m *MultiLab) Collect(ctx context.Context, snap string) error {
	errs := make([]error, len(m.hosts))
	var wg sync.WaitGroup
	for i, l := range m.hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.Collect(ctx, snap); err != nil {
				errs[i] = fmt.Errorf("%s: %w", l.topo.Host, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Close removes every namespace the lab created and closes its sockets.
// It is safe to call more than once.
func (m *MultiLab) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	if m.drops != nil {
		m.drops.Close()
	}
	if m.sender != nil {
		m.sender.Close()
	}
	for _, l := range m.hosts {
		l.closed = true
		if l.trace != nil {
			l.trace.Close()
		}
		if l.ct != nil {
			l.ct.Close()
		}
		for _, ll := range l.links {
			if ll.sock != nil {
				ll.sock.Close()
			}
		}
	}
	var errs []error
	for i := len(m.namespaces) - 1; i >= 0; i-- {
		if err := deleteNetns(context.Background(), m.namespaces[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
