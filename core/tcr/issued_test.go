package tcr_test

import (
	"slices"
	"testing"

	"github.com/regmint/regmint/core"
)

// TestIssuedTokens lists the long-term tokens made with the target's
// description, not others of the instance, and none without a
// description.
func TestIssuedTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	label := func(desc string) func(*core.Target) { return func(t *core.Target) { t.Description = desc } }
	mine := e.issuer(t, e.target(longTerm, label("regmint rotation a")))
	other := e.issuer(t, e.target(longTerm, label("regmint rotation ab")))
	var want []string
	for range 2 {
		c, err := mine.Issue(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, c.TokenID)
	}
	if _, err := other.Issue(ctx(t)); err != nil {
		t.Fatal(err)
	}
	got, err := mine.IssuedTokens(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tok := range got {
		ids = append(ids, tok.ID)
		if tok.CreatedAt.IsZero() {
			t.Errorf("token %s: no creation time", tok.ID)
		}
	}
	slices.Sort(ids)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("IssuedTokens = %v, want %v", ids, want)
	}
	if err := mine.Revoke(ctx(t), want[0]); err != nil {
		t.Fatal(err)
	}
	if got, _ := mine.IssuedTokens(ctx(t)); len(got) != 1 || got[0].ID != want[1] {
		t.Errorf("after revoking %s: %v", want[0], got)
	}
	unlabelled := e.issuer(t, e.target(longTerm))
	if got, err := unlabelled.IssuedTokens(ctx(t)); err != nil || len(got) != 0 {
		t.Errorf("without a description: %v, %v; want none", got, err)
	}
}
