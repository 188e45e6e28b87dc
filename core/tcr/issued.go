package tcr

import (
	"context"

	"github.com/regmint/regmint/core"
)

var _ core.TokenLister = (*Issuer)(nil)

// IssuedTokens lists the instance's long-term tokens that carry the
// target's Description, the label Issue gives them (ListTokens, filtered),
// for the rotation engine to find tokens left behind by failures. A target
// without a Description has nothing to tell its tokens apart by (Issue then
// labels each with its own time): none are listed.
func (i *Issuer) IssuedTokens(ctx context.Context) ([]core.IssuedToken, error) {
	if i.target.Description == "" {
		return nil, nil
	}
	tokens, err := i.ListTokens(ctx)
	if err != nil {
		return nil, err
	}
	var out []core.IssuedToken
	for _, t := range tokens {
		if t.Description == i.target.Description {
			out = append(out, core.IssuedToken{ID: t.ID, CreatedAt: t.CreatedAt})
		}
	}
	return out, nil
}
