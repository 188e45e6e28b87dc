package ghtest

import (
	"net/http"
	"time"
)

// PrimaryPerHour is GitHub's documented primary rate limit of an App
// installation (and of a personal access token): 5000 requests an hour
// (REST API docs, "Rate limits for the REST API"; GITHUB_TOKEN has 1000).
const PrimaryPerHour = 5000

// primary is the state of an enforced primary rate limit: requests counted
// in fixed hours of the server's clock from the first one.
type primary struct {
	perHour int
	start   time.Time
	used    int
	refused int
}

// EnforcePrimaryLimit makes the server refuse API calls beyond perHour in
// an hour as GitHub does: 403 "API rate limit exceeded" with
// X-RateLimit-Remaining: 0 and X-RateLimit-Reset at the end of the hour.
// Refused calls do not count; installation token requests are not counted
// (GitHub counts them against the app). 0 removes the limit.
func (s *Server) EnforcePrimaryLimit(perHour int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perHour <= 0 {
		s.primary = nil
		return
	}
	s.primary = &primary{perHour: perHour}
}

// PrimaryLimited returns how many calls the primary limit refused.
func (s *Server) PrimaryLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.primary == nil {
		return 0
	}
	return s.primary.refused
}

// overPrimaryLocked counts an API call and returns the primary rate
// limit's answer when the hour's requests are used up.
func (s *Server) overPrimaryLocked(endpoint string) *Fault {
	l := s.primary
	if l == nil || endpoint == EndpointAccessToken {
		return nil
	}
	now := s.nowLocked()
	if l.start.IsZero() || now.Sub(l.start) >= time.Hour {
		l.start, l.used = now, 0
	}
	if l.used >= l.perHour {
		l.refused++
		f := PrimaryRateLimit(endpoint, http.StatusForbidden, max(l.start.Add(time.Hour).Sub(now), time.Second))
		return &f
	}
	l.used++
	return nil
}
