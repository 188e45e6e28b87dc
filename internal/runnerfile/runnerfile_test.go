package runnerfile

import (
	"maps"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	got, err := Parse("password<<ghadelim_1\nline one\nline two\nghadelim_1\n\nregistry<<d2\nr.example.com\nd2\nempty<<d3\nd3\nregistry<<d4\nlater.example.com\nd4\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"password": "line one\nline two", "registry": "later.example.com", "empty": ""}
	if !maps.Equal(got, want) {
		t.Errorf("Parse = %q, want %q", got, want)
	}
}

func TestParseErrorsHideValues(t *testing.T) {
	const secret = "not-a-real-secret-value"
	for _, tc := range []struct{ in, want string }{
		{secret + "\n", "line 1 is not name<<DELIMITER"},
		{"a<<d\n" + secret + "\n", `"a" from line 1 has no closing delimiter`},
		{"a<<\n", "line 1 is not name<<DELIMITER"},
	} {
		_, err := Parse(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), secret) {
			t.Errorf("Parse(%q) error = %v, want one with %q and no value", tc.in, err, tc.want)
		}
	}
}
