package config

import "strings"

// The checks below run at every cold start of the rotation function, most
// for every target, so they are written out rather than regular
// expressions: no compilation (a counted repetition such as {0,127} takes
// about a millisecond to compile) and about ten times faster matching.
// names_test.go holds each to its expression.

// validName matches ^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$: a target name.
func validName(s string) bool {
	if s == "" || len(s) > 128 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '_' && c != '/' && c != '-' {
			return false
		}
	}
	return true
}

// secretIDChars matches ^[A-Za-z0-9/_+=.@:-]+$: a Secrets Manager secret
// name or ARN (letters, digits and /_+=.@-).
func secretIDChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && strings.IndexByte("/_+=.@:-", c) < 0 {
			return false
		}
	}
	return true
}

// validRef matches ^\S+$ (RE2's \S: not one of \t \n \f \r and space): a
// ref other stores accept, printable, no spaces.
func validRef(s string) bool {
	return s != "" && !strings.ContainsAny(s, "\t\n\f\r ")
}

// validSourceName matches ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$: a
// credential source's name.
func validSourceName(s string) bool {
	if s == "" || len(s) > 64 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// validPrefix matches ^[A-Za-z0-9/_+=.@-]{0,256}$: a secret name prefix.
func validPrefix(s string) bool {
	return len(s) <= 256 && (s == "" || secretIDChars(s) && !strings.Contains(s, ":"))
}

// validNamespace matches ^[A-Za-z0-9.\-_/#:]{1,255}$: a CloudWatch
// namespace.
func validNamespace(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && strings.IndexByte(".-_/#:", c) < 0 {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
