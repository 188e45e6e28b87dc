package tcr

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/regmint/regmint/core"
)

const (
	// stsDuration is how long the temporary credentials are asked for
	// unless the target's Auth.SessionDuration says otherwise.
	stsDuration = time.Hour
	// stsRefreshMargin is how long before their expiry cached temporary
	// credentials are replaced.
	stsRefreshMargin = 5 * time.Minute
	defaultSession   = "regmint"
)

// stsCreds is keyless login: the web identity token is exchanged at STS
// AssumeRoleWithWebIdentity for temporary credentials, which are cached
// and replaced stsRefreshMargin before they expire.
//
// It calls STS itself, through the SDK's common client, rather than using
// the SDK's common.OIDCRoleArnProvider, because that provider builds its own
// client: it cannot be given a transport (so neither a proxy-aware one nor
// one trusting a test certificate) except through the global
// common.DefaultHttpClient, takes no context, always uses https, refreshes
// by time.Now, and on a failed refresh writes the error to the global
// standard logger and keeps signing with the stale keys.
type stsCreds struct {
	call                  call
	providerID, roleARN   string
	sessionName           string
	duration              time.Duration
	token                 func() (string, error)
	clock                 func() time.Time
	fetchMu               sync.Mutex // one fetch at a time
	mu                    sync.Mutex // guards the fields below
	id, key, sessionToken string
	expires               time.Time
}

// newSTSCreds prepares keyless login for t; its call endpoint is filled in
// by New.
func newSTSCreds(t core.Target, c *core.Env) *stsCreds {
	a := t.Auth
	session := a.SessionName
	if session == "" {
		session = defaultSession
	}
	token := func() (string, error) { return a.WebIdentityToken, nil }
	if a.WebIdentityToken == "" {
		path := a.WebIdentityTokenFile
		token = func() (string, error) {
			// Read on every fetch: the file may be replaced with a fresh
			// token (as projected service account tokens are).
			b, err := c.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("tcr: read web identity token file: %w", err)
			}
			tok := strings.TrimSpace(string(b))
			if tok == "" {
				return "", fmt.Errorf("tcr: web identity token file %s is empty", path)
			}
			return tok, nil
		}
	}
	duration := a.SessionDuration
	if duration == 0 {
		duration = stsDuration
	}
	return &stsCreds{
		providerID: a.OIDCProviderID, roleARN: a.RoleARN, sessionName: session, duration: duration,
		token: token, clock: c.Now,
	}
}

// GetSecretId implements common.CredentialIface.
func (s *stsCreds) GetSecretId() string { id, _, _ := s.GetCredential(); return id }

// GetSecretKey implements common.CredentialIface.
func (s *stsCreds) GetSecretKey() string { _, key, _ := s.GetCredential(); return key }

// GetToken implements common.CredentialIface.
func (s *stsCreds) GetToken() string { _, _, tok := s.GetCredential(); return tok }

// GetCredential implements common.CredentialIface: the current temporary
// credentials, as one consistent triple.
func (s *stsCreds) GetCredential() (string, string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id, s.key, s.sessionToken
}

func (s *stsCreds) fresh() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id != "" && s.clock().Before(s.expires.Add(-stsRefreshMargin))
}

// ensure fetches temporary credentials unless the cached ones stay valid
// past the refresh margin.
func (s *stsCreds) ensure(ctx context.Context) error {
	if s.fresh() {
		return nil
	}
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	if s.fresh() {
		return nil
	}
	tok, err := s.token()
	if err != nil {
		return err
	}
	out, err := send[assumeRoleResponse](ctx, s.call, assumeRoleRequest{
		ProviderId: s.providerID, WebIdentityToken: tok, RoleArn: s.roleARN,
		RoleSessionName: s.sessionName, DurationSeconds: int64(s.duration / time.Second),
	})
	if err != nil {
		return err
	}
	exp := time.Unix(out.ExpiredTime, 0)
	if out.ExpiredTime == 0 {
		exp, _ = time.Parse(time.RFC3339, out.Expiration)
	}
	// STS grants what was asked for, no more: a later expiry is a garbled
	// answer, and believing it would keep the keys past their real end.
	if limit := s.clock().Add(s.duration); exp.After(limit) {
		exp = limit
	}
	cr := out.Credentials
	if cr.TmpSecretId == "" || cr.TmpSecretKey == "" || cr.Token == "" || exp.IsZero() {
		return &opError{op: s.call.action, subject: s.call.subject, err: malformed("lacks Credentials or ExpiredTime", out.RequestId)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.id, s.key, s.sessionToken, s.expires = cr.TmpSecretId, cr.TmpSecretKey, cr.Token, exp
	return nil
}
