// Package credhelper serves regmint credentials to the programs that pull
// and push images where they run: the docker credential helper protocol
// (docker-credential-regmint) and the kubelet's credential provider plugin
// protocol (regmint-kubelet-credential-provider). A targets document
// (config.ParseTargets) says which registry hosts it serves; each
// credential is minted on first use, checked against its registry, and
// kept in a private file cache until the refresh margin before it
// expires, so that a host asked for again within its lifetime costs no
// vendor API call, and parallel pulls mint once.
package credhelper

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/decide"
	"github.com/regmint/regmint/core/providers"
)

// ErrUnknownHost is returned by Get for a registry host the targets
// document does not serve: the client falls back to other auth.
var ErrUnknownHost = errors.New("no regmint target serves this registry host")

// Helper mints and caches the credentials of a targets document. It is
// safe for concurrent use, and so are several processes sharing one cache
// directory.
type Helper struct {
	// Config is the parsed targets document.
	Config *config.Config
	// Env is what the issuers run with; its Now also decides freshness.
	Env core.Env
	// Cache keeps credentials between runs; nil: every Get mints.
	Cache *Cache
	// Verifier checks a new credential against its registry before it is
	// served and cached (targets with verify: false skip it).
	Verifier core.Verifier
	// Auth returns the cloud auth of a target, from its credentials key;
	// nil: the vendor's environment variables. The kubelet provider sets
	// it for keyless login with a pod's service account token.
	Auth func(t config.TargetConfig) (core.Auth, error)
	// Warn receives one-line warnings (never a secret); nil: dropped.
	Warn func(msg string)
}

// Result is a credential Get served, with its refresh policy.
type Result struct {
	// Credential is the docker login. Its Password is secret.
	Credential core.Credential
	// Minted reports whether Get minted it (false: from the cache).
	Minted bool
	// RefreshMargin is the target's: the credential is served until this
	// long before it expires.
	RefreshMargin time.Duration
}

// CacheFor returns how long a client may keep the result: its time left at
// now minus the refresh margin, at least zero; zero also for a credential
// that does not expire (the client then asks every time).
func (r Result) CacheFor(now time.Time) time.Duration {
	if !r.Credential.Expires() {
		return 0
	}
	return max(0, r.Credential.TimeLeft(now)-r.RefreshMargin)
}

// Host returns the registry host a server URL names, as docker, crane and
// the kubelet pass it: "host[:port]", "https://host[:port]/v1/", or an
// image's registry part. It is lowercased; false when it is no host.
func Host(serverURL string) (string, bool) {
	s := strings.TrimSpace(serverURL)
	if strings.Contains(s, "://") {
		u, err := url.Parse(s)
		if err != nil {
			return "", false
		}
		s = u.Host
	} else if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	s = strings.ToLower(s)
	if s == "" || core.CheckEndpoint("https://"+s) != nil {
		return "", false
	}
	return s, true
}

// match is a target that serves a host.
type match struct {
	tc     config.TargetConfig
	target core.Target
	issuer core.Issuer // built during discovery, or nil
	// fp is the target's fingerprint as configured (before a discovered
	// registry host is filled in).
	fp string
}

// found returns m for host: a target whose registry host was discovered
// mints for that host without asking for it again.
func (m match) found(host string) match {
	m.fp = m.target.Fingerprint()
	m.target.Registry = host
	return m
}

// registryResolver is implemented by issuers that can tell their registry
// host without minting (TCR DescribeInstances, SWR ShowInstance).
type registryResolver interface {
	Registry(ctx context.Context) (string, error)
}

// Get returns a credential for the registry host serverURL names: from
// the cache while it is fresh (its time left is over the target's refresh
// margin, and it was minted for the target as configured now), else newly
// minted, checked and cached. A host no target serves is ErrUnknownHost.
func (h *Helper) Get(ctx context.Context, serverURL string) (Result, error) {
	host, ok := Host(serverURL)
	if !ok {
		return Result{}, ErrUnknownHost
	}
	env := h.Env.WithDefaults()
	cache := h.usableCache()
	m, err := h.match(ctx, env, host, cache)
	if err != nil {
		return Result{}, err
	}
	res := Result{RefreshMargin: time.Duration(m.tc.RefreshMargin)}
	fp := m.fp
	policy := m.tc.Policy()
	fresh := func() (entry, bool) {
		if cache == nil {
			return entry{}, false
		}
		e, ok := cache.get(host)
		if !ok || decide.Decide(env.Now(), policy, fp, e.stored()).Mint() {
			return entry{}, false
		}
		return e, true
	}
	if e, ok := fresh(); ok {
		res.Credential = e.credential()
		return res, nil
	}
	if cache != nil {
		unlock, err := cache.lock(ctx, host)
		if err != nil {
			return Result{}, err
		}
		defer unlock()
		// Another process may have minted while this one waited.
		if e, ok := fresh(); ok {
			res.Credential = e.credential()
			return res, nil
		}
	}
	cred, err := h.mint(ctx, env, m, host)
	if err != nil {
		return Result{}, err
	}
	res.Credential, res.Minted = cred, true
	if cache != nil {
		e := entry{Host: host, Username: cred.Username, Password: cred.Password, ExpiresAt: cred.ExpiresAt, IssuedAt: env.Now().UTC(), Fingerprint: fp}
		if err := cache.put(e); err != nil {
			h.warn("the credential is served but not cached: " + err.Error())
		}
	}
	return res, nil
}

// mint issues and checks a new credential for host.
func (h *Helper) mint(ctx context.Context, env core.Env, m match, host string) (core.Credential, error) {
	if m.tc.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(m.tc.Timeout))
		defer cancel()
	}
	issuer := m.issuer
	if issuer == nil {
		var err error
		if issuer, err = providers.New(m.target, env); err != nil {
			return core.Credential{}, fmt.Errorf("target %s: %w", m.tc.Name, err)
		}
	}
	cred, err := issuer.Issue(ctx)
	if err != nil {
		return core.Credential{}, fmt.Errorf("target %s: %w", m.tc.Name, err)
	}
	if !strings.EqualFold(cred.Registry, host) {
		return core.Credential{}, fmt.Errorf("target %s: the credential minted is for registry %s, not %s", m.tc.Name, cred.Registry, host)
	}
	cred.Registry = host
	if err := cred.Check(); err != nil {
		return core.Credential{}, fmt.Errorf("target %s: %w", m.tc.Name, err)
	}
	if !m.tc.Verifies() {
		return cred, nil
	}
	v := h.Verifier
	if v.Transport == nil {
		v.Transport = env.Transport
	}
	switch res := v.Verify(ctx, cred); res.Result {
	case core.VerifyBad:
		return core.Credential{}, fmt.Errorf("target %s: registry %s refused the credential just minted: %s", m.tc.Name, host, res.Detail)
	case core.VerifyUnknown:
		if m.tc.RequireVerified {
			return core.Credential{}, fmt.Errorf("target %s: the credential could not be checked against registry %s (%s) and require-verified is set", m.tc.Name, host, res.Detail)
		}
		h.warn(fmt.Sprintf("target %s: the credential could not be checked against registry %s: %s", m.tc.Name, host, res.Detail))
	}
	return cred, nil
}

// match finds the target that serves host: one whose registry is host;
// else one whose provider derives host from a region (the SWR shared
// edition: its region, or any region when it names none); else one whose
// instance's registry is host, asked of the vendor on first use and then
// remembered in the cache.
func (h *Helper) match(ctx context.Context, env core.Env, host string, cache *Cache) (match, error) {
	var discover []match
	for _, tc := range h.Config.Targets {
		t, err := h.target(tc)
		if err != nil {
			return match{}, err
		}
		d, err := providers.Lookup(t.Provider)
		if err != nil {
			return match{}, err
		}
		switch {
		case t.Registry != "":
			if strings.EqualFold(t.Registry, host) {
				t.Registry = host
				return match{tc: tc, target: t}.found(host), nil
			}
		case d.RegionOfHost != nil && t.Region == "":
			if region, ok := d.RegionOfHost(host); ok {
				t.Region = region
				return match{tc: tc, target: t}.found(host), nil
			}
		case d.RegionRegistry != nil:
			if strings.EqualFold(d.RegionRegistry(t.Region), host) {
				t.Registry = host
				return match{tc: tc, target: t}.found(host), nil
			}
		default:
			discover = append(discover, match{tc: tc, target: t})
		}
	}
	if len(discover) == 0 {
		return match{}, ErrUnknownHost
	}
	var unknown []match
	for _, m := range discover {
		if cache == nil {
			unknown = append(unknown, m)
			continue
		}
		known, ok := cache.hostOf(m.target.Fingerprint())
		switch {
		case !ok:
			unknown = append(unknown, m)
		case known == host:
			return m.found(host), nil
		}
	}
	if len(unknown) == 0 {
		return match{}, ErrUnknownHost
	}
	if cache != nil {
		// One process discovers; the others then read what it found.
		unlock, err := cache.lock(ctx, "discover")
		if err != nil {
			return match{}, err
		}
		defer unlock()
	}
	var errs []error
	for _, m := range unknown {
		fp := m.target.Fingerprint()
		if cache != nil {
			if known, ok := cache.hostOf(fp); ok {
				if known == host {
					return m.found(host), nil
				}
				continue
			}
		}
		found, err := h.discover(ctx, env, &m)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if cache != nil {
			if err := cache.setHost(fp, found); err != nil {
				h.warn("the registry host found is not cached: " + err.Error())
			}
		}
		if found == host {
			return m.found(host), nil
		}
	}
	if len(errs) > 0 {
		return match{}, fmt.Errorf("registry host %s is no target's registry, and finding the registry host of some targets failed: %w", host, errors.Join(errs...))
	}
	return match{}, ErrUnknownHost
}

// discover asks the vendor for the registry host of m's instance, keeping
// the issuer it built for the mint that follows.
func (h *Helper) discover(ctx context.Context, env core.Env, m *match) (string, error) {
	if m.tc.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(m.tc.Timeout))
		defer cancel()
	}
	issuer, err := providers.New(m.target, env)
	if err != nil {
		return "", fmt.Errorf("target %s: %w", m.tc.Name, err)
	}
	r, ok := issuer.(registryResolver)
	if !ok {
		return "", fmt.Errorf("target %s: provider %s cannot tell its registry host; set %s", m.tc.Name, m.target.Provider, core.FieldRegistry)
	}
	found, err := r.Registry(ctx)
	if err != nil {
		return "", fmt.Errorf("target %s: %w", m.tc.Name, err)
	}
	found = strings.ToLower(found)
	m.issuer = issuer
	return found, nil
}

// target returns the core.Target of tc with its cloud auth.
func (h *Helper) target(tc config.TargetConfig) (core.Target, error) {
	t := tc.Target()
	t.Registry = strings.ToLower(t.Registry)
	t.Auth.Chain = tc.Credentials != nil && tc.Credentials.Chain
	if h.Auth != nil {
		a, err := h.Auth(tc)
		if err != nil {
			return core.Target{}, fmt.Errorf("target %s: %w", tc.Name, err)
		}
		t.Auth = a
	}
	return t, nil
}

// List returns the registry hosts the targets serve that are known
// without asking the vendor: configured, derived from a region, or
// discovered earlier; each with the user name of its cached credential,
// if any. A shared-edition target without a region serves every region's
// host and is not listed.
func (h *Helper) List() map[string]string {
	out := map[string]string{}
	cache := h.usableCache()
	for _, tc := range h.Config.Targets {
		t, err := h.target(tc)
		if err != nil {
			continue
		}
		d, err := providers.Lookup(t.Provider)
		if err != nil {
			continue
		}
		host := t.Registry
		switch {
		case host != "":
		case d.RegionRegistry != nil && t.Region != "":
			host = d.RegionRegistry(t.Region)
		case cache != nil && d.RegionOfHost == nil:
			host, _ = cache.hostOf(t.Fingerprint())
		}
		if host == "" {
			continue
		}
		user := ""
		if cache != nil {
			if e, ok := cache.get(host); ok {
				user = e.Username
			}
		}
		out[host] = user
	}
	return out
}

// Erase drops the cached credential of the host serverURL names, if any.
func (h *Helper) Erase(serverURL string) error {
	host, ok := Host(serverURL)
	cache := h.usableCache()
	if !ok || cache == nil {
		return nil
	}
	return cache.drop(host)
}

// usableCache returns the cache if its directory can be used, else nil
// (with a warning: every Get then mints).
func (h *Helper) usableCache() *Cache {
	if h.Cache == nil {
		return nil
	}
	if err := h.Cache.ensureDir(); err != nil {
		h.warn("not caching credentials: " + err.Error())
		return nil
	}
	return h.Cache
}

func (h *Helper) warn(msg string) {
	if h.Warn != nil {
		h.Warn(msg)
	}
}
