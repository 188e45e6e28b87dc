package github_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/regmint/regmint/core/store/github"
)

// TestBadInput: configurations, refs and records that cannot work are
// refused before any request, saying what is wrong.
func TestBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, withPAT)
	good := e.record("bad.example.com", "pw-bad-input-000001")
	newStore := func(cfg github.Config) error { _, err := github.New(e.client, cfg); return err }
	newClient := func(edit func(*github.ClientConfig)) error {
		cfg := github.ClientConfig{Token: "github_pat_placeholder"}
		edit(&cfg)
		_, err := github.NewClient(cfg)
		return err
	}
	s := e.store(t, github.Config{Repository: testRepo})
	tests := []struct {
		name    string
		call    func() error
		wantMsg string
		notMsg  string
	}{
		{"no client", func() error { _, err := github.New(nil, github.Config{Repository: testRepo}); return err }, "no client", ""},
		{"no scope", func() error { return newStore(github.Config{}) }, "no repository (owner/name) or organization", ""},
		{"both scopes", func() error { return newStore(github.Config{Repository: testRepo, Organization: testOrg}) }, "not both", ""},
		{"repository without owner", func() error { return newStore(github.Config{Repository: "app"}) }, `repository "app" is not owner/name`, ""},
		{"environment of an organization", func() error {
			return newStore(github.Config{Organization: testOrg, Environment: "prod", Visibility: github.VisibilityAll})
		}, "environment is a repository's", ""},
		{"environment with a slash", func() error { return newStore(github.Config{Repository: testRepo, Environment: "a/b"}) }, "environment \"a/b\"", ""},
		{"organization without visibility", func() error { return newStore(github.Config{Organization: testOrg}) }, "need a visibility: all, private or selected", ""},
		{"unknown visibility", func() error { return newStore(github.Config{Organization: testOrg, Visibility: "public"}) }, `visibility "public"`, ""},
		{"selected without repositories", func() error {
			return newStore(github.Config{Organization: testOrg, Visibility: github.VisibilitySelected})
		}, "needs at least one selected repository id", ""},
		{"repositories without selected", func() error {
			return newStore(github.Config{Organization: testOrg, Visibility: github.VisibilityAll, SelectedRepositoryIDs: []int64{1}})
		}, "only allowed with visibility", ""},
		{"visibility on a repository", func() error { return newStore(github.Config{Repository: testRepo, Visibility: github.VisibilityAll}) }, "organization secrets only", ""},
		{"reserved name", func() error {
			return newStore(github.Config{Repository: testRepo, Names: github.Names{Password: "GITHUB_TOKEN"}})
		}, "reserved by GitHub", ""},
		{"bad name", func() error {
			return newStore(github.Config{Repository: testRepo, Names: github.Names{Password: "MY-PASSWORD"}})
		}, "only letters, digits and '_'", ""},
		{"same name twice", func() error {
			return newStore(github.Config{Repository: testRepo, Names: github.Names{Username: "LOGIN", Password: "login"}})
		}, "are both named LOGIN", ""},
		{"empty ref", func() error { return s.Put(ctx, "", good) }, "github ref is empty", ""},
		{"ref with a space", func() error { _, err := s.Get(ctx, "my ref"); return err }, "only letters, digits and _ . / - are allowed", ""},
		{"ref starting with a digit", func() error { return s.Put(ctx, "1tcr", good) }, "must not start with a digit", ""},
		{"ref making a reserved name", func() error { return s.Put(ctx, "github-tcr", good) }, "reserved by GitHub", ""},
		{"no password", func() error {
			r := good
			r.Credential.Password = ""
			return s.Put(ctx, "tcr", r)
		}, "has no password", ""},
		{"no credentials", func() error { return newClient(func(c *github.ClientConfig) { c.Token = "" }) }, "no credentials", ""},
		{"token and app", func() error {
			return newClient(func(c *github.ClientConfig) { c.App = &github.App{ID: 1, InstallationID: 2, PrivateKey: "x"} })
		}, "not both", ""},
		{"token with white space", func() error { return newClient(func(c *github.ClientConfig) { c.Token = "Bearer secret-token-123" }) }, "white space", "secret-token-123"},
		{"app without id", func() error {
			return newClient(func(c *github.ClientConfig) { c.Token, c.App = "", &github.App{InstallationID: 2, PrivateKey: "x"} })
		}, "github app id is not set", ""},
		{"app without installation", func() error {
			return newClient(func(c *github.ClientConfig) { c.Token, c.App = "", &github.App{ID: 1, PrivateKey: "x"} })
		}, "installation id is not set", ""},
		{"app key not PEM", func() error {
			return newClient(func(c *github.ClientConfig) {
				c.Token, c.App = "", &github.App{ID: 1, InstallationID: 2, PrivateKey: "not-a-pem-secret-value"}
			})
		}, "not PEM", "not-a-pem-secret-value"},
		{"app key not RSA", func() error {
			return newClient(func(c *github.ClientConfig) {
				c.Token, c.App = "", &github.App{ID: 1, InstallationID: 2, PrivateKey: github.Secret(pemHeader("PRIVATE KEY") + "\nc2VjcmV0LWJ5dGVz\n-----END " + "PRIVATE KEY-----\n")}
			})
		}, "not an RSA private key", "c2VjcmV0LWJ5dGVz"},
		{"base url not a URL", func() error { return newClient(func(c *github.ClientConfig) { c.BaseURL = "ghe.example.com" }) }, `base url "ghe.example.com" is not an http or https URL`, ""},
		{"base url with a password", func() error {
			return newClient(func(c *github.ClientConfig) { c.BaseURL = "https://u:hunter2-password@ghe.example.com" })
		}, "must not hold a user name or password", "hunter2"},
		{"bad base url with a password", func() error {
			return newClient(func(c *github.ClientConfig) { c.BaseURL = "ftp://u:hunter2-password@ghe.example.com" })
		}, "base url is not an http", "hunter2"},
	}
	for _, tt := range tests {
		err := tt.call()
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		msg := e.text(err)
		if !strings.Contains(msg, tt.wantMsg) {
			t.Errorf("%s: error %q does not say %q", tt.name, msg, tt.wantMsg)
		}
		if tt.notMsg != "" && strings.Contains(msg, tt.notMsg) {
			t.Errorf("%s: error %q shows the secret", tt.name, msg)
		}
	}
	if got := e.srv.TotalCalls(); got != 0 {
		t.Errorf("%d requests were made for bad input", got)
	}
}

func TestPrefix(t *testing.T) {
	t.Parallel()
	tests := []struct{ ref, want string }{
		{"tcr", "TCR"},
		{"prod-tcr", "PROD_TCR"},
		{"team/app.swr", "TEAM_APP_SWR"},
		{"_x", "_X"},
	}
	for _, tt := range tests {
		if got, err := github.Prefix(tt.ref); err != nil || got != tt.want {
			t.Errorf("Prefix(%q) = %q, %v; want %q", tt.ref, got, err, tt.want)
		}
	}
}

// TestSecretNeverShows: a ClientConfig holding a token and an app key
// renders neither through fmt, slog or JSON.
func TestSecretNeverShows(t *testing.T) {
	t.Parallel()
	tok, key := github.Secret("github_pat_never-shown-0001"), github.Secret(pemHeader("RSA PRIVATE KEY")+"never-shown-0002")
	cfg := github.ClientConfig{Token: tok, App: &github.App{ID: 1, InstallationID: 2, PrivateKey: key}}
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		fmt.Fprintf(&b, verb+"\n", cfg)
		fmt.Fprintf(&b, verb+"\n", *cfg.App)
		fmt.Fprintf(&b, verb+"\n", cfg.Token)
	}
	slog.New(slog.NewJSONHandler(&b, nil)).Info("config", "cfg", cfg, "app", cfg.App, "token", cfg.Token)
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "cfg", cfg, "token", cfg.Token)
	j, _ := json.Marshal(struct {
		App   *github.App
		Token github.Secret
	}{cfg.App, cfg.Token})
	b.Write(j)
	out := b.String()
	for _, s := range []string{"never-shown-0001", "never-shown-0002"} {
		if strings.Contains(out, s) {
			t.Errorf("a secret shows in:\n%s", out)
		}
	}
	if !strings.Contains(out, "[redacted]") {
		t.Error("no redaction marker")
	}
}

// pemHeader builds a PEM BEGIN line at run time, so that no key-looking
// literal sits in the source.
func pemHeader(kind string) string { return "-----BEGIN " + kind + "-----" }
