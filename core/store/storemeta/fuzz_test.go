package storemeta

import (
	"math"
	"testing"
	"time"
)

// FuzzTimeRoundTrip writes arbitrary instants and reads them back.
//
// Invariants: the zero time is written as "" and "" reads as the zero
// time; every other instant is written as a non-empty RFC 3339 UTC string
// that ParseTime reads back: as the same instant when its year is 0 to
// 9999 (what RFC 3339 can write), else as the nearest instant it can (an
// expiry past 9999 is still far in the future, one before year 0 long
// past); either way never as the zero time, which would mean "no expiry".
// Writing is monotonic.
func FuzzTimeRoundTrip(f *testing.F) {
	for _, s := range []struct {
		sec  int64
		nsec int64
		zone int
	}{
		{time.Date(2026, 11, 23, 10, 0, 0, 123456789, time.UTC).Unix(), 123456789, 8 * 3600},
		{0, 0, 0}, {-62135596800, 0, 0}, {-62135596800, 0, 3600}, {-62135596800, 1, -3600},
		{253402300799, 999999999, 0}, {253402300800, 0, 0}, {math.MaxInt64 / 2, 0, 0}, {math.MinInt64 / 2, 0, 0},
		{-62167219200, 0, 0}, {-62167219201, 0, 0}, {1, -1, 50400}, {1, math.MaxInt64, -50400},
	} {
		f.Add(s.sec, s.nsec, s.zone)
	}
	f.Fuzz(func(t *testing.T, sec, nsec int64, zone int) {
		in := time.Unix(sec, nsec).In(time.FixedZone("z", zone%(18*3600)))
		s := FormatTime(in)
		if in.IsZero() {
			if s != "" {
				t.Errorf("the zero time is written as %q", s)
			}
			return
		}
		if s == "" {
			t.Fatalf("%v written as empty", in)
		}
		got, err := ParseTime("x", s)
		if err != nil {
			t.Fatalf("%v written as %q, which does not read back: %v", in, s, err)
		}
		if got.IsZero() || got.Location() != time.UTC {
			t.Errorf("%v written as %q reads as %v", in, s, got)
		}
		// By comparison, not Year(): time.Unix of extreme values makes
		// times whose Year() overflows (testdata/fuzz/FuzzTimeRoundTrip/min).
		first, last := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
		want := in
		switch {
		case in.Before(first):
			want = first
		case in.After(last):
			want = last
		}
		if !got.Equal(want) {
			t.Errorf("%v written as %q reads as %v, want %v", in, s, got, want)
		}
		later := in.Add(time.Nanosecond)
		if back, err := ParseTime("x", FormatTime(later)); err == nil && !later.IsZero() && back.Before(got) {
			t.Errorf("%v reads after %v", in, later)
		}
	})
}

// FuzzParseTime reads arbitrary strings.
//
// Invariants: "" is the zero time and no error; any other string is an
// error or a non-zero UTC time (never "no expiry" by accident) that is
// written back as RFC 3339 and reads as itself again (or, if a zone moved
// it out of years 0 to 9999, as the nearest instant in them); an error names the
// field and never holds the value.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"", "2026-11-23T10:00:00.123456789Z", "2026-11-23T18:00:00+08:00", "0001-01-01T00:00:00Z",
		"0001-01-01T01:00:00+01:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "10000-01-01T00:00:00Z",
		"2026-02-30T00:00:00Z", "2026-11-23 10:00:00Z", "2026-11-23T10:00:00", "tomorrow", "\x00", " 2026-11-23T10:00:00Z",
		"2026-11-23T24:00:00Z", "2026-11-23T10:00:60Z", "2026-11-23T10:00:00.Z", "2026-11-23T10:00:00+24:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime(`field "expires_at"`, s)
		if s == "" {
			if err != nil || !got.IsZero() {
				t.Errorf(`ParseTime("") = %v, %v`, got, err)
			}
			return
		}
		if err != nil {
			if !got.IsZero() {
				t.Errorf("error %v with a time", err)
			}
			if msg := err.Error(); msg != `field "expires_at" is not an RFC 3339 time` && msg != `field "expires_at" is the zero time` {
				t.Errorf("error %q", msg)
			}
			return
		}
		if got.IsZero() || got.Location() != time.UTC {
			t.Fatalf("ParseTime(%q) = %v", s, got)
		}
		// A zone can move a time read out of the years RFC 3339 writes in
		// UTC ("0000-01-01T00:00:00+00:10", testdata/fuzz/FuzzParseTime/
		// b0d8db9e96ad628b): FormatTime writes the nearest it can.
		want := got
		first, last := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
		switch {
		case got.Before(first):
			want = first
		case got.After(last):
			want = last
		}
		back, err := ParseTime("x", FormatTime(got))
		if err != nil || !back.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, written as %q reads %v, %v", s, got, FormatTime(got), back, err)
		}
	})
}
