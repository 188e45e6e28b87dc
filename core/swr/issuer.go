package swr

import (
	"fmt"

	"github.com/regmint/regmint/core"
)

// New returns the issuer for t: an *Enterprise for provider
// "swr-enterprise" (which is also a core.Revoker), a *Shared for provider
// "swr". It checks every input and the environment it reads, and makes no
// network call.
func New(t core.Target, opts ...Option) (core.Issuer, error) {
	switch t.Provider {
	case core.ProviderSWREnterprise:
		return NewEnterprise(t, opts...)
	case core.ProviderSWR:
		return NewShared(t, opts...)
	}
	return nil, &core.FieldError{Field: core.FieldProvider, Problem: fmt.Sprintf("%q is not a Huawei Cloud SWR provider", string(t.Provider)),
		Accepted: string(core.ProviderSWR) + ", " + string(core.ProviderSWREnterprise)}
}

// checkTarget validates t for provider p.
func checkTarget(t core.Target, p core.Provider) error {
	if t.Provider != p {
		return &core.FieldError{Field: core.FieldProvider, Problem: fmt.Sprintf("is %q, want %q", string(t.Provider), string(p)),
			Accepted: string(p)}
	}
	if err := t.Validate(); err != nil {
		return fmt.Errorf("swr target: %w", err)
	}
	return nil
}

// describe renders an issuer for people, without secrets.
func describe(kind string, t core.Target) string {
	return "swr." + kind + "{" + t.String() + "}"
}
