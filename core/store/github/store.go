package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v84/github"

	"github.com/regmint/regmint/core"
)

// Store keeps credentials in the GitHub Actions secrets of one repository,
// environment or organization. It is safe for concurrent use.
type Store struct {
	c   *Client
	sc  scope
	cfg Config
	// snap is the run's listing of the scope (snapshot.go); nil: none.
	snap *snapshot
}

var _ core.Store = (*Store)(nil)

// New returns a Store writing where cfg says, through c (one Client can
// serve many Stores). It checks cfg and makes no request.
func New(c *Client, cfg Config) (*Store, error) {
	if c == nil {
		return nil, errors.New("github store: no client")
	}
	sc, err := cfg.validate()
	if err != nil {
		return nil, fmt.Errorf("github store: %w", err)
	}
	cfg.SelectedRepositoryIDs = sc.selected
	return &Store{c: c, sc: sc, cfg: cfg}, nil
}

// Level returns where the store writes: repository, environment or
// organization.
func (s *Store) Level() Level { return s.sc.level }

// String names the store's scope, e.g. "github repository octo/app".
func (s *Store) String() string { return "github " + s.sc.String() }

// Names returns the secrets and the metadata variable ref is written to:
// Config.Names, with empty names derived from ref (see Prefix).
// Names.DockerConfig is empty unless Config.DockerConfig is set.
func (s *Store) Names(ref string) (Names, error) {
	return s.cfg.Names.derive(ref, s.cfg.DockerConfig)
}

// Get returns the metadata of what is stored under ref, read from its
// metadata variable, after checking that every secret it lists exists and
// was not changed after it (GitHub reports when each secret was last
// updated, never its value). The error wraps core.ErrNotFound when there
// is no metadata variable (then the scope is checked to exist, by reading
// its public key, so that a wrong repository name is an error and not
// "nothing stored yet"), when the variable is not regmint's, when a secret
// is missing or was changed by someone else, and when the store's names or
// visibility differ from what was written: in each case a new credential
// must be minted and written in full.
func (s *Store) Get(ctx context.Context, ref string) (core.Stored, error) {
	n, err := s.Names(ref)
	if err != nil {
		return core.Stored{}, err
	}
	v, listed, fromList := s.snap.first(ctx, s, n.Metadata)
	if v == nil {
		if v, err = s.readVariable(ctx, n.Metadata); err != nil {
			return core.Stored{}, err
		}
		// Read now, after the listing: its secrets' times may be older
		// than this variable, so they are read now too.
		listed = nil
	}
	if v == nil {
		if !fromList { // a listing proved the scope exists
			if _, _, err := s.c.publicKey(ctx, s.sc, false); err != nil {
				return core.Stored{}, err
			}
		}
		return core.Stored{}, fmt.Errorf("github variable %s in %s: %w", n.Metadata, s.sc, core.ErrNotFound)
	}
	m, err := decodeMeta(v.Value)
	if errors.Is(err, errNotRegmint) {
		return core.Stored{}, fmt.Errorf("github variable %s in %s: %w: %w", n.Metadata, s.sc, core.ErrNotFound, err)
	}
	if err != nil {
		return core.Stored{}, fmt.Errorf("github variable %s in %s: %w", n.Metadata, s.sc, err)
	}
	if err := s.checkWritten(ctx, n, m, v, listed); err != nil {
		return core.Stored{}, err
	}
	return m.stored()
}

// Put writes r under ref: each secret (sealed to the scope's public key),
// then the metadata variable, so that a failure part way leaves metadata
// describing the earlier credential and secrets newer than it, which Get
// reports as not found: the next run writes everything again. Put writes
// nothing if the metadata already describes r and Get's checks pass.
// Concurrent Puts of the same names through one Client take turns.
func (s *Store) Put(ctx context.Context, ref string, r core.Record) error {
	n, err := s.Names(ref)
	if err != nil {
		return err
	}
	if err := r.Credential.Check(); err != nil {
		return fmt.Errorf("github put %s: %w", ref, err)
	}
	values, err := secretValues(n, r.Credential)
	if err != nil {
		return fmt.Errorf("github put %s: %w", ref, err)
	}
	m := newMeta(r, n, s.sc)
	val, err := m.encode()
	if err != nil {
		return fmt.Errorf("github put %s: %w", ref, err)
	}
	unlock, err := s.c.locks.lock(ctx, s.sc.key()+"/"+strings.ToUpper(n.Metadata))
	if err != nil {
		return fmt.Errorf("github put %s: %w", ref, err)
	}
	defer unlock()

	cur, err := s.readVariable(ctx, n.Metadata)
	if err != nil {
		return err
	}
	if cur != nil {
		if old, derr := decodeMeta(cur.Value); derr == nil && old.same(m) {
			err := s.checkWritten(ctx, n, old, cur, nil)
			if err == nil {
				s.c.log.Debug("github secrets unchanged; nothing written", "scope", s.sc.String(), "variable", n.Metadata)
				return nil
			}
			if !errors.Is(err, core.ErrNotFound) {
				return err
			}
		}
	}
	if err := s.writeSecrets(ctx, values); err != nil {
		return err
	}
	if err := s.writeVariable(ctx, n.Metadata, val, cur != nil); err != nil {
		return err
	}
	s.c.log.Debug("github secrets written", "scope", s.sc.String(), "secrets", strings.Join(m.Secrets, ","), "variable", n.Metadata)
	return nil
}

// secretValue is one secret to write. value is secret.
type secretValue struct {
	name  string
	value []byte
}

// secretValues renders the values of n's secrets for c.
func secretValues(n Names, c core.Credential) ([]secretValue, error) {
	out := []secretValue{
		{n.Registry, []byte(c.Registry)},
		{n.Username, []byte(c.Username)},
		{n.Password, []byte(c.Password)},
	}
	if n.DockerConfig != "" {
		dc, err := core.DockerConfig(c)
		if err != nil {
			return nil, err
		}
		out = append(out, secretValue{n.DockerConfig, dc})
	}
	return out, nil
}

// checkWritten checks that the secrets m lists are what the store would
// write and are in place, not changed after the metadata variable v. A
// problem is an error wrapping core.ErrNotFound. listed, when not nil, is
// the run's listing of the scope's secrets; a secret it lacks is read.
func (s *Store) checkWritten(ctx context.Context, n Names, m meta, v *gh.ActionsVariable, listed map[string]*gh.Secret) error {
	if change := m.layoutChange(newMeta(core.Record{}, n, s.sc)); change != "" {
		return fmt.Errorf("github variable %s in %s: %w: the secrets %s", n.Metadata, s.sc, core.ErrNotFound, change)
	}
	var written time.Time
	if v.UpdatedAt != nil {
		written = v.UpdatedAt.Time
	}
	for _, name := range n.secrets() {
		what := "get secret " + name + " in " + s.sc.String()
		sec := listed[strings.ToUpper(name)]
		var err error
		if sec == nil {
			err = s.c.call(ctx, what, s.sc, func(ctx context.Context) (*gh.Response, error) {
				out, resp, err := s.sc.getSecret(ctx, s.c.gh, name)
				sec = out
				return resp, err
			})
		}
		switch {
		case isStatus(err, http.StatusNotFound):
			return fmt.Errorf("github secret %s in %s: %w: it is listed in variable %s but missing", name, s.sc, core.ErrNotFound, n.Metadata)
		case err != nil:
			return err
		case !written.IsZero() && sec.UpdatedAt.After(written):
			return fmt.Errorf("github secret %s in %s: %w: it was changed at %s, after regmint wrote it (variable %s: %s)",
				name, s.sc, core.ErrNotFound, sec.UpdatedAt.UTC().Format(time.RFC3339), n.Metadata, written.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

// readVariable reads an Actions variable; nil if it does not exist.
func (s *Store) readVariable(ctx context.Context, name string) (*gh.ActionsVariable, error) {
	var v *gh.ActionsVariable
	err := s.c.call(ctx, "get variable "+name+" in "+s.sc.String(), s.sc, func(ctx context.Context) (*gh.Response, error) {
		out, resp, err := s.sc.getVariable(ctx, s.c.gh, name)
		v = out
		return resp, err
	})
	if isStatus(err, http.StatusNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// writeSecrets seals and writes each value. If GitHub refuses a value
// sealed to a cached public key (422: the key was rotated), the key is read
// again and the value written once more.
func (s *Store) writeSecrets(ctx context.Context, values []secretValue) error {
	pk, fetched, err := s.c.publicKey(ctx, s.sc, false)
	if err != nil {
		return err
	}
	for _, v := range values {
		err := s.putSecret(ctx, pk, v)
		if isStatus(err, http.StatusUnprocessableEntity) && !fetched {
			s.c.log.Info("github refused a secret sealed to the cached public key; reading the key again", "scope", s.sc.String(), "secret", v.name, "key_id", pk.id)
			if pk, _, err = s.c.publicKey(ctx, s.sc, true); err != nil {
				return err
			}
			fetched = true
			err = s.putSecret(ctx, pk, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) putSecret(ctx context.Context, pk publicKey, v secretValue) error {
	enc, err := seal(pk, v.value)
	if err != nil {
		return fmt.Errorf("github put secret %s in %s: %w", v.name, s.sc, err)
	}
	return s.c.call(ctx, "put secret "+v.name+" in "+s.sc.String(), s.sc, func(ctx context.Context) (*gh.Response, error) {
		return s.sc.putSecret(ctx, s.c.gh, &gh.EncryptedSecret{Name: v.name, KeyID: pk.id, EncryptedValue: enc})
	})
}

// writeVariable updates (exists) or creates the metadata variable, and
// copes with another writer having created or deleted it meanwhile.
func (s *Store) writeVariable(ctx context.Context, name, value string, exists bool) error {
	update := func() error {
		return s.c.call(ctx, "update variable "+name+" in "+s.sc.String(), s.sc, func(ctx context.Context) (*gh.Response, error) {
			return s.sc.updateVariable(ctx, s.c.gh, s.sc.variable(name, value))
		})
	}
	if exists {
		if err := update(); !isStatus(err, http.StatusNotFound) {
			return err
		}
	}
	err := s.c.call(ctx, "create variable "+name+" in "+s.sc.String(), s.sc, func(ctx context.Context) (*gh.Response, error) {
		return s.sc.createVariable(ctx, s.c.gh, s.sc.variable(name, value))
	})
	if isStatus(err, http.StatusConflict) {
		return update()
	}
	return err
}

// WriteCost is the number of content-creating requests a Put of ref makes
// when it writes (each secret, then the metadata variable), what GitHub's
// secondary rate limits count; 1 for a ref that names nothing.
func (s *Store) WriteCost(ref string) int {
	n, err := s.Names(ref)
	if err != nil {
		return 1
	}
	return len(n.secrets()) + 1
}
