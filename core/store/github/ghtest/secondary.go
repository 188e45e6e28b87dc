package ghtest

import (
	"net/http"
	"time"
)

// GitHub's documented secondary rate limits on content-creating requests
// (REST API docs, "Rate limits for the REST API", secondary rate limits):
// no more than 80 a minute and no more than 500 an hour.
const (
	SecondaryPerMinute = 80
	SecondaryPerHour   = 500
)

// contentCreating are the endpoints the secondary limits count: the
// writes of secrets and variables.
var contentCreating = map[string]bool{EndpointPutSecret: true, EndpointCreateVariable: true, EndpointUpdateVariable: true}

// secondary is the state of the enforced secondary limits.
type secondary struct {
	perMinute, perHour int
	at                 []time.Time // accepted content-creating calls of the last hour
	refused            int
}

// EnforceSecondaryLimits makes the server answer content-creating calls
// (PUT secret, POST and PATCH variable) beyond perMinute in any 60 seconds
// or perHour in any hour of its clock as GitHub does: 403 "You have
// exceeded a secondary rate limit" with Retry-After, the seconds until the
// window has room again. Refused calls do not count. 0 and 0 remove the
// limits; EnforceSecondaryLimits(SecondaryPerMinute, SecondaryPerHour) are
// GitHub's.
func (s *Server) EnforceSecondaryLimits(perMinute, perHour int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perMinute <= 0 && perHour <= 0 {
		s.secondary = nil
		return
	}
	s.secondary = &secondary{perMinute: perMinute, perHour: perHour}
}

// SecondaryLimited returns how many calls the secondary limits refused.
func (s *Server) SecondaryLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secondary == nil {
		return 0
	}
	return s.secondary.refused
}

// overSecondaryLocked counts a content-creating call and returns the
// secondary rate limit's answer when it is over a limit.
func (s *Server) overSecondaryLocked(endpoint string) *Fault {
	l := s.secondary
	if l == nil || !contentCreating[endpoint] {
		return nil
	}
	now := s.nowLocked()
	i := 0
	for i < len(l.at) && now.Sub(l.at[i]) >= time.Hour {
		i++
	}
	l.at = l.at[i:]
	var wait time.Duration
	if l.perHour > 0 && len(l.at) >= l.perHour {
		wait = l.at[len(l.at)-l.perHour].Add(time.Hour).Sub(now)
	}
	if l.perMinute > 0 && len(l.at) >= l.perMinute {
		if w := l.at[len(l.at)-l.perMinute].Add(time.Minute).Sub(now); w > 0 {
			wait = max(wait, w)
		}
	}
	if wait > 0 {
		l.refused++
		f := SecondaryRateLimit(endpoint, http.StatusForbidden, max(wait, time.Second))
		return &f
	}
	l.at = append(l.at, now)
	return nil
}
