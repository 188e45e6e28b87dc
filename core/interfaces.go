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

// IssuedToken describes a long-term token an issuer made, without its
// secret.
type IssuedToken struct {
	// ID is the vendor's token id, as Credential.TokenID holds it.
	ID string
	// CreatedAt is when the vendor made it; zero if unknown.
	CreatedAt time.Time
}

// TokenLister is implemented by issuers of long-term tokens that can list
// the tokens they made for their target, told apart from others by the
// label they give them (derived from the target's description). The
// rotation engine revokes those no destination refers to: tokens left
// behind by failures (an answer lost after the token was made, a
// revocation that failed, a run cut short between minting and storing).
type TokenLister interface {
	// IssuedTokens lists the live long-term tokens made for the target.
	// With no description to tell them apart, it lists none.
	IssuedTokens(ctx context.Context) ([]IssuedToken, error)
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

// RecordReader is implemented by stores that can read back the credential
// they hold, password included (Secrets Manager, a docker config.json; not
// GitHub Actions secrets, which cannot be read). The rotation engine reads
// through it, instead of Get, to check a stored credential against its
// registry.
type RecordReader interface {
	// ReadRecord returns what is stored under ref, with the same
	// metadata Get returns, or an error wrapping ErrNotFound. Its errors
	// never hold the secret.
	ReadRecord(ctx context.Context, ref string) (Record, error)
}
