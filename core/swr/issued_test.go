package swr_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
)

// TestIssuedTokens lists the long-term credentials named for the target's
// description, not others of the instance (even with a description alike
// for its first 32 characters), and none without a description.
func TestIssuedTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	issuer := func(desc string) *swr.Enterprise {
		tg, opts := w.setup(t, swr.EnterpriseName, core.TokenLongTerm, authKeys)
		tg.Description = desc
		e, err := swr.NewEnterprise(tg, opts)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	long := "regmint rotation " + strings.Repeat("production-registry-", 2)
	mine, other, similar := issuer("regmint rotation a"), issuer("regmint rotation ab"), issuer(long+"b")
	mineLong := issuer(long + "a")
	var want, wantLong []string
	for range 2 {
		c, err := mine.Issue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, c.TokenID)
		c, err = mineLong.Issue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantLong = append(wantLong, c.TokenID)
	}
	for _, o := range []*swr.Enterprise{other, similar} {
		if _, err := o.Issue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		is   *swr.Enterprise
		want []string
	}{{mine, want}, {mineLong, wantLong}} {
		got, err := tc.is.IssuedTokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, tok := range got {
			ids = append(ids, tok.ID)
			if tok.CreatedAt.IsZero() {
				t.Errorf("credential %s: no creation time", tok.ID)
			}
		}
		slices.Sort(ids)
		slices.Sort(tc.want)
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%v: IssuedTokens = %v, want %v", tc.is, ids, tc.want)
		}
	}
	if got, err := issuer("").IssuedTokens(ctx); err != nil || len(got) != 0 {
		t.Errorf("without a description: %v, %v; want none", got, err)
	}
}
