package core

import (
	"fmt"
	"time"
)

// HumanDuration renders a duration the way people say it, the same in every
// report, summary and log line: days from 48 hours on ("3650d"), hours from
// 2 hours on ("6h"), minutes from 1 minute on ("59m"), else seconds ("45s");
// negative durations with a minus sign.
func HumanDuration(d time.Duration) string {
	if d < 0 {
		return "-" + HumanDuration(-d)
	}
	if d < time.Minute {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	switch d = d.Round(time.Minute); {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}
