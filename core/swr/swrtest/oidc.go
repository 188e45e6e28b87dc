package swrtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// IdP is an IAM identity provider (OIDC) of an account, trusted to log its
// tokens in as a federated user of the account.
type IdP struct {
	// ID is the identity provider id, for X-Idp-Id ("idp-id").
	ID string
	// Issuer and ClientID are what the tokens carry as iss and aud.
	Issuer, ClientID string

	key  []byte
	acct *Account
	s    *Server
}

// NewIdP creates an identity provider of the account, with its own random
// signing key.
func (s *Server) NewIdP(a *Account) *IdP {
	p := &IdP{
		ID:       "swrtest-idp-" + randHex(4),
		Issuer:   "https://token.actions.example.test/" + randHex(4),
		ClientID: "swrtest-client-" + randHex(4),
		key:      []byte(randHex(32)),
		acct:     a,
		s:        s,
	}
	s.mu.Lock()
	s.idps[p.ID] = p
	s.mu.Unlock()
	return p
}

// Token returns an OIDC id token (a JWT signed by the identity provider)
// for subject, valid for ttl from the emulator's clock. It is a secret.
func (p *IdP) Token(subject string, ttl time.Duration) string {
	now := p.s.now()
	header := b64(mustJSON(map[string]string{"alg": "HS256", "typ": "JWT", "kid": p.ID}))
	claims := b64(mustJSON(map[string]any{
		"iss": p.Issuer, "aud": p.ClientID, "sub": subject,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(ttl).Unix(),
	}))
	tok := header + "." + claims + "." + b64(p.mac(header+"."+claims))
	p.s.mu.Lock()
	p.s.remember(tok)
	p.s.mu.Unlock()
	return tok
}

func (p *IdP) mac(s string) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// verify checks an id token: the provider's signature, issuer, audience
// and expiry.
func (p *IdP) verify(tok string, now time.Time) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errors.New("the id_token is not a JWT")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, p.mac(parts[0]+"."+parts[1])) {
		return errors.New("the id_token signature is invalid")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return errors.New("the id_token claims are malformed")
	}
	var c struct {
		Iss string `json:"iss"`
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return errors.New("the id_token claims are malformed")
	}
	switch {
	case c.Iss != p.Issuer:
		return errors.New("the id_token issuer is not the identity provider's")
	case c.Aud != p.ClientID:
		return errors.New("the id_token audience is not the identity provider's client id")
	case !now.Before(time.Unix(c.Exp, 0)):
		return errors.New("the id_token has expired")
	}
	return nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
