package core

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on the values of a Credential. Every one of them comes from a
// vendor API, a store or a state file and goes on into the runner's files,
// docker configs and logs: Check holds each to these before it is used.
const (
	// MaxRegistryLen is the longest registry host[:port] accepted (a DNS
	// name is at most 253 bytes, plus ":65535").
	MaxRegistryLen = 259
	// MaxUsernameLen is the longest user name accepted.
	MaxUsernameLen = 256
	// MaxPasswordLen is the longest password or token accepted (vendor
	// tokens are JWTs of a few KiB at most).
	MaxPasswordLen = 16 << 10
	// MaxTokenIDLen is the longest long-term token id accepted.
	MaxTokenIDLen = 128
)

// Accepted character sets, as error messages and the README state them.
const (
	// UsernameChars describes the user names Check accepts.
	UsernameChars = "printable characters other than spaces and ':', at most 256 bytes"
	// TokenIDChars describes the token ids CheckTokenID accepts.
	TokenIDChars = "letters, digits, '.', '_' and '-', at most 128 bytes"
)

// CheckTokenID reports whether id can be a long-term token id: 1 to
// MaxTokenIDLen bytes of letters, digits, '.', '_' and '-'. TCR's are
// UUIDs, SWR Enterprise's hex strings. The error never holds the value.
func CheckTokenID(id string) error {
	if id == "" {
		return errors.New("token id is empty")
	}
	if len(id) > MaxTokenIDLen {
		return errors.New("token id is longer than 128 bytes")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return errors.New("token id has a character other than " + TokenIDChars)
		}
	}
	return nil
}

// checkUsername holds a user name to UsernameChars. The error never holds
// the value.
func checkUsername(u string) error {
	switch {
	case len(u) > MaxUsernameLen:
		return errors.New("username is longer than 256 bytes")
	case !utf8.ValidString(u):
		return errors.New("username is not valid UTF-8")
	case strings.Contains(u, ":"):
		// RFC 7617: the auth string "user:password" is split at the first ':'.
		return errors.New("username has a ':', which a docker login cannot hold")
	case strings.ContainsFunc(u, func(r rune) bool { return !unicode.IsGraphic(r) || unicode.IsSpace(r) }):
		return errors.New("username has a control character, a space or an unprintable character")
	}
	return nil
}

// checkPassword holds a password to valid UTF-8 (JSON holds nothing else)
// without control characters (docker drops NULs, a line break would end a
// file command), at most MaxPasswordLen bytes. Spaces are allowed. The
// error never holds the value.
func checkPassword(p string) error {
	switch {
	case len(p) > MaxPasswordLen:
		return errors.New("password is longer than 16 KiB")
	case !utf8.ValidString(p):
		return errors.New("password is not valid UTF-8")
	case strings.ContainsFunc(p, unicode.IsControl):
		return errors.New("password has a control character")
	}
	return nil
}

// checkRegistry holds a registry to a host name or IP literal with an
// optional port. The error never holds the value.
func checkRegistry(h string) error {
	if len(h) > MaxRegistryLen {
		return errors.New("registry host is longer than 259 bytes")
	}
	if err := checkHost(h); err != nil {
		return errors.New("registry host " + err.Error())
	}
	return nil
}

// Escape renders a value from outside (an API answer, a store, a state
// file) for a log line: as it is when every character is printable, else
// Go-quoted, so that no line break, escape sequence or other control
// character reaches the log and a value can never start a line of its own
// (on a runner, a line starting "::" is a workflow command).
func Escape(s string) string {
	for _, r := range s {
		if r == utf8.RuneError || !strconv.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}
