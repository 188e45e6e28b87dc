package github

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/regmint/regmint/core"

	"github.com/regmint/regmint/core/store/storemeta"
)

// metaVersion is the metadata format this code reads and writes.
const metaVersion = 1

// meta is the metadata variable's value: what Store.Get returns, plus what
// was written (secret names, visibility) so that a change of the store's
// configuration is noticed. It holds no secret. Field order is fixed, so a
// record always encodes to the same bytes.
type meta struct {
	Regmint int `json:"regmint"`
	storemeta.Meta
	Secrets         []string `json:"secrets"`
	Visibility      string   `json:"visibility,omitempty"`
	SelectedRepoIDs []int64  `json:"selected_repository_ids,omitempty"`
}

// newMeta describes r written to n's secrets in sc.
func newMeta(r core.Record, n Names, sc scope) meta {
	m := meta{
		Regmint: metaVersion,
		Meta:    storemeta.OfRecord(r),
		Secrets: upper(n.secrets()),
	}
	if sc.level == LevelOrganization {
		m.Visibility = string(sc.visibility)
		m.SelectedRepoIDs = slices.Sorted(slices.Values(sc.selected))
	}
	return m
}

func (m meta) encode() (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode metadata: %w", err)
	}
	return string(b), nil
}

// errNotRegmint marks a variable regmint did not write: Get reports it as
// not found and Put replaces it.
var errNotRegmint = errors.New("holds no regmint metadata")

// decodeMeta reads a metadata variable's value. Its errors quote no value.
func decodeMeta(s string) (meta, error) {
	var m meta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return meta{}, fmt.Errorf("%w: value is not JSON (syntax error at byte %d)", errNotRegmint, se.Offset)
		}
		return meta{}, fmt.Errorf("%w: value is not a JSON object of the regmint shape", errNotRegmint)
	}
	switch {
	case m.Regmint == 0:
		return meta{}, fmt.Errorf(`%w: value has no "regmint" format version`, errNotRegmint)
	case m.Regmint != metaVersion:
		return meta{}, fmt.Errorf("metadata has format version %d; this regmint reads version %d", m.Regmint, metaVersion)
	case m.Registry == "" || m.Username == "":
		return meta{}, errors.New(`metadata has no "registry" or "username"`)
	}
	if _, err := m.stored(); err != nil {
		return meta{}, err
	}
	return m, nil
}

// stored returns the metadata as core.Stored.
func (m meta) stored() (core.Stored, error) { return m.Meta.Stored("metadata") }

// same reports whether two metadata describe the same write.
func (m meta) same(o meta) bool {
	a, errA := m.encode()
	b, errB := o.encode()
	return errA == nil && errB == nil && a == b
}

// layoutChange says how the secrets m describes differ from what a write
// with want would make (other names, another visibility), or "".
func (m meta) layoutChange(want meta) string {
	switch {
	case !slices.Equal(m.Secrets, want.Secrets):
		return "were written as " + strings.Join(m.Secrets, ", ") + ", the store now writes " + strings.Join(want.Secrets, ", ")
	case m.Visibility != want.Visibility || !slices.Equal(m.SelectedRepoIDs, want.SelectedRepoIDs):
		return "were written with another visibility or other selected repositories"
	}
	return ""
}

func upper(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.ToUpper(n)
	}
	return out
}
