package config

import (
	"fmt"
	"strconv"
)

// Bounds of the store-limits values.
const (
	maxStorePerSecond = 100000
	maxStorePerHour   = 1000000
)

// StoreLimits are the client-side request rates the rotation keeps to for
// one store kind, so that a fleet-sized run stays inside the service's
// quotas rather than being throttled into failures. A zero field is no
// limit. A store kind declares its defaults (StoreKind.Limits, from the
// service's documented quotas); the config's store-limits overrides them
// field by field.
type StoreLimits struct {
	// Reads are single reads per second (Secrets Manager GetSecretValue
	// and DescribeSecret).
	Reads float64 `json:"reads,omitempty"`
	// BatchReads are batch read calls per second (BatchGetSecretValue).
	BatchReads float64 `json:"batch-reads,omitempty"`
	// Writes are writes per second (PutSecretValue, CreateSecret, a GitHub
	// secret's PUT).
	Writes float64 `json:"writes,omitempty"`
	// WritesPerHour caps the writes of any hour (GitHub's secondary limit
	// on content-creating requests). Writes a run cannot make within it
	// are deferred to the next run.
	WritesPerHour float64 `json:"writes-per-hour,omitempty"`
}

// LimitsOf returns the limits the rotation keeps to for store kind name:
// after Parse, the kind's defaults with the config's store-limits over
// them, field by field.
func (c *Config) LimitsOf(name string) StoreLimits { return c.StoreLimits[name] }

// resolveStoreLimits fills StoreLimits with every kind's effective limits.
func (c *Config) resolveStoreLimits() {
	out := map[string]StoreLimits{}
	for _, k := range c.kinds {
		l := k.Limits
		if o, ok := c.StoreLimits[k.Name]; ok {
			for _, f := range []struct{ dst, src *float64 }{
				{&l.Reads, &o.Reads}, {&l.BatchReads, &o.BatchReads}, {&l.Writes, &o.Writes}, {&l.WritesPerHour, &o.WritesPerHour},
			} {
				if *f.src != 0 {
					*f.dst = *f.src
				}
			}
		}
		if l != (StoreLimits{}) {
			out[k.Name] = l
		}
	}
	c.StoreLimits = out
}

// validateStoreLimits checks store-limits: known kinds, values in range.
func (c *Config) validateStoreLimits(errs *errorList) {
	for _, name := range sortedKeysOf(c.StoreLimits) {
		field := "store-limits." + name
		if _, ok := c.kind(name); !ok {
			errs.add(top, field, fmt.Sprintf("%q is not a store kind", name), c.kindNames())
			continue
		}
		l := c.StoreLimits[name]
		for _, v := range []struct {
			key   string
			value float64
			max   float64
			unit  string
		}{
			{"reads", l.Reads, maxStorePerSecond, "per second"},
			{"batch-reads", l.BatchReads, maxStorePerSecond, "per second"},
			{"writes", l.Writes, maxStorePerSecond, "per second"},
			{"writes-per-hour", l.WritesPerHour, maxStorePerHour, "per hour"},
		} {
			if v.value < 0 || v.value > v.max {
				errs.add(top, field+"."+v.key, fmt.Sprintf("%g is out of range", v.value),
					"requests "+v.unit+", at most "+strconv.FormatFloat(v.max, 'f', -1, 64)+" (0 or left out: the store's default)")
			}
		}
	}
}
