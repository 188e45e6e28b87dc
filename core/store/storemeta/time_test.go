package storemeta

import (
	"testing"
	"time"
)

func TestTimeRoundTrip(t *testing.T) {
	t.Parallel()
	in := time.Date(2026, 11, 23, 10, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	got, err := ParseTime("x", FormatTime(in))
	if err != nil || !got.Equal(in) || got.Location() != time.UTC {
		t.Errorf("round trip of %v = %v, %v", in, got, err)
	}
	if FormatTime(time.Time{}) != "" {
		t.Error("the zero time must render empty")
	}
	if z, err := ParseTime("x", ""); err != nil || !z.IsZero() {
		t.Errorf(`ParseTime("") = %v, %v`, z, err)
	}
	if _, err := ParseTime(`field "expires_at"`, "tomorrow"); err == nil || err.Error() != `field "expires_at" is not an RFC 3339 time` {
		t.Errorf("bad time: %v", err)
	}
}
