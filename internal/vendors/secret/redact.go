// Package secret removes secrets from Cisco-style configuration lines (IOS and
// FRR share the syntax) before anything else sees them.
package secret

import (
	"strings"

	"farend/internal/model"
)

// Redact replaces every secret in words by one model.Redacted word and
// returns the words and a description of the secret ("" when the line has none). It runs
// on every line before anything else sees it, so secrets never reach the
// model, notes or errors. It errs on the side of redacting: a value after
// any password/secret/key keyword is dropped, whatever its encryption
// type (0, 5, 7, 8, 9 ...).
func Redact(words []string) ([]string, string) {
	if len(words) == 0 {
		return words, ""
	}
	cut := -1 // words from cut on are secret
	what := ""
	switch {
	case words[0] == "snmp-server" && len(words) >= 3 && words[1] == "community":
		// snmp-server community STRING [view V] [RO|RW] [ACL]
		words[2] = model.Redacted
		return words, "snmp-server community"
	case words[0] == "snmp-server" && len(words) >= 4 && words[1] == "host":
		// snmp-server host ADDR [traps|informs] [version V] COMMUNITY ...
		cut, what = 3, "snmp-server host community"
	case words[0] == "snmp-server" && len(words) >= 5 && words[1] == "user":
		// snmp-server user NAME GROUP v3 auth md5 PASS priv des PASS
		cut, what = 4, "snmp-server user "+words[2]
	}
	if cut < 0 {
		snmp := false
		for i := 0; i < len(words) && cut < 0; i++ {
			if strings.HasPrefix(words[i], "snmp") {
				snmp = true
			}
			if snmp && words[i] == "community" && i+1 < len(words) {
				// Another dialect's SNMP community (VyOS `set service snmp
				// community NAME ...`): the name is the secret.
				words[i+1] = model.Redacted
				return words, strings.Join(words[:i+1], " ")
			}
			w := strings.ToLower(words[i])
			next := ""
			if i+1 < len(words) {
				next = strings.ToLower(words[i+1])
			}
			switch {
			case strings.Contains(w, "password") && w != "password-encryption" && w != "password-recovery",
				strings.Contains(w, "secret"),
				w == "key-string", strings.HasSuffix(w, "-key"), w == "wpa-psk",
				w == "md5", w == "sha", w == "sha1", w == "sha256", w == "sha384", w == "sha512":
				cut = i + 1
			case w == "key":
				switch {
				case next == "chain" || next == "config-key" || next == "":
				case i > 0 && (words[i-1] == "crypto" || words[i-1] == "tunnel"):
				case i == 0 && len(words) == 2 && isNumber(words[1]):
					// `key 1` inside a key chain: a key id.
				default:
					cut = i + 1
				}
			case w == "authentication" && (next == "text" || (i > 0 && words[i-1] == "nhrp")):
				cut = i + 1
			case w == "authentication" && i >= 2 && (words[i-2] == "standby" || words[i-2] == "vrrp" || words[i-2] == "glbp") &&
				next != "md5" && next != "":
				cut = i + 1
			case w == "encryption" && next == "ipsec":
				cut = i + 1
			}
		}
		if cut >= 0 {
			what = strings.Join(words[:cut], " ")
		}
	}
	if cut < 0 || cut >= len(words) {
		return words, ""
	}
	words[cut] = model.Redacted
	return words[:cut+1], what
}

func isNumber(s string) bool {
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
