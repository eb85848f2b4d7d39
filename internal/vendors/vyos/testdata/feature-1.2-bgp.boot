interfaces {
    ethernet eth0 {
        address 192.0.2.10/24
        duplex auto
        speed auto
    }
    ethernet eth1 {
        address 10.50.0.1/24
        ip {
            ospf {
                cost 20
                dead-interval 40
                hello-interval 10
                mtu-ignore
                network broadcast
                priority 10
            }
        }
    }
    loopback lo {
        address 10.255.50.1/32
    }
    tunnel tun0 {
        address 10.51.0.1/30
        encapsulation sit
        local-ip 192.0.2.10
        remote-ip 192.0.2.20
    }
}
protocols {
    bgp 65050 {
        neighbor 192.0.2.1 {
            remote-as 65001
            update-source 192.0.2.10
            ebgp-multihop 2
            address-family {
                ipv4-unicast {
                    route-map {
                        export EXPORT
                        import IMPORT
                    }
                    soft-reconfiguration {
                        inbound
                    }
                }
            }
        }
        neighbor 192.0.2.2 {
            remote-as 65002
        }
        address-family {
            ipv4-unicast {
                network 10.50.0.0/16 {
                }
            }
        }
        parameters {
            router-id 10.255.50.1
        }
    }
    ospf {
        area 0 {
            network 10.50.0.0/24
            network 10.255.50.1/32
            authentication md5
        }
        passive-interface default
        passive-interface-exclude eth1
    }
    static {
        interface-route 10.60.0.0/16 {
            next-hop-interface tun0 {
                distance 20
            }
        }
    }
}
policy {
    route-map EXPORT {
        rule 10 {
            action permit
            match {
                ip {
                    address {
                        prefix-list OWN
                    }
                }
            }
        }
    }
    route-map IMPORT {
        rule 10 {
            action permit
        }
    }
    prefix-list OWN {
        rule 10 {
            action permit
            prefix 10.50.0.0/16
        }
    }
}
service {
    ssh {
        port 22
    }
}
system {
    gateway-address 192.0.2.1
    host-name vyos12
    login {
        user vyos {
            authentication {
                encrypted-password $6$OldHashValue$abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ012345
                plaintext-password ""
            }
            level admin
        }
    }
}


// Warning: Do not remove the following line.
// vyos-config-version: "broadcast-relay@1:cluster@1:config-management@1:conntrack@1:conntrack-sync@1:dhcp-relay@2:dhcp-server@5:dns-forwarding@1:firewall@5:ipsec@5:l2tp@1:mdns@1:nat@4:ntp@1:pptp@1:qos@1:quagga@6:snmp@1:ssh@1:system@10:vrrp@2:wanloadbalance@3:webgui@1:webproxy@2:zone-policy@1"
// Release version: 1.2.9-S1
