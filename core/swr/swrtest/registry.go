package swrtest

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/regmint/regmint/core/registrytest"
)

// SharedRegistry returns the shared-edition registry of a region, started on
// first use. Its Host is the key of CreateSecret's "auths" entry; a
// shared-edition long-term login is checked against it by setting the
// target's registry to it.
func (s *Server) SharedRegistry(region string) *registrytest.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sharedLocked(region)
}

func (s *Server) sharedLocked(region string) *registrytest.Server {
	if r, ok := s.shared[region]; ok {
		return r
	}
	r := registrytest.New(func(u, p string) bool { return s.checkSharedLogin(region, u, p) })
	s.shared[region] = r
	return r
}

// checkInstanceLogin accepts the instance's temporary credentials until they
// expire and its long-term ones until they are deleted.
func (s *Server) checkInstanceLogin(instanceID, user, password string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.tempCreds[user]; ok && c.scope == instanceID {
		return eq(c.password, password) && s.now().Before(c.expires)
	}
	for _, c := range s.ltCreds {
		if c.scope == instanceID && c.user == user {
			return eq(c.password, password) && (c.expires.IsZero() || s.now().Before(c.expires))
		}
	}
	return false
}

// checkSharedLogin accepts the region's temporary logins until they expire,
// and the long-term login "<region>@<AK>" / hex HMAC-SHA256(SK, AK) of a
// permanent access key that exists, of an account with a project in the
// region.
func (s *Server) checkSharedLogin(region, user, password string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.secrets[user]; ok && c.scope == region {
		return eq(c.password, password) && s.now().Before(c.expires)
	}
	r, ak, ok := strings.Cut(user, "@")
	if !ok || r != region {
		return false
	}
	k, ok := s.keys[ak]
	if !ok || k.deleted || !k.expires.IsZero() {
		return false
	}
	if _, ok := k.acct.Projects[region]; !ok {
		return false
	}
	m := hmac.New(sha256.New, []byte(k.sk))
	m.Write([]byte(k.ak))
	return eq(hex.EncodeToString(m.Sum(nil)), password)
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
