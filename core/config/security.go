package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/regmint/regmint/core"
)

// readSecret is a Secrets Manager secret the config reads: cloud keys or
// the GitHub credential.
type readSecret struct {
	id    string
	field string // where the config names it
}

// readSecrets lists every secret the config reads.
func (c *Config) readSecrets() []readSecret {
	var out []readSecret
	for _, name := range sortedKeysOf(c.CredentialSources) {
		if s := c.CredentialSources[name].Secret; s != "" {
			out = append(out, readSecret{s, "credential-sources." + name + ".secret"})
		}
	}
	for i, t := range c.Targets {
		if t.Credentials != nil && t.Credentials.Secret != "" {
			out = append(out, readSecret{t.Credentials.Secret, fmt.Sprintf("targets[%d] (%s) credentials.secret", i, t.Name)})
		}
	}
	if g := c.GitHub; g != nil {
		if g.PrivateKeySecret != "" {
			out = append(out, readSecret{g.PrivateKeySecret, "github.private-key-secret"})
		}
		if g.TokenSecret != "" {
			out = append(out, readSecret{g.TokenSecret, "github.token-secret"})
		}
	}
	return out
}

// secretNames returns the names a secret id may stand for: the id, and
// for an ARN the name in it, with and without the 6-character suffix
// Secrets Manager appends.
func secretNames(id string) []string {
	names := []string{id}
	if _, name, ok := strings.Cut(id, ":secret:"); ok && strings.HasPrefix(id, "arn:") {
		names = append(names, name)
		if i := strings.LastIndexByte(name, '-'); i > 0 && len(name)-i == 7 {
			names = append(names, name[:i])
		}
	}
	return names
}

// validateSecurity refuses what would let a run destroy or leak what it
// reads: a name-prefix that is not a path of its own (with "regmint" the
// role may write "regmint-keys" too), a secretsmanager destination that
// names a secret the config reads (the next run would have no keys), and
// plain http to a public GitHub base-url.
func (c *Config) validateSecurity(errs *errorList) {
	if c.NamePrefix != nil {
		if prefix := *c.NamePrefix; prefix != "" && !strings.HasSuffix(prefix, "/") {
			errs.add(top, "name-prefix", fmt.Sprintf("%q does not end in /", prefix),
				"empty, or a prefix ending in / (e.g. regmint/): the function may write every secret whose name starts with it")
		}
	}
	reads := map[string]readSecret{}
	for _, r := range c.readSecrets() {
		for _, n := range secretNames(r.id) {
			reads[n] = r
		}
	}
	for i, t := range c.Targets {
		at := loc{target: t.Name, index: i}
		list := t.Destinations
		if t.Destination != nil {
			list = append([]Destination{*t.Destination}, list...)
		}
		if len(list) == 0 {
			list = []Destination{{}}
		}
		for j, d := range list {
			field := "destinations[" + strconv.Itoa(j) + "].ref"
			switch {
			case len(t.Destinations) == 0 && t.Destination == nil:
				field = "destination (default).ref"
			case t.Destination != nil && len(t.Destinations) == 0:
				field = "destination.ref"
			}
			d = c.resolveDestination(t.Name, d)
			k, ok := c.kind(d.Store)
			if !ok || k.Writes == nil || d.Ref == "" {
				continue
			}
		writes:
			for _, name := range k.Writes(c, d) {
				for _, n := range secretNames(name) {
					if r, ok := reads[n]; ok {
						errs.add(at, field,
							fmt.Sprintf("writes secret %s, which is %s: a run would overwrite what it reads", name, r.field),
							"a destination secret of its own; keep cloud keys and the GitHub credential outside name-prefix")
						break writes
					}
				}
			}
		}
	}
	if g := c.GitHub; g != nil && g.BaseURL != "" {
		if u, err := url.Parse(g.BaseURL); err == nil && u.Host != "" && core.CheckTransport(g.BaseURL, c.InsecureEndpoints) != nil {
			errs.add(top, "github.base-url", "is plain http to a host that is not a loopback or private address: the GitHub credential would cross the network in the clear",
				"https://, or http:// to a loopback or private IP address or localhost, or "+core.FieldInsecureEndpoints+": true")
		}
	}
	if err := core.CheckRealmHosts(c.RealmHosts); err != nil {
		errs.add(top, core.FieldRealmHosts, err.Error(), "a list of host names, e.g. [auth.example.com]")
	}
}
