package ios

import "errors"

var errBadMask = errors.New("ios: not a contiguous netmask")
