package core

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// DockerAuth returns the docker config "auth" value: base64 of "user:pass".
// It is a secret.
func DockerAuth(username, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(username + ":" + password))
}

// AuthEntry is one "auths" entry of a docker config.json.
type AuthEntry struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Auth     string `json:"auth"`
}

// DockerAuthEntry returns the docker config.json "auths" entry for c.
func (c Credential) DockerAuthEntry() AuthEntry {
	return AuthEntry{Username: c.Username, Password: c.Password, Auth: DockerAuth(c.Username, c.Password)}
}

// DockerConfig renders a docker config.json holding an "auths" entry for
// each credential. The result holds secrets.
func DockerConfig(creds ...Credential) ([]byte, error) {
	return MergeDockerConfig(nil, creds...)
}

// MergeDockerConfig sets the "auths" entry of each credential's registry in
// an existing docker config.json and returns the new document. Every other
// registry's entry, "credHelpers", "credsStore" and any key regmint does not
// know are kept as they were. An empty existing document starts a new one.
// A document that is not a JSON object is an error, and nothing is returned
// to write over it.
func MergeDockerConfig(existing []byte, creds ...Credential) ([]byte, error) {
	// The document is decoded one level deep ("auths" two), every other
	// value kept as raw JSON, and encoded once: "auths" goes into the
	// document as a map, not as JSON encoded on its own and then compacted
	// again with everything around it.
	top := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(existing)) > 0 {
		if err := json.Unmarshal(existing, &top); err != nil {
			return nil, fmt.Errorf("parse docker config: %w", err)
		}
		if top == nil { // the document was JSON null
			top = map[string]json.RawMessage{}
		}
	}
	var auths map[string]json.RawMessage
	if raw, ok := top["auths"]; ok && !isNull(raw) {
		if err := json.Unmarshal(raw, &auths); err != nil {
			return nil, fmt.Errorf("parse docker config: \"auths\" is not an object: %w", err)
		}
	}
	if auths == nil {
		auths = make(map[string]json.RawMessage, len(creds))
	}
	for _, c := range creds {
		if err := c.Check(); err != nil {
			return nil, fmt.Errorf("render docker config: %w", err)
		}
		entry, err := json.Marshal(c.DockerAuthEntry())
		if err != nil {
			return nil, fmt.Errorf("render docker config: %w", err)
		}
		auths[c.Registry] = entry
	}
	doc := make(map[string]any, len(top)+1)
	vals := make([]json.RawMessage, 0, len(top)) // boxed by pointer: no allocation per key
	for k, v := range top {
		vals = append(vals, v)
		doc[k] = &vals[len(vals)-1]
	}
	doc["auths"] = auths
	out, err := json.MarshalIndent(doc, "", "\t")
	if err != nil {
		return nil, fmt.Errorf("render docker config: %w", err)
	}
	return append(out, '\n'), nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }
