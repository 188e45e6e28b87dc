package dockergroup

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/storemeta"
)

// Key is the top-level key of a Document that holds the parts' metadata:
// {"regmint": {"parts": {<ref>: <storemeta>}}}. Docker, containerd,
// go-containerregistry and the kubelet ignore keys of a config.json they
// do not know.
const Key = "regmint"

// MaxDocument is the largest Document decoded.
const MaxDocument = MaxAuths

// ErrNotGroup is wrapped by Decode's error for a document that is JSON but
// not a group document: no "regmint" object with "parts" (another
// program's docker config, or another kind of secret).
var ErrNotGroup = errors.New("not a regmint docker config group")

// document is the JSON form. Map keys are rendered sorted, so the same
// group always renders to the same bytes.
type document struct {
	Auths   json.RawMessage `json:"auths"`
	Regmint *struct {
		Parts map[string]json.RawMessage `json:"parts"`
	} `json:"regmint"`
}

// Decode reads a group document: a docker config.json whose "regmint" key
// holds the parts' metadata; what names it in errors, which never quote
// it. A JSON document without the "regmint" parts is ErrNotGroup.
func Decode(raw []byte, what string, opts ...Option) (*Group, error) {
	if len(raw) > MaxDocument {
		return nil, fmt.Errorf("%s is larger than %d bytes", what, MaxDocument)
	}
	var doc document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w: not a JSON object of the docker config shape", what, ErrNotGroup)
	}
	if doc.Regmint == nil || doc.Regmint.Parts == nil {
		return nil, fmt.Errorf("%s: %w: no %q parts", what, ErrNotGroup, Key)
	}
	g := New(opts...)
	if len(doc.Auths) > 0 && string(doc.Auths) != "null" {
		if err := g.DecodeAuths(raw, what); err != nil {
			return nil, err
		}
	}
	for _, ref := range slices.Sorted(maps.Keys(doc.Regmint.Parts)) {
		if err := g.DecodeMeta(ref, doc.Regmint.Parts[ref]); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	return g, nil
}

// Document renders g as a group document: {"auths": {...}, "regmint":
// {"parts": {...}}}. The result holds secrets.
func (g *Group) Document() ([]byte, error) {
	var doc struct {
		Auths   map[string]core.AuthEntry `json:"auths"`
		Regmint struct {
			Parts map[string]storemeta.Meta `json:"parts"`
		} `json:"regmint"`
	}
	doc.Auths, doc.Regmint.Parts = g.auths, g.metas
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, errors.New("render group document failed") // never echo the value
	}
	return b, nil
}

// Equal reports whether g and o hold the same parts and logins.
func (g *Group) Equal(o *Group) bool {
	if len(g.auths) != len(o.auths) || len(g.metas) != len(o.metas) {
		return false
	}
	for k, v := range g.auths {
		if w, ok := o.auths[k]; !ok || w != v {
			return false
		}
	}
	for k, v := range g.metas {
		if w, ok := o.metas[k]; !ok || w != v {
			return false
		}
	}
	return true
}
