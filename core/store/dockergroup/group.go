// Package dockergroup is the content of a secret that holds several
// targets' registry logins at once: a docker config.json "auths" object
// with one entry per registry host, plus each target's metadata
// (storemeta, no secret) under the target's ref, its "part". The
// kubernetes store keeps it in a kubernetes.io/dockerconfigjson Secret
// (metadata in annotations); the secretsmanager-docker-config store keeps
// it in one Secrets Manager secret value (Document, Decode).
//
// A group holds one login per registry host (a docker config has one
// "auths" entry per host): a second part for a host another part holds is
// refused with an error that names the other ref. Everything decoded is
// untrusted: sizes are limited and no error quotes a value.
//
// The package links neither client-go nor the AWS SDK.
package dockergroup

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/storemeta"
)

// Limits on what is decoded (untrusted).
const (
	// MaxAuths is the largest "auths" document read: a Kubernetes
	// Secret's whole size limit.
	MaxAuths = 1 << 20
	// MaxMeta is the largest metadata of one part.
	MaxMeta = 4096
)

// Group is the decoded content of a grouped secret. The zero value is not
// usable: call New. Not safe for concurrent use.
type Group struct {
	auths map[string]core.AuthEntry
	// metas by ref.
	metas map[string]storemeta.Meta
	// part names a ref's metadata in errors ("annotation part.regmint.io/x").
	part func(ref string) string
	// compact: auths entries carry only "auth", as docker login writes
	// them (Set).
	compact bool
}

// Option configures a Group.
type Option func(*Group)

// PartName sets how errors name a ref's metadata (default: part <ref>).
func PartName(f func(ref string) string) Option { return func(g *Group) { g.part = f } }

// Compact makes Set write auths entries with "auth" (base64 user:password)
// alone, as docker login does: half the size of username, password and
// auth. Docker, containerd, go-containerregistry and the kubelet read it.
func Compact() Option { return func(g *Group) { g.compact = true } }

// New returns an empty group.
func New(opts ...Option) *Group {
	g := &Group{auths: map[string]core.AuthEntry{}, metas: map[string]storemeta.Meta{}, part: func(ref string) string { return "part " + ref }}
	for _, o := range opts {
		o(g)
	}
	return g
}

// DecodeAuths reads a docker config's "auths" (other keys are ignored)
// into g; what names the document in errors, which never quote it.
func (g *Group) DecodeAuths(raw []byte, what string) error {
	if len(raw) > MaxAuths {
		return fmt.Errorf("%s is larger than %d bytes", what, MaxAuths)
	}
	var doc struct {
		Auths map[string]core.AuthEntry `json:"auths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s is not a docker config", what)
	}
	maps.Copy(g.auths, doc.Auths)
	return nil
}

// DecodeMeta reads ref's metadata (storemeta JSON) into g.
func (g *Group) DecodeMeta(ref string, raw []byte) error {
	if len(raw) > MaxMeta {
		return fmt.Errorf("%s is larger than %d bytes", g.part(ref), MaxMeta)
	}
	var m storemeta.Meta
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s is not regmint metadata", g.part(ref))
	}
	g.metas[ref] = m
	return nil
}

// Refs returns the refs that have a part, sorted.
func (g *Group) Refs() []string { return slices.Sorted(maps.Keys(g.metas)) }

// Meta returns ref's metadata.
func (g *Group) Meta(ref string) (storemeta.Meta, bool) {
	m, ok := g.metas[ref]
	return m, ok
}

// Record returns ref's part, nil when g has none; where names the secret
// in errors, which never hold a secret.
func (g *Group) Record(ref, where string) (*core.Record, error) {
	m, ok := g.metas[ref]
	if !ok {
		return nil, nil
	}
	part := g.part(ref)
	st, err := m.Stored(where + " " + part)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", where, part, err)
	}
	e, ok := g.auths[st.Registry]
	if !ok {
		return nil, fmt.Errorf("%s: %s names registry %s, which has no auths entry", where, part, st.Registry)
	}
	user, pass := e.Username, e.Password
	if pass == "" && e.Auth != "" {
		b, err := base64.StdEncoding.DecodeString(e.Auth)
		if err != nil {
			return nil, fmt.Errorf("%s: the auths entry of %s is not base64", where, st.Registry)
		}
		user, pass, _ = strings.Cut(string(b), ":")
	}
	if user != st.Username {
		return nil, fmt.Errorf("%s: the auths entry of %s is for another user than its %s says", where, st.Registry, part)
	}
	rec := core.Record{
		Credential:      core.Credential{Registry: st.Registry, Username: st.Username, Password: pass, ExpiresAt: st.ExpiresAt, TokenID: st.TokenID},
		IssuedAt:        st.IssuedAt,
		Fingerprint:     st.Fingerprint,
		PreviousTokenID: st.PreviousTokenID,
	}
	return &rec, nil
}

// Set puts rec as ref's part. Another ref's part for the same registry is
// an error: a group holds one login per registry host. keep, when not
// nil, says which refs may stay; the others' parts are removed
// (delete-stale).
func (g *Group) Set(ref string, rec core.Record, keep func(string) bool) error {
	host := rec.Credential.Registry
	for _, other := range g.Refs() {
		if other != ref && g.metas[other].Registry == host && (keep == nil || keep(other)) {
			return fmt.Errorf("registry %s is already held by ref %s in the same secret: give one of the targets another secret-name", host, other)
		}
	}
	if old, ok := g.metas[ref]; ok && old.Registry != host {
		g.Drop(ref)
	}
	if keep != nil {
		for other := range g.metas {
			if other != ref && !keep(other) {
				g.Drop(other)
			}
		}
	}
	e := rec.Credential.DockerAuthEntry()
	if g.compact {
		e = core.AuthEntry{Auth: e.Auth}
	}
	g.auths[host] = e
	g.metas[ref] = storemeta.OfRecord(rec)
	return nil
}

// Drop removes ref's part (and its auths entry unless another part uses
// the host).
func (g *Group) Drop(ref string) {
	m, ok := g.metas[ref]
	if !ok {
		return
	}
	delete(g.metas, ref)
	for _, o := range g.metas {
		if o.Registry == m.Registry {
			return
		}
	}
	delete(g.auths, m.Registry)
}

// AuthsJSON renders the docker config {"auths": ...}. The result holds
// secrets.
func (g *Group) AuthsJSON() ([]byte, error) {
	raw, err := json.Marshal(struct {
		Auths map[string]core.AuthEntry `json:"auths"`
	}{g.auths})
	if err != nil {
		return nil, fmt.Errorf("render docker config: %w", err)
	}
	return raw, nil
}

// MetaJSON renders ref's metadata (no secret).
func (g *Group) MetaJSON(ref string) ([]byte, error) {
	b, err := json.Marshal(g.metas[ref])
	if err != nil {
		return nil, fmt.Errorf("render metadata: %w", err)
	}
	return b, nil
}
