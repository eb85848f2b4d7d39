package snapshot

import (
	"os"
	"path/filepath"
	"testing"
)

// An FRR config and the same router's `ip -j -d link show` are one
// device: the kernel gives the MTU frr.conf does not state.
func TestMergeHost(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "configs"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "hosts", "r1"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "configs", "r1.conf"), []byte("frr version 8.4.4\nhostname r1\ninterface e1\n ip address 198.18.1.1/24\n ip ospf area 0\nexit\nrouter ospf\n ospf router-id 192.0.2.1\nexit\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "hosts", "r1", "ip-link.json"), []byte(`[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"link_type":"loopback"},
{"ifindex":2,"ifname":"e1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1400,"link_type":"ether","linkinfo":{"info_kind":"veth"}}]`), 0o644))
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Devices) != 1 {
		t.Fatalf("want one merged device, got %v", s.Names())
	}
	d := s.Devices[0]
	if d.Router == nil || d.Interface("e1") == nil || d.Interface("e1").MTU != 1400 {
		t.Fatalf("e1 should be the router's, with the kernel's MTU 1400: %+v", d.Interface("e1"))
	}
	if lo := d.Interface("lo"); lo == nil || d.Router.Iface("lo") == nil || len(d.Interfaces) != len(d.Router.Ifaces) {
		t.Fatalf("kernel-only interfaces join the router with a config entry each")
	}
	if len(d.Interface("e1").Addrs) != 1 {
		t.Fatalf("the router keeps its configured addresses")
	}
}
