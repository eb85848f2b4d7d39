package ios

import "strings"

// ignoredTop are top-level commands farend understands to have no effect
// on what it models (forwarding, routing protocols, filters): management,
// logging, services on the box itself, hardware housekeeping. Each key is
// the first one or two words of the command; the value says why it does
// not matter. A `no` form of the same command is understood likewise.
var ignoredTop = map[string]string{
	"service":                 "box services (timestamps, password-encryption ...)",
	"boot-start-marker":       "boot markers",
	"boot-end-marker":         "boot markers",
	"boot":                    "boot image selection",
	"aaa":                     "management authentication",
	"memory-size":             "memory carving",
	"multilink":               "multilink naming",
	"clock":                   "time zone",
	"logging":                 "logging",
	"ntp":                     "time synchronisation",
	"archive":                 "configuration archive",
	"license":                 "licensing",
	"redundancy":              "supervisor redundancy",
	"control-plane":           "control-plane policing block (empty by default)",
	"mmi":                     "management interface",
	"cdp":                     "CDP neighbour discovery",
	"lldp":                    "LLDP neighbour discovery",
	"vtp":                     "VLAN trunking protocol",
	"spanning-tree":           "layer 2 spanning tree",
	"vlan":                    "layer 2 VLAN database",
	"hw-module":               "hardware modules",
	"card":                    "hardware cards",
	"platform":                "platform knobs",
	"diagnostic":              "diagnostics",
	"alias":                   "CLI aliases",
	"privilege":               "CLI privilege levels",
	"exception":               "crash dumps",
	"scheduler":               "process scheduler",
	"process":                 "process tuning",
	"call-home":               "support notifications",
	"tacacs-server":           "management authentication (keys redacted)",
	"radius-server":           "management authentication (keys redacted)",
	"tacacs":                  "management authentication (keys redacted)",
	"radius":                  "management authentication (keys redacted)",
	"crypto pki":              "certificates",
	"crypto key":              "local key pairs",
	"ip cef":                  "CEF switching (on by default)",
	"ip domain":               "DNS client",
	"ip domain-name":          "DNS client",
	"ip domain-lookup":        "DNS client",
	"ip name-server":          "DNS client",
	"ip host":                 "static host names",
	"ip http":                 "management web server",
	"ip ssh":                  "management SSH",
	"ip scp":                  "management file copy",
	"ip ftp":                  "management file copy",
	"ip tftp":                 "management file copy",
	"ip forward-protocol":     "UDP broadcast forwarding (helper addresses)",
	"ip source-route":         "source routing option handling",
	"ip finger":               "finger service",
	"ip bootp":                "BOOTP server",
	"ip dhcp":                 "DHCP server on the box",
	"ip subnet-zero":          "subnet zero allowed (default since 12.0)",
	"ip classless":            "classless forwarding (default since 11.3)",
	"ip tcp":                  "TCP tuning of the box's own sessions",
	"ip icmp":                 "ICMP rate limits",
	"ip audit":                "IDS signatures",
	"ip flow-export":          "NetFlow export",
	"ip flow-cache":           "NetFlow cache",
	"ip sla":                  "SLA probes",
	"ip igmp":                 "IGMP",
	"ip multicast-routing":    "multicast (not modelled, no unicast effect)",
	"ip ips":                  "IPS",
	"ip accounting-threshold": "accounting",
	"ipv6 cef":                "CEF switching",
	"ipv6 host":               "static host names",
	"ipv6 dhcp":               "DHCPv6 server on the box",
	"ipv6 unicast-routing":    "IPv6 routing (handled)",
	"login":                   "login banners and blocking",
	"security":                "password policy",
	"file":                    "file system prompts",
	"voice-card":              "voice hardware",
	"xconnect":                "pseudowire logging",
	"errdisable":              "port error recovery",
	"port-channel":            "load-balancing hash",
	"system":                  "system MTU and housekeeping",
	"transceiver":             "optics monitoring",
	"snmp":                    "SNMP (communities redacted)",
	"crypto ca":               "certificates",
	"netconf":                 "management API",
	"restconf":                "management API",
	"track":                   "object tracking (nothing uses it in the model)",
	"event":                   "embedded event manager",
	"ip ospf":                 "global OSPF options (name lookup)",
	"macro":                   "macros",
	"mac":                     "MAC address table",
	"monitor":                 "port mirroring",
	"dot11":                   "wireless",
	"wsma":                    "web services management agent",
	"sdm":                     "switching database template",
	"cts":                     "TrustSec",
	"device-tracking":         "switch device tracking",
	"power":                   "power supplies",
	"env":                     "environment",
}

// ignored reports whether w is one of the ignoredTop commands.
func ignored(w []string) (string, bool) {
	if w[0] == "no" && len(w) > 1 {
		w = w[1:]
	}
	if len(w) >= 2 {
		if why, ok := ignoredTop[w[0]+" "+w[1]]; ok {
			return why, true
		}
	}
	if w[0] == "ip" || w[0] == "ipv6" || w[0] == "crypto" {
		return "", false
	}
	why, ok := ignoredTop[w[0]]
	return why, ok
}

// notModelledTop are commands that matter for forwarding or routing but
// that farend does not model yet; they are reported with this reason.
var notModelledTop = map[string]string{
	"ip nat":         "NAT is not modelled",
	"ipv6 nat":       "NAT is not modelled",
	"crypto map":     "IPsec is not modelled",
	"crypto isakmp":  "IPsec is not modelled",
	"crypto ipsec":   "IPsec is not modelled",
	"crypto ikev2":   "IPsec is not modelled",
	"crypto keyring": "IPsec is not modelled",
	"class-map":      "QoS is not modelled",
	"policy-map":     "QoS is not modelled",
	"ip sla":         "IP SLA is not modelled",
	"ip local":       "local pools/policy are not modelled",
	"ip policy":      "policy routing is not modelled",
	"mpls":           "MPLS is not modelled",
	"bfd":            "BFD is not modelled",
	"object-group":   "object groups are not modelled",
	"zone":           "zone-based firewall is not modelled",
	"zone-pair":      "zone-based firewall is not modelled",
	"ip inspect":     "firewall inspection is not modelled",
	"parameter-map":  "firewall parameters are not modelled",
	"dial-peer":      "voice is not modelled",
	"ip dns":         "DNS server is not modelled",
	"ipv6 router":    "IPv6 routing protocol not modelled",
	"ip vrf":         "",
}

// notModelled returns the reason a known but unmodelled command is
// reported, or "".
func notModelled(w []string) string {
	if len(w) >= 2 {
		if why := notModelledTop[w[0]+" "+w[1]]; why != "" {
			return why
		}
	}
	return notModelledTop[w[0]]
}

// ignoredIface are interface sub-commands with no effect on what farend
// models (physical layer, switching housekeeping, management).
var ignoredIface = map[string]bool{
	"duplex": true, "speed": true, "negotiation": true, "media-type": true, "keepalive": true,
	"load-interval": true, "cdp": true, "lldp": true, "no": false, "logging": true,
	"carrier-delay": true, "hold-queue": true, "delay": true, "mop": true, "snmp": true,
	"ip route-cache": true, "ip redirects": true, "ip unreachables": true, "ip proxy-arp": true,
	"ip mroute-cache": true, "ip virtual-reassembly": true, "ip directed-broadcast": true,
	"ip mask-reply": true, "ip flow": true, "ip accounting": true, "ipv6 nd": true,
	"ipv6 redirects": true, "ipv6 unreachables": true, "ip tcp": true, "ipv6 tcp": true,
	"ip helper-address": true, "ip igmp": true, "ip route-cache cef": true, "clock": true,
	"dsl": true, "spanning-tree": true, "storm-control": true, "power": true, "ip dhcp": true,
	"arp": true, "ip arp": true, "full-duplex": true, "half-duplex": true, "auto": true,
	"mdix": true, "flowcontrol": true, "ip verify": false, "switchport": true, "ip sla": true,
	"ip nbar": true, "ip ospf": false, "tx-ring-limit": true, "service-module": true,
}

// ignoredIfaceCmd reports whether an interface sub-command is one of
// ignoredIface, also in its `no` form.
func ignoredIfaceCmd(w []string) bool {
	if w[0] == "no" && len(w) > 1 {
		w = w[1:]
	}
	if len(w) >= 2 && ignoredIface[w[0]+" "+w[1]] {
		return true
	}
	return ignoredIface[w[0]]
}

// lower is strings.ToLower for comparisons of keywords.
func lower(s string) string { return strings.ToLower(s) }
