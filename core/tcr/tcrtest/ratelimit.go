package tcrtest

import "fmt"

// rateLimit counts one action's calls in the current second of the
// emulator's clock.
type rateLimit struct {
	perSecond int
	second    int64 // Unix second being counted
	n         int   // calls in that second, refused ones included
	refused   int
}

// SetRateLimit makes the emulator refuse calls of action beyond perSecond
// in one second of its clock with RequestLimitExceeded, as Tencent Cloud's
// per-API frequency limit does (TCR documents 100 per second for
// CreateInstanceToken). Calls are counted per whole second, refused ones
// included, after any injected fault; 0 removes the limit.
func (s *Server) SetRateLimit(action string, perSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if perSecond <= 0 {
		delete(s.faults.rateLimits, action)
		return
	}
	s.faults.rateLimits[action] = &rateLimit{perSecond: perSecond}
}

// RateLimited returns how many calls of action the rate limit refused.
func (s *Server) RateLimited(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.faults.rateLimits[action]; l != nil {
		return l.refused
	}
	return 0
}

// overLimitLocked counts a call of action and returns the throttling fault
// if it is over the action's limit.
func (s *Server) overLimitLocked(action string) *Fault {
	l := s.faults.rateLimits[action]
	if l == nil {
		return nil
	}
	if sec := s.nowLocked().Unix(); sec != l.second {
		l.second, l.n = sec, 0
	}
	l.n++
	if l.n <= l.perSecond {
		return nil
	}
	l.refused++
	return &Fault{Code: codeRequestLimit, Message: fmt.Sprintf(
		"Your current request times equals to `%d` in a second, which exceeds the frequency limit `%d` for a second. Please reduce the frequency of calls.", l.n, l.perSecond)}
}
