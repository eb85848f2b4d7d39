package topology

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/snapshot"
)

func build(t *testing.T, dir string) *Topology {
	t.Helper()
	s, err := snapshot.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return Build(s)
}

// Story 1's snapshot holds fc20 alone: its SIT tunnel's far end, R1, is
// outside the snapshot, and the topology says so.
func TestFourthTable(t *testing.T) {
	top := build(t, filepath.Join("..", "..", "examples", "fourth-table", "broken"))
	same(t, "links", linkList(top), nil)
	same(t, "unpaired", unpairedList(top), []string{"fc20:sit1 tunnel"})
	if r := reasonWith(top, "fc20:sit1", KindTunnel); !strings.Contains(r, "(sit, local 198.51.100.10 remote 203.0.113.1): remote 203.0.113.1 is no device's address") {
		t.Errorf("sit1: %s", r)
	}
	if top.LinksFile.Present || top.LinksFile.File != "links.yaml" {
		t.Errorf("links file %+v", top.LinksFile)
	}
}

// The network of story 1 with routers and Batfish hosts
// (testdata/network): fc20's SIT tunnel pairs with r1's IOS ipv6ip
// tunnel, r1 and r2 share a /31, r2 and two Batfish hosts a LAN; a GRE
// tunnel facing IP-in-IP, a tunnel and a /31 whose far ends are outside,
// a /24 against a /25, docker's re-used 172.17.0.1 and links.yaml's
// additions and removals are each reported.
func TestNetwork(t *testing.T) {
	top := build(t, filepath.Join("testdata", "network"))
	same(t, "devices", top.Devices, []string{"fc20", "r1", "r2", "web1", "web2"})
	same(t, "links", linkList(top), []string{
		"fc20:sit1 -- r1:Tunnel0 [subnet,tunnel]",
		"r1:GigabitEthernet0/1 -- r2:eth0 [subnet,subnet,links.yaml]",
		"r1:GigabitEthernet0/3 -- r2:eth3 [links.yaml]",
	})
	same(t, "segments", segmentList(top), []string{"198.18.2.0/24: r2:eth1 web1:eth0 web2:eth0"})
	same(t, "unpaired", unpairedList(top), []string{
		"fc20:docker0 duplicate-address",
		"r1:GigabitEthernet0/2 point-to-point",
		"r1:GigabitEthernet0/3 prefix-length",
		"r1:Tunnel1 tunnel",
		"r1:Tunnel1 tunnel-mismatch",
		"r2:tun1 tunnel",
		"r9:eth0 links.yaml",
	})
	sit := top.Links[0]
	if sit.Tunnel == nil || fmt.Sprint(sit.Tunnel.Protocols) != "[41]" || sit.Tunnel.ALocal.String() != "198.51.100.10" || sit.Tunnel.BLocal.String() != "203.0.113.1" {
		t.Errorf("sit link %+v", sit.Tunnel)
	}
	if len(top.Removed) != 1 || top.Removed[0].A.String() != "r1:GigabitEthernet0/4" || len(top.Removed[0].Down) != 1 {
		t.Errorf("removed %+v", top.Removed)
	}
	if len(top.Notes) != 1 || top.Notes[0].Pos.Line != 6 {
		t.Errorf("links.yaml notes %v", top.Notes)
	}
	if r := reasonWith(top, "r1:Tunnel1", KindTunnelMismatch); !strings.Contains(r, "gre sends protocol 47, ipip protocol 4") {
		t.Errorf("Tunnel1: %s", r)
	}
}

// Story 6: a VyOS GRE tunnel and an IOS GRE tunnel whose source is an
// interface pair over a provider outside the snapshot.
func TestScenario06(t *testing.T) {
	for _, v := range []string{"broken", "fixed"} {
		top := build(t, filepath.Join("..", "ospf", "testdata", "scenarios", "06-ospfv3-gre-mtu", v))
		same(t, v+" links", linkList(top), []string{"cisco1:Tunnel0 -- vyos1:tun0 [subnet,subnet,tunnel]"})
		same(t, v+" unpaired", unpairedList(top), nil)
		l := top.Links[0]
		if l.Tunnel == nil || l.Tunnel.ALocal.String() != "198.51.100.2" || l.Tunnel.BLocal.String() != "203.0.113.1" || fmt.Sprint(l.Tunnel.Protocols) != "[47]" {
			t.Errorf("%s: tunnel %+v", v, l.Tunnel)
		}
	}
}
