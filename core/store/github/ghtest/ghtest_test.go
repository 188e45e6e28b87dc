package ghtest_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	gh "github.com/google/go-github/v84/github"
	"golang.org/x/crypto/nacl/box"

	"github.com/regmint/regmint/core/store/github/ghtest"
)

const (
	repo = "octo-org/app"
	env  = "production"
	org  = "octo-org"
)

func newServer(t *testing.T) *ghtest.Server {
	t.Helper()
	s := ghtest.New()
	t.Cleanup(s.Close)
	s.AddRepo(repo)
	s.AddEnvironment(repo, env)
	s.AddOrg(org)
	return s
}

// client is a go-github client on the server with a bearer token.
func client(t *testing.T, s *ghtest.Server, token string) *gh.Client {
	t.Helper()
	c, err := gh.NewClient(nil).WithAuthToken(token).WithEnterpriseURLs(s.URL, s.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.DisableRateLimitCheck = true
	return c
}

// sealTo seals value to a base64 public key.
func sealTo(t *testing.T, key, value string) string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != 32 {
		t.Fatalf("public key is not 32 bytes of base64: %v", err)
	}
	var k [32]byte
	copy(k[:], raw)
	out, err := box.SealAnonymous(nil, []byte(value), &k, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(out)
}

func status(resp *gh.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// TestSecretsDecrypted puts a sealed secret at each level through
// go-github and reads the plaintext the server decrypted.
func TestSecretsDecrypted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	otherID := s.AddRepo("octo-org/other")
	c := client(t, s, s.AddToken())
	repoID := s.AddRepo(repo) // already added: the same id
	envPath := "repos/" + repo + "/environments/" + env + "/secrets/"
	tests := []struct {
		name  string
		scope ghtest.Scope
		key   func() (*gh.PublicKey, *gh.Response, error)
		put   func(es *gh.EncryptedSecret) (*gh.Response, error)
		get   func(name string) (*gh.Secret, *gh.Response, error)
		vis   string
	}{
		{"repository", ghtest.Repo(repo),
			func() (*gh.PublicKey, *gh.Response, error) { return c.Actions.GetRepoPublicKey(ctx, "octo-org", "app") },
			func(es *gh.EncryptedSecret) (*gh.Response, error) {
				return c.Actions.CreateOrUpdateRepoSecret(ctx, "octo-org", "app", es)
			},
			func(n string) (*gh.Secret, *gh.Response, error) {
				return c.Actions.GetRepoSecret(ctx, "octo-org", "app", n)
			}, ""},
		{"environment", ghtest.Env(repo, env),
			func() (*gh.PublicKey, *gh.Response, error) {
				k := new(gh.PublicKey)
				resp, err := do(ctx, c, "GET", envPath+"public-key", nil, k)
				return k, resp, err
			},
			func(es *gh.EncryptedSecret) (*gh.Response, error) { return do(ctx, c, "PUT", envPath+es.Name, es, nil) },
			func(n string) (*gh.Secret, *gh.Response, error) {
				sec := new(gh.Secret)
				resp, err := do(ctx, c, "GET", envPath+n, nil, sec)
				return sec, resp, err
			}, ""},
		{"organization", ghtest.Org(org),
			func() (*gh.PublicKey, *gh.Response, error) { return c.Actions.GetOrgPublicKey(ctx, org) },
			func(es *gh.EncryptedSecret) (*gh.Response, error) {
				es.Visibility, es.SelectedRepositoryIDs = "selected", gh.SelectedRepoIDs{repoID, otherID}
				return c.Actions.CreateOrUpdateOrgSecret(ctx, org, es)
			},
			func(n string) (*gh.Secret, *gh.Response, error) { return c.Actions.GetOrgSecret(ctx, org, n) }, "selected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, _, err := tt.key()
			if err != nil {
				t.Fatal(err)
			}
			if k.GetKeyID() != s.PublicKeyID(tt.scope) {
				t.Errorf("key id %q, want %q", k.GetKeyID(), s.PublicKeyID(tt.scope))
			}
			for i, want := range []int{http.StatusCreated, http.StatusNoContent} {
				value := "plain-value-" + tt.name + "-" + string(rune('0'+i))
				resp, err := tt.put(&gh.EncryptedSecret{Name: "my_secret", KeyID: k.GetKeyID(), EncryptedValue: sealTo(t, k.GetKey(), value)})
				if err != nil || status(resp) != want {
					t.Fatalf("put %d: status %d, %v; want %d", i, status(resp), err, want)
				}
				sec, ok := s.Secret(tt.scope, "MY_SECRET")
				if !ok || sec.Value != value || sec.KeyID != k.GetKeyID() || sec.Visibility != tt.vis {
					t.Errorf("put %d: secret %+v, want value %q", i, sec, value)
				}
			}
			got, _, err := tt.get("MY_SECRET")
			if err != nil || got.Name != "MY_SECRET" || got.UpdatedAt.IsZero() {
				t.Errorf("get: %+v, %v", got, err)
			}
			if tt.vis != "" && got.Visibility != tt.vis {
				t.Errorf("get: visibility %q, want %q", got.Visibility, tt.vis)
			}
		})
	}
}

func do(ctx context.Context, c *gh.Client, method, path string, body, out any) (*gh.Response, error) {
	req, err := c.NewRequest(method, path, body)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, req, out)
}

// TestBadSecretsRefused: values sealed to another key, with a stale key id,
// or without one, and bad names or visibility are refused with 422.
func TestBadSecretsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := client(t, s, s.AddToken())
	k, _, err := c.Actions.GetRepoPublicKey(ctx, "octo-org", "app")
	if err != nil {
		t.Fatal(err)
	}
	foreignPub, _, _ := box.GenerateKey(rand.Reader)
	foreign := base64.StdEncoding.EncodeToString(foreignPub[:])
	tests := []struct {
		name    string
		put     func() (*gh.Response, error)
		wantMsg string
	}{
		{"sealed to another key", func() (*gh.Response, error) {
			return c.Actions.CreateOrUpdateRepoSecret(ctx, "octo-org", "app", &gh.EncryptedSecret{Name: "X", KeyID: k.GetKeyID(), EncryptedValue: sealTo(t, foreign, "v")})
		}, "improperly encrypted secret"},
		{"not base64", func() (*gh.Response, error) {
			return c.Actions.CreateOrUpdateRepoSecret(ctx, "octo-org", "app", &gh.EncryptedSecret{Name: "X", KeyID: k.GetKeyID(), EncryptedValue: "%%%"})
		}, "improperly encrypted secret"},
		{"no key id", func() (*gh.Response, error) {
			return do(ctx, c, "PUT", "repos/octo-org/app/actions/secrets/X", map[string]string{"encrypted_value": sealTo(t, k.GetKey(), "v")}, nil)
		}, `"key_id" wasn't supplied`},
		{"bad name", func() (*gh.Response, error) {
			return c.Actions.CreateOrUpdateRepoSecret(ctx, "octo-org", "app", &gh.EncryptedSecret{Name: "GITHUB_X", KeyID: k.GetKeyID(), EncryptedValue: sealTo(t, k.GetKey(), "v")})
		}, "Secret names can only contain"},
		{"organization without visibility", func() (*gh.Response, error) {
			ok, _, _ := c.Actions.GetOrgPublicKey(ctx, org)
			return c.Actions.CreateOrUpdateOrgSecret(ctx, org, &gh.EncryptedSecret{Name: "X", KeyID: ok.GetKeyID(), EncryptedValue: sealTo(t, ok.GetKey(), "v")})
		}, `"visibility" wasn't supplied`},
		{"selected repository of another owner", func() (*gh.Response, error) {
			id := s.AddRepo("someone/else")
			ok, _, _ := c.Actions.GetOrgPublicKey(ctx, org)
			return c.Actions.CreateOrUpdateOrgSecret(ctx, org, &gh.EncryptedSecret{Name: "X", KeyID: ok.GetKeyID(), EncryptedValue: sealTo(t, ok.GetKey(), "v"), Visibility: "selected", SelectedRepositoryIDs: gh.SelectedRepoIDs{id}})
		}, "not the organization's"},
		{"stale key id after rotation", func() (*gh.Response, error) {
			s.RotateKey(ghtest.Repo(repo))
			return c.Actions.CreateOrUpdateRepoSecret(ctx, "octo-org", "app", &gh.EncryptedSecret{Name: "X", KeyID: k.GetKeyID(), EncryptedValue: sealTo(t, k.GetKey(), "v")})
		}, "improperly encrypted secret"},
	}
	for _, tt := range tests {
		resp, err := tt.put()
		var er *gh.ErrorResponse
		if status(resp) != http.StatusUnprocessableEntity || !errors.As(err, &er) || !strings.Contains(er.Message, tt.wantMsg) {
			t.Errorf("%s: status %d, %v; want 422 saying %q", tt.name, status(resp), err, tt.wantMsg)
		}
	}
	if names := s.SecretNames(ghtest.Repo(repo)); len(names) != 0 {
		t.Errorf("refused secrets were stored: %v", names)
	}
}

// TestTokens: every call needs a token the server issued and that is still
// valid.
func TestTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	pat, revoked := s.AddToken(), s.AddToken()
	s.RevokeToken(revoked)
	inst := mint(t, s, appJWT(t, s, s.App().PrivateKeyPEM, time.Now(), 9*time.Minute, ""))
	tests := []struct {
		name    string
		token   string
		advance time.Duration
		want    int
		wantMsg string
	}{
		{"none", "", 0, 401, "Requires authentication"},
		{"unknown", "github_pat_unknown", 0, 401, "Bad credentials"},
		{"revoked", revoked, 0, 401, "Bad credentials"},
		{"personal access token", pat, 0, 200, ""},
		{"installation token", inst, 0, 200, ""},
		{"installation token after an hour", inst, time.Hour + time.Second, 401, "Bad credentials"},
	}
	for _, tt := range tests {
		s.Advance(tt.advance)
		_, resp, err := client(t, s, tt.token).Actions.GetRepoPublicKey(ctx, "octo-org", "app")
		if status(resp) != tt.want || (tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg))) {
			t.Errorf("%s: status %d, %v; want %d %s", tt.name, status(resp), err, tt.want, tt.wantMsg)
		}
		if resp != nil && resp.Header.Get("X-GitHub-Request-Id") == "" {
			t.Errorf("%s: no request id", tt.name)
		}
	}
	if !strings.HasPrefix(pat, "github_pat_") || !strings.HasPrefix(inst, "ghs_") {
		t.Error("tokens do not have GitHub's prefixes")
	}
}

// appJWT makes an app JWT signed with pemKey; iss "" is the app id.
func appJWT(t *testing.T, s *ghtest.Server, pemKey string, now time.Time, life time.Duration, iss string) string {
	t.Helper()
	block, _ := pem.Decode([]byte(pemKey))
	var key *rsa.PrivateKey
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		key = k
	} else {
		t.Fatal(err)
	}
	if iss == "" {
		iss = jsonInt(s.App().ID)
	}
	enc := base64.RawURLEncoding
	h := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	c := enc.EncodeToString([]byte(`{"iat":` + jsonInt(now.Add(-time.Minute).Unix()) + `,"exp":` + jsonInt(now.Add(life).Unix()) + `,"iss":"` + iss + `"}`))
	d := sha256.Sum256([]byte(h + "." + c))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return h + "." + c + "." + enc.EncodeToString(sig)
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// mint exchanges a JWT for an installation token.
func mint(t *testing.T, s *ghtest.Server, jwt string) string {
	t.Helper()
	it, _, err := client(t, s, jwt).Apps.CreateInstallationToken(context.Background(), s.App().InstallationID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if time.Until(it.GetExpiresAt().Time) < 59*time.Minute {
		t.Errorf("installation token expires at %s, want in an hour", it.GetExpiresAt())
	}
	return it.GetToken()
}

// TestAppJWT: the token exchange checks the JWT's signature and claims.
func TestAppJWT(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	app := s.App()
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(otherKey)}))
	now := time.Now()
	tests := []struct {
		name    string
		jwt     string
		inst    int64
		want    int
		wantMsg string
	}{
		{"good", appJWT(t, s, app.PrivateKeyPEM, now, 9*time.Minute, ""), app.InstallationID, 201, ""},
		{"another key", appJWT(t, s, otherPEM, now, 9*time.Minute, ""), app.InstallationID, 401, "could not be decoded"},
		{"not a JWT", "not-a-jwt", app.InstallationID, 401, "could not be decoded"},
		{"another app", appJWT(t, s, app.PrivateKeyPEM, now, 9*time.Minute, "1"), app.InstallationID, 401, "'Issuer' claim"},
		{"expired", appJWT(t, s, app.PrivateKeyPEM, now.Add(-20*time.Minute), 9*time.Minute, ""), app.InstallationID, 401, "'Expiration time' claim ('exp') must be"},
		{"too long", appJWT(t, s, app.PrivateKeyPEM, now, 30*time.Minute, ""), app.InstallationID, 401, "too far in the future"},
		{"issued in the future", appJWT(t, s, app.PrivateKeyPEM, now.Add(10*time.Minute), 9*time.Minute, ""), app.InstallationID, 401, "'Issued at' claim"},
		{"unknown installation", appJWT(t, s, app.PrivateKeyPEM, now, 9*time.Minute, ""), app.InstallationID + 1, 404, "Not Found"},
	}
	for _, tt := range tests {
		_, resp, err := client(t, s, tt.jwt).Apps.CreateInstallationToken(context.Background(), tt.inst, nil)
		if status(resp) != tt.want || (tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg))) {
			t.Errorf("%s: status %d, %v; want %d %s", tt.name, status(resp), err, tt.want, tt.wantMsg)
		}
	}
	if got := s.Calls(ghtest.EndpointAccessToken); got != len(tests) {
		t.Errorf("access token calls = %d, want %d", got, len(tests))
	}
	if n := len(s.InstallationTokens()); n != 1 {
		t.Errorf("installation tokens minted = %d, want 1", n)
	}
}

// TestVariables: create, read, update, conflicts and missing variables, at
// each level.
func TestVariables(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := client(t, s, s.AddToken())
	vis := "private"
	type ops struct {
		create func(v *gh.ActionsVariable) (*gh.Response, error)
		update func(v *gh.ActionsVariable) (*gh.Response, error)
		get    func(name string) (*gh.ActionsVariable, *gh.Response, error)
	}
	levels := map[string]struct {
		scope ghtest.Scope
		ops   ops
	}{
		"repository": {ghtest.Repo(repo), ops{
			func(v *gh.ActionsVariable) (*gh.Response, error) {
				return c.Actions.CreateRepoVariable(ctx, "octo-org", "app", v)
			},
			func(v *gh.ActionsVariable) (*gh.Response, error) {
				return c.Actions.UpdateRepoVariable(ctx, "octo-org", "app", v)
			},
			func(n string) (*gh.ActionsVariable, *gh.Response, error) {
				return c.Actions.GetRepoVariable(ctx, "octo-org", "app", n)
			},
		}},
		"environment": {ghtest.Env(repo, env), ops{
			func(v *gh.ActionsVariable) (*gh.Response, error) {
				return c.Actions.CreateEnvVariable(ctx, "octo-org", "app", env, v)
			},
			func(v *gh.ActionsVariable) (*gh.Response, error) {
				return c.Actions.UpdateEnvVariable(ctx, "octo-org", "app", env, v)
			},
			func(n string) (*gh.ActionsVariable, *gh.Response, error) {
				return c.Actions.GetEnvVariable(ctx, "octo-org", "app", env, n)
			},
		}},
		"organization": {ghtest.Org(org), ops{
			func(v *gh.ActionsVariable) (*gh.Response, error) {
				v.Visibility = &vis
				return c.Actions.CreateOrgVariable(ctx, org, v)
			},
			func(v *gh.ActionsVariable) (*gh.Response, error) { return c.Actions.UpdateOrgVariable(ctx, org, v) },
			func(n string) (*gh.ActionsVariable, *gh.Response, error) {
				return c.Actions.GetOrgVariable(ctx, org, n)
			},
		}},
	}
	for name, l := range levels {
		steps := []struct {
			what string
			do   func() (*gh.Response, error)
			want int
		}{
			{"get missing", func() (*gh.Response, error) { _, r, err := l.ops.get("META"); return r, err }, 404},
			{"update missing", func() (*gh.Response, error) { return l.ops.update(&gh.ActionsVariable{Name: "META", Value: "x"}) }, 404},
			{"create", func() (*gh.Response, error) { return l.ops.create(&gh.ActionsVariable{Name: "meta", Value: "one"}) }, 201},
			{"create again", func() (*gh.Response, error) { return l.ops.create(&gh.ActionsVariable{Name: "META", Value: "two"}) }, 409},
			{"update", func() (*gh.Response, error) { return l.ops.update(&gh.ActionsVariable{Name: "META", Value: "three"}) }, 204},
		}
		for _, st := range steps {
			if resp, _ := st.do(); status(resp) != st.want {
				t.Errorf("%s: %s: status %d, want %d", name, st.what, status(resp), st.want)
			}
		}
		v, _, err := l.ops.get("meta")
		if err != nil || v.Name != "META" || v.Value != "three" || v.UpdatedAt == nil {
			t.Errorf("%s: variable %+v, %v", name, v, err)
		}
		if got, _ := s.Variable(l.scope, "META"); got.Value != "three" {
			t.Errorf("%s: server holds %q", name, got.Value)
		}
	}
	if got, _ := s.Variable(ghtest.Org(org), "META"); got.Visibility != "private" {
		t.Errorf("organization variable visibility %q, want private", got.Visibility)
	}
	resp, _ := c.Actions.CreateOrgVariable(ctx, org, &gh.ActionsVariable{Name: "NO_VIS", Value: "x"})
	if status(resp) != 422 {
		t.Errorf("organization variable without visibility: status %d, want 422", status(resp))
	}
}

// TestRoutes: unknown scopes and paths answer GitHub's 404; the API is
// also served under /api/v3/.
func TestRoutes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	tok := s.AddToken()
	c := client(t, s, tok)
	if _, resp, _ := c.Actions.GetRepoPublicKey(ctx, "octo-org", "missing"); status(resp) != 404 {
		t.Errorf("unknown repository: %d", status(resp))
	}
	if _, resp, _ := c.Actions.GetEnvVariable(ctx, "octo-org", "app", "staging", "X"); status(resp) != 404 {
		t.Errorf("unknown environment: %d", status(resp))
	}
	if _, resp, _ := c.Actions.GetOrgPublicKey(ctx, "missing-org"); status(resp) != 404 {
		t.Errorf("unknown organization: %d", status(resp))
	}
	for _, path := range []string{"/repos/octo-org/app/actions/runners", "/api/v3/nothing"} {
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Message string }
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 404 || body.Message != "Not Found" {
			t.Errorf("%s: %d %q, want 404 Not Found", path, resp.StatusCode, body.Message)
		}
	}
	for _, base := range []string{s.URL + "/", s.URL + "/api/v3/"} {
		req, _ := http.NewRequest("GET", base+"repos/octo-org/app/actions/secrets/public-key", nil)
		req.Header.Set("Authorization", "token "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Limit") == "" {
			t.Errorf("%s: status %d, rate-limit headers %q", base, resp.StatusCode, resp.Header.Get("X-RateLimit-Limit"))
		}
	}
}

// TestFaults: injected faults reach go-github as the error types it makes
// of GitHub's answers, and are counted.
func TestFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := client(t, s, s.AddToken())
	get := func() (*gh.Response, error) {
		_, resp, err := c.Actions.GetRepoPublicKey(ctx, "octo-org", "app")
		return resp, err
	}
	s.Inject(1, ghtest.PrimaryRateLimit(ghtest.EndpointPublicKey, 403, 30*time.Second))
	_, err := get()
	var rle *gh.RateLimitError
	if !errors.As(err, &rle) || rle.Rate.Remaining != 0 || time.Until(rle.Rate.Reset.Time) < 29*time.Second {
		t.Errorf("primary rate limit: %v", err)
	}
	s.Inject(1, ghtest.PrimaryRateLimit(ghtest.EndpointPublicKey, 429, time.Second))
	if _, err := get(); !errors.As(err, &rle) || rle.Response.StatusCode != 429 {
		t.Errorf("primary rate limit 429: %v", err)
	}
	s.Inject(1, ghtest.SecondaryRateLimit(ghtest.EndpointPublicKey, 429, 3*time.Second))
	var are *gh.AbuseRateLimitError
	if _, err := get(); !errors.As(err, &are) || are.GetRetryAfter() != 3*time.Second {
		t.Errorf("secondary rate limit: %v", err)
	}
	s.Inject(2, ghtest.ServerError("", 502))
	for range 2 {
		if resp, _ := get(); status(resp) != 502 {
			t.Errorf("server error: status %d", status(resp))
		}
	}
	s.Inject(1, ghtest.ServerError(ghtest.EndpointPutSecret, 500)) // another endpoint: not used
	if _, err := get(); err != nil {
		t.Errorf("after the faults: %v", err)
	}
	if got := s.Calls(ghtest.EndpointPublicKey); got != 6 {
		t.Errorf("public key calls = %d, want 6", got)
	}
	s.ClearFaults()
	s.SetLatency(ghtest.EndpointPublicKey, time.Hour)
	lctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, _, err := c.Actions.GetRepoPublicKey(lctx, "octo-org", "app"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("latency: %v, want the context's deadline", err)
	}
}

// TestKeysGenerated: every server makes its own keys and app.
func TestKeysGenerated(t *testing.T) {
	t.Parallel()
	a, b := newServer(t), newServer(t)
	if a.PublicKeyID(ghtest.Repo(repo)) == b.PublicKeyID(ghtest.Repo(repo)) {
		t.Error("two servers share a key id")
	}
	if a.App().PrivateKeyPEM == b.App().PrivateKeyPEM {
		t.Error("two servers share an app key")
	}
	if a.PublicKeyID(ghtest.Repo(repo)) == a.PublicKeyID(ghtest.Org(org)) {
		t.Error("two scopes share a key")
	}
	before := a.PublicKeyID(ghtest.Repo(repo))
	a.RotateKey(ghtest.Repo(repo))
	if a.PublicKeyID(ghtest.Repo(repo)) == before {
		t.Error("RotateKey kept the key id")
	}
}
