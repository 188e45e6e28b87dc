package tcrtest

import (
	"io"
	"net/http"
	"time"
)

const (
	stsAction          = "AssumeRoleWithWebIdentity"
	stsDefaultDuration = 7200
	stsMaxDuration     = 43200
)

// IssueWebIdentityToken returns a fresh OIDC web identity token (as
// GitHub's OIDC service would issue) that STS accepts until ttl from the
// emulator's current time.
func (s *Server) IssueWebIdentityToken(ttl time.Duration) string {
	tok := newJWTLike()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webTokens[tok] = s.nowLocked().Add(ttl)
	return tok
}

// serveSTS is the STS endpoint. AssumeRoleWithWebIdentity is sent unsigned
// (Authorization: SKIP), as the vendor's SDK sends it.
func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request) {
	action := r.Header.Get("X-TC-Action")
	s.serveCall(w, r, action, func(requestID string) []byte {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			return errorBody(errf(codeInvalidParameter, "The request body could not be read."), requestID)
		}
		fields, e := s.handleSTS(r, action, body)
		if e != nil {
			return errorBody(e, requestID)
		}
		return successBody(fields, requestID)
	})
}

func (s *Server) handleSTS(r *http.Request, action string, body []byte) (any, *apiErr) {
	if e := checkEnvelope(r, STSVersion); e != nil {
		return nil, e
	}
	// The SDK sends AssumeRoleWithWebIdentity unsigned, with the literal
	// Authorization: SKIP (common/client.go, SetSkipSign).
	if got := r.Header.Get("Authorization"); got != "SKIP" {
		return nil, errf(codeInvalidAuthorization, "AssumeRoleWithWebIdentity is sent unsigned, with Authorization: SKIP.")
	}
	if action != stsAction {
		return nil, errf(codeInvalidAction, "The action `%s` is not supported by the tcrtest STS.", action)
	}
	var p struct {
		ProviderId, WebIdentityToken, RoleArn, RoleSessionName string
		DurationSeconds                                        int64
	}
	if e := decodeParams(body, &p); e != nil {
		return nil, e
	}
	switch {
	case p.ProviderId == "" || p.WebIdentityToken == "" || p.RoleArn == "" || p.RoleSessionName == "":
		return nil, errf(codeSTSParamError, "ProviderId, WebIdentityToken, RoleArn and RoleSessionName are required.")
	case p.DurationSeconds < 0:
		return nil, errf(codeSTSParamError, "DurationSeconds must be positive.")
	case p.DurationSeconds > stsMaxDuration:
		return nil, errf(codeSTSParamError, "DurationSeconds exceeds %d.", stsMaxDuration)
	}
	if p.DurationSeconds == 0 {
		p.DurationSeconds = stsDefaultDuration
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	if p.ProviderId != s.OIDCProviderID {
		return nil, errf(codeSTSParamError, "The identity provider %s does not exist.", p.ProviderId)
	}
	if exp, ok := s.webTokens[p.WebIdentityToken]; !ok || !now.Before(exp) {
		return nil, errf(codeWebIdentityToken, "The WebIdentityToken is invalid or expired.")
	}
	if p.RoleArn != s.RoleARN {
		return nil, errf(codeGetRoleError, "get role failed: the role %s does not exist or does not trust the identity provider.", p.RoleArn)
	}
	k := s.newSessionKeyLocked(time.Duration(p.DurationSeconds) * time.Second)
	return map[string]any{
		"Credentials": map[string]string{"Token": k.token, "TmpSecretId": k.id, "TmpSecretKey": k.secret},
		"ExpiredTime": k.expires.Unix(),
		"Expiration":  k.expires.UTC().Format(time.RFC3339),
	}, nil
}
