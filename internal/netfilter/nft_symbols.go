package netfilter

import (
	"fmt"
	"strconv"
	"strings"
)

// nftSym is one symbolic constant of a datatype.
type nftSym struct {
	name string
	val  uint64
}

// nftSymbols are the symbol tables of nftables' datatypes, with the names
// `nft list` prints first (nftables src/ct.c ct_state_tbl, ct_status_tbl,
// ct_dir_tbl; src/proto.c tcp_flag_tbl, icmp_type_tbl, icmp6_type_tbl,
// dscp_type_tbl, ecn_type_tbl; src/datatype.c icmp_code_tbl,
// icmpv6_code_tbl, icmpx_code_tbl; src/meta.c pkttype_type_tbl,
// nfproto_tbl; src/fib.c addrtype_tbl; src/proto.c ethertype_tbl). The
// values are the kernel's.
var nftSymbols = map[NFTType][]nftSym{
	NFTCtState: {
		{"invalid", 1}, {"established", 2}, {"related", 4}, {"new", 8}, {"untracked", 64},
	},
	NFTCtStatus: {
		{"expected", 1}, {"seen-reply", 2}, {"assured", 4}, {"confirmed", 8},
		{"snat", 16}, {"dnat", 32}, {"dying", 512},
	},
	NFTCtDir: {{"original", 0}, {"reply", 1}},
	NFTTCPFlag: {
		{"fin", 0x01}, {"syn", 0x02}, {"rst", 0x04}, {"psh", 0x08},
		{"ack", 0x10}, {"urg", 0x20}, {"ecn", 0x40}, {"cwr", 0x80},
	},
	NFTICMPType: {
		{"echo-reply", 0}, {"destination-unreachable", 3}, {"source-quench", 4},
		{"redirect", 5}, {"echo-request", 8}, {"router-advertisement", 9},
		{"router-solicitation", 10}, {"time-exceeded", 11}, {"parameter-problem", 12},
		{"timestamp-request", 13}, {"timestamp-reply", 14}, {"info-request", 15},
		{"info-reply", 16}, {"address-mask-request", 17}, {"address-mask-reply", 18},
	},
	NFTICMPCode: {
		{"net-unreachable", 0}, {"host-unreachable", 1}, {"prot-unreachable", 2},
		{"port-unreachable", 3}, {"frag-needed", 4}, {"net-prohibited", 9},
		{"host-prohibited", 10}, {"admin-prohibited", 13},
	},
	NFTICMPv6Type: {
		{"destination-unreachable", 1}, {"packet-too-big", 2}, {"time-exceeded", 3},
		{"parameter-problem", 4}, {"echo-request", 128}, {"echo-reply", 129},
		{"mld-listener-query", 130}, {"mld-listener-report", 131},
		{"mld-listener-done", 132}, {"mld-listener-reduction", 132},
		{"nd-router-solicit", 133}, {"nd-router-advert", 134},
		{"nd-neighbor-solicit", 135}, {"nd-neighbor-advert", 136},
		{"nd-redirect", 137}, {"router-renumbering", 138},
		{"ind-neighbor-solicit", 141}, {"ind-neighbor-advert", 142},
		{"mld2-listener-report", 143},
	},
	NFTICMPv6Code: {
		{"no-route", 0}, {"admin-prohibited", 1}, {"addr-unreachable", 3},
		{"port-unreachable", 4}, {"policy-fail", 5}, {"reject-route", 6},
	},
	// icmpx codes are enum nft_reject_inet_code (include/uapi/linux/
	// netfilter/nf_tables.h).
	NFTICMPxCode: {
		{"no-route", 0}, {"port-unreachable", 1}, {"host-unreachable", 2},
		{"admin-prohibited", 3},
	},
	NFTPktType: {
		{"host", 0}, {"unicast", 0}, {"broadcast", 1}, {"multicast", 2}, {"other", 3},
	},
	NFTNFProto: {{"ipv4", 2}, {"ipv6", 10}},
	NFTEtherType: {
		{"ip", 0x0800}, {"arp", 0x0806}, {"ip6", 0x86dd}, {"8021q", 0x8100},
		{"8021ad", 0x88a8}, {"vlan", 0x8100},
	},
	NFTDSCP: {
		{"cs0", 0x00}, {"cs1", 0x08}, {"cs2", 0x10}, {"cs3", 0x18}, {"cs4", 0x20},
		{"cs5", 0x28}, {"cs6", 0x30}, {"cs7", 0x38}, {"df", 0x00}, {"be", 0x00},
		{"lephb", 0x01}, {"af11", 0x0a}, {"af12", 0x0c}, {"af13", 0x0e},
		{"af21", 0x12}, {"af22", 0x14}, {"af23", 0x16}, {"af31", 0x1a},
		{"af32", 0x1c}, {"af33", 0x1e}, {"af41", 0x22}, {"af42", 0x24},
		{"af43", 0x26}, {"va", 0x2c}, {"ef", 0x2e},
	},
	NFTECN: {{"not-ect", 0}, {"ect1", 1}, {"ect0", 2}, {"ce", 3}},
	// RTN_* route types (include/uapi/linux/rtnetlink.h).
	NFTFibAddrType: {
		{"unspec", 0}, {"unicast", 1}, {"local", 2}, {"broadcast", 3},
		{"anycast", 4}, {"multicast", 5}, {"blackhole", 6}, {"unreachable", 7},
		{"prohibit", 8}, {"throw", 9}, {"nat", 10}, {"xresolve", 11},
	},
	NFTBoolean: {{"exists", 1}, {"missing", 0}, {"true", 1}, {"false", 0}},
}

// nftServices are the service names nft may print for inet_service when
// asked to (`nft -S`); JSON output uses numbers. The common ones of
// /etc/services.
var nftServices = map[string]uint64{
	"ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53,
	"bootps": 67, "bootpc": 68, "tftp": 69, "http": 80, "kerberos": 88,
	"pop3": 110, "ntp": 123, "imap2": 143, "imap": 143, "snmp": 161, "bgp": 179,
	"ldap": 389, "https": 443, "submissions": 465, "syslog": 514,
	"submission": 587, "ldaps": 636, "imaps": 993, "pop3s": 995,
	"dhcpv6-client": 546, "dhcpv6-server": 547, "isakmp": 500,
	"ipsec-nat-t": 4500, "openvpn": 1194, "mysql": 3306, "postgresql": 5432,
}

// NFTSymbol resolves a constant of datatype t as nft prints it: a symbol
// of the type's table, a protocol or service name, or a number (decimal,
// 0x hex). ok is false when the text is none of these.
func NFTSymbol(t NFTType, s string) (uint64, bool) {
	for _, sym := range nftSymbols[t] {
		if sym.name == s {
			return sym.val, true
		}
	}
	switch t {
	case NFTInetProto:
		if p, ok := ProtoNumber(strings.ToLower(s)); ok {
			return uint64(p), true
		}
	case NFTInetService:
		if p, ok := nftServices[s]; ok {
			return p, true
		}
	case NFTDSCP, NFTICMPType, NFTICMPCode, NFTICMPv6Type, NFTICMPv6Code:
	}
	if n, err := strconv.ParseUint(s, 0, 64); err == nil {
		return n, true
	}
	return 0, false
}

// NFTSymbolName returns the first name of v in t's table, or "".
func NFTSymbolName(t NFTType, v uint64) string {
	for _, sym := range nftSymbols[t] {
		if sym.val == v {
			return sym.name
		}
	}
	return ""
}

// NFTFormatNum prints a number of datatype t as `nft list` does: marks as
// 0x%08x, bitmask and enum types by name (a bitmask as its names joined by
// ","), other numbers in decimal.
func NFTFormatNum(t NFTType, v uint64) string {
	switch t {
	case NFTMark:
		return fmt.Sprintf("0x%08x", v)
	case NFTCtState, NFTCtStatus, NFTTCPFlag:
		var parts []string
		rest := v
		for _, sym := range nftSymbols[t] {
			if v&sym.val != 0 && rest&sym.val != 0 {
				parts = append(parts, sym.name)
				rest &^= sym.val
			}
		}
		if rest != 0 || len(parts) == 0 {
			parts = append(parts, fmt.Sprintf("0x%x", rest))
		}
		return strings.Join(parts, ",")
	}
	if n := NFTSymbolName(t, v); n != "" {
		return n
	}
	return fmt.Sprint(v)
}
