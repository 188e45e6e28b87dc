// Package storemeta is the one codec of what every store keeps beside a
// credential: the metadata the refresh decision reads back (core.Stored),
// under the same JSON keys in every store, with one time encoding. A store
// embeds Meta in its own document (a Secrets Manager value, a GitHub
// variable, the docker config's sidecar, a Kubernetes annotation) and adds
// what is its own.
package storemeta

import (
	"errors"

	"github.com/regmint/regmint/core"
)

// Meta is core.Stored as the stores write it. It holds no secret. Field
// order is fixed, so a record always encodes to the same bytes.
type Meta struct {
	Registry        string `json:"registry"`
	Username        string `json:"username"`
	ExpiresAt       string `json:"expires_at,omitempty"`
	TokenID         string `json:"token_id,omitempty"`
	IssuedAt        string `json:"issued_at,omitempty"`
	Fingerprint     string `json:"fingerprint,omitempty"`
	PreviousTokenID string `json:"previous_token_id,omitempty"`
}

// Of returns the metadata of what a store holds.
func Of(s core.Stored) Meta {
	return Meta{
		Registry:        s.Registry,
		Username:        s.Username,
		ExpiresAt:       FormatTime(s.ExpiresAt),
		TokenID:         s.TokenID,
		IssuedAt:        FormatTime(s.IssuedAt),
		Fingerprint:     s.Fingerprint,
		PreviousTokenID: s.PreviousTokenID,
	}
}

// OfRecord returns the metadata of a record about to be written.
func OfRecord(r core.Record) Meta { return Of(r.Stored()) }

// ErrNoRegistry marks metadata without a registry: not written by regmint.
var ErrNoRegistry = errors.New(`no "registry"`)

// Stored reads the metadata back. where names the document in errors
// ("value", "metadata variable"); no error holds a value.
func (m Meta) Stored(where string) (core.Stored, error) {
	if m.Registry == "" {
		return core.Stored{}, ErrNoRegistry
	}
	if m.Username == "" {
		return core.Stored{}, errors.New(where + ` has a "registry" but no "username"`)
	}
	st := core.Stored{
		Registry:        m.Registry,
		Username:        m.Username,
		Fingerprint:     m.Fingerprint,
		TokenID:         m.TokenID,
		PreviousTokenID: m.PreviousTokenID,
	}
	var err error
	if st.ExpiresAt, err = ParseTime(where+` field "expires_at"`, m.ExpiresAt); err != nil {
		return core.Stored{}, err
	}
	if st.IssuedAt, err = ParseTime(where+` field "issued_at"`, m.IssuedAt); err != nil {
		return core.Stored{}, err
	}
	return st, nil
}
