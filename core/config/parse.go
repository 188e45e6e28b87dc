package config

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Parse reads a config document, YAML or JSON (JSON is read as YAML, so both
// follow one schema), checks it completely and fills in every default. The
// error joins every problem found, each a *FieldError naming the target and
// field; it never holds the value of a secret. Secrets written in the
// document (passwords, secret keys, tokens) are refused. So are documents
// over 1 MiB, and documents that YAML aliases (*name) expand past 4 MiB,
// measured before they are expanded (see checkExpansion). kinds are the
// store kinds destinations may name (core/stores.Kinds()); each
// destination is checked by its kind.
func Parse(data []byte, kinds []StoreKind) (*Config, error) {
	return parse(data, kinds, nil, refuseServiceAccount)
}

// parse is Parse with getenv, when not nil, giving the region of targets
// that leave it out (regionsFromEnv), and a hook: prepare, when not nil,
// sees the decoded document (a mapping) before the schema check, reports
// what it refuses and may remove or fill in keys (ParseTargets).
func parse(data []byte, kinds []StoreKind, getenv func(string) string, prepare func(doc map[string]any) errorList) (*Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("config is empty: it must list targets")
	}
	if len(data) > maxDocumentSize {
		return nil, fmt.Errorf("config is %d bytes long; accepted: at most %d KiB", len(data), maxDocumentSize>>10)
	}
	tree, err := readTree(data)
	if err != nil {
		return nil, err
	}
	// Measured again as decoded, should the decoder read an alias
	// differently from the parser that measured it.
	if bytes.IndexByte(data, '*') >= 0 && treeSize(tree) > maxExpandedSize {
		return nil, errExpanded
	}
	doc, ok := tree.(map[string]any)
	if !ok {
		return nil, errors.New("config must be a mapping (object) with a targets list at the top")
	}
	var shape errorList
	if prepare != nil {
		shape = prepare(doc)
	}
	(&schemaCheck{errs: &shape}).value(top, "", tree, reflect.TypeFor[Config]())
	// The schema check removed what it reported from the tree, so what is
	// left decodes; the checks below then report the rest of the problems in
	// the same pass.
	cfg, err := decodeConfig(tree)
	if err != nil {
		return nil, err
	}
	cfg.kinds = kinds
	// A region variable that holds no region id is reported as the
	// target's region problem, instead of "region: is required".
	shape = append(shape, cfg.regionsFromEnv(getenv)...)
	errs := append(shape, withoutOverlap(cfg.validate(), shape)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cfg.applyDefaults()
	cfg.kinds = nil // used up: a parsed config is plain data
	return cfg, nil
}

// readTree decodes the document, by the fast reader when it reads it (see
// fastDecode), else by the YAML libraries, its aliases measured first.
func readTree(data []byte) (any, error) {
	if tree, ok, err := fastDecode(data); ok {
		return tree, err
	}
	if err := checkExpansion(data); err != nil {
		return nil, err
	}
	return decodeTree(data)
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
