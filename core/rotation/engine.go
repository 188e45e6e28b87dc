package rotation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
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
	cfg      *config.Config
	issuers  IssuerFactory
	stores   map[string]core.Store
	openers  map[string]func() DestinationStores
	verifier Verifier
	secrets  SecretReader
	now      func() time.Time
	log      *slog.Logger
	metrics  io.Writer
	limiters map[core.Provider]Limiter
	// buckets are the request-rate buckets of the store kinds the config
	// uses (limits.go).
	buckets map[string]*storeBuckets
	// shareWrites: the kinds whose self-paced stores draw from another
	// kind's writes bucket (WithSharedWrites).
	shareWrites map[string]string
	// dryRun: read and decide only (WithDryRun).
	dryRun bool
}

// Option configures an Engine.
type Option func(*Engine)

// WithStore sets the opened store that every destination of the given
// kind is written to (secretsmanager, file: one store serves every ref).
func WithStore(kind string, s core.Store) Option {
	return func(e *Engine) { e.stores[kind] = s }
}

// DestinationStores gives the opened store of each destination of a kind
// whose stores depend on the destination (github: one per repository,
// environment or organization).
type DestinationStores interface {
	// Store returns the store d is written to. Its error fails that
	// destination alone and never holds a secret.
	Store(ctx context.Context, d config.Destination) (core.Store, error)
}

// WithStores sets, for destinations of the given kind, where their stores
// come from: open is called at the start of every run, so that a run reads
// what the stores need (a credential) afresh.
func WithStores(kind string, open func() DestinationStores) Option {
	return func(e *Engine) { e.openers[kind] = open }
}

// WithDryRun makes every run read the destinations and decide, and report
// WouldMint or Fresh per target: it mints, writes and revokes nothing.
// Stored logins the stores read back are still checked against their
// registries (a read-only login).
func WithDryRun() Option { return func(e *Engine) { e.dryRun = true } }

// WithVerifier sets the registry check; default core.Verifier{}.
func WithVerifier(v Verifier) Option { return func(e *Engine) { e.verifier = v } }

// WithSecrets sets the reader of cloud credential secrets; required when
// any target's credentials name a secret.
func WithSecrets(r SecretReader) Option { return func(e *Engine) { e.secrets = r } }

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
func New(cfg *config.Config, issuers IssuerFactory, opts ...Option) (*Engine, error) {
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
		openers:  map[string]func() DestinationStores{},
		verifier: core.Verifier{RealmHosts: cfg.RealmHosts},
		now:      time.Now,
		log:      slog.New(slog.DiscardHandler),
		limiters: map[core.Provider]Limiter{},

		shareWrites: map[string]string{},
	}
	for p, perSecond := range cfg.RateLimits {
		e.limiters[core.Provider(p)] = newBucket(perSecond, 0)
	}
	e.buckets = map[string]*storeBuckets{}
	for _, t := range cfg.Targets {
		for _, d := range t.Destinations {
			if e.buckets[d.Store] == nil {
				e.buckets[d.Store] = newStoreBuckets(cfg.LimitsOf(d.Store))
			}
		}
	}
	for _, o := range opts {
		o(e)
	}
	e.sharedWrites()
	var errs []error
	missing := map[string][]string{}
	needSecrets := false
	for _, t := range cfg.Targets {
		for _, d := range t.Destinations {
			if e.stores[d.Store] == nil && e.openers[d.Store] == nil {
				missing[d.Store] = append(missing[d.Store], t.Name)
			}
		}
		if cfg.SourceOf(&t).Secret != "" {
			needSecrets = true
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(missing)) {
		errs = append(errs, fmt.Errorf("rotation: no %s store was given, but targets %s write to one", kind, strings.Join(missing[kind], ", ")))
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
func (e *Engine) Config() *config.Config { return e.cfg }

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
	opened := make(map[string]DestinationStores, len(e.openers))
	for kind, open := range e.openers {
		opened[kind] = open()
		e.paceOpened(kind, opened[kind])
	}
	pf := e.prefetch(runCtx)
	defer pf.wait()
	var g errgroup.Group
	g.SetLimit(e.cfg.Concurrency)
	for i := range e.cfg.Targets {
		g.Go(func() error {
			t0 := time.Now()
			res := e.rotate(runCtx, cache, opened, pf, &e.cfg.Targets[i])
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
