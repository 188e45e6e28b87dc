package rotatefn

import (
	"strings"
	"testing"
)

func TestEndpointFromEnv(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
		err  string
	}{
		{"none", nil, "", ""},
		{"service", map[string]string{envSSMEndpoint: "http://127.0.0.1:9", envEndpointAll: "http://all:1"}, "http://127.0.0.1:9", ""},
		{"all services", map[string]string{envEndpointAll: "https://vpce.example:443"}, "https://vpce.example:443", ""},
		{"ignored", map[string]string{envSSMEndpoint: "http://127.0.0.1:9", envIgnoreEndpoints: "TRUE"}, "", ""},
		{"not a URL", map[string]string{envSSMEndpoint: "127.0.0.1:9"}, "", `AWS_ENDPOINT_URL_SSM "127.0.0.1:9" is not an http or https URL`},
		{"user info never echoed", map[string]string{envSSMEndpoint: "ftp://u:pw-secret@x"}, "", "AWS_ENDPOINT_URL_SSM is not an http"},
		{"user info refused", map[string]string{envEndpointAll: "https://u:pw-secret@x"}, "", "AWS_ENDPOINT_URL must not hold a user name or password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := endpointFromEnv(func(k string) string { return tc.env[k] }, envSSMEndpoint)
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "pw-secret") {
					t.Errorf("err %v, want %q without the password", err, tc.err)
				}
			case err != nil || got != tc.want:
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
