package github_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/github"
	"github.com/regmint/regmint/core/store/github/ghtest"
	"github.com/regmint/regmint/core/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Run("repository", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) core.Store { return newEnv(t, withPAT).repoStore(t) })
	})
	t.Run("environment", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) core.Store {
			return newEnv(t, withApp).store(t, github.Config{Repository: testRepo, Environment: testEnv})
		})
	})
	t.Run("organization", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) core.Store {
			return newEnv(t, withPAT).store(t, github.Config{Organization: testOrg, Visibility: github.VisibilityPrivate})
		})
	})
}

// TestLevels writes at each level (and each organization visibility), with
// each kind of credentials, and reads back what the emulator decrypted.
func TestLevels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		auth     auth
		cfg      func(e *env) github.Config
		scope    ghtest.Scope
		wantVis  string
		selected func(e *env) []int64
	}{
		{name: "repository, token", auth: withPAT, cfg: func(*env) github.Config { return github.Config{Repository: testRepo} }, scope: ghtest.Repo(testRepo)},
		{name: "repository, app", auth: withApp, cfg: func(*env) github.Config { return github.Config{Repository: testRepo} }, scope: ghtest.Repo(testRepo)},
		{name: "environment, token", auth: withPAT, cfg: func(*env) github.Config { return github.Config{Repository: testRepo, Environment: testEnv} }, scope: ghtest.Env(testRepo, testEnv)},
		{name: "environment, app", auth: withApp, cfg: func(*env) github.Config { return github.Config{Repository: testRepo, Environment: testEnv} }, scope: ghtest.Env(testRepo, testEnv)},
		{name: "organization all", auth: withApp, cfg: func(*env) github.Config {
			return github.Config{Organization: testOrg, Visibility: github.VisibilityAll}
		}, scope: ghtest.Org(testOrg), wantVis: "all"},
		{name: "organization private", auth: withPAT, cfg: func(*env) github.Config {
			return github.Config{Organization: testOrg, Visibility: github.VisibilityPrivate}
		}, scope: ghtest.Org(testOrg), wantVis: "private"},
		{name: "organization selected", auth: withApp, cfg: func(e *env) github.Config {
			return github.Config{Organization: testOrg, Visibility: github.VisibilitySelected, SelectedRepositoryIDs: []int64{e.otherID, e.repoID}}
		}, scope: ghtest.Org(testOrg), wantVis: "selected", selected: func(e *env) []int64 { return []int64{e.otherID, e.repoID} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t, tt.auth)
			cfg := tt.cfg(e)
			cfg.DockerConfig = true
			s := e.store(t, cfg)
			r := e.record("levels.example.com:5000", "pw-levels-0000000001")
			if err := s.Put(ctx, "tcr", r); err != nil {
				t.Fatal(e.text(err))
			}
			want := map[string]string{
				"TCR_REGISTRY": r.Credential.Registry,
				"TCR_USERNAME": r.Credential.Username,
				"TCR_PASSWORD": r.Credential.Password,
			}
			for name, value := range want {
				sec, ok := e.srv.Secret(tt.scope, name)
				if !ok {
					t.Fatalf("secret %s not in %s", name, tt.scope)
				}
				if sec.Value != value {
					t.Errorf("secret %s decrypts to another value than written (len %d, want %d)", name, len(sec.Value), len(value))
				}
				if sec.Visibility != tt.wantVis {
					t.Errorf("secret %s visibility %q, want %q", name, sec.Visibility, tt.wantVis)
				}
				if tt.selected != nil && !slices.Equal(sec.SelectedRepositoryIDs, tt.selected(e)) {
					t.Errorf("secret %s selected repositories %v, want %v", name, sec.SelectedRepositoryIDs, tt.selected(e))
				}
			}
			checkDockerConfig(t, e, tt.scope, "TCR_DOCKER_CONFIG", r.Credential)
			if got := e.srv.SecretNames(tt.scope); len(got) != 4 {
				t.Errorf("secrets %v, want the four of TCR", got)
			}
			v, ok := e.srv.Variable(tt.scope, "TCR_REGMINT_META")
			if !ok {
				t.Fatal("no metadata variable")
			}
			if v.Visibility != tt.wantVis {
				t.Errorf("variable visibility %q, want %q", v.Visibility, tt.wantVis)
			}
			got, err := s.Get(ctx, "tcr")
			if err != nil {
				t.Fatal(e.text(err))
			}
			if err := storetest.SameStored(got, r.Stored()); err != nil {
				t.Error(err)
			}
			if got, want := s.Level(), github.Level(strings.Fields(tt.scope.String())[0]); got != want {
				t.Errorf("Level() = %q, want %q", got, want)
			}
		})
	}
}

// checkDockerConfig parses the docker config secret and checks its auths
// entry.
func checkDockerConfig(t *testing.T, e *env, sc ghtest.Scope, name string, c core.Credential) {
	t.Helper()
	sec, ok := e.srv.Secret(sc, name)
	if !ok {
		t.Fatalf("secret %s not written", name)
	}
	var dc struct {
		Auths map[string]core.AuthEntry `json:"auths"`
	}
	if err := json.Unmarshal([]byte(sec.Value), &dc); err != nil {
		t.Fatalf("secret %s is not JSON: %v", name, err)
	}
	a, ok := dc.Auths[c.Registry]
	if !ok || len(dc.Auths) != 1 {
		t.Fatalf("docker config auths has %d entries, want one for %s", len(dc.Auths), c.Registry)
	}
	if a.Username != c.Username || a.Password != c.Password || a.Auth != core.DockerAuth(c.Username, c.Password) {
		t.Error("docker config auths entry differs from the credential (values not shown)")
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		cfg    github.Config
		ref    string
		want   []string // secrets
		wantMV string
	}{
		{"derived", github.Config{Repository: testRepo}, "prod-tcr.eu/x", []string{"PROD_TCR_EU_X_PASSWORD", "PROD_TCR_EU_X_REGISTRY", "PROD_TCR_EU_X_USERNAME"}, "PROD_TCR_EU_X_REGMINT_META"},
		{"with docker config", github.Config{Repository: testRepo, DockerConfig: true}, "swr", []string{"SWR_DOCKER_CONFIG", "SWR_PASSWORD", "SWR_REGISTRY", "SWR_USERNAME"}, "SWR_REGMINT_META"},
		{"overridden", github.Config{Repository: testRepo, DockerConfig: true, Names: github.Names{
			Username: "DOCKER_USER", Password: "DOCKER_TOKEN", DockerConfig: "DOCKER_CONFIG_JSON", Metadata: "REGISTRY_META",
		}}, "tcr", []string{"DOCKER_CONFIG_JSON", "DOCKER_TOKEN", "DOCKER_USER", "TCR_REGISTRY"}, "REGISTRY_META"},
		{"lower-case names", github.Config{Repository: testRepo, Names: github.Names{Password: "tcr_pass"}}, "tcr", []string{"TCR_PASS", "TCR_REGISTRY", "TCR_USERNAME"}, "TCR_REGMINT_META"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withPAT)
			s := e.store(t, tt.cfg)
			r := e.record("names.example.com", "pw-names-000000001")
			if err := s.Put(ctx, tt.ref, r); err != nil {
				t.Fatal(e.text(err))
			}
			if got := e.srv.SecretNames(ghtest.Repo(testRepo)); !slices.Equal(got, tt.want) {
				t.Errorf("secrets %v, want %v", got, tt.want)
			}
			if _, ok := e.srv.Variable(ghtest.Repo(testRepo), tt.wantMV); !ok {
				t.Errorf("no variable %s", tt.wantMV)
			}
			if _, err := s.Get(ctx, tt.ref); err != nil {
				t.Error(e.text(err))
			}
		})
	}
}

// TestMetadataShape checks the variable's JSON field by field: it holds
// the metadata and the names written, and no secret.
func TestMetadataShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withPAT)
	s := e.store(t, github.Config{Organization: testOrg, Visibility: github.VisibilitySelected, SelectedRepositoryIDs: []int64{e.otherID, e.repoID}})
	r := e.record("shape.example.com", "pw-meta-shape-00001")
	if err := s.Put(context.Background(), "tcr", r); err != nil {
		t.Fatal(e.text(err))
	}
	v, _ := e.srv.Variable(ghtest.Org(testOrg), "TCR_REGMINT_META")
	var got map[string]any
	if err := json.Unmarshal([]byte(v.Value), &got); err != nil {
		t.Fatal(err)
	}
	ids := []any{float64(min(e.repoID, e.otherID)), float64(max(e.repoID, e.otherID))}
	want := map[string]any{
		"regmint":                 float64(1),
		"registry":                "shape.example.com",
		"username":                r.Credential.Username,
		"expires_at":              "2031-02-03T04:05:06.7Z",
		"issued_at":               "2031-02-03T03:05:06Z",
		"fingerprint":             r.Fingerprint,
		"token_id":                r.Credential.TokenID,
		"previous_token_id":       r.PreviousTokenID,
		"secrets":                 []any{"TCR_REGISTRY", "TCR_USERNAME", "TCR_PASSWORD"},
		"visibility":              "selected",
		"selected_repository_ids": ids,
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Errorf("metadata\n got %s\nwant %s", gb, wb)
	}
}

func TestPutSkipsUnchanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, withPAT)
	s := e.repoStore(t)
	a := e.record("skip.example.com", "pw-skip-aaaa-000001")
	b := e.record("skip.example.com", "pw-skip-bbbb-000002")
	b.IssuedAt = a.IssuedAt.Add(time.Minute)
	steps := []struct {
		rec      core.Record
		wantPuts int // PUT secret calls so far
	}{
		{a, 4},
		{a, 4}, // unchanged: nothing written
		{b, 8},
		{b, 8},
	}
	for i, st := range steps {
		if err := s.Put(ctx, "skip", st.rec); err != nil {
			t.Fatalf("step %d: %s", i, e.text(err))
		}
		if got := e.srv.Calls(ghtest.EndpointPutSecret); got != st.wantPuts {
			t.Errorf("step %d: PUT secret calls = %d, want %d", i, got, st.wantPuts)
		}
	}
	if got := e.srv.Calls(ghtest.EndpointUpdateVariable) + e.srv.Calls(ghtest.EndpointCreateVariable); got != 2 {
		t.Errorf("variable writes = %d, want 2", got)
	}
	// A secret deleted by hand is written again even for the same record.
	e.srv.DeleteSecret(ghtest.Repo(testRepo), "SKIP_PASSWORD")
	if err := s.Put(ctx, "skip", b); err != nil {
		t.Fatal(e.text(err))
	}
	if sec, ok := e.srv.Secret(ghtest.Repo(testRepo), "SKIP_PASSWORD"); !ok || sec.Value != b.Credential.Password {
		t.Error("the deleted secret was not written again")
	}
}

// TestGetNotFound: every way the stored login can be absent or untrusted
// reads as core.ErrNotFound; a broken metadata variable or an unreachable
// scope is an error of its own.
func TestGetNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sc := ghtest.Repo(testRepo)
	tests := []struct {
		name         string
		setup        func(t *testing.T, e *env, s *github.Store)
		cfg          *github.Config // store to Get with; default the writing one
		wantNotFound bool
		wantMsg      string
	}{
		{"nothing stored", func(*testing.T, *env, *github.Store) {}, nil, true, "variable GET_REGMINT_META"},
		{"not regmint's variable", func(_ *testing.T, e *env, _ *github.Store) { e.srv.SetVariable(sc, "GET_REGMINT_META", "hello") }, nil, true, "not JSON"},
		{"other JSON", func(_ *testing.T, e *env, _ *github.Store) { e.srv.SetVariable(sc, "GET_REGMINT_META", `{"a":1}`) }, nil, true, `no "regmint"`},
		{"broken time", func(_ *testing.T, e *env, _ *github.Store) {
			e.srv.SetVariable(sc, "GET_REGMINT_META", `{"regmint":1,"registry":"r","username":"u","expires_at":"soon","secrets":[]}`)
		}, nil, false, `"expires_at" is not an RFC 3339 time`},
		{"newer format", func(_ *testing.T, e *env, _ *github.Store) {
			e.srv.SetVariable(sc, "GET_REGMINT_META", `{"regmint":2,"registry":"r","username":"u"}`)
		}, nil, false, "format version 2"},
		{"secret deleted", func(t *testing.T, e *env, s *github.Store) {
			put(t, e, s)
			e.srv.DeleteSecret(sc, "GET_PASSWORD")
		}, nil, true, "GET_PASSWORD in repository octo-org/app: not found: it is listed in variable GET_REGMINT_META but missing"},
		{"secret changed by hand", func(t *testing.T, e *env, s *github.Store) {
			put(t, e, s)
			e.srv.Advance(2 * time.Second)
			e.srv.SetSecret(sc, "GET_USERNAME", "someone-else")
		}, nil, true, "after regmint wrote it"},
		{"docker config enabled since", func(t *testing.T, e *env, s *github.Store) { put(t, e, s) },
			&github.Config{Repository: testRepo, DockerConfig: true}, true, "the store now writes GET_REGISTRY, GET_USERNAME, GET_PASSWORD, GET_DOCKER_CONFIG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withPAT)
			s := e.store(t, github.Config{Repository: testRepo})
			tt.setup(t, e, s)
			if tt.cfg != nil {
				s = e.store(t, *tt.cfg)
			}
			_, err := s.Get(ctx, "get")
			if err == nil {
				t.Fatal("Get succeeded")
			}
			if got := errors.Is(err, core.ErrNotFound); got != tt.wantNotFound {
				t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v (%v)", got, tt.wantNotFound, e.text(err))
			}
			if msg := e.text(err); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q does not say %q", msg, tt.wantMsg)
			}
		})
	}
}

func put(t *testing.T, e *env, s *github.Store) core.Record {
	t.Helper()
	r := e.record("get.example.com", "pw-get-not-found-01")
	if err := s.Put(context.Background(), "get", r); err != nil {
		t.Fatal(e.text(err))
	}
	return r
}

// TestGetUnknownScope: a repository, environment or organization that does
// not exist (or the token cannot see) is an error naming it, not "nothing
// stored".
func TestGetUnknownScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     github.Config
		wantMsg string
	}{
		{"repository", github.Config{Repository: "octo-org/typo"}, "repository octo-org/typo does not exist, or the token cannot see it"},
		{"environment", github.Config{Repository: testRepo, Environment: "staging"}, "environment staging of octo-org/app does not exist"},
		{"organization", github.Config{Organization: "typo-org", Visibility: github.VisibilityAll}, "organization typo-org does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withPAT)
			_, err := e.store(t, tt.cfg).Get(context.Background(), "tcr")
			if err == nil || errors.Is(err, core.ErrNotFound) {
				t.Fatalf("Get error = %v, want an error that is not ErrNotFound", err)
			}
			if msg := e.text(err); !strings.Contains(msg, tt.wantMsg) || !strings.Contains(msg, "HTTP 404") {
				t.Errorf("error %q does not say %q", msg, tt.wantMsg)
			}
		})
	}
}

// TestPartialWriteRecovered: the variable write fails after the secrets
// were written; Get then reports not found (the secrets are newer than the
// metadata), and the next Put writes everything.
func TestPartialWriteRecovered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, withPAT)
	s := e.repoStore(t)
	old := e.record("partial.example.com", "pw-partial-old-0001")
	if err := s.Put(ctx, "part", old); err != nil {
		t.Fatal(e.text(err))
	}
	e.srv.Advance(2 * time.Second)
	e.srv.Inject(-1, ghtest.Fault{Endpoint: ghtest.EndpointUpdateVariable, Status: 400, Message: "Bad Request"})
	next := e.record("partial.example.com", "pw-partial-new-0002")
	next.Credential.TokenID, next.IssuedAt = "tok-new", old.IssuedAt.Add(time.Hour)
	err := s.Put(ctx, "part", next)
	if err == nil || !strings.Contains(e.text(err), "update variable PART_REGMINT_META in repository octo-org/app: HTTP 400") {
		t.Fatalf("Put error = %v, want the variable update's", err)
	}
	if sec, _ := e.srv.Secret(ghtest.Repo(testRepo), "PART_PASSWORD"); sec.Value != next.Credential.Password {
		t.Fatal("the secrets were not written before the variable")
	}
	if _, err := s.Get(ctx, "part"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Get after a partial write: %v, want not found", err)
	}
	e.srv.ClearFaults()
	if err := s.Put(ctx, "part", next); err != nil {
		t.Fatal(e.text(err))
	}
	got, err := s.Get(ctx, "part")
	if err != nil {
		t.Fatal(e.text(err))
	}
	if err := storetest.SameStored(got, next.Stored()); err != nil {
		t.Error(err)
	}
}

// TestVariableRaces: the variable was created, or deleted, by someone else
// between Put's read and its write.
func TestVariableRaces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, withPAT)
	s := e.repoStore(t)
	r := e.record("race.example.com", "pw-race-00000000001")
	// Created meanwhile: the read says missing, the create gets 409.
	e.srv.Inject(1, ghtest.Fault{Endpoint: ghtest.EndpointGetVariable, Status: 404, Message: "Not Found"})
	e.srv.SetVariable(ghtest.Repo(testRepo), "RACE_REGMINT_META", "someone else's")
	if err := s.Put(ctx, "race", r); err != nil {
		t.Fatal(e.text(err))
	}
	if _, err := s.Get(ctx, "race"); err != nil {
		t.Fatal(e.text(err))
	}
	// Deleted meanwhile: the update gets 404, then the create works.
	r.IssuedAt = r.IssuedAt.Add(time.Minute)
	e.srv.Inject(1, ghtest.Fault{Endpoint: ghtest.EndpointUpdateVariable, Status: 404, Message: "Not Found"})
	if err := s.Put(ctx, "race", r); err != nil {
		t.Fatal(e.text(err))
	}
	got, err := s.Get(ctx, "race")
	if err != nil {
		t.Fatal(e.text(err))
	}
	if err := storetest.SameStored(got, r.Stored()); err != nil {
		t.Error(err)
	}
}
