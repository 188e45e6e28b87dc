package rotation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/github"
)

// IssuerFactory makes the issuer for a target (the real one maps the
// provider to its package, e.g. issuers.New). For long-term targets the
// issuer should also implement core.Revoker, so that replaced tokens are
// revoked.
type IssuerFactory func(core.Target) (core.Issuer, error)

// Verifier checks a credential against its registry; core.Verifier
// satisfies it.
type Verifier interface {
	Verify(ctx context.Context, c core.Credential) core.Verification
}

var _ Verifier = core.Verifier{}

// Limiter paces vendor API calls; *rate.Limiter satisfies it.
type Limiter interface {
	// Wait blocks until a call may be made, or the context ends.
	Wait(ctx context.Context) error
}

var _ Limiter = (*rate.Limiter)(nil)

// Engine runs rotation passes over a config. It holds no state between runs
// but its rate limiters, so one Engine may serve every invocation of a
// process.
type Engine struct {
	cfg      *Config
	issuers  IssuerFactory
	stores   map[string]core.Store
	verifier Verifier
	secrets  SecretsManagerAPI
	now      func() time.Time
	log      *slog.Logger
	metrics  io.Writer
	limiters map[core.Provider]Limiter
	// ghBase is the base of the GitHub client of each run (WithGitHub).
	ghBase github.ClientConfig
}

// Option configures an Engine.
type Option func(*Engine)

// WithStore sets the store that destinations of the given kind
// (StoreSecretsManager, StoreFile) are written to. Github destinations need
// none: the engine makes a github store per destination, with a client
// built each run from the config's github block (see WithGitHub); a store
// given for StoreGitHub replaces them all.
func WithStore(kind string, s core.Store) Option {
	return func(e *Engine) { e.stores[kind] = s }
}

// WithVerifier sets the registry check; default core.Verifier{}.
func WithVerifier(v Verifier) Option { return func(e *Engine) { e.verifier = v } }

// WithSecrets sets the Secrets Manager client that cloud credential secrets
// are read with; required when any target's credentials name a secret.
func WithSecrets(api SecretsManagerAPI) Option { return func(e *Engine) { e.secrets = api } }

// WithClock sets the clock every expiry decision and issue time is read
// from; default time.Now.
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// WithLogger sets the logger that gets one line per target per run and a run
// summary; default: discard.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// WithMetrics makes every run write CloudWatch EMF lines to w (for Lambda:
// os.Stdout) in the config's metrics namespace.
func WithMetrics(w io.Writer) Option { return func(e *Engine) { e.metrics = w } }

// WithLimiter replaces the rate limiter of one provider (by default built
// from the config's rate-limits).
func WithLimiter(p core.Provider, l Limiter) Option {
	return func(e *Engine) { e.limiters[p] = l }
}

// New makes an Engine for cfg, a config returned by Parse or Loader.Load.
// It checks that every store kind the config names has a store and that a
// Secrets Manager client is given when a target's credentials need one.
func New(cfg *Config, issuers IssuerFactory, opts ...Option) (*Engine, error) {
	if cfg == nil {
		return nil, errors.New("rotation: no config")
	}
	if issuers == nil {
		return nil, errors.New("rotation: no issuer factory")
	}
	e := &Engine{
		cfg:      cfg,
		issuers:  issuers,
		stores:   map[string]core.Store{},
		verifier: core.Verifier{RealmHosts: cfg.RealmHosts},
		now:      time.Now,
		log:      slog.New(slog.DiscardHandler),
		limiters: map[core.Provider]Limiter{},
	}
	for p, perSecond := range cfg.RateLimits {
		e.limiters[core.Provider(p)] = rate.NewLimiter(rate.Limit(perSecond), 1)
	}
	for _, o := range opts {
		o(e)
	}
	var errs []error
	missing := map[string][]string{}
	needSecrets, needGitHub := false, false
	for _, t := range cfg.Targets {
		for _, d := range t.Destinations {
			if d.Store == StoreGitHub && e.stores[StoreGitHub] == nil {
				needGitHub = true
				continue
			}
			if e.stores[d.Store] == nil {
				missing[d.Store] = append(missing[d.Store], t.Name)
			}
		}
		if cfg.sourceOf(&t).secret != "" {
			needSecrets = true
		}
	}
	for _, kind := range sortedKeysOf(missing) {
		errs = append(errs, fmt.Errorf("rotation: no %s store was given, but targets %s write to one", kind, strings.Join(missing[kind], ", ")))
	}
	if needGitHub {
		switch {
		case cfg.GitHub == nil:
			errs = append(errs, errors.New("rotation: targets write to github destinations, but the config has no github block"))
		case e.secrets == nil:
			errs = append(errs, errors.New("rotation: github destinations read the GitHub credential from Secrets Manager, but no client was given (WithSecrets)"))
		}
		if e.ghBase.App != nil || e.ghBase.Token != "" {
			errs = append(errs, errors.New("rotation: WithGitHub takes no credentials: the engine reads them from the secret the config's github block names"))
		}
	}
	if needSecrets && e.secrets == nil {
		errs = append(errs, errors.New("rotation: targets read cloud credentials from Secrets Manager, but no client was given (WithSecrets)"))
	}
	if e.now == nil || e.log == nil || e.verifier == nil {
		errs = append(errs, errors.New("rotation: WithClock, WithLogger and WithVerifier need a non-nil value"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return e, nil
}

// Config returns the engine's config.
func (e *Engine) Config() *Config { return e.cfg }

// Run makes one rotation pass over every target and returns its report; it
// never stops early for one target's failure. Targets run concurrently (at
// most the config's concurrency at once), each within its timeout, and all
// within ctx's deadline less the config's deadline-margin: targets that have
// not finished by then are reported failed, those that have are kept. Run
// logs one line per target and, with WithMetrics, writes EMF metrics.
func (e *Engine) Run(ctx context.Context) *Report {
	rep := &Report{Started: e.now(), Results: make([]Result, len(e.cfg.Targets))}
	runCtx, cancel := e.runContext(ctx)
	defer cancel()
	cache := newSourceCache(e.secrets)
	gh := e.newGitHubRun()
	var g errgroup.Group
	g.SetLimit(e.cfg.Concurrency)
	for i := range e.cfg.Targets {
		g.Go(func() error {
			t0 := time.Now()
			res := e.rotate(runCtx, cache, gh, &e.cfg.Targets[i])
			res.Duration = time.Since(t0)
			rep.Results[i] = res
			e.logResult(ctx, &rep.Results[i])
			return nil
		})
	}
	_ = g.Wait() // workers never return errors: failures are in the results
	rep.Finished = e.now()
	e.logRun(ctx, rep)
	if e.metrics != nil {
		if err := rep.WriteEMF(e.metrics, e.cfg.MetricsNamespace); err != nil {
			e.log.LogAttrs(ctx, slog.LevelError, "write metrics", slog.String("error", err.Error()))
		}
	}
	return rep
}

// runContext bounds the run by the invocation's deadline less the margin.
func (e *Engine) runContext(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadlineCause(ctx, dl.Add(-time.Duration(e.cfg.DeadlineMargin)), errRunDeadline)
}

// errRunDeadline is the cause of the run context's end.
var errRunDeadline = errors.New("run deadline reached (invocation deadline less deadline-margin)")

// limiter returns the provider's rate limiter, or nil.
func (e *Engine) limiter(p core.Provider) Limiter { return e.limiters[p] }
