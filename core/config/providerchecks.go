package config

import (
	"errors"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
)

// providerChecks checks targets as providers.Validate does, each
// provider's descriptor made once for the document rather than once per
// target (providers.All builds them afresh on every call).
type providerChecks map[core.Provider]core.Descriptor

func newProviderChecks() providerChecks {
	pc := providerChecks{}
	for _, d := range providers.All() {
		pc[d.Name] = d
	}
	return pc
}

// validate is providers.Validate(t): the same problems, joined alike.
func (pc providerChecks) validate(t core.Target) error {
	d, ok := pc[t.Provider]
	if !ok {
		return providers.Validate(t) // no such provider: its error as providers words it
	}
	return errors.Join(append([]error{nil, t.Validate()}, d.Validate(t)...)...)
}
