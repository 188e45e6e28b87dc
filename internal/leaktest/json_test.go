package leaktest

import (
	"slices"
	"strings"
	"testing"
)

func TestSecretsInJSON(t *testing.T) {
	const tok, other = "tok-0123456789", "msg-0123456789"
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"only under a secret key", `{"Response":{"Token":"` + tok + `"}}`, []string{tok}},
		{"key matched case-insensitively", `{"token":"` + tok + `"}`, []string{tok}},
		{"also in an error message", `{"Token":"` + tok + `","Message":"bad ` + tok + `"}`, nil},
		{"as a key", `{"` + tok + `":1,"Token":"` + tok + `"}`, nil},
		{"not in the document", `{"Token":"x"}`, nil},
		{"in an array, under no key", `{"Token":["` + tok + `"]}`, nil},
		{"truncated document", `{"Token":"` + tok + `","Message":`, []string{tok}},
	} {
		got := SecretsInJSON([]byte(tc.doc), []string{"Token"}, tok, other)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestRandom(t *testing.T) {
	a, b := Random(t), Random(t)
	if a == b || len(a) < minLen || !strings.HasPrefix(a, "fz") {
		t.Errorf("Random gave %q and %q", a, b)
	}
}
