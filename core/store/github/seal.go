package github

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	gh "github.com/google/go-github/v84/github"
	"golang.org/x/crypto/nacl/box"
)

// publicKey is a scope's libsodium (curve25519) public key and its id.
type publicKey struct {
	id  string
	key [32]byte
}

// publicKey returns sc's public key: the cached one, or (if there is none,
// or refresh is set) one read from GitHub. fetched reports a read.
func (c *Client) publicKey(ctx context.Context, sc scope, refresh bool) (pk publicKey, fetched bool, err error) {
	if !refresh {
		c.mu.Lock()
		pk, ok := c.keys[sc.key()]
		c.mu.Unlock()
		if ok {
			return pk, false, nil
		}
	}
	what := "get public key of " + sc.String()
	var out *gh.PublicKey
	err = c.call(ctx, what, sc, func(ctx context.Context) (*gh.Response, error) {
		k, resp, err := sc.publicKey(ctx, c.gh)
		out = k
		return resp, err
	})
	if err != nil {
		return pk, false, err
	}
	raw, err := base64.StdEncoding.DecodeString(out.GetKey())
	if err != nil || len(raw) != len(pk.key) || out.GetKeyID() == "" {
		return pk, false, fmt.Errorf("github %s: the answer is not a key id and a base64 32-byte curve25519 key", what)
	}
	pk.id = out.GetKeyID()
	copy(pk.key[:], raw)
	c.mu.Lock()
	c.keys[sc.key()] = pk
	c.mu.Unlock()
	c.log.Debug("github public key read", "scope", sc.String(), "key_id", pk.id)
	return pk, true, nil
}

// seal encrypts a secret value for GitHub: a libsodium sealed box
// (crypto_box_seal) to the public key, in base64.
func seal(pk publicKey, value []byte) (string, error) {
	out, err := box.SealAnonymous(nil, value, &pk.key, rand.Reader)
	if err != nil {
		return "", fmt.Errorf("seal secret value: %w", err)
	}
	return base64.StdEncoding.EncodeToString(out), nil
}
