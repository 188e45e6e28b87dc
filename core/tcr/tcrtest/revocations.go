package tcrtest

import "time"

// Revocation is a long-term token deleted through the API
// (DeleteInstanceToken).
type Revocation struct {
	InstanceID string
	TokenID    string
	// At is the emulator's time of the deletion.
	At time.Time
}

// WithOnRevoke makes the emulator call f for each long-term token deleted
// through the API, right after the deletion and before the call is
// answered, outside the emulator's lock: the caller is still waiting, so
// f sees the world as it was when the token was revoked (e.g. what a
// secrets store held then). Tokens removed with Invalidate are not
// reported.
func WithOnRevoke(f func(Revocation)) Option { return func(s *Server) { s.onRevoke = f } }

// Revocations returns every long-term token deleted through the API, in
// order.
func (s *Server) Revocations() []Revocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Revocation(nil), s.revoked...)
}

// recordRevocationLocked logs a deletion and returns it with the hook to
// call once the lock is released.
func (s *Server) recordRevocationLocked(instanceID, tokenID string) (Revocation, func(Revocation)) {
	r := Revocation{InstanceID: instanceID, TokenID: tokenID, At: s.nowLocked()}
	s.revoked = append(s.revoked, r)
	return r, s.onRevoke
}

// Invalidate deletes the token (temporary or long-term) whose password is
// given, as someone acting behind the back of whoever stored it would (in
// the console, or with another tool): the registry refuses it from now on.
// It is not a Revocation. It reports whether there was such a live token.
func (s *Server) Invalidate(password string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[password]
	if t == nil || t.Deleted {
		return false
	}
	t.Deleted = true
	return true
}
