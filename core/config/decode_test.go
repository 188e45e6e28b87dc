package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// parseJSONWay is Parse as it was before decodeTree and decodeConfig, with
// today's bounds: the document goes through JSON text to the tree, and the
// checked tree through JSON text to the Config.
func parseJSONWay(data []byte) (*Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("config is empty: it must list targets")
	}
	if len(data) > maxDocumentSize {
		return nil, fmt.Errorf("config is %d bytes long; accepted: at most %d KiB", len(data), maxDocumentSize>>10)
	}
	if err := checkExpansion(data); err != nil {
		return nil, err
	}
	tree, err := decodeTreeJSON(data)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(data, '*') >= 0 && treeSize(tree) > maxExpandedSize {
		return nil, errExpanded
	}
	if _, ok := tree.(map[string]any); !ok {
		return nil, errors.New("config must be a mapping (object) with a targets list at the top")
	}
	var shape errorList
	(&schemaCheck{errs: &shape}).value(top, "", tree, reflect.TypeFor[Config]())
	cfg, err := decodeConfigJSON(tree)
	if err != nil {
		return nil, err
	}
	cfg.kinds = plainKinds()
	errs := append(shape, withoutOverlap(cfg.validate(), shape)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cfg.applyDefaults()
	cfg.kinds = nil
	return cfg, nil
}

// checkSameAsJSONWay fails unless Parse and parseJSONWay give the same
// config or the same error. A document whose keys collide once made
// strings ({1: a, "1": b}) reads either way at random on both paths, so a
// difference is tried again before it counts.
func checkSameAsJSONWay(t *testing.T, data []byte) {
	t.Helper()
	var got, want string
	for range 20 {
		cfg, err := Parse(data, plainKinds())
		ref, refErr := parseJSONWay(data)
		got, want = fmt.Sprintf("%v", err), fmt.Sprintf("%v", refErr)
		if got == want && reflect.DeepEqual(cfg, ref) {
			return
		}
		if got == want {
			got, want = fuzzJSON(cfg), fuzzJSON(ref)
		}
	}
	t.Errorf("Parse differs from the JSON way on %.300q:\n got: %.500s\nwant: %.500s", data, got, want)
}

// sameAsJSONWayDocs are documents at the edges of the JSON round trip.
var sameAsJSONWayDocs = []string{
	fuzzGoodDoc,
	// Null durations, which Duration.UnmarshalJSON refuses.
	"refresh-margin:\ntargets: [{name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, credentials: {env: true}}]",
	"concurrency: \"8\"\ntargets: [{name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, timeout: ~, credentials: {env: true}}]",
	// Numbers as YAML writes them and JSON renders them.
	"concurrency: 0x10\nrate-limits: {tcr: 1e6, swr: 1.5e-7, swr-enterprise: -0.0}\ntargets: []",
	"concurrency: 1_000\nrate-limits: {tcr: 1e21, swr: 0.000001, swr-enterprise: 123456789012345678901234567890}\ntargets: []",
	"concurrency: 18446744073709551615\nrate-limits: {tcr: .inf, swr: .nan}\ntargets: []",
	"concurrency: 9223372036854775807\nrate-limits: {tcr: 0o17}\ntargets: [{name: a, destinations: [{store: github, selected-repository-ids: [1e3, 017, -0, 9223372036854775808]}]}]",
	// Keys that are not strings, or become the same string.
	"1.5: x\ntrue: y\n0x10: z\n1e6: w\n.inf: v\ntargets: []",
	"1: a\n\"1\": b\ntargets: []",
	"~: x\ntargets: []",
	"18446744073709551615: x\ntargets: []",
	"[a]: x\ntargets: []",
	// Strings that are not UTF-8, and YAML 1.1 values.
	"name-prefix: !!binary /w==\ntargets: !!binary aGVsbG8=",
	"description: !!binary /w==\ntargets: [{name: !!binary /w==, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, verify: off, credentials: {env: yes}}]",
	"targets: [{name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, description: 2001-12-14t21:59:43.10-05:00, credentials: {env: on}}]",
	// Nulls and empty values where the schema has mappings and lists.
	"github: null\ncredential-sources: {a: null, b: {}}\nrate-limits: {}\ntargets: [null, {name: a, destinations: null, destination: ~, credentials: null}]",
	"targets: [{name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, credentials: {env: true}, destinations: []}]",
	"targets: [{name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, credentials: {env: true}, destinations: [null, {store: github, selected-repository-ids: [null, 1, x]}]}]",
	// Keys in another case, which encoding/json would match.
	"Targets: []\nREFRESH-MARGIN: 5m\ntargets: [{Name: a, name: b}]",
	// Nesting deeper than decodeTree converts itself.
	"x: " + strings.Repeat("[", 1500) + strings.Repeat("]", 1500) + "\ntargets: []",
	// Anchors and merge keys.
	"base: &b {provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, credentials: {env: true}}\ntargets: [{<<: *b, name: a}]",
	"targets: [{<<: &b {provider: tcr, region: ap-guangzhou, credentials: {env: true}}, name: a, instance-id: tcr-abcd1234}, {<<: *b, name: b, instance-id: tcr-efgh5678}]",
	"a: &a [*a]\ntargets: []",
}

// fuzzCorpus returns the committed seed inputs of a fuzz target of this
// package that takes one []byte.
func fuzzCorpus(t testing.TB, target string) [][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, lit, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		lit = strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")")
		s, err := strconv.Unquote(lit)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, []byte(s))
	}
	return out
}

// TestParseSameAsJSONWay: decoding without JSON text between the steps
// changes nothing: the same config, or the same error, for every seed of
// FuzzParse, the edges of the JSON round trip and a fleet's configs.
func TestParseSameAsJSONWay(t *testing.T) {
	t.Parallel()
	docs := fuzzCorpus(t, "FuzzParse")
	for _, s := range sameAsJSONWayDocs {
		docs = append(docs, []byte(s))
	}
	docs = append(docs, []byte(fleetConfig(300, false)), []byte(fleetConfig(300, true)))
	for _, d := range docs {
		checkSameAsJSONWay(t, d)
	}
}

// FuzzParseSameAsJSONWay checks the same on any document.
func FuzzParseSameAsJSONWay(f *testing.F) {
	for _, s := range sameAsJSONWayDocs {
		f.Add([]byte(s))
	}
	for _, d := range fuzzCorpus(f, "FuzzParse") {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSameAsJSONWay(t, data)
	})
}
