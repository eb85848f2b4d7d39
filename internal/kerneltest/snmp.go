package kerneltest

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// snmpFiles are the host namespace's MIB counters: /proc/net/snmp (Ip,
// Icmp, Tcp, Udp ...), /proc/net/snmp6 and /proc/net/netstat (TcpExt,
// IpExt). They are opened once from a thread inside the namespace; an open
// /proc/net file keeps reading that namespace, and is re-read from offset 0.
type snmpFiles struct {
	files []*os.File
}

func openSNMP(ns string) (*snmpFiles, error) {
	s := &snmpFiles{}
	err := inNetns(ns, func() error {
		for _, name := range []string{"snmp", "snmp6", "netstat"} {
			f, err := os.Open("/proc/thread-self/net/" + name)
			if err != nil {
				return fmt.Errorf("kerneltest: %w", err)
			}
			s.files = append(s.files, f)
		}
		return nil
	})
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *snmpFiles) Close() error {
	for _, f := range s.files {
		f.Close()
	}
	return nil
}

// read returns every counter, named "Ip.InDelivers", "Ip6InDelivers",
// "TcpExt.IPReversePathFilter" ...
func (s *snmpFiles) read() (map[string]int64, error) {
	m := map[string]int64{}
	buf := make([]byte, 64<<10)
	for _, f := range s.files {
		var all []byte
		off := int64(0)
		for {
			n, err := f.ReadAt(buf, off)
			all = append(all, buf[:n]...)
			off += int64(n)
			if err != nil || n == 0 {
				break
			}
		}
		parseSNMP(all, m)
	}
	return m, nil
}

// parseSNMP reads both layouts: header/value line pairs ("Ip: Forwarding
// ..." then "Ip: 1 ...") and "Name value" lines (snmp6).
func parseSNMP(b []byte, m map[string]int64) {
	lines := strings.Split(string(bytes.TrimSpace(b)), "\n")
	for i := 0; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) == 0 {
			continue
		}
		if strings.HasSuffix(f[0], ":") && i+1 < len(lines) {
			g := strings.Fields(lines[i+1])
			if len(g) == len(f) && g[0] == f[0] {
				p := strings.TrimSuffix(f[0], ":")
				for j := 1; j < len(f); j++ {
					if v, err := strconv.ParseInt(g[j], 10, 64); err == nil {
						m[p+"."+f[j]] = v
					}
				}
				i++
				continue
			}
		}
		if len(f) == 2 {
			if v, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				m[f[0]] = v
			}
		}
	}
}

// snmpDeltas lists the counters that moved, as "Name +N", sorted.
func snmpDeltas(before, after map[string]int64) map[string]int64 {
	d := map[string]int64{}
	for k, v := range after {
		if x := v - before[k]; x != 0 {
			d[k] = x
		}
	}
	return d
}

func formatDeltas(d map[string]int64) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s%+d", k, d[k])
	}
	return b.String()
}
