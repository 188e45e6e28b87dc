package core

import (
	"context"
	"errors"
	"time"
)

// Issuer mints a registry credential. Each call makes a new one.
type Issuer interface {
	// Issue asks the cloud for a new credential. Errors name the vendor
	// operation and carry the vendor's code, message and request id, never a
	// secret.
	Issue(ctx context.Context) (Credential, error)
}

// Revoker deletes a long-term credential by its vendor token id.
type Revoker interface {
	// Revoke deletes the token; revoking a token that no longer exists is
	// not an error.
	Revoke(ctx context.Context, tokenID string) error
}

// ErrNotFound is returned by Store.Get when nothing is stored under a ref.
var ErrNotFound = errors.New("not found")

// Stored is what a store holds about a credential, without the secret: what
// the refresh decision needs.
type Stored struct {
	Registry  string
	Username  string
	ExpiresAt time.Time // zero: does not expire
	IssuedAt  time.Time
	// Fingerprint identifies the target configuration the credential was
	// minted for; a change means the credential must be minted again.
	Fingerprint string
	// TokenID is the vendor id of the stored long-term token, if any.
	TokenID string
	// PreviousTokenID is the long-term token this one replaced; it stays
	// valid until the next rotation, for consumers that cached it.
	PreviousTokenID string
}

// Record is what a store writes: the credential and its metadata.
type Record struct {
	Credential      Credential
	IssuedAt        time.Time
	Fingerprint     string
	PreviousTokenID string
}

// Stored returns the record's metadata, as Store.Get would return it.
func (r Record) Stored() Stored {
	return Stored{
		Registry:        r.Credential.Registry,
		Username:        r.Credential.Username,
		ExpiresAt:       r.Credential.ExpiresAt,
		IssuedAt:        r.IssuedAt,
		Fingerprint:     r.Fingerprint,
		TokenID:         r.Credential.TokenID,
		PreviousTokenID: r.PreviousTokenID,
	}
}

// Store keeps credentials where consumers read them.
type Store interface {
	// Get returns the metadata of what is stored under ref, or an error
	// wrapping ErrNotFound.
	Get(ctx context.Context, ref string) (Stored, error)
	// Put replaces what is stored under ref.
	Put(ctx context.Context, ref string, r Record) error
}
