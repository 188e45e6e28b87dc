package swrtest

import "time"

// WithTempCredentialTTL sets how long Enterprise temporary credentials
// live (default TempCredentialTTL; the API's example shows 24 h). The
// answer's expire_date says it, as the vendor's does: a client must take
// the lifetime from the answer.
func WithTempCredentialTTL(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.tempTTL = d
		}
	}
}

// SetLongTermExpireDate sets the expire_date that later
// CreateInstanceLtCredential answers carry, verbatim ("" leaves it out, as
// by default). The vendor's "never expires" forms are what a client must
// accept: the zero time, "0001-01-01T00:00:00Z", or a date centuries ahead.
// The credential itself does not expire whatever is answered.
func (s *Server) SetLongTermExpireDate(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ltExpireDate = v
}

// tempCredentialTTL is the lifetime of an Enterprise temporary credential.
func (s *Server) tempCredentialTTL() time.Duration {
	if s.tempTTL > 0 {
		return s.tempTTL
	}
	return TempCredentialTTL
}
