package netfilter

import (
	"net/netip"
	"strings"
	"testing"
)

// matchCase is one evaluation of one match.
type matchCase struct {
	match   string
	pkt     string
	hook    Hook
	in, out string
	ct      Conntrack
	want    Tri
}

var (
	ctNew   = Conntrack{Tracked: true, State: CtNew}
	ctEst   = Conntrack{Tracked: true, State: CtEstablished, Status: CtStatusSeenReply | CtStatusConfirmed, Mark: 0x15}
	ctReply = Conntrack{Tracked: true, State: CtEstablished, Reply: true}
	ctDNAT  = Conntrack{Tracked: true, State: CtNew | CtDNAT}
	ctNone  = Conntrack{}
	ctUntr  = Conntrack{Untracked: true}
)

func runMatchCases(t *testing.T, fam Family, env Env, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		m := xtMatch(t, fam, tc.match)
		c := &Ctx{Pkt: xtPacket(t, tc.pkt), Family: fam, Hook: tc.hook, In: tc.in, Out: tc.out, Ct: tc.ct, Env: env}
		if c.Hook == HookUnknown {
			c.Hook = Forward
		}
		if got := m.Match(c); got != tc.want {
			t.Errorf("%s on %s (hook %s in %q out %q ct %+v) = %v, want %v; details %q", tc.match, tc.pkt, c.Hook, tc.in, tc.out, tc.ct, got, tc.want, c.details)
		}
	}
}

func TestGenericMatches(t *testing.T) {
	runMatchCases(t, IPv4, nil, []matchCase{
		{match: "-s 10.0.0.0/8", pkt: "tcp 10.1.2.3:1 192.0.2.1:2", want: Yes},
		{match: "-s 10.0.0.0/8", pkt: "tcp 11.1.2.3:1 192.0.2.1:2", want: No},
		{match: "! -s 10.0.0.0/8", pkt: "tcp 11.1.2.3:1 192.0.2.1:2", want: Yes},
		{match: "-d 192.0.2.1/32", pkt: "tcp 10.1.2.3:1 192.0.2.1:2", want: Yes},
		{match: "-d 192.0.2.1", pkt: "tcp 10.1.2.3:1 192.0.2.2:2", want: No},
		{match: "-s 10.0.0.0/255.0.255.0", pkt: "udp 10.7.0.9:1 1.1.1.1:2", want: Yes},
		{match: "-s 10.0.0.0/255.0.255.0", pkt: "udp 10.7.1.9:1 1.1.1.1:2", want: No},
		{match: "-s 10.1.2.3/8", pkt: "udp 10.200.0.1:1 1.1.1.1:2", want: Yes}, // iptables masks the address
		{match: "-i eth0", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", in: "eth0", want: Yes},
		{match: "-i eth0", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", in: "eth00", want: No},
		{match: "-i eth+", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", in: "eth00", want: Yes},
		{match: "-i eth+", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", in: "et", want: No},
		{match: "! -i veth+", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", in: "veth12", want: No},
		{match: "-i +", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", hook: Output, want: Yes}, // empty mask: even no device
		// No output device in PREROUTING: the kernel compares an empty name.
		{match: "-o eth0", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", hook: Prerouting, in: "eth1", want: No},
		{match: "! -o eth0", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", hook: Prerouting, in: "eth1", want: Yes},
		{match: "-o eth+", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", hook: Input, in: "eth1", want: No},
		{match: "! -i eth0", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", hook: Output, out: "eth0", want: Yes},
		{match: "-p tcp", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Yes},
		{match: "-p tcp", pkt: "udp 1.1.1.1:1 2.2.2.2:2", want: No},
		{match: "! -p tcp", pkt: "udp 1.1.1.1:1 2.2.2.2:2", want: Yes},
		{match: "-p all", pkt: "gre 1.1.1.1 2.2.2.2", want: Yes},
		{match: "-p 0", pkt: "gre 1.1.1.1 2.2.2.2", want: Yes},
		{match: "-p 47", pkt: "gre 1.1.1.1 2.2.2.2", want: Yes},
		{match: "-p GRE", pkt: "gre 1.1.1.1 2.2.2.2", want: Yes},
		{match: "-p ipip", pkt: "4 1.1.1.1 2.2.2.2", want: No}, // /etc/protocols: ipip is 94
		{match: "-p ipencap", pkt: "4 1.1.1.1 2.2.2.2", want: Yes},
		{match: "-f", pkt: "udp 1.1.1.1:1 2.2.2.2:2 frag", want: Yes},
		{match: "-f", pkt: "udp 1.1.1.1:1 2.2.2.2:2", want: No},
		{match: "! -f", pkt: "udp 1.1.1.1:1 2.2.2.2:2", want: Yes},
	})
	runMatchCases(t, IPv6, nil, []matchCase{
		{match: "-s 2001:db8::/32", pkt: "ipv6-icmp 2001:db8:5::1 2001:db8:d0c::2 type=128/0", want: Yes},
		{match: "! -s 2001:db8::/32", pkt: "ipv6-icmp 2001:db8:5::1 2001:db8:d0c::2", want: No},
		{match: "-d fe80::/64", pkt: "udp [fe80::1]:546 [fe80::2]:547", want: Yes},
		{match: "-p ipv6-icmp", pkt: "ipv6-icmp 2001:db8:5::1 2001:db8:d0c::2", want: Yes},
		{match: "-p icmpv6", pkt: "ipv6-icmp 2001:db8:5::1 2001:db8:d0c::2", want: Yes},
	})
}

func TestPortMatches(t *testing.T) {
	runMatchCases(t, IPv4, nil, []matchCase{
		{match: "-m tcp --dport 22", pkt: "tcp 1.1.1.1:40000 2.2.2.2:22", want: Yes},
		{match: "-m tcp --dport 22", pkt: "tcp 1.1.1.1:40000 2.2.2.2:23", want: No},
		{match: "-m tcp ! --dport 22", pkt: "tcp 1.1.1.1:40000 2.2.2.2:23", want: Yes},
		{match: "-m tcp --sport 1024:65535 --dport 0:1023", pkt: "tcp 1.1.1.1:40000 2.2.2.2:80", want: Yes},
		{match: "-m tcp --sport 1024:65535 --dport 0:1023", pkt: "tcp 1.1.1.1:1000 2.2.2.2:80", want: No},
		{match: "-m tcp --sport :1023", pkt: "tcp 1.1.1.1:1023 2.2.2.2:80", want: Yes},
		{match: "-m tcp --sport 1024:", pkt: "tcp 1.1.1.1:65535 2.2.2.2:80", want: Yes},
		{match: "-m tcp --dport ssh", pkt: "tcp 1.1.1.1:1 2.2.2.2:22", want: Yes},
		// A non-first fragment never matches, negated or not.
		{match: "-m tcp --dport 22", pkt: "tcp 1.1.1.1:1 2.2.2.2:22 frag", want: No},
		{match: "-m tcp ! --dport 22", pkt: "tcp 1.1.1.1:1 2.2.2.2:23 frag", want: No},
		{match: "-m tcp", pkt: "tcp 1.1.1.1:1 2.2.2.2:23 frag", want: No},
		{match: "-m tcp --tcp-flags FIN,SYN,RST,ACK SYN", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 flags=S", want: Yes},
		{match: "-m tcp --tcp-flags FIN,SYN,RST,ACK SYN", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 flags=SA", want: No},
		{match: "-m tcp --syn", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 flags=SP", want: Yes},
		{match: "-m tcp ! --syn", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 flags=SA", want: Yes},
		{match: "-m tcp --tcp-flags ALL NONE", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Yes},
		{match: "-m tcp --tcp-flags SYN,RST SYN", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 flags=SF", want: Yes},
		{match: "-m tcp --tcp-option 2", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 flags=S", want: Maybe},
		{match: "-m tcp --dport 22 --tcp-option 2", pkt: "tcp 1.1.1.1:1 2.2.2.2:80", want: No},
		{match: "-m udp --dport 53", pkt: "udp 1.1.1.1:1 2.2.2.2:53", want: Yes},
		{match: "-m udp --dport 53", pkt: "tcp 1.1.1.1:1 2.2.2.2:53", want: No},
		{match: "-m udp ! --sport 67:68", pkt: "udp 1.1.1.1:68 2.2.2.2:67", want: No},
		{match: "-m multiport --dports 22,80,8000:8080", pkt: "tcp 1.1.1.1:1 2.2.2.2:8008", want: Yes},
		{match: "-m multiport --dports 22,80,8000:8080", pkt: "tcp 1.1.1.1:80 2.2.2.2:81", want: No},
		{match: "-m multiport ! --dports 22,80", pkt: "tcp 1.1.1.1:80 2.2.2.2:81", want: Yes},
		{match: "-m multiport ! --dports 22,80", pkt: "tcp 1.1.1.1:80 2.2.2.2:22", want: No},
		{match: "-m multiport --sports 53", pkt: "udp 1.1.1.1:53 2.2.2.2:9", want: Yes},
		{match: "-m multiport --ports 53,5353:5354", pkt: "udp 1.1.1.1:40000 2.2.2.2:5354", want: Yes},
		{match: "-m multiport --ports 53,5353:5354", pkt: "udp 1.1.1.1:53 2.2.2.2:9", want: Yes},
		{match: "-m multiport --ports 53", pkt: "udp 1.1.1.1:54 2.2.2.2:9", want: No},
		{match: "-m multiport ! --ports 53", pkt: "udp 1.1.1.1:54 2.2.2.2:9 frag", want: No},
		{match: "-m multiport --dports 1", pkt: "icmp 1.1.1.1 2.2.2.2", want: No},
	})
}

func TestICMPMatches(t *testing.T) {
	runMatchCases(t, IPv4, nil, []matchCase{
		{match: "-m icmp --icmp-type echo-request", pkt: "icmp 1.1.1.1 2.2.2.2 type=8/0", want: Yes},
		{match: "-m icmp --icmp-type 8", pkt: "icmp 1.1.1.1 2.2.2.2 type=0/0", want: No},
		{match: "-m icmp --icmp-type any", pkt: "icmp 1.1.1.1 2.2.2.2 type=13/0", want: Yes},
		{match: "-m icmp ! --icmp-type any", pkt: "icmp 1.1.1.1 2.2.2.2 type=13/0", want: No},
		{match: "-m icmp --icmp-type port-unreachable", pkt: "icmp 1.1.1.1 2.2.2.2 type=3/3", want: Yes},
		{match: "-m icmp --icmp-type 3/3", pkt: "icmp 1.1.1.1 2.2.2.2 type=3/4", want: No},
		{match: "-m icmp --icmp-type 3", pkt: "icmp 1.1.1.1 2.2.2.2 type=3/4", want: Yes},
		{match: "-m icmp ! --icmp-type 3/4", pkt: "icmp 1.1.1.1 2.2.2.2 type=3/3", want: Yes},
		{match: "-m icmp --icmp-type fragmentation-needed", pkt: "icmp 1.1.1.1 2.2.2.2 type=3/4", want: Yes},
		{match: "-m icmp --icmp-type ping", pkt: "icmp 1.1.1.1 2.2.2.2 type=8/0", want: Yes},
		{match: "-m icmp --icmp-type echo-req", pkt: "icmp 1.1.1.1 2.2.2.2 type=8/0", want: Yes}, // unique prefix
		{match: "-m icmp --icmp-type 8", pkt: "icmp 1.1.1.1 2.2.2.2 type=8/0 frag", want: No},
	})
	runMatchCases(t, IPv6, nil, []matchCase{
		{match: "-m icmp6 --icmpv6-type 134", pkt: "ipv6-icmp fe80::1 ff02::1 type=134/0", want: Yes},
		{match: "-m icmp6 --icmpv6-type router-advertisement", pkt: "ipv6-icmp fe80::1 ff02::1 type=134/0", want: Yes},
		{match: "-m icmp6 --icmpv6-type echo-request", pkt: "ipv6-icmp 2001:db8::1 2001:db8::2 type=128/0", want: Yes},
		{match: "-m icmp6 --icmpv6-type neighbor-solicitation", pkt: "ipv6-icmp 2001:db8::1 2001:db8::2 type=135/0", want: Yes},
		{match: "-m icmp6 ! --icmpv6-type 1/3", pkt: "ipv6-icmp 2001:db8::1 2001:db8::2 type=1/4", want: Yes},
		{match: "-m icmp6 --icmpv6-type 255", pkt: "ipv6-icmp 2001:db8::1 2001:db8::2 type=129/0", want: No}, // no "any" in IPv6
	})
}

func TestConntrackMatches(t *testing.T) {
	tcp := "tcp 1.1.1.1:1 2.2.2.2:22"
	runMatchCases(t, IPv4, nil, []matchCase{
		{match: "-m conntrack --ctstate RELATED,ESTABLISHED", pkt: tcp, ct: ctEst, want: Yes},
		{match: "-m conntrack --ctstate RELATED,ESTABLISHED", pkt: tcp, ct: ctNew, want: No},
		{match: "-m conntrack --ctstate NEW", pkt: tcp, ct: ctNew, want: Yes},
		// raw table: no entry yet, the state reads INVALID.
		{match: "-m conntrack --ctstate INVALID", pkt: tcp, ct: ctNone, want: Yes},
		{match: "-m conntrack --ctstate NEW", pkt: tcp, ct: ctNone, want: No},
		{match: "-m conntrack ! --ctstate NEW", pkt: tcp, ct: ctNone, want: Yes},
		{match: "-m conntrack --ctstate UNTRACKED", pkt: tcp, ct: ctUntr, want: Yes},
		{match: "-m conntrack --ctstate INVALID", pkt: tcp, ct: ctUntr, want: No},
		{match: "-m conntrack --ctstate DNAT", pkt: tcp, ct: ctDNAT, want: Yes},
		{match: "-m conntrack --ctstate SNAT", pkt: tcp, ct: ctDNAT, want: No},
		{match: "-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT", pkt: tcp, ct: ctDNAT, want: No},
		// Without --ctstate, no entry means no match, even negated.
		{match: "-m conntrack ! --ctstatus ASSURED", pkt: tcp, ct: ctNone, want: No},
		{match: "-m conntrack --ctdir ORIGINAL", pkt: tcp, ct: ctUntr, want: No},
		{match: "-m conntrack --ctstate INVALID --ctdir REPLY", pkt: tcp, ct: ctNone, want: Yes},
		{match: "-m conntrack --ctdir ORIGINAL", pkt: tcp, ct: ctEst, want: Yes},
		{match: "-m conntrack --ctdir REPLY", pkt: tcp, ct: ctEst, want: No},
		{match: "-m conntrack --ctdir REPLY", pkt: tcp, ct: ctReply, want: Yes},
		{match: "-m conntrack --ctstatus SEEN_REPLY", pkt: tcp, ct: ctEst, want: Yes},
		{match: "-m conntrack --ctstatus ASSURED", pkt: tcp, ct: ctEst, want: No},
		{match: "-m conntrack ! --ctstatus ASSURED", pkt: tcp, ct: ctEst, want: Yes},
		{match: "-m conntrack --ctstatus NONE", pkt: tcp, ct: ctEst, want: No}, // an empty mask never matches
		{match: "-m conntrack ! --ctstatus NONE", pkt: tcp, ct: ctEst, want: Yes},
		{match: "-m conntrack --ctorigsrc 10.0.0.0/8", pkt: tcp, ct: ctEst, want: Maybe},
		{match: "-m conntrack --ctorigsrc 10.0.0.0/8 --ctstatus ASSURED", pkt: tcp, ct: ctEst, want: No},
		{match: "-m conntrack", pkt: tcp, ct: ctEst, want: Yes},
		{match: "-m state --state RELATED,ESTABLISHED", pkt: tcp, ct: ctEst, want: Yes},
		{match: "-m state --state NEW", pkt: tcp, ct: ctDNAT, want: Yes},
		{match: "-m state ! --state INVALID", pkt: tcp, ct: ctNone, want: No},
		{match: "-m state --state UNTRACKED", pkt: tcp, ct: ctUntr, want: Yes},
		{match: "-m connmark --mark 0x5/0xff", pkt: tcp, ct: Conntrack{Tracked: true, State: CtNew, Mark: 0x105}, want: Yes},
		{match: "-m connmark --mark 0x5", pkt: tcp, ct: Conntrack{Tracked: true, State: CtNew, Mark: 0x105}, want: No},
		{match: "-m connmark ! --mark 0x5", pkt: tcp, ct: Conntrack{Tracked: true, State: CtNew, Mark: 0x105}, want: Yes},
		{match: "-m connmark ! --mark 0x5", pkt: tcp, ct: ctNone, want: No}, // no entry: never
		{match: "-m connmark ! --mark 0x5", pkt: tcp, ct: ctUntr, want: No},
	})
}

func TestSimpleMatches(t *testing.T) {
	runMatchCases(t, IPv4, nil, []matchCase{
		{match: "-m mark --mark 0x1", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 mark=0x1", want: Yes},
		{match: "-m mark --mark 0x1", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 mark=0x101", want: No},
		{match: "-m mark --mark 0x1/0xff", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 mark=0x101", want: Yes},
		{match: "-m mark ! --mark 0x4000/0x4000", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 mark=0x4001", want: No},
		{match: "-m mark ! --mark 0x4000/0x4000", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Yes},
		{match: "-m mark --mark 010", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 mark=8", want: Yes}, // strtoul base 0: octal
		{match: "-m iprange --src-range 10.0.0.1-10.0.0.9", pkt: "tcp 10.0.0.9:1 2.2.2.2:2", want: Yes},
		{match: "-m iprange --src-range 10.0.0.1-10.0.0.9", pkt: "tcp 10.0.0.10:1 2.2.2.2:2", want: No},
		{match: "-m iprange ! --dst-range 2.2.2.0-2.2.2.255", pkt: "tcp 10.0.0.10:1 2.2.2.2:2", want: No},
		{match: "-m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range 10.1.0.1-10.1.0.9", pkt: "tcp 10.0.0.5:1 2.2.2.2:2", want: Yes},
		{match: "-m comment --comment x", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Yes},
		{match: "-m length --length 0:100", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 len=100", want: Yes},
		{match: "-m length --length 0:100", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 len=101", want: No},
		{match: "-m length ! --length 1500", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 len=1500", want: No},
		{match: "-m length --length 100:", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 len=65535", want: Yes},
		{match: "-m ttl --ttl-eq 64", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 ttl=64", want: Yes},
		{match: "-m ttl ! --ttl-eq 64", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 ttl=64", want: No},
		{match: "-m ttl --ttl-lt 10", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 ttl=10", want: No},
		{match: "-m ttl --ttl-lt 10", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 ttl=9", want: Yes},
		{match: "-m ttl --ttl-gt 10", pkt: "tcp 1.1.1.1:1 2.2.2.2:2 ttl=11", want: Yes},
		{match: "-m statistic --mode random --probability 0.5", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Maybe},
		{match: "-m statistic --mode nth --every 3 --packet 0", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Maybe},
		{match: "-m limit --limit 5/min", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Yes},
		{match: "-m hashlimit --hashlimit-upto 10/sec --hashlimit-name a", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Yes},
		{match: "-m hashlimit --hashlimit-above 10/sec --hashlimit-name a", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: No},
		{match: "-m set --match-set foo src", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Maybe},
		{match: "-m set ! --match-set foo src,dst --return-nomatch ! --update-counters", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Maybe},
	})
	runMatchCases(t, IPv6, nil, []matchCase{
		{match: "-m hl --hl-eq 255", pkt: "ipv6-icmp fe80::1 ff02::1 ttl=255", want: Yes},
		{match: "-m hl --hl-lt 2", pkt: "ipv6-icmp fe80::1 ff02::1 ttl=1", want: Yes},
		{match: "-m iprange --src-range 2001:db8::1-2001:db8::9", pkt: "udp [2001:db8::5]:1 [2001:db8::20]:2", want: Yes},
		{match: "-m iprange --src-range 2001:db8::1-2001:db8::9", pkt: "udp [2001:db8::a]:1 [2001:db8::20]:2", want: No},
	})
}

func TestPktTypeMatch(t *testing.T) {
	env := &fakeEnv{types: map[netip.Addr]AddrType{netip.MustParseAddr("10.9.0.255"): AddrBroadcast}}
	runMatchCases(t, IPv4, env, []matchCase{
		{match: "-m pkttype --pkt-type unicast", pkt: "udp 10.9.0.2:1 10.9.0.1:2", hook: Input, in: "eth0", want: Yes},
		{match: "-m pkttype --pkt-type host", pkt: "udp 10.9.0.2:1 10.9.0.1:2", hook: Input, in: "eth0", want: Yes},
		{match: "-m pkttype --pkt-type multicast", pkt: "udp 10.9.0.2:1 224.0.0.5:2", hook: Prerouting, in: "eth0", want: Yes},
		{match: "-m pkttype --pkt-type broadcast", pkt: "udp 10.9.0.2:1 255.255.255.255:2", hook: Input, in: "eth0", want: Yes},
		{match: "-m pkttype --pkt-type broadcast", pkt: "udp 10.9.0.2:1 10.9.0.255:2", hook: Input, in: "eth0", want: Yes},
		{match: "-m pkttype ! --pkt-type unicast", pkt: "udp 10.9.0.2:1 10.9.0.255:2", hook: Input, in: "eth0", want: Yes},
		// Locally generated packets are PACKET_HOST whatever the destination.
		{match: "-m pkttype --pkt-type multicast", pkt: "udp 10.9.0.1:1 224.1.1.1:2", hook: Output, out: "eth0", want: No},
		{match: "-m pkttype --pkt-type unicast", pkt: "udp 10.9.0.1:1 10.9.0.255:2", hook: Postrouting, out: "eth0", want: Yes},
		{match: "-m pkttype --pkt-type otherhost", pkt: "udp 10.9.0.2:1 10.9.0.1:2", hook: Prerouting, in: "eth0", want: No},
	})
	runMatchCases(t, IPv6, env, []matchCase{
		{match: "-m pkttype --pkt-type multicast", pkt: "ipv6-icmp fe80::1 ff02::1", hook: Input, in: "eth0", want: Yes},
		{match: "-m pkttype --pkt-type unicast", pkt: "ipv6-icmp fe80::1 fe80::2", hook: Input, in: "eth0", want: Yes},
	})
}

func TestAddrTypeMatch(t *testing.T) {
	local := netip.MustParseAddr("198.51.100.10")
	env := &fakeEnv{types: map[netip.Addr]AddrType{local: AddrLocal, netip.MustParseAddr("2001:db8::1"): AddrUnicast | AddrLocal}}
	runMatchCases(t, IPv4, env, []matchCase{
		{match: "-m addrtype --dst-type LOCAL", pkt: "tcp 1.1.1.1:1 198.51.100.10:80", hook: Prerouting, want: Yes},
		{match: "-m addrtype --dst-type LOCAL", pkt: "tcp 1.1.1.1:1 198.51.100.11:80", hook: Prerouting, want: No},
		{match: "-m addrtype ! --dst-type LOCAL", pkt: "tcp 1.1.1.1:1 198.51.100.11:80", hook: Prerouting, want: Yes},
		{match: "-m addrtype --src-type UNICAST,LOCAL --dst-type LOCAL", pkt: "tcp 1.1.1.1:1 198.51.100.10:80", hook: Prerouting, want: Yes},
		{match: "-m addrtype --src-type LOCAL --dst-type LOCAL", pkt: "tcp 1.1.1.1:1 198.51.100.10:80", hook: Prerouting, want: No},
		{match: "-m addrtype --dst-type MULTICAST", pkt: "udp 1.1.1.1:1 224.0.0.1:80", hook: Prerouting, want: Yes},
	})
	runMatchCases(t, IPv6, env, []matchCase{
		// IPv6: every one of MULTICAST/UNICAST/UNSPEC asked must hold.
		{match: "-m addrtype --dst-type UNICAST,MULTICAST", pkt: "udp [2001:db8::2]:1 [ff02::1]:2", hook: Input, want: No},
		{match: "-m addrtype --dst-type MULTICAST", pkt: "udp [2001:db8::2]:1 [ff02::1]:2", hook: Input, want: Yes},
		{match: "-m addrtype --dst-type LOCAL", pkt: "udp [2001:db8::2]:1 [2001:db8::1]:2", hook: Input, want: Yes},
		{match: "-m addrtype --dst-type UNICAST,LOCAL", pkt: "udp [2001:db8::2]:1 [2001:db8::1]:2", hook: Input, want: Yes},
		{match: "-m addrtype --src-type UNSPEC", pkt: "udp [::]:1 [ff02::1]:2", hook: Input, want: Yes},
		{match: "-m addrtype ! --src-type LOCAL", pkt: "udp [2001:db8::2]:1 [2001:db8::1]:2", hook: Input, want: Yes},
	})
	// No environment: Maybe.
	runMatchCases(t, IPv4, nil, []matchCase{{match: "-m addrtype --dst-type LOCAL", pkt: "tcp 1.1.1.1:1 2.2.2.2:2", want: Maybe}})
}

func TestRPFilterMatch(t *testing.T) {
	pass := &fakeEnv{rpPass: true}
	fail := &fakeEnv{rpPass: false}
	p := "ipv6-icmp 2001:db8:2::1 2001:db8:d0c::2 type=128/0"
	runMatchCases(t, IPv6, pass, []matchCase{
		{match: "-m rpfilter", pkt: p, hook: Prerouting, in: "sit1", want: Yes},
		{match: "-m rpfilter --invert", pkt: p, hook: Prerouting, in: "sit1", want: No},
	})
	runMatchCases(t, IPv6, fail, []matchCase{
		{match: "-m rpfilter", pkt: p, hook: Prerouting, in: "sit1", want: No},
		{match: "-m rpfilter --invert", pkt: p, hook: Prerouting, in: "sit1", want: Yes},
	})
	m := xtMatch(t, IPv4, "-m rpfilter --loose --validmark --accept-local --invert")
	m.Match(&Ctx{Pkt: xtPacket(t, "tcp 1.1.1.1:1 2.2.2.2:2"), Env: pass})
	if pass.rpGot != RPLoose|RPValidMark|RPAcceptLocal {
		t.Errorf("flags passed to Env = %b, want loose|validmark|accept-local without invert", pass.rpGot)
	}
}

// TestMatchStrings: String prints the match as iptables-save does (the
// inputs are iptables-save's own output).
func TestMatchStrings(t *testing.T) {
	for _, tc := range []struct {
		fam Family
		s   string
	}{
		{IPv4, "! -s 10.0.0.0/8"}, {IPv4, "-d 192.168.1.1/32"}, {IPv4, "-s 10.0.0.0/255.0.255.0"},
		{IPv6, "-d fe80::/64"}, {IPv4, "! -i veth+"}, {IPv4, "-o docker0"}, {IPv4, "! -p tcp"},
		{IPv6, "-p ipv6-icmp"}, {IPv4, "! -f"},
		{IPv4, "-m tcp ! --sport 1:2 ! --dport 3 ! --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE"},
		{IPv4, "-m tcp --dport 22 ! --tcp-option 3"}, {IPv4, "-m udp --sport 67:68 --dport 67:68"},
		{IPv4, "-m multiport --dports 22,80,443,8000:8080"}, {IPv4, "-m multiport ! --sports 22,80"},
		{IPv4, "-m multiport --ports 53,5353:5354"},
		{IPv4, "-m icmp --icmp-type any"}, {IPv4, "-m icmp ! --icmp-type 3/4"}, {IPv4, "-m icmp --icmp-type 3"},
		{IPv6, "-m icmp6 --icmpv6-type 134"}, {IPv6, "-m icmp6 ! --icmpv6-type 1/3"},
		{IPv4, "-m conntrack ! --ctstate INVALID,NEW,UNTRACKED,SNAT,DNAT"},
		{IPv4, "-m conntrack --ctproto 6 --ctorigsrc 10.0.0.0/8 --ctorigdst 10.1.1.1 ! --ctreplsrc 10.2.0.0/16 --ctrepldst 10.3.3.3 --ctorigsrcport 1000 --ctorigdstport 22:23 --ctreplsrcport 5 --ctrepldstport 6 --ctexpire 10:20"},
		{IPv4, "-m conntrack ! --ctstatus NONE --ctdir ORIGINAL"}, {IPv4, "-m state ! --state INVALID"},
		{IPv4, "-m mark ! --mark 0x1/0xff"}, {IPv4, "-m connmark --mark 0x5"},
		{IPv4, "-m addrtype --src-type UNICAST,LOCAL ! --dst-type BROADCAST,MULTICAST --limit-iface-in"},
		{IPv4, "-m rpfilter --loose --validmark --accept-local --invert"},
		{IPv4, "-m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range 10.1.0.1-10.1.0.9"},
		{IPv4, "-m comment --comment simple"}, {IPv4, "-m pkttype ! --pkt-type unicast"},
		{IPv4, "-m length --length 0:100"}, {IPv4, "-m length ! --length 1500"},
		{IPv4, "-m ttl ! --ttl-eq 64"}, {IPv6, "-m hl --hl-gt 64"},
		{IPv4, "-m statistic --mode random --probability 0.33333333349"},
		{IPv4, "-m statistic --mode random ! --probability 0.50000000000"},
		{IPv4, "-m statistic --mode nth ! --every 4 --packet 2"},
		{IPv4, "-m limit --limit 3/hour --limit-burst 10"}, {IPv4, "-m limit --limit 100/sec"},
		{IPv4, "-m limit --limit 2/day"}, {IPv4, "-m limit --limit 5/min"},
		{IPv4, "-m set ! --match-set bar src,dst --return-nomatch ! --update-counters"},
	} {
		m := xtMatch(t, tc.fam, tc.s)
		if got := m.String(); got != tc.s {
			t.Errorf("String() = %q, want %q", got, tc.s)
		}
	}
	// Non-canonical input prints canonically.
	for in, want := range map[string]string{
		"-m tcp --syn":                         "-m tcp --tcp-flags FIN,SYN,RST,ACK SYN",
		"-m tcp --sport 1024: --dport :1023":   "-m tcp --sport 1024:65535 --dport 0:1023",
		"-m icmp --icmp-type echo-request":     "-m icmp --icmp-type 8",
		"-m limit --limit 1/s --limit-burst 5": "-m limit --limit 1/sec",
		"-m comment --comment a\"b":            "-m comment --comment \"a\\\"b\"",
		"-m mark --mark 0x1/0xffffffff":        "-m mark --mark 0x1",
	} {
		if got := xtMatch(t, IPv4, in).String(); got != want {
			t.Errorf("%s: String() = %q, want %q", in, got, want)
		}
	}
}

func TestMatchParseErrors(t *testing.T) {
	for _, s := range []string{
		"tcp --dport 70000", "tcp --dport 5:4", "tcp --tcp-flags SYN,BOGUS SYN", "tcp --dport 1 --dport 2",
		"multiport --dports 1:1", "multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
		"icmp --icmp-type nope", "icmp6", "conntrack --ctstate NEWISH", "conntrack --ctdir SIDEWAYS",
		"state --state DNAT", "mark --mark x", "addrtype --src-type LOCAL --limit-iface-in --limit-iface-out",
		"iprange --src-range 10.0.0.1", "comment", "pkttype --pkt-type anycast", "length --length 5:4",
		"ttl --ttl-lt 300", "ttl ! --ttl-lt 3", "statistic --mode random", "statistic --mode nth --every 2 --packet 2",
		"statistic --mode random --probability 1.5", "limit --limit 0/sec", "limit --limit 5/fortnight",
		"hashlimit --hashlimit-name x", "set --match-set",
	} {
		w := strings.Fields(s)
		_, known, err := ParseMatch(w[0], IPv4, &Args{W: w[1:]})
		if !known || err == nil {
			t.Errorf("-m %s: known %v err %v, want an error", s, known, err)
		}
	}
}
