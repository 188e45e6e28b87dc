// Package storetime holds what the stores share in writing credential metadata:
// the time encoding of expiry and issue time.
package storetime

import (
	"fmt"
	"time"
)

// FormatTime renders t as RFC 3339 UTC with nanoseconds; the zero time (no
// expiry) as "".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// ParseTime reads what FormatTime wrote; "" is the zero time. The error
// names the field (e.g. `metadata field "expires_at"`), never the value.
func ParseTime(what, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time", what)
	}
	return t.UTC(), nil
}
