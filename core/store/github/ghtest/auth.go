package ghtest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Token lifetimes and JWT limits, as GitHub applies them.
const (
	// InstallationTokenLifetime is how long a minted installation token is
	// accepted.
	InstallationTokenLifetime = time.Hour
	// MaxJWTLifetime is the furthest in the future an app JWT's exp may
	// be.
	MaxJWTLifetime = 10 * time.Minute
	// JWTLeeway is the clock drift allowed on iat and exp.
	JWTLeeway = 30 * time.Second
)

// Token prefixes, as GitHub's: fine-grained personal access tokens and
// installation tokens.
const (
	patPrefix          = "github_pat_"
	installationPrefix = "ghs_"
)

// App is the GitHub App the server knows, with the installation tokens can
// be minted for.
type App struct {
	ID             int64
	InstallationID int64
	// PrivateKeyPEM is the app's RSA private key (PKCS #1 PEM, as GitHub
	// generates it). Secret.
	PrivateKeyPEM string
}

type appState struct {
	App
	pub *rsa.PublicKey
}

// App returns the server's GitHub App, generating its RSA key pair on the
// first call.
func (s *Server) App() App {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.app == nil {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("ghtest: generate app key: " + err.Error()) // crypto/rand does not fail
		}
		p := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
		s.nextID++
		id := s.nextID
		s.nextID++
		s.app = &appState{App: App{ID: id, InstallationID: s.nextID, PrivateKeyPEM: string(p)}, pub: &key.PublicKey}
	}
	return s.app.App
}

// AddToken returns a new personal access token the server accepts for
// every call but the app's.
func (s *Server) AddToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := patPrefix + randomAlnum(82)
	s.pats[t] = true
	return t
}

// RevokeToken makes the server refuse a personal access token or an
// installation token from now on.
func (s *Server) RevokeToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pats, token)
	s.revoked[token] = true
}

// InstallationTokens returns every installation token minted so far,
// expired and revoked ones included (for leak checks).
func (s *Server) InstallationTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.minted))
	for t := range s.minted {
		out = append(out, t)
	}
	return out
}

// bearer returns the token of an Authorization header ("Bearer X" or
// "token X").
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	for _, p := range []string{"Bearer ", "bearer ", "token "} {
		if t, ok := strings.CutPrefix(h, p); ok {
			return strings.TrimSpace(t)
		}
	}
	return ""
}

// authorize checks a call's token: a personal access token, or an
// installation token that has not expired.
func (s *Server) authorize(r *http.Request) *apiError {
	tok := bearer(r)
	if tok == "" {
		return errorOf(http.StatusUnauthorized, "Requires authentication")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pats[tok] {
		return nil
	}
	if exp, ok := s.minted[tok]; ok && !s.revoked[tok] && s.nowLocked().Before(exp) {
		return nil
	}
	return errorOf(http.StatusUnauthorized, "Bad credentials")
}

// createAccessToken is POST /app/installations/{id}/access_tokens.
func (s *Server) createAccessToken(w http.ResponseWriter, r *http.Request) {
	if e := s.verifyJWT(bearer(r)); e != nil {
		s.writeError(w, e)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	if err != nil || id != s.app.InstallationID {
		s.mu.Unlock()
		s.writeError(w, errorOf(http.StatusNotFound, "Not Found"))
		return
	}
	tok := installationPrefix + randomAlnum(36)
	exp := s.nowLocked().Add(InstallationTokenLifetime).UTC().Truncate(time.Second)
	s.minted[tok] = exp
	s.mu.Unlock()
	s.writeJSON(w, http.StatusCreated, map[string]any{
		"token":                tok,
		"expires_at":           exp.Format(time.RFC3339),
		"permissions":          map[string]string{"secrets": "write", "variables": "write", "environments": "write", "metadata": "read"},
		"repository_selection": "all",
	})
}

// verifyJWT checks an app JWT as GitHub does: RS256 signed by the app's
// key, iss the app id, iat not in the future and exp in the future but at
// most MaxJWTLifetime away (each with JWTLeeway).
func (s *Server) verifyJWT(tok string) *apiError {
	undecodable := errorOf(http.StatusUnauthorized, "A JSON web token could not be decoded")
	s.mu.Lock()
	app := s.app
	now := s.nowLocked()
	s.mu.Unlock()
	parts := strings.Split(tok, ".")
	if app == nil || len(parts) != 3 {
		return undecodable
	}
	enc := base64.RawURLEncoding
	hb, err1 := enc.DecodeString(parts[0])
	cb, err2 := enc.DecodeString(parts[1])
	sig, err3 := enc.DecodeString(parts[2])
	var header struct{ Alg string }
	var claims struct {
		Iat, Exp json.Number
		Iss      any
	}
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &header) != nil || json.Unmarshal(cb, &claims) != nil {
		return undecodable
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if header.Alg != "RS256" || rsa.VerifyPKCS1v15(app.pub, crypto.SHA256, digest[:], sig) != nil {
		return undecodable
	}
	iss := ""
	switch v := claims.Iss.(type) {
	case string:
		iss = v
	case float64:
		iss = strconv.FormatFloat(v, 'f', -1, 64)
	}
	if iss != strconv.FormatInt(app.ID, 10) {
		return errorOf(http.StatusUnauthorized, "'Issuer' claim ('iss') must be an Integer")
	}
	iat, errI := claims.Iat.Int64()
	exp, errE := claims.Exp.Int64()
	switch {
	case errI != nil || time.Unix(iat, 0).After(now.Add(JWTLeeway)):
		return errorOf(http.StatusUnauthorized, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.")
	case errE != nil || !time.Unix(exp, 0).After(now.Add(-JWTLeeway)):
		return errorOf(http.StatusUnauthorized, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.")
	case time.Unix(exp, 0).After(now.Add(MaxJWTLifetime + JWTLeeway)):
		return errorOf(http.StatusUnauthorized, "'Expiration time' claim ('exp') is too far in the future.")
	}
	return nil
}
