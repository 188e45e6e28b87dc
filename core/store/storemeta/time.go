package storemeta

import (
	"fmt"
	"time"
)

// The instants RFC 3339 can write: years 0000 to 9999.
var (
	minTime = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// FormatTime renders t as RFC 3339 UTC with nanoseconds; the zero time (no
// expiry) as "". A time past 9999 is written as the last instant of 9999,
// one before year 0 as the first instant of year 0: Go would write years
// that ParseTime (any RFC 3339 parser) cannot read, and a record that cannot
// be read back blocks its target's rotation for good.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	switch {
	case t.After(maxTime):
		t = maxTime
	case t.Before(minTime):
		t = minTime
	}
	return t.Format(time.RFC3339Nano)
}

// ParseTime reads what FormatTime wrote; "" is the zero time. A written
// zero time is an error: FormatTime never writes one, and it would read as
// "no expiry". The error names the field (e.g. `metadata field
// "expires_at"`), never the value.
func ParseTime(what, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time", what)
	}
	if t.IsZero() {
		return time.Time{}, fmt.Errorf("%s is the zero time", what)
	}
	return t.UTC(), nil
}
