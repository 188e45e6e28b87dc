package rotation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// Parse reads a config document, YAML or JSON (JSON is read as YAML, so both
// follow one schema), checks it completely and fills in every default. The
// error joins every problem found, each a *FieldError naming the target and
// field; it never holds the value of a secret. Secrets written in the
// document (passwords, secret keys, tokens) are refused. So are documents
// over 1 MiB (64 KiB if they may define YAML anchors) or that expand past
// 4 MiB through aliases.
func Parse(data []byte) (*Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("config is empty: it must list targets")
	}
	if err := checkSize(data); err != nil {
		return nil, err
	}
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, fmt.Errorf("config is neither valid YAML nor JSON: %w", err)
	}
	if len(js) > maxExpandedSize {
		return nil, fmt.Errorf("config expands to more than %d MiB: YAML aliases (*name) repeat too much of it; accepted: a document that expands to at most that", maxExpandedSize>>20)
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

// Bounds on the document. YAML aliases (*name) let a small document stand
// for a large one. sigs.k8s.io/yaml refuses only a very high ratio of
// aliased nodes (the billion laughs), so a 50 KB document can still expand
// a hundredfold, and the YAML decoder and the checks after it would work on
// all of that. So a document that may define anchors (&name) is held to a
// smaller size, which bounds the decoder's work, and what any document
// expands to is bounded before it is checked.
const (
	maxDocumentSize = 1 << 20  // about 4000 targets
	maxAnchoredSize = 64 << 10 // with YAML anchors
	maxExpandedSize = 4 << 20  // as JSON
)

// reAnchor finds what may be a YAML anchor: '&' and a name character. It
// also finds "R&D" in a plain value; that only lowers the size bound.
var reAnchor = regexp.MustCompile(`&[0-9A-Za-z_-]`)

// checkSize applies the size bounds to the document as written.
func checkSize(data []byte) error {
	switch {
	case len(data) > maxDocumentSize:
		return fmt.Errorf("config is %d bytes long; accepted: at most %d KiB", len(data), maxDocumentSize>>10)
	case len(data) > maxAnchoredSize && reAnchor.Match(data):
		return fmt.Errorf("config is %d bytes long and may define YAML anchors ('&' and a name); accepted: at most %d KiB with anchors, %d KiB without", len(data), maxAnchoredSize>>10, maxDocumentSize>>10)
	}
	return nil
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
