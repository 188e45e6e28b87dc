package swr

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"

	"github.com/regmint/regmint/core"
)

// tokenRefreshMargin: a cached IAM token is replaced this long before it
// expires, so that no call starts with a token about to lapse.
const tokenRefreshMargin = 15 * time.Minute

// session is the cloud side of an issuer: endpoints, credentials, the cached
// project id and IAM token. It is safe for concurrent use.
type session struct {
	c       *config
	auth    cloudAuth
	region  string
	iamURL  string
	swrURLs []string

	// fetch serialises project lookups and token fetches, so that
	// concurrent callers share one; mu guards the fields below it and is
	// held only briefly.
	fetch     sync.Mutex
	mu        sync.Mutex
	projectID string   // resolved project id ("" until known)
	token     iamToken // cached IAM token (password and OIDC)
}

func newSession(t core.Target, c *config) (*session, error) {
	ca, err := resolveAuth(t, c.Getenv)
	if err != nil {
		return nil, err
	}
	swrURLs, err := swrEndpoints(t, c.Getenv)
	if err != nil {
		return nil, err
	}
	iamURL, err := iamEndpoint(t, c.Getenv)
	if err != nil {
		return nil, err
	}
	return &session{c: c, auth: ca, region: t.Region, iamURL: iamURL, swrURLs: swrURLs, projectID: ca.projectID}, nil
}

// secrets returns every secret the session holds, for redaction.
func (s *session) secrets() []string {
	out := s.auth.secrets()
	s.mu.Lock()
	if s.token.value != "" {
		out = append(out, s.token.value)
	}
	s.mu.Unlock()
	return out
}

// grant is what one SWR call authenticates with.
type grant struct {
	cred      auth.ICredential
	projectID string
	token     string // the IAM token, if any
	fresh     bool   // the token was fetched for this call
}

// grant returns the SWR credential. needProject asks for the project id too
// (Enterprise paths hold it); with access keys it is looked up once if not
// given, with IAM tokens it comes with the token.
func (s *session) grant(ctx context.Context, needProject bool) (grant, error) {
	if err := s.walkChain(ctx); err != nil {
		return grant{}, err
	}
	if s.auth.keys() {
		pid, err := s.project(ctx, needProject)
		if err != nil {
			return grant{}, err
		}
		cred, err := s.keyCredential(pid)
		if err != nil {
			return grant{}, err
		}
		return grant{cred: cred, projectID: pid}, nil
	}
	tok, fresh, err := s.iamToken(ctx)
	if err != nil {
		return grant{}, err
	}
	return grant{cred: &tokenCredential{token: tok.value, projectID: tok.projectID}, projectID: tok.projectID, token: tok.value, fresh: fresh}, nil
}

func (s *session) project(ctx context.Context, need bool) (string, error) {
	s.mu.Lock()
	pid := s.projectID
	s.mu.Unlock()
	if pid != "" || !need {
		return pid, nil
	}
	s.fetch.Lock()
	defer s.fetch.Unlock()
	s.mu.Lock()
	pid = s.projectID
	s.mu.Unlock()
	if pid != "" {
		return pid, nil
	}
	pid, err := s.lookupProject(ctx)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.projectID = pid
	s.mu.Unlock()
	return pid, nil
}

// iamToken returns the cached token, or a new one when there is none or it
// expires within tokenRefreshMargin. Concurrent callers share one fetch.
func (s *session) iamToken(ctx context.Context) (iamToken, bool, error) {
	s.fetch.Lock()
	defer s.fetch.Unlock()
	s.mu.Lock()
	tok := s.token
	s.mu.Unlock()
	if tok.value != "" && s.c.Now().Add(tokenRefreshMargin).Before(tok.expires) {
		return tok, false, nil
	}
	tok, err := s.fetchToken(ctx)
	if err != nil {
		return iamToken{}, false, err
	}
	s.mu.Lock()
	s.token = tok
	s.mu.Unlock()
	return tok, true, nil
}

// dropToken forgets a cached token the service refused (it was revoked:
// password change, user removed, permissions changed).
func (s *session) dropToken(value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token.value == value {
		s.token = iamToken{}
	}
}

// call runs one SWR operation: it gets the credential, then calls attempt
// (which retries as it sees fit) with it. When SWR refuses a cached IAM
// token (401), the token is dropped and the operation runs once more with a
// new one.
func (s *session) call(ctx context.Context, needProject bool, attempt func(ctx context.Context, g grant) error) error {
	for try := 0; ; try++ {
		g, err := s.grant(ctx, needProject)
		if err != nil {
			return err
		}
		err = attempt(ctx, g)
		var ae *APIError
		if try == 0 && g.token != "" && !g.fresh && errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
			s.dropToken(g.token)
			continue
		}
		return err
	}
}

// retry calls one SWR operation with retries on throttling, 5xx and
// transport errors. The SDK client is built for each attempt, bound to its
// context.
func (s *session) retry(ctx context.Context, op string, g grant, f func(api swrAPI) error) error {
	return core.Retry(ctx, s.c.Backoff, retryable, func(ctx context.Context) error {
		api, err := s.c.clients.swr(ctx, s.c, s.swrURLs, g.cred)
		if err != nil {
			return err
		}
		return vendorError(op, f(api), s.secrets())
	})
}
