package leaktest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// Random returns a fresh random string for a test to use as a secret: long
// enough to be checked, and one no fuzzed input holds by chance.
func Random(t interface {
	Helper()
	Fatal(args ...any)
}) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "fz" + hex.EncodeToString(b)
}

// SecretsInJSON returns those candidates that the JSON document holds only
// as values of secretKeys (matched case-insensitively), so that text
// derived from the document must not repeat them. A candidate the document
// also holds elsewhere, in a key or in a value under another key (a
// vendor's error message, a request id), may be quoted, and is left out; so
// is one the document does not hold.
func SecretsInJSON(doc []byte, secretKeys []string, candidates ...string) []string {
	secret := map[string]bool{}
	for _, k := range secretKeys {
		secret[strings.ToLower(k)] = true
	}
	var out []string
	var fields []jsonString
	for _, s := range candidates {
		if !bytes.Contains(doc, []byte(s)) {
			continue
		}
		if fields == nil {
			fields = jsonStrings(doc)
		}
		exposed := false
		for _, f := range fields {
			if strings.Contains(f.key, s) || (strings.Contains(f.value, s) && !secret[strings.ToLower(f.key)]) {
				exposed = true
				break
			}
		}
		if !exposed {
			out = append(out, s)
		}
	}
	return out
}

// jsonString is a key (value "") or a string value with the key it is
// under ("" in an array or at the top) of a JSON document.
type jsonString struct {
	key, value string
}

// jsonStrings returns every key and string value of a JSON document,
// duplicates included, as far as the document is valid.
func jsonStrings(doc []byte) []jsonString {
	type frame struct {
		object, wantKey bool
		key             string
	}
	out := []jsonString{}
	var stack []frame
	dec := json.NewDecoder(bytes.NewReader(doc))
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		top := len(stack) - 1
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				stack = append(stack, frame{object: v == '{', wantKey: v == '{'})
			default:
				stack = stack[:top]
				valueDone()
			}
		case string:
			if top >= 0 && stack[top].object && stack[top].wantKey {
				stack[top].key, stack[top].wantKey = v, false
				out = append(out, jsonString{key: v})
				continue
			}
			key := ""
			if top >= 0 && stack[top].object {
				key = stack[top].key
			}
			out = append(out, jsonString{key: key, value: v})
			valueDone()
		default:
			valueDone()
		}
	}
}
