// Package providers is the one list of the providers regmint mints
// credentials for, and the functions every delivery form uses to go from a
// provider name to its descriptor, its checks and its issuer. A new
// provider is its package, its emulator and one line in All.
package providers

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/tcr"
)

// All returns every provider's descriptor, in documentation order.
func All() []core.Descriptor {
	return []core.Descriptor{
		tcr.Provider(),
		swr.SharedProvider(),
		swr.EnterpriseProvider(),
	}
}

// Names returns every provider name, in documentation order.
func Names() []string {
	all := All()
	names := make([]string, len(all))
	for i, d := range all {
		names[i] = string(d.Name)
	}
	return names
}

// Accepted lists the provider names for an error's "accepted" part.
func Accepted() string { return strings.Join(Names(), ", ") }

// Lookup returns the descriptor of the provider named name, or a
// *core.FieldError for field provider.
func Lookup(name core.Provider) (core.Descriptor, error) {
	if name == "" {
		return core.Descriptor{}, &core.FieldError{Field: core.FieldProvider, Problem: "is required", Accepted: Accepted()}
	}
	for _, d := range All() {
		if d.Name == name {
			return d, nil
		}
	}
	return core.Descriptor{}, &core.FieldError{Field: core.FieldProvider, Problem: fmt.Sprintf("%q is not a provider", string(name)), Accepted: Accepted()}
}

// Validate checks t whole: its provider, the checks every provider shares
// (core.Target.Validate) and its provider's own. It returns every problem
// joined, each a *core.FieldError, and makes no network call.
func Validate(t core.Target) error {
	d, err := Lookup(t.Provider)
	errs := []error{err, t.Validate()}
	if err == nil {
		errs = append(errs, d.Validate(t)...)
	}
	return errors.Join(errs...)
}

// New validates t and returns its provider's issuer, running with env. The
// issuer of a provider that has long-term tokens to revoke also implements
// core.Revoker. New makes no network call.
func New(t core.Target, env core.Env) (core.Issuer, error) {
	if err := Validate(t); err != nil {
		return nil, err
	}
	d, _ := Lookup(t.Provider)
	return d.New(t, env)
}

// Hint returns advice for a provider error a user can act on (wrong key,
// no permission on the instance, unknown instance, throttled), or "".
func Hint(err error) string {
	for _, d := range All() {
		if h := d.Hint(err); h != "" {
			return h
		}
	}
	return ""
}

// SecretEnv returns every provider's secret environment variables, each
// once: what the Action masks before anything runs.
func SecretEnv() []string {
	var out []string
	for _, d := range All() {
		for _, v := range d.SecretEnv {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}
