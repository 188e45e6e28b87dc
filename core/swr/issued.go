package swr

import (
	"context"
	"regexp"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"

	"github.com/regmint/regmint/core"
)

var _ core.TokenLister = (*Enterprise)(nil)

// IssuedTokens lists the instance's long-term credentials (every identity's,
// see ltListRequest) named as Issue
// names the target's (ltName: the description's name base, the creation
// time and a random suffix), for the rotation engine to find credentials
// left behind by failures. A target without a description has nothing to
// tell its credentials apart by: none are listed.
func (e *Enterprise) IssuedTokens(ctx context.Context) ([]core.IssuedToken, error) {
	if e.t.Description == "" {
		return nil, nil
	}
	mine := regexp.MustCompile(`^` + regexp.QuoteMeta(ltBase(e.t.Description)) + `-[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$`)
	var out []core.IssuedToken
	err := e.s.call(ctx, true, func(ctx context.Context, g grant) error {
		out = nil
		const limit = ltPage
		for offset := int32(0); ; offset += limit {
			var resp *model.ListInstanceLtCredentialsResponse
			err := e.s.retry(ctx, OpListInstanceLtCredentials, g, func(api swrAPI) (err error) {
				resp, err = api.ListInstanceLtCredentials(ltListRequest(e.t.InstanceID, offset))
				return err
			})
			if err != nil {
				return err
			}
			if resp.AuthTokens == nil {
				return nil
			}
			for _, tok := range *resp.AuthTokens {
				if tok.Name == nil || tok.TokenId == nil || !mine.MatchString(*tok.Name) {
					continue
				}
				it := core.IssuedToken{ID: *tok.TokenId}
				if tok.CreatedAt != nil {
					it.CreatedAt, _ = parseTime(*tok.CreatedAt) // zero if unreadable: left alone
				}
				out = append(out, it)
			}
			if len(*resp.AuthTokens) < limit {
				return nil
			}
		}
	})
	if err != nil {
		return nil, opError(OpListInstanceLtCredentials, e.t.InstanceID, err)
	}
	return out, nil
}
