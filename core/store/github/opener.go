package github

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
)

// SecretReader reads a secret's string value by id (the rotation's
// Secrets Manager reader satisfies it). Errors never hold the value.
type SecretReader interface {
	ReadSecret(ctx context.Context, id string) (string, error)
}

// Opener opens the github stores of a config's destinations. Each run gets
// its own Stores (Run), whose client is built once, on first use, from the
// credential the config's github block names: a key or token replaced in
// its secret is picked up by the next run.
type Opener struct {
	// Auth is the config's github block.
	Auth *config.GitHubConfig
	// Secrets reads the block's credential secret.
	Secrets SecretReader
	// Base is the client configuration without credentials: HTTP client,
	// logger, clock, sleep, backoff and rate-limit wait. A non-empty
	// BaseURL overrides the block's base-url (tests point it at an
	// emulator).
	Base ClientConfig
	// Destinations are the config's github destinations. A scope that
	// several of them write is listed once per run (the first read of each
	// ref served from the listing) instead of read ref by ref.
	Destinations []config.Destination
}

// Run returns the stores of one run.
func (o *Opener) Run() *Stores {
	planned := map[string]int{}
	for _, d := range o.Destinations {
		if sc, err := DestinationConfig(d).validate(); err == nil {
			planned[sc.key()]++
		}
	}
	return &Stores{o: o, stores: map[string]*Store{}, planned: planned, snaps: map[string]*snapshot{}}
}

// Stores are one run's github stores, one per destination scope, sharing
// one client. Safe for concurrent use.
type Stores struct {
	o    *Opener
	once sync.Once
	cl   *Client
	err  error

	mu     sync.Mutex
	stores map[string]*Store
	// planned counts the destinations of each scope; snaps are the run's
	// listings by scope.
	planned map[string]int
	snaps   map[string]*snapshot
}

// Store returns the store github destination d is written to. An error
// (the credential cannot be read, the destination is not sound) names what
// failed and never holds the credential.
func (s *Stores) Store(ctx context.Context, d config.Destination) (core.Store, error) {
	s.once.Do(func() { s.cl, s.err = s.o.client(ctx) })
	if s.err != nil {
		return nil, s.err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := Kind().Key(d)
	if st := s.stores[k]; st != nil {
		return st, nil
	}
	st, err := New(s.cl, DestinationConfig(d))
	if err != nil {
		return nil, err
	}
	sk := st.sc.key()
	if _, ok := s.snaps[sk]; !ok {
		s.snaps[sk] = newSnapshot(s.planned[sk])
	}
	st.snap = s.snaps[sk]
	s.stores[k] = st
	return st, nil
}

// client builds the client from the credential secret.
func (o *Opener) client(ctx context.Context) (*Client, error) {
	gc := o.Auth
	if gc == nil {
		return nil, errors.New("github: the config has no github block")
	}
	id := gc.SecretID()
	if o.Secrets == nil {
		return nil, fmt.Errorf("github credentials secret %s: no Secrets Manager client was given", id)
	}
	value, err := o.Secrets.ReadSecret(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("github credentials: %w", err)
	}
	if strings.TrimSpace(value) == "" {
		return nil, fmt.Errorf("github credentials secret %s has no string value", id)
	}
	secrets := []string{value, strings.TrimSpace(value)}
	cfg := o.Base
	if cfg.BaseURL == "" {
		cfg.BaseURL = gc.BaseURL
	}
	if gc.TokenSecret != "" {
		cfg.Token = Secret(strings.TrimSpace(value))
	} else {
		if !strings.Contains(value, "-----BEGIN") {
			return nil, fmt.Errorf("github credentials secret %s does not hold a PEM private key (the value is not shown)", id)
		}
		cfg.App = &App{ID: gc.AppID, InstallationID: gc.InstallationID, PrivateKey: Secret(value)}
	}
	c, err := NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("github credentials secret %s: %s", id, core.Redact(err.Error(), secrets...))
	}
	return c, nil
}
