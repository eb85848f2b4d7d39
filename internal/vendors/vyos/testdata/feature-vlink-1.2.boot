interfaces {
    ethernet eth0 {
        address 10.0.12.4/24
    }
}
protocols {
    ospf {
        area 1 {
            network 10.0.12.0/24
            virtual-link 10.255.0.1 {
                authentication {
                    md5 {
                        key-id 1 {
                            md5-key VyosBootVlKey
                        }
                    }
                }
                dead-interval 60
                hello-interval 15
            }
        }
        parameters {
            router-id 10.255.0.4
        }
    }
}
system {
    host-name abr4
}


// Warning: Do not remove the following line.
// vyos-config-version: "broadcast-relay@1:cluster@1:config-management@1:conntrack@1:conntrack-sync@1:dhcp-relay@2:dhcp-server@5:dns-forwarding@1:firewall@5:ipsec@5:l2tp@1:mdns@1:nat@4:ntp@1:pptp@1:qos@1:quagga@6:snmp@1:ssh@1:system@10:vrrp@2:wanloadbalance@3:webgui@1:webproxy@2:zone-policy@1"
// Release version: 1.2.9-S1
