package kerneltest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// Lab is one Topology built in network namespaces: the host namespace
// "fk<pid>-<n>h" and one peer namespace "fk<pid>-<n>p<i>" per link. The
// peers are wires and packet generators, nothing more: IPv6 is disabled in
// them and they have no IPv4 address, so they send nothing on their own
// (no ND, MLD, RS or replies); the host reaches the addresses behind them
// through permanent neighbour entries.
//
// A Lab is not safe for concurrent Inject calls; Apply and Inject lock it.
type Lab struct {
	topo   Topology
	id     string
	hostNS string
	links  []*labLink
	ifName map[uint32]string // host ifindex -> name

	trace  *traceSocket
	ct     *ctFlusher
	snmp   *snmpFiles
	drops  *dropMon
	sender *sender
	// DropMonErr says why kernel drop reasons are not available (nil when
	// they are).
	DropMonErr error

	mu      sync.Mutex
	restore []Sysctl // previous values of the sysctls the last Config wrote
	// lastSysctls and lastRouting are what the last Apply set, to skip
	// setting them again.
	lastSysctls []Sysctl
	lastRouting string
	rulesetKey  string
	positions   map[handleKey]int
	closed      bool
}

type labLink struct {
	Link
	peerNS    string
	peerIf    string
	hostMAC   net.HardwareAddr
	peerMAC   net.HardwareAddr
	neighMAC  map[netip.Addr]net.HardwareAddr
	hostIndex uint32
	sock      *peerSocket
}

var labSeq atomic.Int64

// baseSysctls make the host namespace independent of the root namespace
// (a new netns copies IPv4 settings from init_net when
// net.core.devconf_inherit_init_net is 0) and quiet: they are written
// before any interface exists, so every lab interface inherits them.
var baseSysctls = []Sysctl{
	{"net.ipv4.conf.all.forwarding", "0"},
	{"net.ipv4.conf.default.forwarding", "0"},
	{"net.ipv4.conf.all.rp_filter", "0"},
	{"net.ipv4.conf.default.rp_filter", "0"},
	{"net.ipv4.conf.all.accept_local", "0"},
	{"net.ipv4.conf.default.accept_local", "0"},
	{"net.ipv4.conf.all.src_valid_mark", "0"},
	{"net.ipv4.conf.default.src_valid_mark", "0"},
	{"net.ipv4.conf.all.log_martians", "0"},
	{"net.ipv4.conf.default.log_martians", "0"},
	{"net.ipv4.conf.all.accept_redirects", "0"},
	{"net.ipv4.conf.default.accept_redirects", "0"},
	{"net.ipv4.conf.all.send_redirects", "0"},
	{"net.ipv4.conf.default.send_redirects", "0"},
	{"net.ipv6.conf.all.forwarding", "0"},
	{"net.ipv6.conf.default.forwarding", "0"},
	{"net.ipv6.conf.all.accept_dad", "0"},
	{"net.ipv6.conf.default.accept_dad", "0"},
	{"net.ipv6.conf.all.accept_ra", "0"},
	{"net.ipv6.conf.default.accept_ra", "0"},
	{"net.ipv6.conf.all.router_solicitations", "0"},
	{"net.ipv6.conf.default.router_solicitations", "0"},
	{"net.ipv6.conf.all.accept_redirects", "0"},
	{"net.ipv6.conf.default.accept_redirects", "0"},
}

// peerSysctls silence a peer namespace: no IPv6 on any interface.
var peerSysctls = []Sysctl{
	{"net.ipv6.conf.all.disable_ipv6", "1"},
	{"net.ipv6.conf.default.disable_ipv6", "1"},
}

// NewLab builds topo in fresh namespaces. Close removes them.
func NewLab(ctx context.Context, topo Topology) (lab *Lab, err error) {
	if len(topo.Links) == 0 {
		return nil, errors.New("kerneltest: a topology needs at least one link")
	}
	if err := topo.checkDoc(); err != nil {
		return nil, err
	}
	sweepStale(ctx)
	n := labSeq.Add(1)
	l := &Lab{
		topo:   topo,
		id:     fmt.Sprintf("%s%d", nsPrefix(), n),
		ifName: map[uint32]string{},
	}
	l.hostNS = l.id + "h"
	defer func() {
		if err != nil {
			l.Close()
		}
	}()
	if err := run(ctx, nil, "ip", "netns", "add", l.hostNS); err != nil {
		return nil, err
	}
	if _, err := writeSysctls(l.hostNS, baseSysctls); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var hostBatch, neighBatch []string
	hostBatch = append(hostBatch, "link set lo up")
	for i, lk := range topo.Links {
		if lk.Name == "" || len(lk.Name) > 15 || lk.Name == "lo" || seen[lk.Name] {
			return nil, fmt.Errorf("kerneltest: bad or duplicate link name %q", lk.Name)
		}
		seen[lk.Name] = true
		ll := &labLink{
			Link:     lk,
			peerNS:   fmt.Sprintf("%sp%d", l.id, i),
			peerIf:   "peer",
			hostMAC:  mac(1, i, 0),
			peerMAC:  mac(2, i, 0),
			neighMAC: map[netip.Addr]net.HardwareAddr{},
		}
		l.links = append(l.links, ll)
		if err := run(ctx, nil, "ip", "netns", "add", ll.peerNS); err != nil {
			return nil, err
		}
		if _, err := writeSysctls(ll.peerNS, peerSysctls); err != nil {
			return nil, err
		}
		mtu := ""
		if lk.MTU != 0 {
			mtu = fmt.Sprintf(" mtu %d", lk.MTU)
		}
		hostBatch = append(hostBatch,
			fmt.Sprintf("link add %s address %s%s type veth peer name %s address %s%s netns %s",
				lk.Name, ll.hostMAC, mtu, ll.peerIf, ll.peerMAC, mtu, ll.peerNS),
			fmt.Sprintf("link set %s up", lk.Name))
		for _, a := range lk.Addrs {
			s := fmt.Sprintf("addr add %s dev %s", a, lk.Name)
			if a.Addr().Is6() {
				s += " nodad"
			}
			hostBatch = append(hostBatch, s)
		}
		for j, a := range lk.Peers {
			m := mac(3, i, j+1)
			ll.neighMAC[a] = m
			neighBatch = append(neighBatch, fmt.Sprintf("neigh replace %s lladdr %s dev %s nud permanent", a, m, lk.Name))
		}
	}
	if err := ipBatch(ctx, l.hostNS, "", hostBatch); err != nil {
		return nil, err
	}
	for _, ll := range l.links {
		if err := ipBatch(ctx, ll.peerNS, "", []string{"link set lo up", "link set " + ll.peerIf + " up"}); err != nil {
			return nil, err
		}
	}
	if err := ipBatch(ctx, l.hostNS, "", neighBatch); err != nil {
		return nil, err
	}
	if err := l.readIfindexes(ctx); err != nil {
		return nil, err
	}
	for _, ll := range l.links {
		if ll.sock, err = openPeerSocket(ll.peerNS, ll.peerIf); err != nil {
			return nil, err
		}
	}
	if l.trace, err = openTraceSocket(l.hostNS); err != nil {
		return nil, err
	}
	if l.ct, err = openCTFlusher(l.hostNS); err != nil {
		return nil, err
	}
	if l.snmp, err = openSNMP(l.hostNS); err != nil {
		return nil, err
	}
	if l.sender, err = startSender(); err != nil {
		return nil, err
	}
	l.drops, l.DropMonErr = startDropMon(l.id, l.sender.tid)
	return l, nil
}

// mac makes a locally administered unicast MAC: 02:66:6b:<kind>:<link>:<n>.
func mac(kind, link, n int) net.HardwareAddr {
	return net.HardwareAddr{0x02, 0x66, 0x6b, byte(kind), byte(link), byte(n)}
}

// ipBatch runs `ip [fam] -batch -` with lines inside namespace ns.
func ipBatch(ctx context.Context, ns, fam string, lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	var args []string
	if fam != "" {
		args = append(args, fam)
	}
	args = append(args, "-batch", "-")
	_, err := nsOutput(ctx, ns, []byte(strings.Join(lines, "\n")+"\n"), "ip", args...)
	return err
}

func (l *Lab) readIfindexes(ctx context.Context) error {
	out, err := nsOutput(ctx, l.hostNS, nil, "ip", "-j", "link", "show")
	if err != nil {
		return err
	}
	var links []struct {
		Index  uint32 `json:"ifindex"`
		Name   string `json:"ifname"`
		Master string `json:"master"`
	}
	if err := json.Unmarshal(out, &links); err != nil {
		return fmt.Errorf("kerneltest: ip -j link: %w", err)
	}
	for _, k := range links {
		l.ifName[k.Index] = k.Name
		for _, ll := range l.links {
			if ll.Name == k.Name {
				ll.hostIndex = k.Index
			}
		}
	}
	return nil
}

// HostNS is the name of the host's network namespace (for `ip netns exec`).
func (l *Lab) HostNS() string { return l.hostNS }

// Topology is what the lab was built from.
func (l *Lab) Topology() Topology { return l.topo }

func (l *Lab) link(name string) *labLink {
	for _, ll := range l.links {
		if ll.Name == name {
			return ll
		}
	}
	return nil
}

// Close removes every namespace the lab created (which also removes its
// veths) and closes its sockets. It is safe to call more than once.
func (l *Lab) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	if l.drops != nil {
		l.drops.Close()
	}
	if l.sender != nil {
		l.sender.Close()
	}
	if l.trace != nil {
		l.trace.Close()
	}
	if l.ct != nil {
		l.ct.Close()
	}
	if l.snmp != nil {
		l.snmp.Close()
	}
	var errs []error
	ctx := context.Background()
	for _, ll := range l.links {
		if ll.sock != nil {
			ll.sock.Close()
		}
		if err := deleteNetns(ctx, ll.peerNS); err != nil {
			errs = append(errs, err)
		}
	}
	if err := deleteNetns(ctx, l.hostNS); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func deleteNetns(ctx context.Context, ns string) error {
	if _, err := os.Stat(netnsDir + "/" + ns); err != nil {
		return nil
	}
	return run(ctx, nil, "ip", "netns", "delete", ns)
}

// newNonce returns a fresh random packet marker.
func newNonce() []byte {
	b := make([]byte, nonceLen)
	rand.Read(b)
	return b
}
