package tcr

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"
)

// Token is a long-term instance token as DescribeInstanceToken lists it
// (without its secret, which the API never shows again).
type Token struct {
	ID          string
	Description string
	Enabled     bool
	// CreatedAt is zero if the vendor's value could not be parsed.
	CreatedAt time.Time
	// ExpiresAt is zero if the vendor gave none.
	ExpiresAt time.Time
}

// maxTokenPages bounds ListTokens' paging, against an API that keeps
// answering pages.
const (
	tokenPageSize = 100
	maxTokenPages = 1000
)

// Revoke deletes a long-term token (DeleteInstanceToken). Revoking a token
// that no longer exists is not an error.
//
// The vendor documents no "not found" code for DeleteInstanceToken, so
// when it fails with any vendor error other than an auth, permission,
// throttling or transport one, Revoke lists the instance's tokens and
// reports success if the token is not among them; otherwise it returns the
// delete error.
func (i *Issuer) Revoke(ctx context.Context, tokenID string) error {
	c := i.call(actDeleteToken, idempotent)
	if tokenID == "" {
		return &opError{op: c.action, subject: c.subject, err: errors.New("no token id given")}
	}
	if err := i.creds.ensure(ctx); err != nil {
		return err
	}
	_, err := send[deleteTokenResponse](ctx, c, deleteTokenRequest{RegistryId: i.target.InstanceID, TokenId: tokenID})
	if err == nil || !maybeGone(Code(err)) || ctx.Err() != nil {
		return err
	}
	tokens, lerr := i.ListTokens(ctx)
	if lerr != nil {
		return err
	}
	for _, t := range tokens {
		if t.ID == tokenID {
			return err
		}
	}
	i.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "tcr: token already gone",
		slog.String("instance", i.target.InstanceID), slog.String("token_id", tokenID), slog.String("code", Code(err)))
	return nil
}

// maybeGone reports whether a delete error could mean the token does not
// exist: a vendor answer that is neither about auth, permission or
// throttling, nor an SDK-side (transport, parse) failure.
func maybeGone(code string) bool {
	for _, p := range []string{"AuthFailure", codeUnauthorized, "OperationDenied", codeRequestLimit, codeClient} {
		if code == p || strings.HasPrefix(code, p+".") {
			return false
		}
	}
	return code != ""
}

// ListTokens returns the instance's long-term tokens
// (DescribeInstanceToken, every page).
func (i *Issuer) ListTokens(ctx context.Context) ([]Token, error) {
	if err := i.creds.ensure(ctx); err != nil {
		return nil, err
	}
	c := i.call(actDescribeTokens, idempotent)
	var out []Token
	for page := 0; page < maxTokenPages; page++ {
		resp, err := send[describeTokensResponse](ctx, c, describeTokensRequest{
			RegistryId: i.target.InstanceID, Limit: tokenPageSize, Offset: int64(len(out)),
		})
		if err != nil {
			return nil, err
		}
		for _, t := range resp.Tokens {
			tok := Token{ID: t.Id, Description: t.Desc, Enabled: t.Enabled, CreatedAt: parseTime(t.CreatedAt)}
			if t.ExpiredAt > 0 {
				tok.ExpiresAt = expiryFromMillis(t.ExpiredAt)
			}
			out = append(out, tok)
		}
		if len(resp.Tokens) == 0 || int64(len(out)) >= resp.TotalCount {
			return out, nil
		}
	}
	return out, nil
}

// parseTime reads the vendor's timestamps, which come in more than one
// layout; zero if none fits.
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
