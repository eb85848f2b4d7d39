package model

import "strconv"

// Sysctl holds `sysctl -a` settings by full key ("net.ipv4.conf.all.rp_filter").
// A nil Sysctl means the file was missing: every value is unknown.
type Sysctl map[string]string

// Int returns the integer value of key and whether it was present and
// numeric.
func (s Sysctl) Int(key string) (int, bool) {
	v, ok := s[key]
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false
	}
	return n, true
}
