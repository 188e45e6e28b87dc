package swrtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Secrets returns every secret the emulator generated or issued so far,
// including those since expired, revoked or deleted: passwords, secret
// keys, security tokens, IAM tokens, OIDC tokens, and the registry passwords
// it minted with their base64 docker auth strings. Leak tests check output
// against them.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.accounts {
		out = append(out, a.Password, a.SK)
		// the shared-edition long-term login derived from the key
		m := hmac.New(sha256.New, []byte(a.SK))
		m.Write([]byte(a.AK))
		pass := hex.EncodeToString(m.Sum(nil))
		out = append(out, pass)
		for r := range a.Projects {
			out = append(out, base64.StdEncoding.EncodeToString([]byte(r+"@"+a.AK+":"+pass)))
		}
	}
	return append(out, s.issued...)
}

// remember records issued secrets; s.mu must be held.
func (s *Server) remember(secrets ...string) {
	for _, x := range secrets {
		if x != "" {
			s.issued = append(s.issued, x)
		}
	}
}

// rememberLogin records a registry login: its password and docker auth.
func (s *Server) rememberLogin(user, password string) {
	s.remember(password, base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
}
