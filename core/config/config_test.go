package config_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/decide"
	"github.com/regmint/regmint/core/stores"
	"github.com/regmint/regmint/core/tcr"
)

// exampleYAML is a complete document; exampleJSON says the same in JSON.
const exampleYAML = `
# keep TCR and SWR logins fresh
name-prefix: regmint/
refresh-margin: 30m
rotate-every: 30d
concurrency: 8
timeout: 45s
deadline-margin: 5s
metrics-namespace: regmint
rate-limits: {tcr: 100, swr-enterprise: 10}
credential-sources:
  tencent: {secret: regmint-source/tencent}
  local: {env: true}
targets:
  - name: tcr-prod
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-abcd1234
    credentials: {source: tencent}
  - name: swr-ci
    provider: swr-enterprise
    region: cn-north-4
    instance-id: swr-inst-01
    token-type: longterm
    rotate-every: 14d
    require-verified: true
    credentials: {secret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:regmint-source/huawei-AbCdEf"}
    destinations:
      - {store: secretsmanager}
      - {store: file, ref: build-host}
  - name: tcr-local
    provider: tcr
    region: ap-shanghai
    instance-id: tcr-local001
    refresh-margin: 45m
    verify: false
    api-endpoint: http://127.0.0.1:8080
    credentials: {source: local}
    destination: {store: file}
`

const exampleJSON = `{
  "name-prefix": "regmint/",
  "refresh-margin": "30m",
  "rotate-every": "720h",
  "concurrency": 8,
  "timeout": "45s",
  "deadline-margin": "5s",
  "metrics-namespace": "regmint",
  "rate-limits": {"tcr": 100, "swr-enterprise": 10},
  "credential-sources": {
    "tencent": {"secret": "regmint-source/tencent"},
    "local": {"env": true}
  },
  "targets": [
    {"name": "tcr-prod", "provider": "tcr", "region": "ap-guangzhou", "instance-id": "tcr-abcd1234",
     "credentials": {"source": "tencent"}},
    {"name": "swr-ci", "provider": "swr-enterprise", "region": "cn-north-4", "instance-id": "swr-inst-01",
     "token-type": "longterm", "rotate-every": "336h", "require-verified": true,
     "credentials": {"secret": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:regmint-source/huawei-AbCdEf"},
     "destinations": [{"store": "secretsmanager"}, {"store": "file", "ref": "build-host"}]},
    {"name": "tcr-local", "provider": "tcr", "region": "ap-shanghai", "instance-id": "tcr-local001",
     "refresh-margin": "45m", "verify": false, "api-endpoint": "http://127.0.0.1:8080",
     "credentials": {"source": "local"}, "destination": {"store": "file"}}
  ]
}`

func TestParseYAMLAndJSONAgree(t *testing.T) {
	t.Parallel()
	y, err := config.Parse([]byte(exampleYAML), stores.Kinds())
	if err != nil {
		t.Fatalf("YAML: %v", err)
	}
	j, err := config.Parse([]byte(exampleJSON), stores.Kinds())
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	if !reflect.DeepEqual(y, j) {
		t.Errorf("YAML and JSON differ:\n%+v\n%+v", y, j)
	}
}

func TestParseDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse([]byte(exampleYAML), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	prod, ci, local := cfg.Targets[0], cfg.Targets[1], cfg.Targets[2]
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"prod token type", prod.TokenType, "temp"},
		{"prod refresh-margin", time.Duration(prod.RefreshMargin), 30 * time.Minute},
		{"prod rotate-every (temp: unused)", time.Duration(prod.RotateEvery), time.Duration(0)},
		{"prod timeout", time.Duration(prod.Timeout), 45 * time.Second},
		{"prod verify", prod.Verifies(), true},
		{"prod destinations", prod.Destinations, []config.Destination{{Store: "secretsmanager", Ref: "tcr-prod"}}},
		{"ci rotate-every", time.Duration(ci.RotateEvery), 14 * 24 * time.Hour},
		{"ci policy", ci.Policy(), decide.Policy{LongTerm: true, RefreshMargin: 30 * time.Minute, RotateEvery: 14 * 24 * time.Hour}},
		{"ci destinations", ci.Destinations, []config.Destination{{Store: "secretsmanager", Ref: "swr-ci"}, {Store: "file", Ref: "build-host"}}},
		{"local destination", local.Destinations, []config.Destination{{Store: "file", Ref: "tcr-local"}}},
		{"local destination moved", local.Destination, (*config.Destination)(nil)},
		{"local verify", local.Verifies(), false},
		{"local refresh-margin", time.Duration(local.RefreshMargin), 45 * time.Minute},
		{"rate limits", cfg.RateLimits, map[string]float64{"tcr": 100, "swr": 20, "swr-enterprise": 10}},
		{"namespace", cfg.MetricsNamespace, "regmint"},
		{"concurrency", cfg.Concurrency, 8},
		{"target", prod.Target(), core.Target{Provider: tcr.Name, Region: "ap-guangzhou", InstanceID: "tcr-abcd1234", TokenType: core.TokenTemp, Description: "regmint rotation tcr-prod"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}

	minimal, err := config.Parse([]byte("targets:\n  - {name: t0, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0000, credentials: {env: true}}\n"), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	if got := minimal; *got.NamePrefix != "regmint/" || got.Concurrency != config.DefaultConcurrency ||
		time.Duration(got.Timeout) != config.DefaultTimeout || time.Duration(got.DeadlineMargin) != config.DefaultDeadlineMargin ||
		got.DefaultStore != config.DefaultStore || time.Duration(got.Targets[0].RefreshMargin) != config.DefaultRefreshMargin {
		t.Errorf("defaults not applied: %+v", got)
	}
	lt, err := config.Parse([]byte(`
name-prefix: ""
default-store: file
targets: [{name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001, token-type: LongTerm, credentials: {env: true}}]
`), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	if got := lt.Targets[0]; time.Duration(got.RotateEvery) != config.DefaultRotateEvery || got.TokenType != "longterm" ||
		!reflect.DeepEqual(got.Destinations, []config.Destination{{Store: "file", Ref: "a"}}) {
		t.Errorf("target %+v", got)
	}
}

// configErrors parses doc and returns the rendered field errors.
func configErrors(t *testing.T, doc string) []string {
	t.Helper()
	_, err := config.Parse([]byte(doc), stores.Kinds())
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range unwrapJoined(err) {
		out = append(out, e.Error())
	}
	return out
}

func unwrapJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// TestParseNullDurationIsUnset: a duration key with no value (YAML null)
// is not set, like every other field, so the default applies; it used to be
// an error naming no field.
func TestParseNullDurationIsUnset(t *testing.T) {
	t.Parallel()
	doc := "refresh-margin:\nrotate-every: null\ntargets:\n  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001, credentials: {env: true}, refresh-margin: null}\n"
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(cfg.Targets[0].RefreshMargin); got != config.DefaultRefreshMargin {
		t.Errorf("refresh-margin = %v, want the default %v", got, config.DefaultRefreshMargin)
	}
}

func TestParseFieldErrors(t *testing.T) {
	t.Parallel()
	const good = `{name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001, credentials: {env: true}`
	target := func(extra string) string { return "targets:\n  - " + good + extra + "}\n" }
	for _, tc := range []struct {
		name string
		doc  string
		want string // one error, exactly
	}{
		{"no targets", "targets: []", "config: targets: is empty; accepted: a list of at least one target"},
		{"missing name", "targets:\n  - {provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001, credentials: {env: true}}", "targets[0]: name: is required; accepted: letters, digits and . _ / - (at most 128), starting with a letter or digit"},
		{"bad name", strings.Replace(target(""), "name: a", "name: 'a b'", 1), `target "a b" (targets[0]): name: "a b" is not a valid target name`},
		{"duplicate name", target("") + "  - " + good + "}\n", `target "a" (targets[1]): name: "a" is already the name of targets[0]; accepted: a name unique among targets`},
		{"bad provider", strings.Replace(target(""), "provider: tcr", "provider: ecr", 1), `target "a" (targets[0]): provider: "ecr" is not a provider; accepted: tcr, swr, swr-enterprise`},
		{"bad region", strings.Replace(target(""), "ap-guangzhou", "guangzhou", 1), `target "a" (targets[0]): region: "guangzhou" is not a region id`},
		{"bad instance", strings.Replace(target(""), "tcr-inst0001", "inst", 1), `target "a" (targets[0]): instance-id: "inst" is not a TCR instance id; accepted: a TCR Enterprise instance id such as tcr-abcd1234`},
		{"instance on swr", "targets:\n  - {name: a, provider: swr, region: cn-north-4, instance-id: x1, credentials: {env: true}}", `target "a" (targets[0]): instance-id: is not used by provider swr`},
		{"bad registry", target(", registry: 'https://x.example'"), `target "a" (targets[0]): registry: "https://x.example" has a scheme`},
		{"bad token type", target(", token-type: forever"), `target "a" (targets[0]): token-type: "forever" is not a token type; accepted: temp, longterm`},
		{"bad endpoint", target(", api-endpoint: 'ftp://x'"), `target "a" (targets[0]): api-endpoint: "ftp://x" does not start with http:// or https://`},
		{"iam endpoint on tcr", target(", iam-endpoint: 'https://iam.example'"), `target "a" (targets[0]): iam-endpoint: is only used by the Huawei providers`},
		{"bad refresh-margin", target(", refresh-margin: soon"), `target "a" (targets[0]): refresh-margin: "soon" is not a duration; accepted: a positive duration string such as "30m", "12h" or "30d"`},
		{"empty refresh-margin", target(", refresh-margin: ''"), `target "a" (targets[0]): refresh-margin: "" is not a duration; accepted: a positive duration string such as "30m", "12h" or "30d"`},
		{"negative refresh-margin", target(", refresh-margin: -5m"), `target "a" (targets[0]): refresh-margin: "-5m" is not positive`},
		{"number refresh-margin", target(", refresh-margin: 30"), `target "a" (targets[0]): refresh-margin: must be a string, not a number`},
		{"rotate-every on temp", target(", rotate-every: 30d"), `target "a" (targets[0]): rotate-every: is only used with token-type longterm`},
		{"timeout too long", target(", timeout: 1h"), `target "a" (targets[0]): timeout: 1h0m0s is too long; accepted: at most 15m`},
		{"verify not bool", target(", verify: sometimes"), `target "a" (targets[0]): verify: must be a boolean, not a string; accepted: true, false`},
		{"require-verified without verify", target(", verify: false, require-verified: true"), `target "a" (targets[0]): require-verified: is set while verify is false`},
		{"no credentials", "targets:\n  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001}", `target "a" (targets[0]): credentials: is required; accepted: exactly one of {secret: <Secrets Manager secret id>}, {source: <credential-sources name>}, {env: true}`},
		{"two credentials", strings.Replace(target(""), "{env: true}", "{env: true, secret: s}", 1), `target "a" (targets[0]): credentials: must set exactly one way`},
		{"bad secret id", strings.Replace(target(""), "{env: true}", "{secret: 'my secret'}", 1), `target "a" (targets[0]): credentials.secret: "my secret" is not a secret id`},
		{"unknown source", strings.Replace(target(""), "{env: true}", "{source: nope}", 1), `target "a" (targets[0]): credentials.source: "nope" is not defined in credential-sources; accepted: a name listed under credential-sources`},
		{"source without way", "credential-sources: {s: {}}\n" + target(""), `config: credential-sources.s: sets neither secret nor env`},
		{"bad store", target(", destination: {store: s3}"), `target "a" (targets[0]): destination.store: "s3" is not a store kind; accepted: secretsmanager, file`},
		{"bad default store", "default-store: vault\n" + strings.Replace(target(""), "}\n", ", destination: {store: file}}\n", 1), `config: default-store: "vault" is not a store kind; accepted: secretsmanager, file`},
		{"both destination keys", target(", destination: {store: file}, destinations: [{store: secretsmanager}]"), `target "a" (targets[0]): destination: is set together with destinations`},
		{"bad secret name", target(", destinations: [{ref: 'a b'}]"), `target "a" (targets[0]): destinations[0].ref: "a b" is not a secret name`},
		{"destination twice", target(", destinations: [{store: file, ref: x}, {store: file, ref: x}]"), `target "a" (targets[0]): destinations[1]: names file:x twice`},
		{"destination shared", target(", destination: {ref: shared}") + "  - {name: b, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0002, credentials: {env: true}, destination: {ref: shared}}\n", `target "b" (targets[1]): destination: secretsmanager:shared is also written by target "a"`},
		{"concurrency", "concurrency: 1000\n" + target(""), "config: concurrency: 1000 is out of range; accepted: 1 to 256"},
		{"concurrency type", "concurrency: 2.5\n" + target(""), "config: concurrency: must be a whole number, not a number"},
		{"rate limit provider", "rate-limits: {ecr: 3}\n" + target(""), `config: rate-limits.ecr: "ecr" is not a provider`},
		{"rate limit value", "rate-limits: {tcr: -1}\n" + target(""), `config: rate-limits.tcr: -1 is out of range`},
		{"namespace", "metrics-namespace: AWS/Lambda\n" + target(""), `config: metrics-namespace: "AWS/Lambda" is not a CloudWatch namespace`},
		{"prefix", "name-prefix: 'a b/'\n" + target(""), `config: name-prefix: "a b/" is not a valid secret name prefix`},
		{"deadline-margin", "deadline-margin: 2m\n" + target(""), "config: deadline-margin: 2m0s is too long; accepted: at most 1m"},
		{"targets not a list", "targets: {a: 1}", "config: targets: must be a list, not a mapping"},
		{"target not a mapping", "targets: [tcr]", "targets[0]: must be a mapping (object), not a string"},
		{"instance id as number", strings.Replace(target(""), "tcr-inst0001", "1234", 1), `target "a" (targets[0]): instance-id: must be a string, not a number; accepted: a string (quote values YAML would read as numbers or booleans)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			errs := configErrors(t, tc.doc)
			if len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
				t.Errorf("errors:\n  %s\nwant exactly one containing:\n  %s", strings.Join(errs, "\n  "), tc.want)
			}
		})
	}
}

func TestParseAllErrorsAtOnce(t *testing.T) {
	t.Parallel()
	_, err := config.Parse([]byte(`
concurrency: 0.5
targets:
  - {name: a, provider: tcr, region: X, credentials: {env: true}, regoin: y}
  - {name: b, provider: swr, region: cn-north-4, credentials: {source: s}}
  - {name: a, provider: swr, region: cn-north-4}
`), stores.Kinds())
	if err == nil {
		t.Fatal("no error")
	}
	fes := core.FieldErrors(err)
	got := map[string]bool{}
	for _, e := range unwrapJoined(err) {
		var fe *config.FieldError
		if !errors.As(e, &fe) {
			t.Errorf("%v is not a *config.FieldError", e)
			continue
		}
		got[fe.Where()+" "+fe.Field] = true
	}
	for _, want := range []string{
		"config concurrency",
		`target "a" (targets[0]) regoin`,
		`target "a" (targets[0]) region`,
		`target "a" (targets[0]) instance-id`,
		`target "b" (targets[1]) credentials.source`,
		`target "a" (targets[2]) name`,
		`target "a" (targets[2]) credentials`,
	} {
		if !got[want] {
			t.Errorf("no error for %s; got %v", want, got)
		}
	}
	if len(fes) != len(got) {
		t.Errorf("core.FieldErrors found %d, want %d", len(fes), len(got))
	}
}

func TestParseRefusesSecrets(t *testing.T) {
	t.Parallel()
	const value = "s3cr3t-Value-42"
	for _, tc := range []struct {
		name, doc, where string
	}{
		{"access-key-secret in target", "targets:\n  - {name: a, access-key-secret: " + value + "}", `target "a" (targets[0]): access-key-secret`},
		{"iam-password in target", "targets:\n  - {name: a, iam-password: " + value + "}", `target "a" (targets[0]): iam-password`},
		{"password in credentials", "targets:\n  - {name: a, credentials: {password: " + value + "}}", `target "a" (targets[0]): credentials.password`},
		{"security_token in a source", "credential-sources: {s: {security_token: " + value + "}}\ntargets: []", `config: credential-sources.s.security_token`},
		{"secret-key top-level", "secret-key: " + value + "\ntargets: []", "config: secret-key"},
		{"SecretAccessKey", "AWS_SECRET_ACCESS_KEY: " + value + "\ntargets: []", "config: AWS_SECRET_ACCESS_KEY"},
		{"nested under an unknown key", "auth-settings: {huawei: {iam_password: " + value + "}}\ntargets: []", "config: auth-settings.huawei.iam_password"},
		{"token in a list", "extra: [{token: " + value + "}]\ntargets: []", "config: extra[0].token"},
		{"json", `{"targets": [{"name": "a", "credentials": {"access_key_secret": "` + value + `"}}]}`, `target "a" (targets[0]): credentials.access_key_secret`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Parse([]byte(tc.doc), stores.Kinds())
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if strings.Contains(msg, value) {
				t.Fatalf("the error shows the secret: %s", msg)
			}
			want := tc.where + ": secrets are refused in the config document"
			if !strings.Contains(msg, want) || !strings.Contains(msg, "Secrets Manager secret") {
				t.Errorf("error %q\nwant it to contain %q and say where secrets go", msg, want)
			}
		})
	}
	// Non-secret auth fields are pointed to the secret too.
	_, err := config.Parse([]byte("targets:\n  - {name: a, access-key-id: AKIDx}"), stores.Kinds())
	if err == nil || !strings.Contains(err.Error(), `access-key-id: cloud credentials do not belong in the config document; accepted: put access_key_id in a Secrets Manager secret`) {
		t.Errorf("access-key-id: %v", err)
	}
}

func TestParseRefusesUnknownKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ doc, want string }{
		{"refresh-margn: 10m\ntargets: []", "config: refresh-margn: unknown key; accepted: keys name-prefix, default-store, refresh-margin"},
		{"targets:\n  - {name: a, regoin: x}", `target "a" (targets[0]): regoin: unknown key; accepted: keys name, provider, region`},
		{"targets:\n  - {name: a, destination: {store: file, path: /x}}", `target "a" (targets[0]): destination.path: unknown key; accepted: keys store, ref`},
		{"targets:\n  - {name: a, credentials: {secrets: x}}", `target "a" (targets[0]): credentials.secrets: unknown key; accepted: keys secret, source, env`},
		{"targets:\n  - {Name: a}", `targets[0]: Name: unknown key`},
		{"targets:\n  - name: a\n    name: b\n", `key "name" already set`},
	} {
		_, err := config.Parse([]byte(tc.doc), stores.Kinds())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v\nwant %q", tc.doc, err, tc.want)
		}
	}
}

func TestParseNotAConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ doc, want string }{
		{"", "config is empty"},
		{"  \n", "config is empty"},
		{"[1, 2]", "config must be a mapping"},
		{"a: b: c", "config is neither valid YAML nor JSON"},
		{`{"targets": [}`, "config is neither valid YAML nor JSON"},
	} {
		if _, err := config.Parse([]byte(tc.doc), stores.Kinds()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %q", tc.doc, err, tc.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"30m", 30 * time.Minute, false},
		{"1h30m", 90 * time.Minute, false},
		{"30d", 30 * 24 * time.Hour, false},
		{"0s", 0, true},
		{"-1h", 0, true},
		{"d", 0, true},
		{"1.5d", 0, true},
		{"999999999d", 0, true},
		{"", 0, true},
	} {
		got, err := config.ParseDuration(tc.in)
		if (err != nil) != tc.err || time.Duration(got) != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v", tc.in, got, err)
		}
	}
}
