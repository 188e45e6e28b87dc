package file

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/regmint/regmint/core/store/storemeta"
)

// metaVersion is the sidecar format this code reads and writes.
const metaVersion = 1

// metaFile is the sidecar: the metadata of each ref, no secrets.
type metaFile struct {
	Version int                       `json:"version"`
	Comment string                    `json:"comment,omitempty"`
	Refs    map[string]storemeta.Meta `json:"refs"`
}

// readMeta reads the sidecar; a missing one is empty.
func readMeta(path string) (metaFile, error) {
	m := metaFile{Version: metaVersion, Refs: map[string]storemeta.Meta{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("read metadata %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("metadata %s is not valid (%s); fix or remove it", path, jsonProblem(err))
	}
	if m.Version != metaVersion {
		return m, fmt.Errorf("metadata %s has format version %d; this regmint reads version %d", path, m.Version, metaVersion)
	}
	if m.Refs == nil {
		m.Refs = map[string]storemeta.Meta{}
	}
	return m, nil
}

// encode renders the sidecar.
func (m metaFile) encode() ([]byte, error) {
	m.Version = metaVersion
	m.Comment = "regmint metadata for the docker config beside it; no secrets"
	b, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return nil, fmt.Errorf("encode metadata: %w", err)
	}
	return append(b, '\n'), nil
}

// set records ref's metadata. A docker config holds one login per
// registry, so any other ref recorded for the same registry is dropped:
// its login was just overwritten.
func (m *metaFile) set(ref string, e storemeta.Meta) {
	for r, old := range m.Refs {
		if r != ref && old.Registry == e.Registry {
			delete(m.Refs, r)
		}
	}
	m.Refs[ref] = e
}

// jsonProblem describes a JSON decoding error without quoting the input
// (a docker config holds secrets).
func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("JSON syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("a %s where %s was expected at byte %d", te.Value, te.Type, te.Offset)
	}
	return "not the expected JSON shape"
}
