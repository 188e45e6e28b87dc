package swr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeLayouts are the forms SWR and IAM write times in: RFC 3339 with or
// without fractional seconds ("2025-11-01T12:18:44.382000Z"), and the same
// without a zone or with a space, taken as UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05Z07:00",
}

// plausibleExpiry reports whether t, read from the vendor at now, can be
// when a credential expires: after 2000 and at most a century ahead.
// Anything else is a garbled answer, which would be a credential that looks
// long dead or as if it never needs refreshing.
func plausibleExpiry(t, now time.Time) bool {
	return !t.Before(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) && !t.After(now.AddDate(100, 0, 0))
}

// ltNeverExpires reports whether a long-term credential's expire_date, seen
// at now, is one of the forms that mean "never": the zero time in any
// layout ("0001-01-01T00:00:00Z", "0001-01-01 00:00:00"), the epoch number
// 0, or a date more than 100 years ahead (a far-future sentinel such as
// 9999-12-31). Refusing them would create the credential, delete it and
// fail.
func ltNeverExpires(s string, now time.Time) bool {
	s = strings.TrimSpace(s)
	if s == "0" || strings.HasPrefix(s, "0001-01-01") {
		return true
	}
	t, err := parseTime(s)
	return err == nil && t.After(now.AddDate(100, 0, 0))
}

// parseExpiry reads a vendor expiry time seen at now: what parseTime
// reads, if it is plausible.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	t, err := parseTime(s)
	if err != nil {
		return time.Time{}, err
	}
	if !plausibleExpiry(t, now) {
		return time.Time{}, fmt.Errorf("%q is no time a credential expires at", clip(strings.TrimSpace(s), 40))
	}
	return t, nil
}

// parseTime reads a vendor time. Epoch numbers are taken as seconds, or
// milliseconds when they are that large.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty time")
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			if t.IsZero() {
				// Go's zero time written out: it would read as "no expiry".
				return time.Time{}, fmt.Errorf("%q is the zero time", clip(s, 40))
			}
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		if n > 1e12 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", clip(s, 40))
}
