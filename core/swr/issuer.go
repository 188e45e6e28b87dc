package swr

import (
	"errors"
	"fmt"

	"github.com/regmint/regmint/core"
)

// New returns the issuer for t: an *Enterprise for provider
// "swr-enterprise" (which is also a core.Revoker), a *Shared for provider
// "swr". It checks every input and the environment it reads, and makes no
// network call.
func New(t core.Target, env core.Env) (core.Issuer, error) {
	switch t.Provider {
	case EnterpriseName:
		return NewEnterprise(t, env)
	case SharedName:
		return NewShared(t, env)
	}
	return nil, &core.FieldError{Field: core.FieldProvider, Problem: fmt.Sprintf("%q is not a Huawei Cloud SWR provider", string(t.Provider)),
		Accepted: string(SharedName) + ", " + string(EnterpriseName)}
}

// checkTarget validates t for provider p.
func checkTarget(t core.Target, p core.Provider) error {
	if t.Provider != p {
		return &core.FieldError{Field: core.FieldProvider, Problem: fmt.Sprintf("is %q, want %q", string(t.Provider), string(p)),
			Accepted: string(p)}
	}
	if err := errors.Join(t.Validate(), errors.Join(validate(t)...)); err != nil {
		return fmt.Errorf("swr target: %w", err)
	}
	return nil
}

// describe renders an issuer for people, without secrets.
func describe(kind string, t core.Target) string {
	return "swr." + kind + "{" + t.String() + "}"
}
