package core

import (
	"regexp"
	"strings"
	"testing"
)

// The expressions the hand-written matchers stand for.
var (
	regionExpr    = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+){1,4}$`)
	hostLabelExpr = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
)

func checkMatchers(t *testing.T, s string) {
	t.Helper()
	if got, want := validRegionID(s), regionExpr.MatchString(s); got != want {
		t.Errorf("validRegionID(%q) = %v, the expression says %v", s, got, want)
	}
	if got, want := validHostLabel(s), hostLabelExpr.MatchString(s); got != want {
		t.Errorf("validHostLabel(%q) = %v, the expression says %v", s, got, want)
	}
}

// TestMatchers: each hand-written matcher accepts what its expression
// accepts, and nothing else.
func TestMatchers(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "a", "ap", "ap-", "ap-guangzhou", "cn-north-4", "ap-southeast-1", "a-b", "ab-c-d-e-f", "ab-c-d-e-f-g",
		"AP-guangzhou", "ap--x", "ap-x-", "ap1-x", "ap-Guangzhou", "ap_x", "ap-x\n", "é-x", "x", "-", "-a", "a-",
		"a-b-c", "myreg", "0", strings.Repeat("a", 63), strings.Repeat("a", 64), "a\x00", "tcr-0001.tencentcloudcr",
	} {
		checkMatchers(t, s)
	}
}

// FuzzMatchers holds the hand-written matchers to their expressions.
func FuzzMatchers(f *testing.F) {
	f.Add("ap-guangzhou")
	f.Add("my-reg-1")
	f.Fuzz(checkMatchers)
}
