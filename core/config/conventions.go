package config

import (
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
)

// normalize normalises a target's fields as the Action normalises its
// inputs (core.Target.Normalize): the provider, region, token type and site
// in any case and with surrounding spaces, the other values with
// surrounding spaces dropped.
func (t *TargetConfig) normalize() {
	t.Provider = core.NormalizeName(t.Provider)
	t.Region = core.NormalizeName(t.Region)
	t.TokenType = core.NormalizeName(t.TokenType)
	t.Site = core.NormalizeName(t.Site)
	for _, p := range []*string{&t.InstanceID, &t.Registry, &t.APIEndpoint, &t.IAMEndpoint, &t.STSEndpoint} {
		*p = strings.TrimSpace(*p)
	}
}

// regionsFromEnv gives each target without a region the one the vendor's
// environment variables name (the descriptor's RegionEnv:
// TENCENTCLOUD_REGION for tcr; HUAWEICLOUD_SDK_REGION or CLOUD_SDK_REGION
// for the Huawei providers), as the Action does for an empty region input. getenv nil
// reads nothing.
// A variable whose value is not a region id is reported, naming it.
func (c *Config) regionsFromEnv(getenv func(string) string) errorList {
	var errs errorList
	if getenv == nil {
		return nil
	}
	for i := range c.Targets {
		t := &c.Targets[i]
		if strings.TrimSpace(t.Region) != "" {
			continue
		}
		d, err := providers.Lookup(core.Provider(core.NormalizeName(t.Provider)))
		if err != nil {
			continue // reported by validate
		}
		r, fe := core.CheckRegionFromEnv(d, getenv, "region")
		if fe != nil {
			errs.add(loc{target: t.Name, index: i}, "region", fe.Problem, fe.Accepted)
			continue
		}
		t.Region = r
	}
	return errs
}
