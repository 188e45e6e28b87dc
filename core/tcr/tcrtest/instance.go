package tcrtest

import (
	"encoding/base64"
	"sort"
	"time"

	"github.com/regmint/regmint/core/registrytest"
)

// Instance is an emulated TCR Enterprise instance.
type Instance struct {
	// ID is the instance id, "tcr-" and eight letters or digits.
	ID string
	// Name is the instance (registry) name.
	Name string
	// Region is the region the instance lives in.
	Region string
	// Registry is the instance's registry host, "127.0.0.1:port": what
	// DescribeInstances answers as PublicDomain.
	Registry string
}

type instance struct {
	Instance
	created  time.Time
	registry *registrytest.Server
}

// TokenInfo describes a token the emulator minted.
type TokenInfo struct {
	// ID is the long-term token's id; empty for temporary tokens.
	ID         string
	InstanceID string
	LongTerm   bool
	Desc       string
	Created    time.Time
	Expires    time.Time
	Enabled    bool
	Deleted    bool
}

type token struct {
	TokenInfo
	password string
}

// AddInstance creates an instance in region with its own registry login
// endpoint (a Bearer challenge with a token realm, as Harbor answers).
func (s *Server) AddInstance(region string) Instance {
	in := &instance{Instance: Instance{ID: "tcr-" + randomLower(8), Region: region}}
	in.Name = "regmint-" + in.ID[4:]
	in.registry = registrytest.New(s.registryCheck(in.ID), s.registryOpts...)
	in.Registry = in.registry.Host
	s.mu.Lock()
	defer s.mu.Unlock()
	in.created = s.nowLocked()
	s.instances[in.ID] = in
	return in.Instance
}

// RegistryServer returns the registry login endpoint of an instance (to
// make it fail or count logins), or nil for an unknown id.
func (s *Server) RegistryServer(instanceID string) *registrytest.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.instances[instanceID]; in != nil {
		return in.registry
	}
	return nil
}

// registryCheck accepts exactly the tokens minted for the instance, by the
// account's user name, still unexpired, enabled and not deleted.
func (s *Server) registryCheck(instanceID string) registrytest.CheckFunc {
	return func(username, password string) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		t := s.tokens[password]
		return t != nil && username == s.UIN && t.InstanceID == instanceID &&
			t.Enabled && !t.Deleted && s.nowLocked().Before(t.Expires)
	}
}

// LookupToken returns what the emulator knows about a minted password.
func (s *Server) LookupToken(password string) (TokenInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[password]
	if t == nil {
		return TokenInfo{}, false
	}
	return t.TokenInfo, true
}

// LongTermTokens returns the instance's long-term tokens that are not
// deleted, oldest first.
func (s *Server) LongTermTokens(instanceID string) []TokenInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.longTermLocked(instanceID)
}

func (s *Server) longTermLocked(instanceID string) []TokenInfo {
	var out []TokenInfo
	for _, t := range s.tokens {
		if t.LongTerm && !t.Deleted && t.InstanceID == instanceID {
			out = append(out, t.TokenInfo)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// mintLocked creates a token for an instance.
func (s *Server) mintLocked(instanceID string, longTerm bool, desc string) *token {
	now := s.nowLocked().Truncate(time.Millisecond)
	t := &token{password: newJWTLike(), TokenInfo: TokenInfo{
		InstanceID: instanceID, LongTerm: longTerm, Created: now,
		Expires: now.Add(TempTokenTTL), Enabled: true,
	}}
	if longTerm {
		t.ID = newUUID()
		t.Desc = desc
		t.Expires = now.Add(LongTermTokenTTL)
	}
	s.tokens[t.password] = t
	return t
}

// deleteLocked marks an instance's long-term token deleted; it reports
// whether there was one.
func (s *Server) deleteLocked(instanceID, tokenID string) bool {
	for _, t := range s.tokens {
		if t.LongTerm && !t.Deleted && t.InstanceID == instanceID && t.ID == tokenID {
			t.Deleted = true
			return true
		}
	}
	return false
}

// newJWTLike returns a random three-part token shaped like the JWTs TCR
// hands out.
func newJWTLike() string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(`{"jti":"`+randomAlnum(32)+`"}`)) + "." + randomAlnum(43)
}

const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomLower(n int) string {
	b := []byte(randomAlnum(n))
	for i := range b {
		b[i] = lowerAlnum[int(b[i])%len(lowerAlnum)]
	}
	return string(b)
}
