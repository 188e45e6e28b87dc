package tcr

import (
	"regexp"
	"strings"
	"testing"
)

// instanceExpr is the expression validInstanceID stands for.
var instanceExpr = regexp.MustCompile(`^tcr-[a-z0-9]{4,32}$`)

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
	for _, s := range []string{"", "tcr-", "tcr-abc", "tcr-abcd", "tcr-0001abcd", "TCR-abcd", "tcr-ABCD", "tcr-ab-cd",
		"tcr-" + strings.Repeat("a", 32), "tcr-" + strings.Repeat("a", 33), "xtcr-abcd", "tcr-abcd\n", "tcr-é1234"} {
		checkInstanceID(t, s)
	}
}

// FuzzValidInstanceID holds validInstanceID to its expression.
func FuzzValidInstanceID(f *testing.F) {
	f.Add("tcr-abcd1234")
	f.Fuzz(checkInstanceID)
}
