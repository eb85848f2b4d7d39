package ios

import (
	"fmt"
	"strings"
	"testing"
)

// genConfig writes a realistic IOS configuration of a few hundred lines:
// interfaces with OSPF settings, a BGP process, access lists, prefix
// lists, route-maps and static routes, varied by seed.
func genConfig(seed int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "!\nversion 15.%d\nservice timestamps log datetime msec\nhostname r%d\n!\nenable secret 5 $1$abcd$%08d\n!\n", seed%9, seed, seed)
	fmt.Fprintf(&b, "vrf definition V%d\n rd 65000:%d\n !\n address-family ipv4\n exit-address-family\n!\n", seed, seed)
	for i := 0; i < 24; i++ {
		fmt.Fprintf(&b, "interface GigabitEthernet0/%d\n description link %d of router %d\n", i, i, seed)
		fmt.Fprintf(&b, " ip address 10.%d.%d.1 255.255.255.252\n", seed%250, i)
		fmt.Fprintf(&b, " ip ospf network point-to-point\n ip ospf cost %d\n ip ospf 1 area %d\n", 10+i, i%4)
		fmt.Fprintf(&b, " ipv6 address 2001:DB8:%X:%X::1/64\n ipv6 ospf 1 area 0\n", seed, i)
		if i%3 == 0 {
			fmt.Fprintf(&b, " ip access-group 110 in\n")
		}
		b.WriteString(" duplex auto\n speed auto\n!\n")
	}
	fmt.Fprintf(&b, "interface Loopback0\n ip address 10.255.%d.%d 255.255.255.255\n!\n", seed/250, seed%250)
	fmt.Fprintf(&b, "router ospf 1\n router-id 10.255.%d.%d\n auto-cost reference-bandwidth 10000\n passive-interface Loopback0\n network 10.255.0.0 0.0.255.255 area 0\n area 1 stub\n area 2 nssa no-summary\n redistribute static subnets\n!\n", seed/250, seed%250)
	fmt.Fprintf(&b, "ipv6 router ospf 1\n router-id 10.255.%d.%d\n!\n", seed/250, seed%250)
	fmt.Fprintf(&b, "router bgp 65000\n bgp router-id 10.255.%d.%d\n bgp log-neighbor-changes\n", seed/250, seed%250)
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&b, " neighbor 10.%d.%d.2 remote-as %d\n neighbor 10.%d.%d.2 password 7 0%d\n", seed%250, i, 64500+i, seed%250, i, i)
	}
	b.WriteString(" !\n address-family ipv4\n")
	for i := 0; i < 16; i++ {
		fmt.Fprintf(&b, "  neighbor 10.%d.%d.2 activate\n  neighbor 10.%d.%d.2 route-map IN in\n  neighbor 10.%d.%d.2 prefix-list OUT out\n", seed%250, i, seed%250, i, seed%250, i)
	}
	b.WriteString("  network 10.0.0.0 mask 255.0.0.0\n exit-address-family\n!\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "ip route 172.%d.%d.0 255.255.255.0 10.%d.0.2\n", 16+i%16, seed%250, seed%250)
	}
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "access-list 110 permit tcp 10.%d.0.0 0.0.255.255 any eq %d\n", i, 1000+i)
	}
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "ip prefix-list OUT seq %d permit 10.%d.0.0/16 le 24\n", 5*(i+1), i)
	}
	b.WriteString("route-map IN permit 10\n match ip address prefix-list OUT\n set local-preference 120\n!\n")
	b.WriteString("snmp-server community public RO\nline vty 0 4\n password 7 0822455D0A16\n login\n!\nend\n")
	return []byte(b.String())
}

// BenchmarkParseIOS1000 parses 1,000 generated configurations (about 300
// lines each) per iteration; issue 6 asks for under 2 s.
func BenchmarkParseIOS1000(b *testing.B) {
	cfgs := make([][]byte, 1000)
	lines := 0
	for i := range cfgs {
		cfgs[i] = genConfig(i)
		lines += strings.Count(string(cfgs[i]), "\n")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for i, c := range cfgs {
			d, notes := Parse("r.cfg", c)
			if len(notes) != 0 || d.Router.Config.Understood != d.Router.Config.Lines {
				b.Fatalf("config %d: %v", i, notes)
			}
		}
	}
	b.ReportMetric(float64(lines)/1000, "lines/config")
}
