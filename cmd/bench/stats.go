package main

import (
	"fmt"
	"slices"
	"time"
)

// quantile returns the q quantile (0..1) of xs by the nearest-rank method;
// xs is not changed.
func quantile[T int64 | time.Duration | float64](xs []T, q float64) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1 // nearest rank
	return s[min(max(i, 0), len(s)-1)]
}

func median[T int64 | time.Duration | float64](xs []T) T { return quantile(xs, 0.5) }
func p90[T int64 | time.Duration | float64](xs []T) T    { return quantile(xs, 0.9) }

// ms renders a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// mb renders bytes in MB (10^6 bytes).
func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// ratio renders a/b.
func ratio(a, b float64) string { return fmt.Sprintf("%.2fx", a/b) }

// met says whether a goal is met.
func met(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// metIf is met(ok) for a row with a goal, "" without one.
func metIf(goal string, ok bool) string {
	if goal == "" {
		return ""
	}
	return met(ok)
}
