// Package leaktest finds secrets in captured output. Tests collect every
// secret a scenario handles (keys, passwords, tokens, docker auth strings)
// and every byte the scenario printed, logged or returned as an error, and
// fail if any secret, or its base64 or URL-escaped form, shows up.
package leaktest

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// minLen is the shortest secret checked: shorter strings would match by
// chance (and no real secret is that short).
const minLen = 6

// Secrets is a concurrency-safe set of secrets seen by a scenario.
type Secrets struct {
	mu   sync.Mutex
	list []string
}

// Add records secrets; empty and very short strings are ignored.
func (s *Secrets) Add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range secrets {
		if len(x) >= minLen {
			s.list = append(s.list, x)
		}
	}
}

// List returns the recorded secrets.
func (s *Secrets) List() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.list...)
}

// Find returns a description of each secret found in text (never the secret
// itself: "secret #3 (base64)"), or nil.
func Find(text string, secrets ...string) []string {
	var found []string
	for i, s := range secrets {
		if len(s) < minLen {
			continue
		}
		forms := []struct{ name, text string }{
			{"plain", s},
			{"base64", base64.StdEncoding.EncodeToString([]byte(s))},
			{"base64url", base64.RawURLEncoding.EncodeToString([]byte(s))},
			{"url-escape", url.QueryEscape(s)},
		}
		for j, f := range forms {
			if j > 0 && f.text == s {
				continue // this encoding leaves the secret as it is
			}
			if strings.Contains(text, f.text) {
				found = append(found, "secret #"+strconv.Itoa(i)+" ("+f.name+")")
			}
		}
	}
	return found
}

// TB is the part of testing.TB that Check uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// Check fails t for each secret found in text; the message names where
// (label) and which secret by index, never its value.
func Check(t TB, label, text string, secrets ...string) {
	t.Helper()
	for _, f := range Find(text, secrets...) {
		t.Errorf("%s leaks %s", label, f)
	}
}
