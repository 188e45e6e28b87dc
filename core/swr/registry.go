package swr

import (
	"context"
	"strings"

	"github.com/regmint/regmint/core"
)

// reSharedRegion is the region label of a shared-edition registry host.
var reSharedRegion = core.NewLazyRegexp(`^[a-z]{2,}(-[a-z0-9]+){1,4}$`)

// RegionOfSharedRegistry returns the region of a shared-edition registry
// host, swr.<region>.myhuaweicloud.com (or .eu), as SharedRegistry makes
// it; false for any other host. It only parses the name.
func RegionOfSharedRegistry(host string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.ToLower(host), "swr.")
	if !ok {
		return "", false
	}
	region, domain, ok := strings.Cut(rest, ".")
	if !ok || !reSharedRegion.MatchString(region) || domain != cloudDomain(region) {
		return "", false
	}
	return region, true
}

// Registry returns the registry host of the shared-edition target: its
// Registry, else the region's shared registry. It makes no call.
func (sh *Shared) Registry(context.Context) (string, error) {
	if sh.t.Registry != "" {
		return sh.t.Registry, nil
	}
	return SharedRegistry(sh.t.Region), nil
}

// Registry returns the registry host of the Enterprise instance: the
// target's Registry, else the instance's access address (ShowInstance),
// asked once and then remembered.
func (e *Enterprise) Registry(ctx context.Context) (string, error) {
	return e.registryHost(ctx)
}
