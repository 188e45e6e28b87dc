package rotation_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/github"
	"github.com/regmint/regmint/core/store/github/ghtest"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/stores"
	"github.com/regmint/regmint/internal/leaktest"
)

// ghEnv is an env with a GitHub emulator whose credential (app key or
// token) is in the fake Secrets Manager under gh/key or gh/token.
type ghEnv struct {
	*env
	emu *ghtest.Server
	// cred is the app's private key or the token.
	cred string
}

func newGHEnv(t *testing.T, useToken bool) *ghEnv {
	t.Helper()
	e := &ghEnv{env: newEnv(t), emu: ghtest.New()}
	t.Cleanup(e.emu.Close)
	e.keySecret(t, "src/tencent")
	if useToken {
		e.cred = e.emu.AddToken()
		e.secrets.values["gh/token"] = e.cred + "\n"
	} else {
		e.cred = e.emu.App().PrivateKeyPEM
		e.secrets.values["gh/key"] = e.cred
	}
	return e
}

// githubBlock is the config's github block for the env.
func (e *ghEnv) githubBlock() string {
	if _, ok := e.secrets.values["gh/token"]; ok {
		return "github: {token-secret: gh/token}\n"
	}
	app := e.emu.App()
	return fmt.Sprintf("github: {app-id: %d, installation-id: %d, private-key-secret: gh/key}\n", app.ID, app.InstallationID)
}

// engine makes an engine whose GitHub client talks to the emulator and
// never waits.
func (e *ghEnv) engine(t *testing.T, doc string, opts ...rotation.Option) *rotation.Engine {
	t.Helper()
	base := github.ClientConfig{
		BaseURL:          e.emu.URL,
		Sleep:            func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
		Backoff:          core.Backoff{Base: time.Millisecond, Max: time.Millisecond, Attempts: 2},
		MaxRateLimitWait: time.Second,
	}
	doc = e.githubBlock() + doc
	if !strings.Contains(doc, "store-limits:") {
		// The emulator enforces no secondary limit here: do not pace
		// writes at GitHub's 79 a minute (limits_test.go tests that).
		doc = "store-limits: {github: {writes: 10000}}\n" + doc
	}
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	o := &github.Opener{Auth: cfg.GitHub, Secrets: e.secrets, Base: base, Destinations: github.Destinations(cfg)}
	return e.env.engine(t, doc, append([]rotation.Option{rotation.WithStores(github.KindName, func() rotation.DestinationStores { return o.Run() })}, opts...)...)
}

func ghSecret(t *testing.T, emu *ghtest.Server, sc ghtest.Scope, name string) ghtest.Secret {
	t.Helper()
	s, ok := emu.Secret(sc, name)
	if !ok {
		t.Fatalf("%s: no secret %s", sc, name)
	}
	return s
}

func destResult(t *testing.T, res rotation.Result, store string) rotation.DestinationResult {
	t.Helper()
	for _, d := range res.Destinations {
		if d.Store == store {
			return d
		}
	}
	t.Fatalf("%s: no %s destination in %+v", res.Target, store, res.Destinations)
	return rotation.DestinationResult{}
}

const ghRepoDoc = `
credential-sources:
  main: {secret: src/tencent}
targets:
  - name: tcr-prod
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-inst0001
    credentials: {source: main}
    destinations:
      - {store: secretsmanager}
      - {store: github, ref: TCR, repository: octo/app, docker-config: true}
`

func TestGitHubRepositoryDestination(t *testing.T) {
	t.Parallel()
	for _, useToken := range []bool{false, true} {
		t.Run(fmt.Sprintf("token=%v", useToken), func(t *testing.T) {
			t.Parallel()
			e := newGHEnv(t, useToken)
			e.emu.AddRepo("octo/app")
			eng := e.engine(t, ghRepoDoc)
			rep := eng.Run(context.Background())
			res := result(t, rep, "tcr-prod")
			if res.Outcome != rotation.Minted {
				t.Fatalf("outcome %s: %s", res.Outcome, res.Reason)
			}
			rec, ok := e.sm.Record("tcr-prod")
			if !ok {
				t.Fatal("Secrets Manager not written")
			}
			if pw := e.cloud.Passwords(); len(pw) != 1 || rec.Credential.Password != pw[0] {
				t.Fatalf("minted %d passwords; want one, written to both", len(pw))
			}
			sc := ghtest.Repo("octo/app")
			if got := ghSecret(t, e.emu, sc, "TCR_PASSWORD").Value; got != rec.Credential.Password {
				t.Error("TCR_PASSWORD is not the minted password")
			}
			if got := ghSecret(t, e.emu, sc, "TCR_REGISTRY").Value; got != "tcr-inst0001.example.test" {
				t.Errorf("TCR_REGISTRY = %q", got)
			}
			if got := ghSecret(t, e.emu, sc, "TCR_USERNAME").Value; got != "100000000001" {
				t.Errorf("TCR_USERNAME = %q", got)
			}
			if dc := ghSecret(t, e.emu, sc, "TCR_DOCKER_CONFIG").Value; !strings.Contains(dc, core.DockerAuth("100000000001", rec.Credential.Password)) {
				t.Error("TCR_DOCKER_CONFIG does not hold the login")
			}
			if d := destResult(t, res, github.KindName); d.Status != rotation.DestWritten || d.Scope != "repository octo/app" || d.Ref != "TCR" {
				t.Errorf("github destination %+v", d)
			}
			var text bytes.Buffer
			if err := rep.WriteText(&text); err != nil || !strings.Contains(text.String(), "github:TCR[repository octo/app](written)") {
				t.Errorf("text report %q (%v)", text.String(), err)
			}

			// The next run finds both fresh and mints nothing.
			res = result(t, eng.Run(context.Background()), "tcr-prod")
			if res.Outcome != rotation.Fresh || len(e.cloud.Passwords()) != 1 {
				t.Fatalf("second run: %s %s, %d minted", res.Outcome, res.Reason, len(e.cloud.Passwords()))
			}
			// An expiring credential is replaced in both.
			e.clock.Advance(45 * time.Minute)
			res = result(t, eng.Run(context.Background()), "tcr-prod")
			if res.Outcome != rotation.Minted || len(e.cloud.Passwords()) != 2 {
				t.Fatalf("third run: %s %s", res.Outcome, res.Reason)
			}
			if got := ghSecret(t, e.emu, sc, "TCR_PASSWORD").Value; got != e.cloud.Passwords()[1] {
				t.Error("TCR_PASSWORD is not the new password")
			}
			if got := e.secrets.reads[map[bool]string{false: "gh/key", true: "gh/token"}[useToken]]; got != 3 {
				t.Errorf("GitHub credential read %d times in 3 runs; want once per run", got)
			}
		})
	}
}

func TestGitHubOrganizationSelected(t *testing.T) {
	t.Parallel()
	e := newGHEnv(t, false)
	e.emu.AddOrg("acme")
	id1 := e.emu.AddRepo("acme/api")
	id2 := e.emu.AddRepo("acme/web")
	e.emu.AddRepo("octo/app")
	e.emu.AddEnvironment("octo/app", "prod")
	doc := fmt.Sprintf(`
credential-sources:
  main: {secret: src/tencent}
targets:
  - name: a
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-inst0001
    credentials: {source: main}
    destinations:
      - {store: secretsmanager}
      - {store: github, ref: tcr, organization: acme, visibility: selected, selected-repository-ids: [%d, %d]}
  - name: b
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-inst0002
    credentials: {source: main}
    destinations:
      - {store: github, ref: tcr, repository: octo/app, environment: prod}
      - {store: github, ref: tcr, organization: acme, visibility: private}
`, id1, id2)
	// b's organization destination would write the same names as a's.
	cfg, err := config.Parse([]byte(e.githubBlock()+doc), stores.Kinds())
	if err == nil || !strings.Contains(err.Error(), `is also written by target "a"`) {
		t.Fatalf("duplicate organization destination: %v", err)
	}
	_ = cfg
	doc = strings.Replace(doc, "{store: github, ref: tcr, organization: acme, visibility: private}", "{store: github, ref: tcr-b, organization: acme, visibility: private}", 1)
	eng := e.engine(t, doc)
	rep := eng.Run(context.Background())
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	ra, _ := e.sm.Record("a")
	s := ghSecret(t, e.emu, ghtest.Org("acme"), "TCR_PASSWORD")
	if s.Value != ra.Credential.Password || s.Visibility != "selected" || !slices.Equal(s.SelectedRepositoryIDs, []int64{id1, id2}) {
		t.Errorf("organization secret: value ok %v, visibility %s, ids %v", s.Value == ra.Credential.Password, s.Visibility, s.SelectedRepositoryIDs)
	}
	if got := ghSecret(t, e.emu, ghtest.Org("acme"), "TCR_USERNAME").Value; got != "100000000001" {
		t.Errorf("TCR_USERNAME = %q", got)
	}
	envPW := ghSecret(t, e.emu, ghtest.Env("octo/app", "prod"), "TCR_PASSWORD").Value
	orgB := ghSecret(t, e.emu, ghtest.Org("acme"), "TCR_B_PASSWORD")
	if envPW == "" || envPW != orgB.Value || envPW == ra.Credential.Password || orgB.Visibility != "private" {
		t.Error("target b's destinations do not hold its one credential")
	}
	if _, ok := e.emu.Secret(ghtest.Repo("octo/app"), "TCR_PASSWORD"); ok {
		t.Error("environment destination wrote repository secrets")
	}
}

func TestGitHubFailureIsPerDestination(t *testing.T) {
	t.Parallel()
	for _, sc := range []struct {
		name  string
		fault ghtest.Fault
	}{
		{"server error", ghtest.ServerError("", 503)},
		{"primary rate limit", ghtest.PrimaryRateLimit("", 403, time.Hour)},
		{"secondary rate limit", ghtest.SecondaryRateLimit("", 429, time.Hour)},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			e := newGHEnv(t, true)
			e.emu.AddRepo("octo/app")
			eng := e.engine(t, ghRepoDoc)
			e.emu.Inject(-1, sc.fault)
			res := result(t, eng.Run(context.Background()), "tcr-prod")
			if res.Outcome != rotation.Failed {
				t.Fatalf("outcome %s", res.Outcome)
			}
			rec, ok := e.sm.Record("tcr-prod")
			if !ok || rec.Credential.Password != e.cloud.Passwords()[0] {
				t.Fatal("the Secrets Manager destination was not written")
			}
			if d := destResult(t, res, secretsmanager.KindName); d.Status != rotation.DestWritten {
				t.Errorf("secretsmanager destination %+v", d)
			}
			gd := destResult(t, res, github.KindName)
			if gd.Status != rotation.DestFailed || gd.Scope != "repository octo/app" || gd.Error == "" {
				t.Errorf("github destination %+v", gd)
			}
			if !strings.Contains(res.Reason, "github(repository octo/app):TCR") {
				t.Errorf("reason does not name the github destination: %s", res.Reason)
			}
			if len(e.emu.SecretNames(ghtest.Repo("octo/app"))) != 0 {
				t.Error("github written despite the fault")
			}

			// Once GitHub answers again, the next run writes it (and mints
			// again: the github destination holds nothing).
			e.emu.ClearFaults()
			res = result(t, eng.Run(context.Background()), "tcr-prod")
			if res.Outcome != rotation.Minted {
				t.Fatalf("after recovery: %s %s", res.Outcome, res.Reason)
			}
			rec, _ = e.sm.Record("tcr-prod")
			if got := ghSecret(t, e.emu, ghtest.Repo("octo/app"), "TCR_PASSWORD").Value; got != rec.Credential.Password {
				t.Error("after recovery the two destinations differ")
			}
		})
	}
}

func TestGitHubCredentialUnreadable(t *testing.T) {
	t.Parallel()
	e := newGHEnv(t, false)
	e.emu.AddRepo("octo/app")
	e.secrets.values["gh/key"] = "not a pem key"
	eng := e.engine(t, ghRepoDoc)
	res := result(t, eng.Run(context.Background()), "tcr-prod")
	if _, ok := e.sm.Record("tcr-prod"); !ok || res.Outcome != rotation.Failed {
		t.Fatalf("outcome %s; Secrets Manager written: %v", res.Outcome, ok)
	}
	gd := destResult(t, res, github.KindName)
	if gd.Status != rotation.DestFailed || !strings.Contains(gd.Error, "does not hold a PEM private key") || strings.Contains(gd.Error, "not a pem key") {
		t.Errorf("github destination %+v", gd)
	}
	delete(e.secrets.values, "gh/key")
	e.clock.Advance(45 * time.Minute)
	res = result(t, eng.Run(context.Background()), "tcr-prod")
	if gd := destResult(t, res, github.KindName); gd.Status != rotation.DestFailed || !strings.Contains(gd.Error, "gh/key") {
		t.Errorf("missing secret: github destination %+v", gd)
	}
	if d := destResult(t, res, secretsmanager.KindName); d.Status != rotation.DestWritten {
		t.Errorf("missing secret: secretsmanager destination %+v", d)
	}
}

func TestGitHubConfigErrors(t *testing.T) {
	t.Parallel()
	const target = `
targets:
  - name: a
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-inst0001
    credentials: {env: true}
    destinations:
      - %s
`
	const app = "github: {app-id: 1, installation-id: 2, private-key-secret: gh/key}\n"
	pem := pemHeader("RSA PRIVATE KEY") + "MIIEowIBAAKCAQEA"
	pat := "github_pat_11ABCDEFG0123456789abcdef"
	for _, tc := range []struct {
		name, doc string
		field     string // the FieldError's field
		top       bool   // a top-level error
		problem   string
		hidden    string // must not show in the error
	}{
		{"no github block", fmt.Sprintf(target, "{store: github, repository: octo/app}"), "destinations[0].store", false, "need the top-level github block", ""},
		{"repository and organization", app + fmt.Sprintf(target, "{store: github, repository: octo/app, organization: acme, visibility: all}"), "destinations[0]", false, "sets both repository and organization", ""},
		{"neither", app + fmt.Sprintf(target, "{store: github, ref: tcr}"), "destinations[0]", false, "sets neither repository nor organization", ""},
		{"bad repository", app + fmt.Sprintf(target, "{store: github, repository: octo}"), "destinations[0].repository", false, "is not owner/name", ""},
		{"visibility with repository", app + fmt.Sprintf(target, "{store: github, repository: octo/app, visibility: all}"), "destinations[0].visibility", false, "is only used with organization", ""},
		{"organization without visibility", app + fmt.Sprintf(target, "{store: github, organization: acme}"), "destinations[0].visibility", false, "is required with organization", ""},
		{"bad visibility", app + fmt.Sprintf(target, "{store: github, organization: acme, visibility: public}"), "destinations[0].visibility", false, `"public" is not a visibility`, ""},
		{"selected without ids", app + fmt.Sprintf(target, "{store: github, organization: acme, visibility: selected}"), "destinations[0].selected-repository-ids", false, "is required with visibility selected", ""},
		{"ids without selected", app + fmt.Sprintf(target, "{store: github, organization: acme, visibility: all, selected-repository-ids: [1]}"), "destinations[0].selected-repository-ids", false, "is only used with visibility selected", ""},
		{"ids not numbers", app + fmt.Sprintf(target, "{store: github, organization: acme, visibility: selected, selected-repository-ids: [x]}"), "destinations[0].selected-repository-ids[0]", false, "must be a whole number", ""},
		{"environment with organization", app + fmt.Sprintf(target, "{store: github, organization: acme, visibility: all, environment: prod}"), "destinations[0].environment", false, "is only used with repository", ""},
		{"github field on secretsmanager", app + fmt.Sprintf(target, "{store: secretsmanager, repository: octo/app}"), "destinations[0].repository", false, "is only used with store github", ""},
		{"bad ref", app + fmt.Sprintf(target, "{store: github, ref: 'a b', repository: octo/app}"), "destinations[0].ref", false, "is not a valid GitHub secret name prefix", ""},
		{"same names twice", app + fmt.Sprintf(target, "{store: github, ref: tcr, repository: octo/app}\n      - {store: github, ref: TCR, repository: Octo/App}"), "destinations[1]", false, "twice", ""},
		{"app and token", "github: {app-id: 1, installation-id: 2, private-key-secret: gh/key, token-secret: gh/t}\n" + fmt.Sprintf(target, "{store: github, repository: octo/app}"), "github", true, "sets both", ""},
		{"empty block", "github: {}\n" + fmt.Sprintf(target, "{store: github, repository: octo/app}"), "github", true, "sets neither", ""},
		{"app without installation", "github: {app-id: 1, private-key-secret: gh/key}\n" + fmt.Sprintf(target, "{store: github, repository: octo/app}"), "github.installation-id", true, "is required", ""},
		{"private key in the secret id", "github: {app-id: 1, installation-id: 2, private-key-secret: '" + pem + "'}\n" + fmt.Sprintf(target, "{store: github, repository: octo/app}"), "github.private-key-secret", true, "looks like a private key or token", pem},
		{"token in the secret id", "github: {token-secret: " + pat + "}\n" + fmt.Sprintf(target, "{store: github, repository: octo/app}"), "github.token-secret", true, "looks like a private key or token", pat},
		{"plaintext private key", "github: {app-id: 1, installation-id: 2, private-key: '" + pem + "'}\n" + fmt.Sprintf(target, "{store: github, repository: octo/app}"), "github.private-key", true, "secrets are refused", pem},
		{"plaintext token", "github: {token: " + pat + "}\n" + fmt.Sprintf(target, "{store: github, repository: octo/app}"), "github.token", true, "secrets are refused", pat},
		{"base url with password", "github: {token-secret: gh/t, base-url: 'https://u:" + pat + "@ghe.example.com'}\n" + fmt.Sprintf(target, "{store: github, repository: octo/app}"), "github.base-url", true, "holds a user name or password", pat},
		{"unknown store kind still listed", app + fmt.Sprintf(target, "{store: gitlab, repository: octo/app}"), "destinations[0].store", false, "secretsmanager, file, github", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Parse([]byte(tc.doc), stores.Kinds())
			if err == nil {
				t.Fatal("no error")
			}
			var found bool
			var fe *config.FieldError
			for _, e := range joined(err) {
				if errors.As(e, &fe) && fe.Field == tc.field && strings.Contains(fe.Error(), tc.problem) {
					found = true
					if tc.top != (fe.Index < 0) || (!tc.top && fe.Target != "a") {
						t.Errorf("error placed at %s", fe.Where())
					}
				}
			}
			if !found {
				t.Errorf("no error at %s with %q in:\n%v", tc.field, tc.problem, err)
			}
			if tc.hidden != "" && strings.Contains(err.Error(), tc.hidden) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}

	// Valid forms parse, with defaults.
	cfg, err := config.Parse([]byte(app+fmt.Sprintf(target, "{store: github, repository: octo/app, environment: prod}\n      - {store: github, organization: acme, visibility: selected, selected-repository-ids: [7]}")), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Targets[0].Destinations
	if d[0].Ref != "a" || d[0].Scope() != "environment prod of octo/app" || d[1].String() != "github(organization acme):a" || cfg.GitHub.InstallationID != 2 {
		t.Errorf("parsed %+v %+v", d, cfg.GitHub)
	}
}

// joined returns the errors err joins (or err).
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// TestGitHubNoSecretInOutput checks that the app key, the token and the
// minted passwords never show in logs, metrics or reports, while GitHub
// succeeds and fails.
func TestGitHubNoSecretInOutput(t *testing.T) {
	t.Parallel()
	for _, sc := range []struct {
		name     string
		useToken bool
		setup    func(e *ghEnv)
	}{
		{"app", false, func(*ghEnv) {}},
		{"token", true, func(*ghEnv) {}},
		{"token refused", true, func(e *ghEnv) { e.emu.RevokeToken(e.cred) }},
		{"server errors", false, func(e *ghEnv) { e.emu.Inject(-1, ghtest.ServerError(ghtest.EndpointPutSecret, 502)) }},
		{"key unusable", false, func(e *ghEnv) {
			e.secrets.values["gh/key"] = pemHeader("RSA PRIVATE KEY") + "\nsecretbytes" + randomHex(t, 8) + "\n-----END RSA " + "PRIVATE KEY-----\n"
		}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			e := newGHEnv(t, sc.useToken)
			e.emu.AddRepo("octo/app")
			sc.setup(e)
			var secrets leaktest.Secrets
			secrets.Add(e.cred)
			for _, v := range e.secrets.values {
				secrets.Add(v)
			}
			for _, line := range strings.Split(e.secrets.values["gh/key"], "\n") {
				if len(line) > 20 && !strings.HasPrefix(line, "-----") {
					secrets.Add(line)
				}
			}
			var out bytes.Buffer
			eng := e.engine(t, ghRepoDoc, rotation.WithLogger(newJSONLogger(&out)), rotation.WithMetrics(&out))
			for range 3 {
				rep := eng.Run(context.Background())
				_ = rep.WriteText(&out)
				if err := rep.Err(); err != nil {
					fmt.Fprintf(&out, "%v\n%+v\n%#v\n", err, err, err)
				}
				fmt.Fprintf(&out, "%v\n%+v\n", rep.Results, rep.Results)
				e.clock.Advance(45 * time.Minute)
			}
			for _, p := range e.cloud.Passwords() {
				secrets.Add(p, core.DockerAuth("100000000001", p))
			}
			for _, tok := range e.emu.InstallationTokens() {
				secrets.Add(tok)
			}
			leaktest.Check(t, sc.name, out.String(), secrets.List()...)
			if !strings.Contains(out.String(), `"msg":"target"`) {
				t.Error("no log lines captured")
			}
		})
	}
}

// pemHeader builds a PEM BEGIN line at run time, so that no key-looking
// literal sits in the source.
func pemHeader(kind string) string { return "-----BEGIN " + kind + "-----" }
