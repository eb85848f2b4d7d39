interfaces {
    ethernet eth0 {
        address 192.0.2.1/31
        address 2001:db8:12::2/64
        description r1
    }
    ethernet eth1 {
        address 198.18.2.1/24
        address 2001:db8:2::1/64
        description servers
    }
    ethernet eth3 {
        address 198.18.3.2/25
        description "VLAN 3"
    }
    ethernet eth4 {
        address 198.18.4.2/30
        disable
    }
    loopback lo {
    }
    tunnel tun1 {
        address 198.18.9.1/30
        encapsulation gre
        remote 203.0.113.99
        source-address 192.0.2.1
    }
    tunnel tun2 {
        address 192.0.2.5/31
        encapsulation ipip
        remote 192.0.2.0
        source-address 192.0.2.1
    }
}
protocols {
    static {
        route 0.0.0.0/0 {
            next-hop 192.0.2.0 {
            }
        }
    }
}
system {
    host-name r2
}


// Warning: Do not remove the following line.
// vyos-config-version: "broadcast-relay@1:cluster@1:config-management@1:conntrack@3:conntrack-sync@2:dhcp-relay@2:dhcp-server@6:dhcpv6-server@1:dns-forwarding@3:firewall@5:https@2:interfaces@22:ipoe-server@1:ipsec@5:isis@1:l2tp@3:lldp@1:mdns@1:nat@5:ntp@1:pppoe-server@5:pptp@2:qos@1:quagga@8:rpki@1:salt@1:snmp@2:ssh@2:sstp@3:system@21:vrf@3:vrrp@2:vyos-accel-ppp@2:wanloadbalance@3:webproxy@2:zone-policy@1"
// Release version: 1.3.4
