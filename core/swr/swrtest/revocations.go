package swrtest

import (
	"slices"
	"time"
)

// Revocation is an Enterprise long-term credential deleted through the API
// (DeleteInstanceLtCredential).
type Revocation struct {
	InstanceID string
	// TokenID is the credential's token_id; Name its name.
	TokenID, Name string
	// At is the emulator's time of the deletion.
	At time.Time
}

// WithOnRevoke makes the emulator call f for each long-term credential
// deleted through the API, right after the deletion and before the call is
// answered, outside the emulator's lock: the caller is still waiting, so f
// sees the world as it was when the credential was revoked (e.g. what a
// secrets store held then). Logins removed with Invalidate are not
// reported.
func WithOnRevoke(f func(Revocation)) Option { return func(s *Server) { s.onRevoke = f } }

// Revocations returns every long-term credential deleted through the API,
// in order.
func (s *Server) Revocations() []Revocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Revocation(nil), s.revoked...)
}

// recordRevocationLocked logs a deletion and returns it with the hook to
// call once the lock is released.
func (s *Server) recordRevocationLocked(instanceID, tokenID, name string) (Revocation, func(Revocation)) {
	r := Revocation{InstanceID: instanceID, TokenID: tokenID, Name: name, At: s.now()}
	s.revoked = append(s.revoked, r)
	return r, s.onRevoke
}

// Invalidate removes the registry login (an Enterprise temporary or
// long-term credential, or a shared-edition temporary login) whose
// password is given, as someone acting behind the back of whoever stored it
// would (in the console, or with another tool): the registry refuses it
// from now on. It is not a Revocation. It reports whether there was such a
// login.
func (s *Server) Invalidate(password string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for user, c := range s.tempCreds {
		if eq(c.password, password) {
			delete(s.tempCreds, user)
			return true
		}
	}
	for id, c := range s.ltCreds {
		if eq(c.password, password) {
			delete(s.ltCreds, id)
			return true
		}
	}
	for user, c := range s.secrets {
		if eq(c.password, password) {
			delete(s.secrets, user)
			return true
		}
	}
	return false
}

// LongTermCredentialIDs returns the token ids of the instance's long-term
// credentials that exist, sorted.
func (s *Server) LongTermCredentialIDs(in *Instance) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, c := range s.ltCreds {
		if c.scope == in.ID {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
