package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a positive time.Duration written as a string: a Go duration
// ("30m", "1h30m", "720h") or a whole number of days ("30d"). The zero value
// means "not set".
type Duration time.Duration

// acceptedDuration says what a duration field accepts, for errors.
const acceptedDuration = `a positive duration string such as "30m", "12h" or "30d"`

// ParseDuration parses a Duration; it must be positive.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok && days != "" && strings.Trim(days, "0123456789") == "" {
		n, err := strconv.ParseInt(days, 10, 32)
		if err != nil || n > 100000 {
			return 0, fmt.Errorf("%q is too long", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not positive", s)
	}
	return Duration(d), nil
}

// String renders the duration as Go does ("720h0m0s").
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON renders the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string; null leaves the duration not set,
// as for every other field of the config.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("not a string")
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
