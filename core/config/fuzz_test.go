package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
	"github.com/regmint/regmint/internal/leaktest"
)

// fuzzGoodDoc is a config using most of the schema.
const fuzzGoodDoc = `
name-prefix: team/
default-store: secretsmanager
refresh-margin: 20m
rotate-every: 30d
timeout: 2m
concurrency: 4
deadline-margin: 10s
metrics-namespace: Regmint/Prod
rate-limits: {tcr: 50, swr: 0.5}
credential-sources:
  tencent: {secret: regmint/tencent}
  local: {env: true}
github: {app-id: 123456, installation-id: 7890123, private-key-secret: regmint/github-app-key}
targets:
  - name: tcr-prod
    provider: TCR
    region: ap-guangzhou
    instance-id: tcr-abcd1234
    token-type: LongTerm
    rotate-every: 7d
    credentials: {source: tencent}
    destinations:
      - {store: secretsmanager, ref: tcr/prod}
      - {store: github, repository: octo/app, environment: prod, ref: TCR, docker-config: true}
      - {store: github, organization: octo, visibility: selected, selected-repository-ids: [1, 2], ref: TCR_ORG}
  - name: swr/ci
    provider: swr-enterprise
    region: cn-north-4
    instance-id: abc-123
    registry: reg.example.com:5000
    api-endpoint: https://127.0.0.1:8443
    iam-endpoint: http://127.0.0.1:8080/
    verify: false
    credentials: {secret: "arn:aws:secretsmanager:us-east-1:000000000000:secret:swr-AbCdEf"}
    destination: {store: file, ref: swr-ci}
  - name: shared
    provider: swr
    region: cn-north-4
    require-verified: true
    timeout: 30s
    credentials: {env: true}
`

// FuzzParse feeds arbitrary documents to Parse.
//
// Invariants:
//   - no panic, and a bounded time on any document (YAML alias bombs
//     included);
//   - an accepted config validates again, carries every default, has valid
//     targets, and marshalling it to JSON (and that to YAML) parses back to
//     an equal config;
//   - a document with a secret key (password, secret key, token, ...)
//     anywhere is refused;
//   - an error is either one parse/shape error starting "config" or a list
//     of *FieldError, each saying where (config, targets[i] or target
//     "name") and what field, and it never holds a value written under a
//     secret key (checked by giving those fresh random values).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		fuzzGoodDoc,
		"targets: [{name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, credentials: {env: true}}]",
		`{"targets":[{"name":"a","provider":"swr","region":"cn-north-4","credentials":{"secret":"s"}}]}`,
		"targets:\n- name: a\n  provider: tcr\n  region: ap-guangzhou\n  instance-id: tcr-abcd1234\n  credentials: {env: true}\n  password: hunter22\n",
		"targets: [{name: a, credentials: {secret: s, access_key_secret: abcdefgh}}]\nextra: {deep: [{token: abcdefgh}]}",
		"rate-limits: {password: 1}\ncredential-sources: {api-key: {env: true}}\ntargets: []",
		"x: &x {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, credentials: {env: true}}\ntargets: [*x, *x]",
		"a: &a [x, x, x]\nb: &b [*a, *a, *a]\ntargets: [*b, *b]",
		"targets: []\ntargets: []",
		`{"targets": [], "targets": null}`,
		"concurrency: 1e400\ntimeout: 99999999999999999999h\ntargets: [{name: a}]",
		"concurrency: 99999999999999999999\nrate-limits: {tcr: .nan, swr: -.inf}\ntargets: [null, 1, [], {}]",
		"targets: [{name: \"\\0\\u00e9\\U0001F600\", provider: yes, region: 0x10, token-type: ~}]",
		"null", "[]", "{}", "42", "\"targets\"", "\x00", "\ufefftargets: []", "---\ntargets: []\n---\ntargets: []",
		"targets: [{<<: {name: merged}, provider: tcr}]",
		"targets: !!binary aGVsbG8=",
		"github: {token-secret: regmint/gh-token, base-url: 'https://user:pw@ghe.example.com'}\ntargets: []",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		cfg, err := Parse(data, plainKinds())
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("Parse took %v on %d bytes", d, len(data))
		}
		tree, treeOK := fuzzTree(data)
		if err != nil {
			fuzzCheckParseError(t, err)
			if treeOK {
				fuzzCheckSecretsNotEchoed(t, tree)
			}
			return
		}
		if !treeOK {
			t.Fatal("Parse accepted a document that does not decode")
		}
		if k := fuzzSecretKey(tree); k != "" {
			t.Errorf("Parse accepted a document with the secret key %q", k)
		}
		fuzzCheckConfig(t, cfg)
		js, err := json.Marshal(cfg)
		if err != nil {
			t.Fatalf("marshal an accepted config: %v", err)
		}
		again, err := Parse(js, plainKinds())
		if err != nil {
			t.Fatalf("the accepted config, marshalled, does not parse: %v\n%s", err, js)
		}
		if !reflect.DeepEqual(cfg, again) {
			t.Errorf("JSON round trip changed the config:\n%s\n%s", js, fuzzJSON(again))
		}
		y, err := yaml.JSONToYAML(js)
		if err != nil {
			t.Fatalf("JSON to YAML: %v", err)
		}
		if again, err := Parse(y, plainKinds()); err != nil || !reflect.DeepEqual(cfg, again) {
			t.Errorf("YAML round trip: %v\n%s", err, y)
		}
	})
}

// fuzzCheckConfig checks that an accepted config is valid and complete.
func fuzzCheckConfig(t *testing.T, cfg *Config) {
	t.Helper()
	// validate works on a copy: it normalises provider and token type.
	var cp Config
	if err := json.Unmarshal(fuzzJSONBytes(t, cfg), &cp); err != nil {
		t.Fatal(err)
	}
	cp.kinds = plainKinds()
	if errs := cp.validate(); len(errs) > 0 {
		t.Errorf("accepted config does not validate: %v", errors.Join(errs...))
	}
	if cfg.NamePrefix == nil || !validStore(cfg.DefaultStore) || cfg.RefreshMargin <= 0 || cfg.RotateEvery <= 0 ||
		cfg.Timeout <= 0 || cfg.Concurrency <= 0 || cfg.DeadlineMargin <= 0 || cfg.MetricsNamespace == "" {
		t.Errorf("defaults missing: %s", fuzzJSON(cfg))
	}
	for _, p := range providers.Names() {
		if cfg.RateLimits[p] <= 0 {
			t.Errorf("no rate limit for %s", p)
		}
	}
	if len(cfg.Targets) == 0 {
		t.Error("accepted config without targets")
	}
	for i, tc := range cfg.Targets {
		if err := providers.Validate(tc.Target()); err != nil {
			t.Errorf("targets[%d]: %v", i, err)
		}
		longTerm := tc.TokenType == string(core.TokenLongTerm)
		if !longTerm && tc.TokenType != string(core.TokenTemp) {
			t.Errorf("targets[%d]: token type %q", i, tc.TokenType)
		}
		if tc.Verify == nil || tc.Timeout <= 0 || tc.RefreshMargin <= 0 || (tc.RotateEvery > 0) != longTerm {
			t.Errorf("targets[%d]: defaults missing: %s", i, fuzzJSON(tc))
		}
		if tc.Destination != nil || len(tc.Destinations) == 0 {
			t.Errorf("targets[%d]: destinations not resolved: %s", i, fuzzJSON(tc))
		}
		for j, d := range tc.Destinations {
			if !validStore(d.Store) || d.Ref == "" {
				t.Errorf("targets[%d].destinations[%d] = %s", i, j, fuzzJSON(d))
			}
		}
	}
}

func validStore(s string) bool {
	for _, k := range plainKinds() {
		if s == k.Name {
			return true
		}
	}
	return false
}

// fuzzWhere matches what a FieldError says it is about.
var fuzzWhere = regexp.MustCompile(`^(config|targets\[\d+\]|target ".*" \(targets\[\d+\]\))$`)

// fuzzCheckParseError checks the shape of a Parse error.
func fuzzCheckParseError(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if msg == "" {
		t.Fatal("empty error")
	}
	j, joined := err.(interface{ Unwrap() []error })
	if !joined {
		if !strings.HasPrefix(msg, "config") {
			t.Errorf("error does not say it is about the config: %q", msg)
		}
		return
	}
	list := j.Unwrap()
	if len(list) == 0 {
		t.Error("empty error list")
	}
	for _, e := range list {
		var fe *FieldError
		if !errors.As(e, &fe) || e != error(fe) {
			t.Errorf("%T in the error list: %v", e, e)
			continue
		}
		if fe.FieldError == nil || fe.Problem == "" || fe.Index < -1 {
			t.Errorf("incomplete field error: %#v", fe)
			continue
		}
		if fe.Index < 0 && fe.Field == "" {
			t.Errorf("config error names no field: %v", fe)
		}
		if w := fe.Where(); !fuzzWhere.MatchString(w) || (fe.Index >= 0) != strings.Contains(w, "targets["+strconv.Itoa(fe.Index)+"]") {
			t.Errorf("error says it is about %q (index %d)", w, fe.Index)
		}
		if !strings.HasPrefix(fe.Error(), fe.Where()+": ") {
			t.Errorf("error %q does not start with where it is", fe.Error())
		}
		if strings.ContainsAny(fe.Error(), "\r\n") {
			t.Errorf("error %q is not one line", fe.Error())
		}
	}
	if len(core.FieldErrors(err)) != len(list) {
		t.Errorf("core.FieldErrors finds %d of %d", len(core.FieldErrors(err)), len(list))
	}
}

// fuzzSensitiveKeys are keys whose values the config never echoes, though
// they are no secret keys: they name secrets or may hold a password.
var fuzzSensitiveKeys = map[string]bool{"token-secret": true, "private-key-secret": true, "base-url": true}

// fuzzCheckSecretsNotEchoed gives every value under a secret (or
// sensitive) key a fresh random value and checks that the error of the
// document so changed holds none of them. A document with a secret key
// anywhere is refused.
func fuzzCheckSecretsNotEchoed(t *testing.T, tree any) {
	t.Helper()
	var secrets []string
	refused := false
	var walk func(v any, under bool) any
	walk = func(v any, under bool) any {
		switch x := v.(type) {
		case map[string]any:
			for k, el := range x {
				secret := isSecretKey(k) && !fuzzSchemaKeys()[k]
				refused = refused || secret
				x[k] = walk(el, under || secret || fuzzSensitiveKeys[k])
			}
			return x
		case []any:
			for i, el := range x {
				x[i] = walk(el, under)
			}
			return x
		case nil:
			return nil
		}
		if !under {
			return v
		}
		s := leaktest.Random(t)
		secrets = append(secrets, s)
		return s
	}
	tree = walk(tree, false)
	if len(secrets) == 0 && !refused {
		return
	}
	doc, err := json.Marshal(tree)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(doc, plainKinds())
	if err == nil {
		if refused {
			t.Errorf("a document with a secret key was accepted:\n%s", doc)
		}
		return
	}
	leaktest.Check(t, "Parse error", err.Error(), secrets...)
}

// fuzzSchemaKeys returns every key the schema knows, at any level.
func fuzzSchemaKeys() map[string]bool {
	keys := map[string]bool{}
	for _, ty := range []reflect.Type{reflect.TypeFor[Config](), targetType, reflect.TypeFor[Credentials](),
		reflect.TypeFor[CredentialSource](), reflect.TypeFor[Destination](), reflect.TypeFor[GitHubConfig]()} {
		for _, k := range jsonKeys(ty) {
			keys[k] = true
		}
	}
	return keys
}

// fuzzSecretKey returns a secret key of the document's mappings, or "".
func fuzzSecretKey(v any) string {
	switch x := v.(type) {
	case map[string]any:
		for k, el := range x {
			if isSecretKey(k) && !fuzzSchemaKeys()[k] {
				return k
			}
			if s := fuzzSecretKey(el); s != "" {
				return s
			}
		}
	case []any:
		for _, el := range x {
			if s := fuzzSecretKey(el); s != "" {
				return s
			}
		}
	}
	return ""
}

// fuzzTree decodes a document as Parse does, without the checks.
func fuzzTree(data []byte) (any, bool) {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var tree any
	if dec.Decode(&tree) != nil {
		return nil, false
	}
	return tree, true
}

func fuzzJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func fuzzJSONBytes(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzParseDuration feeds arbitrary strings to ParseDuration.
//
// Invariants: an accepted duration is positive, surrounding space does not
// matter, its String and JSON forms parse back to it, "<n>d" is n days; an
// error quotes the value it refused.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30m", "1h30m", "720h", "30d", " 7d\t", "0d", "100000d", "100001d", "-1h", "0", "1.5h", "+1h",
		"9223372036854775807ns", "9223372036854775808ns", "2562047h47m16.854775807s", "99999999999d", "d", "1dd", "1D", "\x00", "١d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		d2, err2 := ParseDuration(" \t" + s + "\n ")
		if d != d2 || (err == nil) != (err2 == nil) {
			t.Errorf("surrounding space changes the result: %v, %v vs %v, %v", d, err, d2, err2)
		}
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(strings.TrimSpace(s))) {
				t.Errorf("error %q does not quote the value", err)
			}
			return
		}
		if d <= 0 {
			t.Fatalf("ParseDuration(%q) = %v, not positive", s, d)
		}
		if back, err := ParseDuration(d.String()); err != nil || back != d {
			t.Errorf("String %q parses to %v, %v; want %v", d.String(), back, err, d)
		}
		js, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var back Duration
		if err := back.UnmarshalJSON(js); err != nil || back != d {
			t.Errorf("JSON %s reads as %v, %v; want %v", js, back, err, d)
		}
		if n, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
			days, _ := strconv.ParseInt(n, 10, 64)
			if time.Duration(d) != time.Duration(days)*24*time.Hour {
				t.Errorf("%q = %v, not %d days", s, time.Duration(d), days)
			}
		}
	})
}

// TestParseBoundsYAMLAliases: aliases let a small document stand for a
// large one. The YAML decoder refuses only a very high ratio of aliased
// nodes, so a 50 KB document could still expand a hundredfold, and a 60 KB
// string named 999 times (60 MB) passes its count altogether. Parse
// measures what a document expands to before decoding it, and refuses
// these at that point: each costs well under a megabyte and a second
// (refusing the long string once cost 60 to 180 MB, as its JSON was built
// before its size was checked). Not parallel: it counts what the process
// allocates.
func TestParseBoundsYAMLAliases(t *testing.T) {
	for name, doc := range aliasBombs() {
		var allocated uint64 = math.MaxUint64
		for range 3 {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Parse([]byte(doc), plainKinds())
			d := time.Since(start)
			runtime.ReadMemStats(&after)
			allocated = min(allocated, after.TotalAlloc-before.TotalAlloc)
			if !errors.Is(err, errExpanded) {
				t.Errorf("%s: Parse = %.200v, want %v", name, err, errExpanded)
			}
			if d > 5*time.Second {
				t.Errorf("%s: Parse took %v", name, d)
			}
		}
		if allocated > 4<<20 {
			t.Errorf("%s: Parse allocated %d KiB to refuse a %d KiB document", name, allocated>>10, len(doc)>>10)
		}
	}
}
