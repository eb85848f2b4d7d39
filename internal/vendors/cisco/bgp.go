package cisco

import (
	"strconv"

	"farend/internal/model"
	"farend/internal/source"
)

// BGPMaximumPaths reads `maximum-paths N` and `maximum-paths ibgp N` (w,
// the whole line) into af.
func BGPMaximumPaths(af *model.BGPAF, w []string, pos source.Pos) bool {
	switch {
	case len(w) == 2 && IsNumber(w[1]):
		v, _ := strconv.Atoi(w[1])
		af.MaximumPaths = model.Set(v, pos)
	case len(w) == 3 && w[1] == "ibgp" && IsNumber(w[2]):
		v, _ := strconv.Atoi(w[2])
		af.MaximumPathsIBGP = model.Set(v, pos)
	default:
		return false
	}
	return true
}

// IsNumber reports whether s is a non-empty run of decimal digits.
func IsNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
