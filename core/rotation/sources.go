package rotation

import (
	"context"
	"fmt"
	"sync"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
)

// SecretReader reads the string value of a secret by id: where cloud
// credential sources and the GitHub credential are kept (Secrets Manager in
// the rotation function; secretsmanager.Reader adapts its client). Errors
// never hold the value.
type SecretReader interface {
	// ReadSecret returns the secret's string value, or an error naming
	// the secret and why it could not be read.
	ReadSecret(ctx context.Context, id string) (string, error)
}

// sourceCache reads each credential secret once per run, however many
// targets share it.
type sourceCache struct {
	api SecretReader
	mu  sync.Mutex
	m   map[string]*sourceEntry
}

type sourceEntry struct {
	once sync.Once
	auth core.Auth
	err  error
}

func newSourceCache(api SecretReader) *sourceCache {
	return &sourceCache{api: api, m: map[string]*sourceEntry{}}
}

// auth returns the cloud auth of src. The environment resolves to the empty
// core.Auth (core.AuthEnv: the issuer reads the vendor's variables), the
// credential chain to core.AuthChain.
func (c *sourceCache) auth(ctx context.Context, src config.Source) (core.Auth, error) {
	if src.Chain {
		return core.Auth{Chain: true}, nil
	}
	if src.Secret == "" {
		return core.Auth{}, nil
	}
	c.mu.Lock()
	e, ok := c.m[src.Secret]
	if !ok {
		e = &sourceEntry{}
		c.m[src.Secret] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.auth, e.err = c.read(ctx, src.Secret) })
	return e.auth, e.err
}

func (c *sourceCache) read(ctx context.Context, id string) (core.Auth, error) {
	if c.api == nil {
		return core.Auth{}, fmt.Errorf("credentials secret %s: no Secrets Manager client was given (WithSecrets)", id)
	}
	value, err := c.api.ReadSecret(ctx, id)
	if err != nil {
		return core.Auth{}, err
	}
	keys, err := config.ParseSourceKeys(value)
	if err != nil {
		return core.Auth{}, fmt.Errorf("credentials secret %s %w", id, err)
	}
	return keys.Auth(), nil
}
