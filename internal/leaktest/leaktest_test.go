package leaktest

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	t.Parallel()
	secret := "s3cr3t/with+chars=&"
	tests := []struct {
		name string
		text string
		want string // "" = nothing found
	}{
		{"clean", "registry=r user=u password=[redacted]", ""},
		{"plain", "password=" + secret, "(plain)"},
		{"base64", "auth=" + base64.StdEncoding.EncodeToString([]byte(secret)), "(base64)"},
		{"base64url", "t=" + base64.RawURLEncoding.EncodeToString([]byte(secret)), "(base64url)"},
		{"url-escaped", "GET /x?p=" + url.QueryEscape(secret), "(url-escape)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := strings.Join(Find(tc.text, "other-secret", secret), ",")
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, "secret #1 "+tc.want) {
				t.Errorf("Find = %q, want %q", got, tc.want)
			}
			if strings.Contains(got, secret) {
				t.Error("Find's report shows the secret")
			}
		})
	}
}

func TestShortSecretsIgnored(t *testing.T) {
	t.Parallel()
	var s Secrets
	s.Add("", "ab", "abcdef")
	if got := s.List(); len(got) != 1 || got[0] != "abcdef" {
		t.Errorf("List = %q, want only the secret of at least %d bytes", got, minLen)
	}
	if f := Find("a b c", "a"); f != nil {
		t.Errorf("a one-letter secret matched: %v", f)
	}
}

type recorder struct{ errs []string }

func (r *recorder) Helper()                        {}
func (r *recorder) Errorf(format string, _ ...any) { r.errs = append(r.errs, format) }

func TestCheckFails(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	Check(r, "log", "token=abcdefgh", "abcdefgh")
	if len(r.errs) != 1 {
		t.Errorf("Check reported %d leaks, want 1", len(r.errs))
	}
}
