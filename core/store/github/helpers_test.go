package github_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/github"
	"github.com/regmint/regmint/core/store/github/ghtest"
	"github.com/regmint/regmint/core/store/storetest"
	"github.com/regmint/regmint/internal/leaktest"
	"github.com/regmint/regmint/internal/testutil"
)

// Names the tests write to.
const (
	testRepo  = "octo-org/app"
	otherRepo = "octo-org/other"
	testEnv   = "production"
	testOrg   = "octo-org"
)

// auth is how a test environment's client authenticates.
type auth int

const (
	withPAT auth = iota
	withApp
)

// env is one emulator (with the test repositories, environment and
// organization) and a client on it. Everything the client logs (at debug
// level) and every error the test reports through env.text is checked for
// secrets when the test ends.
type env struct {
	srv     *ghtest.Server
	client  *github.Client
	cfg     github.ClientConfig
	pat     string
	app     ghtest.App
	logs    *syncBuffer
	texts   *syncBuffer
	secrets *leaktest.Secrets
	waits   *sleeper
	repoID  int64
	otherID int64
}

// sleeper records the rate-limit waits asked for and returns at once.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) list() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// fastBackoff retries 5xx answers without a noticeable wait.
var fastBackoff = core.Backoff{Base: time.Millisecond, Max: time.Millisecond, Attempts: 4}

func newEnv(t *testing.T, a auth, edit ...func(*github.ClientConfig)) *env {
	t.Helper()
	srv := ghtest.New()
	t.Cleanup(srv.Close)
	e := &env{srv: srv, logs: &syncBuffer{}, texts: &syncBuffer{}, secrets: &leaktest.Secrets{}, waits: &sleeper{}}
	e.repoID = srv.AddRepo(testRepo)
	e.otherID = srv.AddRepo(otherRepo)
	srv.AddEnvironment(testRepo, testEnv)
	srv.AddOrg(testOrg)
	e.cfg = github.ClientConfig{
		BaseURL: srv.URL,
		Logger:  slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Sleep:   e.waits.sleep,
		Backoff: fastBackoff,
	}
	switch a {
	case withApp:
		e.app = srv.App()
		e.secrets.Add(e.app.PrivateKeyPEM, pemBodyLine(e.app.PrivateKeyPEM))
		e.cfg.App = &github.App{ID: e.app.ID, InstallationID: e.app.InstallationID, PrivateKey: github.Secret(e.app.PrivateKeyPEM)}
	default:
		e.pat = srv.AddToken()
		e.secrets.Add(e.pat)
		e.cfg.Token = github.Secret(e.pat)
	}
	for _, f := range edit {
		f(&e.cfg)
	}
	c, err := github.NewClient(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.client = c
	t.Cleanup(func() { e.checkLeaks(t) })
	return e
}

// pemBodyLine returns the first base64 line of a PEM block, so that a leak
// of part of the key is caught too.
func pemBodyLine(p string) string {
	lines := strings.Split(p, "\n")
	if len(lines) < 2 {
		return ""
	}
	return lines[1]
}

// store returns a store on the env's client.
func (e *env) store(t *testing.T, cfg github.Config) *github.Store {
	t.Helper()
	s, err := github.New(e.client, cfg)
	if err != nil {
		t.Fatal(e.text(err))
	}
	return s
}

// repoStore is a store writing repository secrets.
func (e *env) repoStore(t *testing.T) *github.Store {
	return e.store(t, github.Config{Repository: testRepo, DockerConfig: true})
}

// record returns a record whose secrets are registered for the leak check.
func (e *env) record(registry, password string) core.Record {
	r := storetest.Record(registry, password)
	e.secrets.Add(r.Credential.Secrets()...)
	return r
}

// text records something the program would show (an error, in every
// format) for the leak check, and returns its %v form.
func (e *env) text(v any) string {
	s := fmt.Sprint(v)
	e.texts.WriteString(s + "\n" + fmt.Sprintf("%+v\n%#v\n", v, v))
	return s
}

func (e *env) checkLeaks(t *testing.T) {
	t.Helper()
	all := append(e.secrets.List(), e.srv.InstallationTokens()...)
	leaktest.Check(t, "client log", e.logs.String(), all...)
	leaktest.Check(t, "errors", e.texts.String(), all...)
}

type syncBuffer = testutil.SyncBuffer
