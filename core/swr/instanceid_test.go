package swr

import (
	"regexp"
	"strings"
	"testing"
)

// instanceExpr is the expression validInstanceID stands for.
var instanceExpr = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,63}$`)

func checkInstanceID(t *testing.T, s string) {
	t.Helper()
	if got, want := validInstanceID(s), instanceExpr.MatchString(s); got != want {
		t.Errorf("validInstanceID(%q) = %v, the expression says %v", s, got, want)
	}
}

// TestValidInstanceID: the hand-written check accepts what its expression
// accepts, and nothing else.
func TestValidInstanceID(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "a", "-a", "a-", "0b2f7a3e-1c2d-4e5f-8a9b-000000000003", "A_b", "a.b", "é",
		strings.Repeat("a", 64), strings.Repeat("a", 65), "a\n"} {
		checkInstanceID(t, s)
	}
}

// FuzzValidInstanceID holds validInstanceID to its expression.
func FuzzValidInstanceID(f *testing.F) {
	f.Add("0b2f7a3e-1c2d-4e5f-8a9b-000000000003")
	f.Fuzz(checkInstanceID)
}
