package config

import (
	"regexp"
	"strings"
	"testing"
)

// The expressions the hand-written checks stand for.
var (
	nameExpr     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$`)
	secretIDExpr = regexp.MustCompile(`^[A-Za-z0-9/_+=.@:-]+$`)
	refExpr      = regexp.MustCompile(`^\S+$`)
	sourceExpr   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	prefixExpr   = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{0,256}$`)
	nsExpr       = regexp.MustCompile(`^[A-Za-z0-9.\-_/#:]{1,255}$`)
)

// checkNames fails when a hand-written check and its expression disagree
// on s.
func checkNames(t *testing.T, s string) {
	t.Helper()
	for _, c := range []struct {
		name string
		got  bool
		expr *regexp.Regexp
	}{
		{"validName", validName(s), nameExpr},
		{"secretIDChars", secretIDChars(s), secretIDExpr},
		{"validRef", validRef(s), refExpr},
		{"validSourceName", validSourceName(s), sourceExpr},
		{"validPrefix", validPrefix(s), prefixExpr},
		{"validNamespace", validNamespace(s), nsExpr},
	} {
		if want := c.expr.MatchString(s); c.got != want {
			t.Errorf("%s(%q) = %v, the expression says %v", c.name, s, c.got, want)
		}
	}
}

// TestNameChecks: each hand-written check accepts what its expression
// accepts, and nothing else.
func TestNameChecks(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "a", "tcr-0001", "swr/prod.eu_1", "-a", ".a", "_a", "/a", "a b", "a\tb", "a\vb", "a\u00a0b", "é",
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:regmint/x-AbCdEf", "a+b=c@d", "a!", "a\x00",
		"\xff", "a\xffb", "a\n", strings.Repeat("a", 128), strings.Repeat("a", 129), "a#b", "a\rb", "a\fb",
		"regmint/", "a:b", "AWS/x", "a#b:c", strings.Repeat("b", 64), strings.Repeat("b", 65), strings.Repeat("c", 255),
		strings.Repeat("c", 256), strings.Repeat("c", 257),
	} {
		checkNames(t, s)
	}
}

// FuzzNameChecks holds the hand-written checks to their expressions.
func FuzzNameChecks(f *testing.F) {
	f.Add("tcr-0001")
	f.Add("arn:aws:secretsmanager:us-east-1:123456789012:secret:x")
	f.Fuzz(checkNames)
}
