package config

import (
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/regmint/regmint/core"
)

// StoreKind is a kind of store that destinations may name, as a value: each
// store package exports its own (a Kind function), and core/stores lists
// them once. Parse checks every destination with its kind; this package
// knows no kind by itself, so a new store is a local change.
type StoreKind struct {
	// Name is what a destination's store key says ("secretsmanager").
	Name string
	// Keys are the destination keys beyond store and ref that this kind
	// uses; a destination of another kind that sets one is refused.
	Keys []string
	// Check validates a destination of this kind, its store and ref
	// resolved, and returns its problems, each with Field relative to the
	// destination ("ref", "repository"; "" for the destination as a
	// whole). c is the whole document (a kind may need a top-level block).
	Check func(c *Config, d Destination) []*core.FieldError
	// Key identifies what d writes, to find two destinations writing the
	// same thing; nil: its ref.
	Key func(d Destination) string
	// Scope names where d writes beyond its ref ("repository octo/app"),
	// for reports; nil or "": nowhere more.
	Scope func(d Destination) string
	// Writes returns the ids, in the Secrets Manager id space credential
	// sources are read from, of the secrets destination d writes (the
	// secretsmanager kind: name-prefix + ref, or the ARN); nil: none. Parse
	// refuses a destination that writes a secret the config reads.
	Writes func(c *Config, d Destination) []string
	// Reads returns the secret ids the kind reads for the whole config
	// (the GitHub credential), so that no destination overwrites them; nil:
	// none.
	Reads func(c *Config) []string
	// Limits are the request rates the rotation keeps to for the kind by
	// default, from the service's documented quotas; zero: none.
	Limits StoreLimits
}

// kind returns the kind named name.
func (c *Config) kind(name string) (StoreKind, bool) {
	for _, k := range c.kinds {
		if k.Name == name {
			return k, true
		}
	}
	return StoreKind{}, false
}

// kindNames lists the kinds' names for "accepted".
func (c *Config) kindNames() string {
	names := make([]string, len(c.kinds))
	for i, k := range c.kinds {
		names[i] = k.Name
	}
	if len(names) == 0 {
		return "(no store kinds are known to this program)"
	}
	return strings.Join(names, ", ")
}

// foreignKey returns the first key d sets that kind k does not use, and
// the kinds that use it.
func (c *Config) foreignKey(k StoreKind, d Destination) (key string, owners []string) {
	for _, f := range destinationKeys(d) {
		if slices.Contains(k.Keys, f) {
			continue
		}
		for _, o := range c.kinds {
			if slices.Contains(o.Keys, f) {
				owners = append(owners, o.Name)
			}
		}
		return f, owners
	}
	return "", nil
}

// destinationFieldKeys are Destination's keys by field index ("" for a
// field without one), read once rather than for every destination.
var destinationFieldKeys = fieldKeys(reflect.TypeFor[Destination]())

// fieldKeys returns the keys of struct type t's fields by index.
func fieldKeys(t reflect.Type) []string {
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = jsonName(t.Field(i))
	}
	return keys
}

// destinationKeys lists the keys beyond store and ref that d sets, in
// document order.
func destinationKeys(d Destination) []string {
	var keys []string
	v := reflect.ValueOf(d)
	for i, name := range destinationFieldKeys {
		if name == "" || name == "store" || name == "ref" || v.Field(i).IsZero() {
			continue
		}
		keys = append(keys, name)
	}
	return keys
}

// CheckRef is the check of a kind whose refs are plain names: printable,
// no spaces, at most 1024 characters.
func CheckRef(_ *Config, d Destination) []*core.FieldError {
	if len(d.Ref) > 1024 || !validRef(d.Ref) {
		return []*core.FieldError{{Field: "ref", Problem: strconv.Quote(d.Ref) + " is not a valid ref", Accepted: "a name without spaces (at most 1024 characters)"}}
	}
	return nil
}

// NamePrefixOf returns the config's Secrets Manager name prefix, the
// default when unset.
func (c *Config) NamePrefixOf() string {
	if c.NamePrefix == nil {
		return DefaultNamePrefix
	}
	return *c.NamePrefix
}
