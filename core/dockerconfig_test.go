package core_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/docker/cli/cli/config"

	"github.com/regmint/regmint/core"
)

func TestDockerConfigRoundTripsThroughDockerParser(t *testing.T) {
	t.Parallel()
	a := core.Credential{Registry: "demo.tencentcloudcr.com", Username: "100012345678", Password: randomString(t, 40)}
	b := core.Credential{Registry: "127.0.0.1:5000", Username: "cn-north-4@KEY", Password: "p:with:colons-" + randomString(t, 8)}
	doc, err := core.DockerConfig(a, b)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := config.LoadFromReader(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("docker cannot parse our config: %v", err)
	}
	for _, c := range []core.Credential{a, b} {
		got, err := cf.GetAuthConfig(c.Registry)
		if err != nil {
			t.Fatal(err)
		}
		if got.Username != c.Username || got.Password != c.Password {
			t.Errorf("docker read %s as user %q (password match %v), want user %q", c.Registry, got.Username, got.Password == c.Password, c.Username)
		}
	}
	var raw struct {
		Auths map[string]core.AuthEntry `json:"auths"`
	}
	if err := json.Unmarshal(doc, &raw); err != nil {
		t.Fatal(err)
	}
	if got, want := raw.Auths[b.Registry].Auth, core.DockerAuth(b.Username, b.Password); got != want {
		t.Errorf("auth = %q, want base64(user:pass) %q", got, want)
	}
}

func TestMergeDockerConfigKeepsEverythingElse(t *testing.T) {
	t.Parallel()
	existing := []byte(`{
	"auths": {
		"ghcr.io": {"auth": "Z2g6dG9rZW4="},
		"demo.tencentcloudcr.com": {"auth": "b2xkOm9sZA==", "email": "x@example.com"}
	},
	"credHelpers": {"123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"},
	"credsStore": "desktop",
	"proxies": {"default": {"httpProxy": "http://proxy:3128"}},
	"experimental": "enabled"
}`)
	c := core.Credential{Registry: "demo.tencentcloudcr.com", Username: "new", Password: randomString(t, 20)}
	out, err := core.MergeDockerConfig(existing, c)
	if err != nil {
		t.Fatal(err)
	}
	var before, after map[string]any
	if err := json.Unmarshal(existing, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &after); err != nil {
		t.Fatal(err)
	}
	for k, v := range before {
		if k == "auths" {
			continue
		}
		if got, want := mustJSON(t, after[k]), mustJSON(t, v); got != want {
			t.Errorf("key %q changed: got %s, want %s", k, got, want)
		}
	}
	auths := after["auths"].(map[string]any)
	if got, want := mustJSON(t, auths["ghcr.io"]), `{"auth":"Z2g6dG9rZW4="}`; got != want {
		t.Errorf("other registry changed: got %s, want %s", got, want)
	}
	entry := auths[c.Registry].(map[string]any)
	if entry["username"] != "new" || entry["password"] != c.Password || entry["auth"] != core.DockerAuth("new", c.Password) {
		t.Errorf("entry for %s not replaced: %v", c.Registry, entry["username"])
	}
	if _, stale := entry["email"]; stale {
		t.Errorf("stale field of the replaced entry kept")
	}
}

func TestMergeDockerConfigBadInput(t *testing.T) {
	t.Parallel()
	good := core.Credential{Registry: "r.example.com", Username: "u", Password: "p"}
	tests := []struct {
		name     string
		existing string
		cred     core.Credential
		want     string // "" = success
	}{
		{"empty file", "", good, ""},
		{"whitespace", " \n", good, ""},
		{"null document", "null", good, ""},
		{"null auths", `{"auths":null}`, good, ""},
		{"not json", "{", good, "parse docker config"},
		{"array", "[]", good, "parse docker config"},
		{"auths not object", `{"auths":"x"}`, good, `"auths" is not an object`},
		{"no password", "", core.Credential{Registry: "r", Username: "u"}, "has no password"},
		{"no registry", "", core.Credential{Username: "u", Password: "p"}, "has no registry"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := core.MergeDockerConfig([]byte(tc.existing), tc.cred)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if !strings.Contains(string(out), `"r.example.com"`) {
					t.Errorf("entry missing: %s", out)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if out != nil {
				t.Errorf("a failed merge returned a document to write")
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
