package core_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/regmint/regmint/core"
)

// mergeDockerConfigBefore is MergeDockerConfig as it was before it
// encoded the document in one pass: each entry and "auths" encoded on
// their own, then the whole. The output must not have changed.
func mergeDockerConfigBefore(existing []byte, creds ...core.Credential) ([]byte, error) {
	top := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(existing)) > 0 {
		if err := json.Unmarshal(existing, &top); err != nil {
			return nil, err
		}
		if top == nil {
			top = map[string]json.RawMessage{}
		}
	}
	auths := map[string]json.RawMessage{}
	if raw, ok := top["auths"]; ok && string(bytes.TrimSpace(raw)) != "null" {
		if err := json.Unmarshal(raw, &auths); err != nil {
			return nil, err
		}
		if auths == nil {
			auths = map[string]json.RawMessage{}
		}
	}
	for _, c := range creds {
		if err := c.Check(); err != nil {
			return nil, err
		}
		entry, err := json.Marshal(c.DockerAuthEntry())
		if err != nil {
			return nil, err
		}
		auths[c.Registry] = entry
	}
	a, err := json.Marshal(auths)
	if err != nil {
		return nil, err
	}
	top["auths"] = a
	out, err := json.MarshalIndent(top, "", "\t")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// TestMergeDockerConfigOutputUnchanged compares the output byte for byte
// with the encoding it replaced, on documents with whitespace, HTML
// characters, escapes, nulls, nesting and numbers.
func TestMergeDockerConfigOutputUnchanged(t *testing.T) {
	t.Parallel()
	pw := randomString(t, 40)
	creds := [][]core.Credential{
		{{Registry: "r.example.com", Username: "u", Password: pw}},
		{{Registry: "a.example.com", Username: "u<1>", Password: "p&" + pw}, {Registry: "127.0.0.1:5000", Username: "x", Password: "p\u2028" + pw}},
		{{Registry: "r.example.com", Username: "first", Password: pw}, {Registry: "r.example.com", Username: "second", Password: pw}},
	}
	docs := []string{
		"", " \n", "null", "{}", `{"auths":null}`, `{"auths":{}}`,
		`{ "auths" : { "r.example.com" : { "auth" : "b2xkOm9sZA==" , "email":"x@example.com" } } }`,
		`{"credsStore":"desktop","psFormat":"table {{.ID}}\t<{{.Names}}> & co","n":1.50,"e":1e3,"big":12345678901234567890,
		  "credHelpers":{"gcr.io":"gcloud","z":"\u00e9\/"},"nested":{"a":[1, 2, {"b": [] }], "c": {}},"t":true,"f":false,"nul":null}`,
		"{\n\t\"auths\": {\n\t\t\"ghcr.io\": {\n\t\t\t\"auth\": \"Z2g6dG9rZW4=\"\n\t\t}\n\t},\n\t\"unicode\": \"\u2029 \\u2028 \\ud83d\\ude00\"\n}\n",
	}
	for i, doc := range docs {
		for j, cs := range creds {
			t.Run(fmt.Sprintf("doc%d/creds%d", i, j), func(t *testing.T) {
				want, werr := mergeDockerConfigBefore([]byte(doc), cs...)
				got, gerr := core.MergeDockerConfig([]byte(doc), cs...)
				if (werr == nil) != (gerr == nil) {
					t.Fatalf("error %v, before %v", gerr, werr)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("output changed:\n got: %q\nwant: %q", got, want)
				}
			})
		}
	}
}
