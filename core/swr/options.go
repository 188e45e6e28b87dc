package swr

import (
	"github.com/regmint/regmint/core"
)

// config is what an issuer runs with: the process environment every
// provider takes, and the factories of the SDK clients (tests replace
// them).
type config struct {
	core.Env
	clients clientFactory
}

func newConfig(env core.Env, clients clientFactory) *config {
	if clients == nil {
		clients = sdkClients{}
	}
	return &config{Env: env.WithDefaults(), clients: clients}
}
