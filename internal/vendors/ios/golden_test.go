package ios

import (
	"flag"
	"testing"

	"farend/internal/vendors/configtest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var dialect = configtest.Dialect{Parse: Parse, Detect: Detect}

// TestGolden parses every configuration under testdata and compares the
// model with testdata/<file>.golden (go test -update rewrites them).
func TestGolden(t *testing.T) { configtest.Golden(t, dialect, *update) }

// TestEveryLineAccounted: each line of every test configuration is
// understood or reported exactly once.
func TestEveryLineAccounted(t *testing.T) { configtest.EveryLineAccounted(t, dialect) }

// TestScenariosFullyUnderstood: scenarios 05 and 06 are understood line
// for line.
func TestScenariosFullyUnderstood(t *testing.T) { configtest.ScenariosFullyUnderstood(t, dialect) }
