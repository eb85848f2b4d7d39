package vendors_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"farend/internal/cli"
	"farend/internal/vendors"
)

// configs returns the test configurations of the dialect packages with
// the dialect each must be detected as.
func configs(t *testing.T) map[string]string {
	out := map[string]string{}
	for _, dia := range []string{"ios", "vyos", "frr"} {
		for _, ext := range []string{"*.cfg", "*.boot", "*.set", "*.conf"} {
			m, _ := filepath.Glob(filepath.Join(dia, "testdata", ext))
			for _, p := range m {
				out[p] = dia
			}
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d test configurations", len(out))
	}
	return out
}

func TestDetect(t *testing.T) {
	for path, want := range configs(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		d, ok := vendors.Detect(data)
		if !ok || d.Name != want {
			t.Errorf("%s: detected %q (%v), want %q", path, d.Name, ok, want)
		}
	}
	if _, ok := vendors.Detect([]byte("hello world\n")); ok {
		t.Error("plain text detected as a router configuration")
	}
}

// secrets are every secret value in the test configurations (scenario
// configs included). None may appear in any output.
var secrets = []string{
	// scenario 05 (IOS)
	"$1$Xk2P$0aRLtV7mYhQwS/Fv0Dq9C1", "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0", "$1$pdQG$o8nrSzsGXeVduGjVrv6K70", "n0c-r3ad", "045802150C2E",
	// scenarios 06 and 07 (VyOS)
	"$1$9xH3lV0e$Vn2ZqN0x0f6pYhJb2tUeR/", "$6$Zq3uYv1rT7p2Lk9w",
	// ios/testdata/feature-pe-bgp.cfg
	"$9$abcdEFGHijkl", "110A1016141D", "$8$dsYGNam3K1SIJO", "Plaintext0ps!", "0822455D0A1613", "121A0C041104",
	"Hsrp-Key-Str", "02050D480809", "S3cr3tComm", "Wr1teComm", "TrapComm99", "AuthPass123", "PrivPass456",
	"TacKeyString", "R4diusK3y", "IsakmpPSK99", "NtpKeyValue", "094F471A1A0A", "VtyPlainPass",
	// vyos/testdata
	"kGmyW1qvu", "Ym9ndXMt", "OspfMd5Key!", "BgpMd5Secret", "SnmpC0mmunity", "rounds=656000", "PlainVyosPw",
	"RadiusVyosKey", "$6$OldHashValue",
	// frr/testdata/feature-dc.conf
	"zebraVtyPw", "zebraEnablePw", "FrrOspfMd5Key", "FrrBgpSecret", "FrrKeyChainString",
	// */testdata/feature-vlink*: virtual-link keys
	"FrrVlinkMd5Key", "FrrVlinkPw", "IosVlinkMd5Key", "IosVlinkPw", "VyosVlinkMd5", "VyosVlPw", "VyosBootVlKey",
}

func checkNoSecret(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("%s shows the secret %q", what, s)
		}
	}
}

// TestSecretsNeverShown runs every parser and the CLI (parse, show, with
// and without --json) over all test configurations, and reads every
// golden file: no secret may appear anywhere.
func TestSecretsNeverShown(t *testing.T) {
	snap := t.TempDir()
	if err := os.MkdirAll(filepath.Join(snap, "configs"), 0o755); err != nil {
		t.Fatal(err)
	}
	var names []string
	for path := range configs(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				found++
			}
		}
		for _, d := range vendors.Dialects() {
			dev, notes := d.Parse(path, data)
			b, err := json.Marshal(dev)
			if err != nil {
				t.Fatal(err)
			}
			checkNoSecret(t, d.Name+" parse of "+path, string(b))
			for _, n := range notes {
				checkNoSecret(t, d.Name+" note of "+path, n.String())
			}
		}
		name := strings.ReplaceAll(filepath.Base(path), ".", "_")
		names = append(names, name)
		if err := os.WriteFile(filepath.Join(snap, "configs", name+".cfg"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) string {
		var out, errb bytes.Buffer
		code := cli.Main(args, &out, &errb)
		if code != 0 {
			t.Fatalf("farend %v: exit %d: %s", args, code, errb.String())
		}
		return out.String() + errb.String()
	}
	checkNoSecret(t, "farend parse", run("parse", snap))
	checkNoSecret(t, "farend parse --json", run("parse", snap, "--json"))
	for _, n := range names {
		checkNoSecret(t, "farend show "+n, run("show", snap, n))
		checkNoSecret(t, "farend show --json "+n, run("show", snap, n, "--json"))
	}
	goldens, _ := filepath.Glob(filepath.Join("*", "testdata", "*.golden"))
	for _, g := range goldens {
		data, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		checkNoSecret(t, g, string(data))
	}
}
