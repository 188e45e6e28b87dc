package rotation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"sigs.k8s.io/yaml"
)

// Parse reads a config document, YAML or JSON (JSON is read as YAML, so both
// follow one schema), checks it completely and fills in every default. The
// error joins every problem found, each a *FieldError naming the target and
// field; it never holds the value of a secret. Secrets written in the
// document (passwords, secret keys, tokens) are refused.
func Parse(data []byte) (*Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("config is empty: it must list targets")
	}
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, fmt.Errorf("config is neither valid YAML nor JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if _, ok := tree.(map[string]any); !ok {
		return nil, errors.New("config must be a mapping (object) with a targets list at the top")
	}
	var shape errorList
	(&schemaCheck{errs: &shape}).value(top, "", tree, reflect.TypeFor[Config]())
	// The schema check removed what it reported from the tree, so what is
	// left decodes; the checks below then report the rest of the problems in
	// the same pass.
	clean, err := json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var cfg Config
	strict := json.NewDecoder(bytes.NewReader(clean))
	strict.DisallowUnknownFields()
	if err := strict.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	errs := append(shape, withoutOverlap(cfg.validate(), shape)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cfg.applyDefaults()
	return &cfg, nil
}

// withoutOverlap drops the errors about a field that already has an error in
// shape (or a field above or below it), so a malformed value is not also
// reported as missing.
func withoutOverlap(errs, shape errorList) errorList {
	var out errorList
	for _, e := range errs {
		fe, ok := e.(*FieldError)
		if !ok {
			out = append(out, e)
			continue
		}
		overlaps := false
		for _, s := range shape {
			sf := s.(*FieldError)
			if sf.Index == fe.Index && (pathWithin(fe.Field, sf.Field) || pathWithin(sf.Field, fe.Field)) {
				overlaps = true
				break
			}
		}
		if !overlaps {
			out = append(out, e)
		}
	}
	return out
}

// pathWithin reports whether key path p is q or below it.
func pathWithin(p, q string) bool {
	return p == q || strings.HasPrefix(p, q+".") || strings.HasPrefix(p, q+"[") || q == ""
}
