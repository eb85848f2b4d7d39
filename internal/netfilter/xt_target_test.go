package netfilter

import (
	"net/netip"
	"strings"
	"testing"
)

func TestVerdictTargets(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want Verdict
	}{
		{"-j ACCEPT", Verdict{Kind: Accept}},
		{"-j DROP", Verdict{Kind: Drop}},
		{"-j RETURN", Verdict{Kind: Return}},
		{"-j QUEUE", Verdict{Kind: Queue}},
		{"-j NFQUEUE --queue-num 3 --queue-bypass", Verdict{Kind: Queue}},
		{"-j REJECT", Verdict{Kind: Reject}},
		{"-j LOG --log-prefix x", Verdict{}},
		{"-j NFLOG --nflog-group 5", Verdict{}},
		{"-j TRACE", Verdict{}},
		{"-j TCPMSS --clamp-mss-to-pmtu", Verdict{}},
		{"-j MARK --set-mark 1", Verdict{}},
		{"-j CONNMARK --save-mark", Verdict{}},
		{"-j NOTRACK", Verdict{}},
		{"-j CT --zone 3", Verdict{}},
	} {
		tg := xtTarget(t, IPv4, tc.s)
		c := &Ctx{Pkt: xtPacket(t, "tcp 1.1.1.1:1 2.2.2.2:2 flags=S"), Ct: ctNew}
		if got := tg.Apply(c); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.s, got, tc.want)
		}
	}
	if v := (JumpTarget{Chain: "X"}).Apply(&Ctx{}); v != (Verdict{Kind: Jump, Chain: "X"}) {
		t.Errorf("jump: %+v", v)
	}
	if v := (GotoTarget{Chain: "X"}).Apply(&Ctx{}); v != (Verdict{Kind: Goto, Chain: "X"}) {
		t.Errorf("goto: %+v", v)
	}
}

func TestRejectTarget(t *testing.T) {
	for _, tc := range []struct {
		fam  Family
		s    string
		pkt  string
		str  string
		says string
	}{
		{IPv4, "-j REJECT", "tcp 1.1.1.1:1 2.2.2.2:2", "-j REJECT --reject-with icmp-port-unreachable", "type 3 code 3"},
		{IPv4, "-j REJECT --reject-with host-prohib", "tcp 1.1.1.1:1 2.2.2.2:2", "-j REJECT --reject-with icmp-host-prohibited", "type 3 code 10"},
		{IPv4, "-j REJECT --reject-with tcp-reset", "tcp 1.1.1.1:1 2.2.2.2:2", "-j REJECT --reject-with tcp-reset", "TCP reset"},
		{IPv4, "-j REJECT --reject-with tcp-reset", "udp 1.1.1.1:1 2.2.2.2:2", "-j REJECT --reject-with tcp-reset", "sends nothing"},
		{IPv6, "-j REJECT", "tcp [2001:db8::1]:1 [2001:db8::2]:2", "-j REJECT --reject-with icmp6-port-unreachable", "type 1 code 4"},
		{IPv6, "-j REJECT --reject-with icmp6-adm-prohibited", "tcp [2001:db8::1]:1 [2001:db8::2]:2", "-j REJECT --reject-with icmp6-adm-prohibited", "ICMPv6 type 1 code 1"},
		{IPv6, "-j REJECT --reject-with no-route", "tcp [2001:db8::1]:1 [2001:db8::2]:2", "-j REJECT --reject-with icmp6-no-route", "code 0"},
	} {
		tg := xtTarget(t, tc.fam, tc.s)
		c := &Ctx{Pkt: xtPacket(t, tc.pkt)}
		if v := tg.Apply(c); v.Kind != Reject {
			t.Errorf("%s: %v", tc.s, v.Kind)
		}
		if tg.String() != tc.str {
			t.Errorf("%s: String %q, want %q", tc.s, tg, tc.str)
		}
		if len(c.details) != 1 || !strings.Contains(c.details[0], tc.says) {
			t.Errorf("%s: explains %q, want %q", tc.s, c.details, tc.says)
		}
	}
	if _, _, err := ParseTarget("REJECT", IPv6, &Args{W: []string{"--reject-with", "icmp-host-prohibited"}}); err == nil {
		t.Error("an IPv4 reject type is accepted for IPv6")
	}
}

func TestMarkTargets(t *testing.T) {
	for _, tc := range []struct {
		s        string
		in, want uint32
		str      string
	}{
		{"-j MARK --set-mark 0x2", 0xff01, 0x2, "-j MARK --set-xmark 0x2/0xffffffff"},
		{"-j MARK --set-mark 0x2/0xf", 0xff01, 0xff02, "-j MARK --set-xmark 0x2/0xf"},
		{"-j MARK --set-xmark 0x10/0xff", 0xff01, 0xff10, "-j MARK --set-xmark 0x10/0xff"},
		{"-j MARK --set-xmark 0x1/0x0", 0x3, 0x2, "-j MARK --set-xmark 0x1/0x0"}, // xor
		{"-j MARK --and-mark 0xf0", 0xff, 0xf0, "-j MARK --set-xmark 0x0/0xffffff0f"},
		{"-j MARK --or-mark 0x4", 0x1, 0x5, "-j MARK --set-xmark 0x4/0x4"},
		{"-j MARK --xor-mark 0x8", 0x9, 0x1, "-j MARK --set-xmark 0x8/0x0"},
		{"-j MARK --set-xmark 0x4000/0x4000", 0x1, 0x4001, "-j MARK --set-xmark 0x4000/0x4000"},
	} {
		tg := xtTarget(t, IPv4, tc.s)
		c := &Ctx{Pkt: xtPacket(t, "tcp 1.1.1.1:1 2.2.2.2:2")}
		c.Pkt.Mark = tc.in
		tg.Apply(c)
		if c.Pkt.Mark != tc.want || tg.String() != tc.str {
			t.Errorf("%s on 0x%x: mark 0x%x %q, want 0x%x %q", tc.s, tc.in, c.Pkt.Mark, tg, tc.want, tc.str)
		}
	}
}

func TestConnmarkTarget(t *testing.T) {
	for _, tc := range []struct {
		s               string
		pkt, ct         uint32
		wantPkt, wantCt uint32
		str             string
	}{
		{"-j CONNMARK --set-mark 0x3", 0, 0xf0, 0, 0x3, "-j CONNMARK --set-xmark 0x3/0xffffffff"},
		{"-j CONNMARK --set-mark 0x3/0xf", 0, 0xf0, 0, 0xf3, "-j CONNMARK --set-xmark 0x3/0xf"},
		{"-j CONNMARK --and-mark 0x3", 0, 0xf7, 0, 0x3, "-j CONNMARK --set-xmark 0x0/0xfffffffc"},
		{"-j CONNMARK --or-mark 0x3", 0, 0xf0, 0, 0xf3, "-j CONNMARK --set-xmark 0x3/0x3"},
		{"-j CONNMARK --xor-mark 0x3", 0, 0xf1, 0, 0xf2, "-j CONNMARK --set-xmark 0x3/0x0"},
		{"-j CONNMARK --save-mark", 0x12, 0xf0, 0x12, 0x12, "-j CONNMARK --save-mark"},
		{"-j CONNMARK --save-mark --mask 0xff", 0x1234, 0xab00, 0x1234, 0xab34, "-j CONNMARK --save-mark --mask 0xff"},
		{"-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xf0", 0x1234, 0xabcd, 0x1234, 0xab3d ^ 0x30 ^ 0x34, "-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xf0"},
		{"-j CONNMARK --restore-mark", 0x1, 0x55, 0x55, 0x55, "-j CONNMARK --restore-mark"},
		{"-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xf0", 0x1234, 0xabcd, 0x12c0, 0xabcd, "-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xf0"},
		{"-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff", 0x1, 0x55, 0x55, 0x55, "-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff"},
		{"-j CONNMARK --restore-mark --ctmask 0xff00 --nfmask 0xff --right-shift-mark 8", 0x1200, 0xab00, 0x12ab, 0xab00, "-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff00 --right-shift-mark 8"},
		{"-j CONNMARK --save-mark --left-shift-mark 4", 0x12, 0, 0x12, 0x120, "-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff --left-shift-mark 4"},
	} {
		tg := xtTarget(t, IPv4, tc.s)
		c := &Ctx{Pkt: xtPacket(t, "tcp 1.1.1.1:1 2.2.2.2:2"), Ct: Conntrack{Tracked: true, State: CtNew, Mark: tc.ct}}
		c.Pkt.Mark = tc.pkt
		tg.Apply(c)
		if c.Pkt.Mark != tc.wantPkt || c.Ct.Mark != tc.wantCt || tg.String() != tc.str {
			t.Errorf("%s: pkt 0x%x ct 0x%x %q, want pkt 0x%x ct 0x%x %q", tc.s, c.Pkt.Mark, c.Ct.Mark, tg, tc.wantPkt, tc.wantCt, tc.str)
		}
	}
	// Without a conntrack entry CONNMARK does nothing.
	c := &Ctx{Pkt: xtPacket(t, "tcp 1.1.1.1:1 2.2.2.2:2 mark=1")}
	xtTarget(t, IPv4, "-j CONNMARK --restore-mark").Apply(c)
	if c.Pkt.Mark != 1 {
		t.Errorf("restore without entry changed the mark to 0x%x", c.Pkt.Mark)
	}
}

func TestCTTargets(t *testing.T) {
	for _, s := range []string{"-j NOTRACK", "-j CT --notrack", "-j CT --notrack --zone 3"} {
		c := &Ctx{Pkt: xtPacket(t, "udp 1.1.1.1:1 2.2.2.2:53")}
		tg := xtTarget(t, IPv4, s)
		tg.Apply(c)
		if !c.Ct.Untracked || c.Ct.Tracked || c.Ct.Effective() != CtUntracked {
			t.Errorf("%s: %+v", s, c.Ct)
		}
		if tg.String() != s {
			t.Errorf("%s: String %q", s, tg)
		}
	}
	c := &Ctx{Pkt: xtPacket(t, "udp 1.1.1.1:1 2.2.2.2:53 mark=7")}
	xtTarget(t, IPv4, "-j CT --zone 5").Apply(c)
	if c.Ct.Zone != 5 || c.Ct.Untracked {
		t.Errorf("zone: %+v", c.Ct)
	}
	xtTarget(t, IPv4, "-j CT --zone-orig mark").Apply(c)
	if c.Ct.Zone != 7 {
		t.Errorf("zone from mark: %+v", c.Ct)
	}
	for in, want := range map[string]string{
		"-j CT --expevents new --ctevents related,new --zone 5": "-j CT --ctevents new,related --expevents new --zone 5",
		"-j CT --zone-reply 8": "-j CT --zone-reply 8",
		"-j CT --helper ftp":   "-j CT --helper ftp",
	} {
		if got := xtTarget(t, IPv4, in).String(); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}

func TestNATTargets(t *testing.T) {
	env := &fakeEnv{src: map[string]netip.Addr{
		"eth0": netip.MustParseAddr("192.0.2.7"), "docker0": netip.MustParseAddr("172.17.0.1"),
		"sit1": netip.MustParseAddr("2001:db8:5::2"),
	}}
	for _, tc := range []struct {
		fam     Family
		s       string
		pkt     string
		in, out string
		want    string // packet after, or "drop"
		amb     bool
		str     string
	}{
		{IPv4, "-j DNAT --to-destination 172.17.0.2:80", "tcp 1.1.1.1:40000 198.51.100.10:8080", "eth0", "", "1.1.1.1:40000 172.17.0.2:80", false, ""},
		{IPv4, "-j DNAT --to-destination 172.17.0.6", "tcp 1.1.1.1:40000 198.51.100.12:8080", "eth0", "", "1.1.1.1:40000 172.17.0.6:8080", false, ""},
		{IPv4, "-j DNAT --to-destination 172.17.0.3-172.17.0.5:80-90", "tcp 1.1.1.1:40000 198.51.100.11:85", "eth0", "", "1.1.1.1:40000 172.17.0.3:85", true, ""},
		{IPv4, "-j DNAT --to-destination 172.17.0.3:80-90", "tcp 1.1.1.1:40000 198.51.100.11:8081", "eth0", "", "1.1.1.1:40000 172.17.0.3:80", false, ""},
		{IPv4, "-j DNAT --to-destination :80", "tcp 1.1.1.1:40000 198.51.100.11:8081", "eth0", "", "1.1.1.1:40000 198.51.100.11:80", false, ""},
		{IPv4, "-j DNAT --to-destination 1.2.3.4:1000-2000/100", "tcp 1.1.1.1:40000 198.51.100.11:150", "eth0", "", "1.1.1.1:40000 1.2.3.4:1050", false, ""},
		{IPv4, "-j DNAT --to-destination 1.2.3.4:80-80", "tcp 1.1.1.1:40000 198.51.100.11:150", "eth0", "", "1.1.1.1:40000 1.2.3.4:80", false, "-j DNAT --to-destination 1.2.3.4:80"},
		{IPv4, "-j SNAT --to-source 192.0.2.1", "tcp 10.1.0.5:40000 8.8.8.8:53", "", "eth0", "192.0.2.1:40000 8.8.8.8:53", false, ""},
		{IPv4, "-j SNAT --to-source 192.0.2.1-192.0.2.5:1000-2000 --random --persistent", "udp 10.2.0.5:40000 8.8.8.8:53", "", "eth0", "192.0.2.1:1000 8.8.8.8:53", true, ""},
		{IPv4, "-j SNAT --to-source 192.0.2.1-192.0.2.5", "udp 192.0.2.3:40000 8.8.8.8:53", "", "eth0", "192.0.2.3:40000 8.8.8.8:53", false, ""},
		{IPv4, "-j SNAT --to-source 192.0.2.9:1000-2000", "udp 10.2.0.5:1500 8.8.8.8:53", "", "eth0", "192.0.2.9:1500 8.8.8.8:53", false, ""},
		{IPv4, "-j MASQUERADE", "tcp 172.17.0.2:40000 8.8.8.8:443", "", "eth0", "192.0.2.7:40000 8.8.8.8:443", false, ""},
		{IPv4, "-j MASQUERADE --random-fully", "tcp 172.17.0.2:40000 8.8.8.8:443", "", "eth0", "192.0.2.7:40000 8.8.8.8:443", true, ""},
		{IPv4, "-j MASQUERADE --to-ports 1024-2000 --random", "tcp 172.17.0.2:40000 8.8.8.8:443", "", "eth0", "192.0.2.7:1024 8.8.8.8:443", true, ""},
		{IPv4, "-j MASQUERADE", "tcp 172.17.0.2:40000 8.8.8.8:443", "", "wg0", "drop", false, ""},
		{IPv4, "-j REDIRECT --to-ports 8080", "tcp 10.0.0.5:40000 93.184.216.34:80", "docker0", "", "10.0.0.5:40000 172.17.0.1:8080", false, ""},
		{IPv4, "-j REDIRECT --to-ports 8080", "tcp 10.0.0.5:40000 93.184.216.34:80", "", "eth0", "10.0.0.5:40000 127.0.0.1:8080", false, ""},
		{IPv4, "-j REDIRECT", "tcp 10.0.0.5:40000 93.184.216.34:3130", "docker0", "", "10.0.0.5:40000 172.17.0.1:3130", false, ""},
		{IPv6, "-j DNAT --to-destination [2001:db8:d0c::2]:8080", "tcp [2001:db8::9]:40000 [2001:db8::1]:80", "sit1", "", "[2001:db8::9]:40000 [2001:db8:d0c::2]:8080", false, ""},
		{IPv6, "-j DNAT --to-destination 2001:db8:d0c::9", "tcp [2001:db8::9]:40000 [2001:db8::3]:80", "sit1", "", "[2001:db8::9]:40000 [2001:db8:d0c::9]:80", false, ""},
		{IPv6, "-j DNAT --to-destination [2001:db8:d0c::2-2001:db8:d0c::5]:80-90", "tcp [2001:db8::9]:40000 [2001:db8::2]:81", "sit1", "", "[2001:db8::9]:40000 [2001:db8:d0c::2]:81", true, ""},
		{IPv6, "-j SNAT --to-source [2001:db8::100]:1000-2000", "udp [2001:db8:f::1]:40000 [2001:db8::53]:53", "", "sit1", "[2001:db8::100]:1000 [2001:db8::53]:53", true, ""},
		{IPv6, "-j MASQUERADE", "udp [2001:db8:d0c::2]:40000 [2001:db8::53]:53", "", "sit1", "[2001:db8:5::2]:40000 [2001:db8::53]:53", false, ""},
		{IPv6, "-j REDIRECT --to-ports 8080", "tcp [2001:db8::9]:40000 [2001:db8::1]:80", "", "sit1", "[2001:db8::9]:40000 [::1]:8080", false, ""},
	} {
		tg := xtTarget(t, tc.fam, tc.s)
		c := &Ctx{Pkt: xtPacket(t, tc.pkt), In: tc.in, Out: tc.out, Env: env, Ct: ctNew, Rule: &Rule{Num: 7}}
		if tc.in == "" && tc.out != "" && strings.Contains(tc.s, "REDIRECT") {
			c.Hook = Output
		}
		before := c.Pkt
		v := tg.Apply(c)
		if tc.want == "drop" {
			if v.Kind != Drop || len(c.NAT) != 0 {
				t.Errorf("%s: %v %v, want a drop", tc.s, v.Kind, c.NAT)
			}
			continue
		}
		got := addrPort(c.Pkt.Src, c.Pkt.SPort, true) + " " + addrPort(c.Pkt.Dst, c.Pkt.DPort, true)
		if v.Kind != Accept || got != tc.want {
			t.Errorf("%s on %s: %v %s, want ACCEPT %s (%q)", tc.s, tc.pkt, v.Kind, got, tc.want, c.details)
			continue
		}
		if len(c.NAT) != 1 || c.NAT[0].Ambiguous != tc.amb || c.NAT[0].Before != before || c.NAT[0].After != c.Pkt || c.NAT[0].Rule != c.Rule {
			t.Errorf("%s: rewrite %+v, want ambiguous %v", tc.s, c.NAT, tc.amb)
		}
		changed := c.Pkt != before
		dnat := c.Ct.State&CtDNAT != 0
		snat := c.Ct.State&CtSNAT != 0
		isDst := strings.Contains(tc.s, "DNAT") || strings.Contains(tc.s, "REDIRECT")
		if changed && (dnat != isDst || snat == isDst) || !changed && (dnat || snat) {
			t.Errorf("%s: conntrack state %s after the rewrite", tc.s, c.Ct.State)
		}
		str := tc.str
		if str == "" {
			str = tc.s
		}
		if tg.String() != str {
			t.Errorf("String %q, want %q", tg, str)
		}
	}
	for _, bad := range []string{"DNAT --to-destination 1.2.3.4-1.2.3.1", "DNAT --to-destination 1.2.3.4:90-80", "SNAT", "DNAT --to-destination ::1", "MASQUERADE --to-ports x"} {
		w := strings.Fields(bad)
		if _, _, err := ParseTarget(w[0], IPv4, &Args{W: w[1:]}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestTargetStrings(t *testing.T) {
	for _, tc := range []struct {
		fam Family
		s   string
	}{
		{IPv4, "-j LOG --log-prefix \"a \\\"b\\\" c\\\\d \\'e\\'\" --log-level 6 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode"},
		{IPv4, "-j NFLOG --nflog-prefix \"nf log\" --nflog-group 5 --nflog-size 128 --nflog-threshold 3"},
		{IPv4, "-j NFLOG"}, {IPv4, "-j LOG"}, {IPv4, "-j TRACE"},
		{IPv4, "-j TCPMSS --set-mss 1400"}, {IPv4, "-j NFQUEUE --queue-balance 1:4 --queue-cpu-fanout"},
		{IPv4, "-j SNAT --to-source 1.1.1.1 --random --random-fully --persistent"},
		{IPv4, "-j MASQUERADE --to-ports 5000-6000 --random --random-fully"},
	} {
		w := splitQuoted(tc.s)
		a := &Args{W: w[2:]}
		tg, _, err := ParseTarget(w[1], tc.fam, a)
		if err != nil || a.I != len(a.W) {
			t.Fatalf("%s: %v", tc.s, err)
		}
		if tg.String() != tc.s {
			t.Errorf("String %q, want %q", tg, tc.s)
		}
	}
	if got := xtTarget(t, IPv4, "-j LOG --log-level warning").String(); got != "-j LOG" {
		t.Errorf("default level printed: %q", got)
	}
}

// splitQuoted splits like iptables-restore, enough for the tests above.
func splitQuoted(s string) []string {
	var out []string
	var b strings.Builder
	in, esc, have := false, false, false
	for _, c := range s {
		switch {
		case esc:
			b.WriteRune(c)
			esc = false
		case in && c == '\\':
			esc = true
		case c == '"':
			in, have = !in, true
		case c == ' ' && !in:
			if have || b.Len() > 0 {
				out = append(out, b.String())
			}
			b.Reset()
			have = false
		default:
			b.WriteRune(c)
		}
	}
	if have || b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

func TestChecks(t *testing.T) {
	rule := func(fam Family, parts ...string) *Rule {
		r := &Rule{}
		for _, p := range parts {
			if strings.HasPrefix(p, "-j") {
				r.Target = xtTarget(t, fam, p)
			} else {
				r.Matches = append(r.Matches, xtMatch(t, fam, p))
			}
		}
		return r
	}
	for _, tc := range []struct {
		e    Entry
		x    int // index in Matches, or -1 for the target
		want string
	}{
		{Entry{Family: IPv4, Table: "filter", Hooks: []Hook{Input}, Rule: rule(IPv4, "-j REJECT")}, -1, ""},
		{Entry{Family: IPv4, Table: "mangle", Hooks: []Hook{Input}, Rule: rule(IPv4, "-j REJECT")}, -1, "filter table"},
		{Entry{Family: IPv4, Table: "filter", Chain: "X", Hooks: []Hook{Input, Prerouting}, Rule: rule(IPv4, "-j REJECT")}, -1, "reached from PREROUTING"},
		{Entry{Family: IPv4, Table: "filter", Hooks: []Hook{Input}, Rule: rule(IPv4, "-p udp", "-j REJECT --reject-with tcp-reset")}, -1, "-p"},
		{Entry{Family: IPv4, Table: "filter", Hooks: []Hook{Input}, Rule: rule(IPv4, "-p tcp", "-j REJECT --reject-with tcp-reset")}, -1, ""},
		{Entry{Family: IPv4, Table: "nat", Hooks: []Hook{Prerouting}, Rule: rule(IPv4, "-j DNAT --to-destination 1.1.1.1:80")}, -1, "ports"},
		{Entry{Family: IPv4, Table: "nat", Hooks: []Hook{Input}, Rule: rule(IPv4, "-j SNAT --to-source 1.1.1.1")}, -1, ""},
		{Entry{Family: IPv4, Table: "nat", Hooks: []Hook{Output}, Rule: rule(IPv4, "-j MASQUERADE")}, -1, "POSTROUTING"},
		{Entry{Family: IPv4, Table: "mangle", Hooks: []Hook{Prerouting}, Rule: rule(IPv4, "-j CT --notrack")}, -1, "raw"},
		{Entry{Family: IPv4, Table: "mangle", Hooks: []Hook{Prerouting}, Rule: rule(IPv4, "-j TRACE")}, -1, "raw"},
		{Entry{Family: IPv4, Table: "mangle", Hooks: []Hook{Prerouting}, Rule: rule(IPv4, "-j TRACE"), Compat: true}, -1, ""},
		{Entry{Family: IPv4, Table: "mangle", Hooks: []Hook{Forward}, Rule: rule(IPv4, "-p tcp", "-j TCPMSS --set-mss 1000")}, -1, "SYN"},
		{Entry{Family: IPv4, Table: "mangle", Hooks: []Hook{Forward}, Rule: rule(IPv4, "-p tcp", "-j TCPMSS --set-mss 1000"), Compat: true}, -1, ""},
		{Entry{Family: IPv4, Table: "mangle", Hooks: []Hook{Forward}, Rule: rule(IPv4, "-p tcp", "-m tcp --tcp-flags SYN,RST SYN", "-j TCPMSS --clamp-mss-to-pmtu")}, -1, ""},
		{Entry{Family: IPv4, Table: "mangle", Hooks: []Hook{Input}, Rule: rule(IPv4, "-p tcp", "-m tcp --tcp-flags SYN,RST SYN", "-j TCPMSS --clamp-mss-to-pmtu")}, -1, "FORWARD/OUTPUT/POSTROUTING"},
		{Entry{Family: IPv6, Table: "raw", Hooks: []Hook{Prerouting}, Rule: rule(IPv6, "-m rpfilter --invert")}, 0, ""},
		{Entry{Family: IPv6, Table: "raw", Hooks: []Hook{Output}, Rule: rule(IPv6, "-m rpfilter --invert")}, 0, "PREROUTING"},
		{Entry{Family: IPv4, Table: "filter", Hooks: []Hook{Input}, Rule: rule(IPv4, "-m addrtype --src-type LOCAL --limit-iface-out")}, 0, "not valid in PREROUTING and INPUT"},
		{Entry{Family: IPv6, Table: "filter", Hooks: []Hook{Input}, Rule: rule(IPv6, "-m addrtype --src-type BROADCAST")}, 0, "BROADCAST"},
		{Entry{Family: IPv4, Table: "filter", Hooks: []Hook{Input}, Rule: rule(IPv4, "-p udp", "-m tcp --dport 1")}, 1, "-p"},
		{Entry{Family: IPv4, Table: "filter", Hooks: []Hook{Input}, Rule: rule(IPv4, "! -p tcp", "-m multiport --dports 1")}, 1, "-p"},
		{Entry{Family: IPv4, Table: "filter", Hooks: []Hook{Input}, Rule: rule(IPv4, "-p icmp", "-m icmp --icmp-type 8")}, 1, ""},
		{Entry{Family: IPv4, Table: "filter", Chain: "INPUT", Builtin: true, Hooks: []Hook{Input}, Rule: rule(IPv4, "-o eth0")}, 0, "-o in INPUT"},
		{Entry{Family: IPv4, Table: "filter", Chain: "X", Hooks: []Hook{Input}, Rule: rule(IPv4, "-o eth0")}, 0, ""},
	} {
		var x any = tc.e.Rule.Target
		if tc.x >= 0 {
			x = tc.e.Rule.Matches[tc.x]
		}
		got := ""
		if ck, ok := x.(Checker); ok {
			got = ck.Check(tc.e)
		}
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%v in %s %v: %q, want %q", x, tc.e.Table, tc.e.Hooks, got, tc.want)
		}
	}
}
