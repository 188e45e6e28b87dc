package tcrtest

// ExpTimeForm is how CreateInstanceToken answers ExpTime for long-term
// tokens. The SDK's model declares every field an optional pointer (*int64,
// "may be null"), so a client must accept each form.
type ExpTimeForm int

// The forms of a long-term token's ExpTime.
const (
	// ExpTimeMillis answers the expiry in milliseconds since the epoch, as
	// the vendor's examples do (the default).
	ExpTimeMillis ExpTimeForm = iota
	// ExpTimeOmitted leaves ExpTime out of the answer.
	ExpTimeOmitted
	// ExpTimeNull answers "ExpTime": null.
	ExpTimeNull
	// ExpTimeZero answers "ExpTime": 0.
	ExpTimeZero
)

// SetLongTermExpTime sets how later long-term CreateInstanceToken answers
// render ExpTime. Temporary tokens always carry it.
func (s *Server) SetLongTermExpTime(f ExpTimeForm) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ltExpTime = f
}

// longTermExpTimeLocked renders a long-term token's ExpTime into out.
func (s *Server) longTermExpTimeLocked(out map[string]any, millis int64) {
	switch s.ltExpTime {
	case ExpTimeOmitted:
		delete(out, "ExpTime")
	case ExpTimeNull:
		out["ExpTime"] = nil
	case ExpTimeZero:
		out["ExpTime"] = 0
	default:
		out["ExpTime"] = millis
	}
}
