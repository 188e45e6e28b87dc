package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
)

// Limits on config values.
const (
	maxConcurrency = 256
	maxTimeout     = 15 * time.Minute // the Lambda maximum
	maxRateLimit   = 10000
)

// Names, secret ids, refs, prefixes and namespaces are matched by hand
// (names.go).

const (
	acceptedName       = "letters, digits and . _ / - (at most 128), starting with a letter or digit"
	acceptedSecretID   = "a Secrets Manager secret name or ARN (letters, digits and /_+=.@-)"
	acceptedCredential = "exactly one of {secret: <Secrets Manager secret id>}, {source: <credential-sources name>}, {env: true}, {chain: true}"
)

// validate checks the whole document (after the schema check) and returns
// every problem.
func (c *Config) validate() errorList {
	var errs errorList
	if c.NamePrefix != nil && !validPrefix(*c.NamePrefix) {
		errs.add(top, "name-prefix", fmt.Sprintf("%q is not a valid secret name prefix", *c.NamePrefix), "letters, digits and /_+=.@- (at most 256), e.g. regmint/")
	}
	if _, ok := c.kind(c.DefaultStore); c.DefaultStore != "" && !ok {
		errs.add(top, "default-store", fmt.Sprintf("%q is not a store kind", c.DefaultStore), c.kindNames())
	}
	if c.Concurrency < 0 || c.Concurrency > maxConcurrency {
		errs.add(top, "concurrency", fmt.Sprintf("%d is out of range", c.Concurrency), "1 to "+strconv.Itoa(maxConcurrency))
	}
	if time.Duration(c.Timeout) > maxTimeout {
		errs.add(top, "timeout", c.Timeout.String()+" is too long", "at most 15m")
	}
	if time.Duration(c.DeadlineMargin) > time.Minute {
		errs.add(top, "deadline-margin", c.DeadlineMargin.String()+" is too long", "at most 1m")
	}
	if c.MetricsNamespace != "" && (!validNamespace(c.MetricsNamespace) || strings.HasPrefix(c.MetricsNamespace, "AWS/")) {
		errs.add(top, "metrics-namespace", fmt.Sprintf("%q is not a CloudWatch namespace", c.MetricsNamespace), "letters, digits and . - _ / # : (at most 255), not starting with AWS/")
	}
	for _, p := range sortedKeysOf(c.RateLimits) {
		field := "rate-limits." + p
		if _, err := providers.Lookup(core.Provider(p)); err != nil {
			errs.add(top, field, fmt.Sprintf("%q is not a provider", p), providers.Accepted())
		}
		if v := c.RateLimits[p]; v <= 0 || v > maxRateLimit {
			errs.add(top, field, fmt.Sprintf("%g is out of range", v), "requests per second, more than 0 and at most "+strconv.Itoa(maxRateLimit))
		}
	}
	c.validateStoreLimits(&errs)
	for _, name := range sortedKeysOf(c.CredentialSources) {
		field := "credential-sources." + name
		if !validSourceName(name) {
			errs.add(top, field, fmt.Sprintf("%q is not a valid source name", name), "letters, digits and . _ - (at most 64)")
		}
		src := c.CredentialSources[name]
		switch {
		case src.Secret != "" && src.Env:
			errs.add(top, field, "sets both secret and env", "exactly one of {secret: <Secrets Manager secret id>}, {env: true}")
		case src.Secret == "" && !src.Env:
			errs.add(top, field, "sets neither secret nor env", "exactly one of {secret: <Secrets Manager secret id>}, {env: true}")
		case src.Secret != "" && !ValidSecretID(src.Secret):
			errs.add(top, field+".secret", fmt.Sprintf("%q is not a secret id", src.Secret), acceptedSecretID)
		}
	}
	if len(c.Targets) == 0 {
		errs.add(top, "targets", "is empty", "a list of at least one target")
	}
	c.validateGitHub(&errs)
	c.validateSecurity(&errs)
	for i := range c.Targets {
		c.Targets[i].insecureEndpoints = c.InsecureEndpoints
	}
	names := make(map[string]int, len(c.Targets))
	dests := make(map[string]string, len(c.Targets))
	checks := newProviderChecks()
	for i := range c.Targets {
		c.validateTarget(&errs, i, names, dests, checks)
	}
	c.validateLabels(&errs)
	return errs
}

// validateLabels refuses two long-term targets of one instance with the
// same description: the description labels a target's tokens at the
// vendor, and the engine revokes the tokens with its target's label that
// no destination refers to, so a shared label would revoke the other
// target's tokens.
func (c *Config) validateLabels(errs *errorList) {
	seen := map[string]int{}
	for i := range c.Targets {
		t := &c.Targets[i]
		if core.TokenType(t.TokenType) != core.TokenLongTerm || t.InstanceID == "" {
			continue
		}
		key := t.Provider + "\x00" + t.InstanceID + "\x00" + t.Target().Description
		j, dup := seen[key]
		if !dup {
			seen[key] = i
			continue
		}
		errs.add(loc{target: t.Name, index: i}, "description",
			fmt.Sprintf("labels the long-term tokens of instance %s as targets[%d] (%s) does", t.InstanceID, j, c.Targets[j].Name),
			"a description of its own (by default each target gets \"regmint rotation <name>\"): the engine revokes the tokens with its target's label that no destination refers to")
	}
}

// validateTarget checks targets[i]; names and dests collect what earlier
// targets used, to find duplicates; checks check it as its provider does.
func (c *Config) validateTarget(errs *errorList, i int, names map[string]int, dests map[string]string, checks providerChecks) {
	t := &c.Targets[i]
	at := loc{target: t.Name, index: i}
	nameOK := false
	switch j, dup := names[t.Name]; {
	case t.Name == "":
		errs.add(at, "name", "is required", acceptedName)
	case !validName(t.Name):
		errs.add(at, "name", fmt.Sprintf("%q is not a valid target name", t.Name), acceptedName)
	case dup:
		errs.add(at, "name", fmt.Sprintf("%q is already the name of targets[%d]", t.Name, j), "a name unique among targets")
	default:
		names[t.Name], nameOK = i, true
	}
	// Provider, region, token type and site are accepted in any case and
	// with surrounding spaces, as the Action does (core.Target.Normalize).
	t.normalize()
	errs.wrap(at, "", checks.validate(t.Target()))

	longTerm := core.TokenType(t.TokenType) == core.TokenLongTerm
	if t.RotateEvery != 0 && !longTerm {
		errs.add(at, "rotate-every", "is only used with token-type longterm", "refresh-margin for temporary tokens")
	}
	if time.Duration(t.Timeout) > maxTimeout {
		errs.add(at, "timeout", t.Timeout.String()+" is too long", "at most 15m")
	}
	if t.RequireVerified && !t.Verifies() {
		errs.add(at, "require-verified", "is set while verify is false", "verify: true (the default) with require-verified, or neither")
	}

	switch cr := t.Credentials; {
	case cr == nil:
		errs.add(at, "credentials", "is required", acceptedCredential)
	case btoi(cr.Secret != "")+btoi(cr.Source != "")+btoi(cr.Env)+btoi(cr.Chain)+btoi(cr.ServiceAccount != nil) != 1:
		errs.add(at, "credentials", "must set exactly one way", acceptedCredential)
	case cr.Chain && !chainSupported(t.Provider):
		errs.add(at, "credentials.chain", "provider "+t.Provider+" has no credential chain", chainProviders())
	case cr.Secret != "" && !ValidSecretID(cr.Secret):
		errs.add(at, "credentials.secret", fmt.Sprintf("%q is not a secret id", cr.Secret), acceptedSecretID)
	case cr.Source != "":
		if _, ok := c.CredentialSources[cr.Source]; !ok {
			accepted := "a name listed under credential-sources"
			if names := sortedKeysOf(c.CredentialSources); len(names) > 0 {
				accepted = "one of " + strings.Join(names, ", ")
			}
			errs.add(at, "credentials.source", fmt.Sprintf("%q is not defined in credential-sources", cr.Source), accepted)
		}
	}

	if t.Destination != nil && len(t.Destinations) > 0 {
		errs.add(at, "destination", "is set together with destinations", "either destination (one) or destinations (a list)")
	}
	list := t.Destinations
	if t.Destination != nil {
		list = append([]Destination{*t.Destination}, list...)
	}
	implicit := len(list) == 0
	if implicit {
		list = []Destination{{}} // the default destination
	}
	seen := map[string]bool{}
	for j, d := range list {
		field := "destinations[" + strconv.Itoa(j) + "]"
		switch {
		case implicit:
			field = "destination (default)"
		case t.Destination != nil && len(t.Destinations) == 0:
			field = "destination"
		}
		defaultRef := d.Ref == ""
		d = c.resolveDestination(t.Name, d)
		kind, ok := c.kind(d.Store)
		if !ok {
			errs.add(at, field+".store", fmt.Sprintf("%q is not a store kind", d.Store), c.kindNames())
			continue
		}
		if f, owners := c.foreignKey(kind, d); f != "" {
			only := "is not used with store " + d.Store
			if len(owners) > 0 {
				only = "is only used with store " + strings.Join(owners, ", ")
			}
			errs.add(at, field+"."+f, only, "store: "+strings.Join(owners, ", ")+", or no "+f)
			continue
		}
		if defaultRef && !nameOK {
			continue // the name the ref is made of is reported already
		}
		if kind.Check != nil {
			if problems := kind.Check(c, d); len(problems) > 0 {
				for _, p := range problems {
					f := field
					if p.Field != "" {
						f += "." + p.Field
					}
					errs.add(at, f, p.Problem, p.Accepted)
				}
				continue
			}
		}
		key := c.key(kind, d)
		if seen[key] {
			errs.add(at, field, "names "+d.String()+" twice", "each destination once")
			continue
		}
		seen[key] = true
		if other, dup := dests[key]; dup {
			errs.add(at, field, d.String()+" is also written by target "+strconv.Quote(other), "a destination of its own for each target")
		} else {
			dests[key] = t.Name
		}
	}
}

// resolveDestination fills in a destination's defaults.
func (c *Config) resolveDestination(name string, d Destination) Destination {
	if d.Store == "" {
		d.Store = c.DefaultStore
		if d.Store == "" {
			d.Store = DefaultStore
		}
	}
	if d.Ref == "" {
		d.Ref = name
	}
	if k, ok := c.kind(d.Store); ok && k.Scope != nil {
		d.scope = k.Scope(d)
	}
	return d
}

// key identifies what d writes, to find two destinations that write the
// same thing.
func (c *Config) key(k StoreKind, d Destination) string {
	ref := d.Ref
	if k.Key != nil {
		ref = k.Key(d)
	}
	return d.Store + "\x00" + ref
}

// applyDefaults fills every unset value, so that each target carries its
// effective settings. It runs after validate.
func (c *Config) applyDefaults() {
	if c.NamePrefix == nil {
		p := DefaultNamePrefix
		c.NamePrefix = &p
	}
	if c.DefaultStore == "" {
		c.DefaultStore = DefaultStore
	}
	if c.RefreshMargin == 0 {
		c.RefreshMargin = Duration(DefaultRefreshMargin)
	}
	if c.RotateEvery == 0 {
		c.RotateEvery = Duration(DefaultRotateEvery)
	}
	if c.Timeout == 0 {
		c.Timeout = Duration(DefaultTimeout)
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.DeadlineMargin == 0 {
		c.DeadlineMargin = Duration(DefaultDeadlineMargin)
	}
	if c.MetricsNamespace == "" {
		c.MetricsNamespace = DefaultMetricsNamespace
	}
	limits := map[string]float64{}
	for p, v := range DefaultRateLimits() {
		limits[string(p)] = v
	}
	for p, v := range c.RateLimits {
		limits[p] = v
	}
	c.RateLimits = limits
	c.resolveStoreLimits()
	for i := range c.Targets {
		t := &c.Targets[i]
		if t.TokenType == "" {
			t.TokenType = string(core.TokenTemp)
		}
		if t.RefreshMargin == 0 {
			t.RefreshMargin = c.RefreshMargin
		}
		if t.RotateEvery == 0 && core.TokenType(t.TokenType) == core.TokenLongTerm {
			t.RotateEvery = c.RotateEvery
		}
		if t.Timeout == 0 {
			t.Timeout = c.Timeout
		}
		if t.Verify == nil {
			v := true
			t.Verify = &v
		}
		list := t.Destinations
		if t.Destination != nil {
			list = []Destination{*t.Destination}
		}
		if len(list) == 0 {
			list = []Destination{{}}
		}
		t.Destination = nil
		t.Destinations = make([]Destination, len(list))
		for j, d := range list {
			t.Destinations[j] = c.resolveDestination(t.Name, d)
		}
	}
}

// ValidSecretID reports whether s is a Secrets Manager secret name or ARN.
func ValidSecretID(s string) bool { return len(s) <= 2048 && secretIDChars(s) }

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sortedKeysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
