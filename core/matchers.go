package core

// Region ids and host name labels are checked for every target of a
// config, at every cold start of the rotation function: written out
// rather than as regular expressions, they cost no compilation (a counted
// repetition takes about a millisecond to compile) and match about ten
// times faster. matchers_test.go holds each to its expression.

// validRegionID matches ^[a-z]{2,}(-[a-z0-9]+){1,4}$: two or more
// lowercase letters, then one to four dash-separated parts of lowercase
// letters and digits.
func validRegionID(s string) bool {
	i := 0
	for i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		i++
	}
	if i < 2 {
		return false
	}
	parts := 0
	for i < len(s) {
		if s[i] != '-' {
			return false
		}
		i++
		start := i
		for i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= '0' && s[i] <= '9') {
			i++
		}
		if i == start {
			return false
		}
		parts++
	}
	return parts >= 1 && parts <= 4
}

// validHostLabel matches ^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$:
// 1 to 63 letters, digits and dashes, neither first nor last a dash.
func validHostLabel(s string) bool {
	if s == "" || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
