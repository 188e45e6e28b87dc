package config_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/regmint/regmint/internal/readmetest"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/stores"
)

// docs/troubleshooting.md holds a table of bad values tried
// for every config field and the error the function printed for each. This
// test makes that table: it loads a config document with each bad value
// through config.Loader, as the function does, checks that every error
// names the field and what it accepts and never echoes a secret, and
// compares the rendered table with that file's, between the markers
// <!-- badinput:config:begin --> and <!-- badinput:config:end -->. It also
// fails when a field of the config's schema has no row.
//
// After changing a field or a message, rewrite the table with
//
//	REGMINT_UPDATE_README=1 go test ./core/config -run TestBadConfigTable

// badField is one bad value tried for one config field.
type badField struct {
	// field is the key path as the schema spells it (see schemaPaths):
	// "refresh-margin", "credential-sources.<name>.secret",
	// "targets[].destinations[].store". Empty for the document as a
	// whole; extra marks paths outside the schema (unknown or secret keys).
	field string
	extra bool
	// top is top-level YAML placed before the targets; target is the
	// lines of the one target that replace the base target's lines of the
	// same keys; drop leaves base target keys out. doc, when set, is the
	// whole document.
	top, target string
	drop        []string
	doc         *string
	// shown is how the table shows the bad value, when not as written.
	shown string
	// names is what the error must name, when not the field's last key;
	// form is the phrase that says what is accepted, when not
	// "; accepted: ".
	names, form string
}

// laughsDoc is the "billion laughs": levels of mappings each naming the
// one before nine times.
func laughsDoc(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), ", "))
	}
	return b.String() + "targets: []\n"
}

// badTarget is the valid target each row changes.
var badTarget = []string{"name: a", "provider: tcr", "region: ap-guangzhou", "instance-id: tcr-abcd1234", "credentials: {env: true}"}

func docOf(s string) *string { return &s }

// Placeholders replaced at run time with generated values that look like
// a secret, so that none is written in the source or the README.
const (
	pemSlot   = "<pem>"
	tokenSlot = "<token>"
)

const githubApp = "github: {app-id: 123456, installation-id: 7890123, private-key-secret: regmint/github-app-key}"

var badFields = []badField{
	// The document as a whole.
	{doc: docOf(""), shown: "(an empty document)", form: "it must list targets"},
	{doc: docOf("targets:\n  - name: a\n   provider: tcr\n"), shown: "a mis-indented line", form: "neither valid YAML nor JSON"},
	{doc: docOf("- name: a\n  provider: tcr\n"), shown: "a list at the top", form: "with a targets list at the top"},
	{doc: docOf("targets:\n  - {name: a, provider: tcr, region: ap-guangzhou, region: ap-shanghai, instance-id: tcr-abcd1234, credentials: {env: true}}\n"),
		shown: "a key given twice", names: "region", form: "already set"},
	{doc: docOf("# " + strings.Repeat("-", 1<<20) + "\ntargets: []\n"), shown: "a document over 1 MiB"},
	{doc: docOf(laughsDoc(8)), shown: "8 levels of `a<i>: &a<i> [*a<i-1>, ... nine times]` (YAML aliases standing for 9^8 strings)"},
	// Top-level keys.
	{field: "name-prefix", top: "name-prefix: regmint prod/"},
	{field: "name-prefix", top: "name-prefix: [regmint/]"},
	{field: "name-prefix", top: "name-prefix: regmint"},
	{field: "insecure-endpoints", top: "insecure-endpoints: \"yes\""},
	{field: "realm-hosts", top: "realm-hosts: auth.example.com"},
	{field: "realm-hosts[]", top: "realm-hosts: [https://auth.example.com/token]"},
	{field: "targets[].destination", top: "credential-sources: {tencent: {secret: regmint/a}}", target: "credentials: {source: tencent}",
		shown: "a target writing `regmint/a`, the secret of its credential source", names: "destination (default).ref"},
	{field: "targets[].destinations[]", target: "credentials: {secret: regmint-sources/tencent}\ndestinations: [{ref: arn:aws:secretsmanager:us-east-1:123456789012:secret:regmint-sources/tencent-AbCdEf}]",
		shown: "a target writing its own cloud keys' secret, by ARN", names: "destinations[0].ref"},
	{field: "default-store", top: "default-store: s3"},
	{field: "refresh-margin", top: "refresh-margin: 30"},
	{field: "refresh-margin", top: "refresh-margin: 30 minutes"},
	{field: "refresh-margin", top: "refresh-margin: -5m"},
	{field: "refresh-margin", top: "refresh-margin: 0s"},
	{field: "refresh-margin", top: "refresh-margin: 1000000d"},
	{field: "rotate-every", top: "rotate-every: 1 month"},
	{field: "rotate-every", top: "rotate-every: 0d"},
	{field: "timeout", top: "timeout: 1h"},
	{field: "concurrency", top: "concurrency: -1"},
	{field: "concurrency", top: "concurrency: 1000"},
	{field: "concurrency", top: "concurrency: \"8\""},
	{field: "concurrency", top: "concurrency: 2.5"},
	{field: "deadline-margin", top: "deadline-margin: 5m"},
	{field: "metrics-namespace", top: "metrics-namespace: AWS/Lambda"},
	{field: "rate-limits", top: "rate-limits: 100"},
	{field: "rate-limits.<name>", top: "rate-limits: {acr: 10}"},
	{field: "rate-limits.<name>", top: "rate-limits: {tcr: 0}"},
	{field: "rate-limits.<name>", top: "rate-limits: {tcr: 1e9}"},
	{field: "rate-limits.<name>", top: "rate-limits: {tcr: fast}"},
	{field: "store-limits", top: "store-limits: 50"},
	{field: "store-limits.<name>", top: "store-limits: {s3: {writes: 10}}"},
	{field: "store-limits.<name>", top: "store-limits: {secretsmanager: {deletes: 10}}", names: "deletes"},
	{field: "store-limits.<name>.reads", top: "store-limits: {secretsmanager: {reads: -1}}"},
	{field: "store-limits.<name>.batch-reads", top: "store-limits: {secretsmanager: {batch-reads: fast}}"},
	{field: "store-limits.<name>.writes", top: "store-limits: {secretsmanager: {writes: 1e9}}"},
	{field: "store-limits.<name>.writes-per-hour", top: "store-limits: {github: {writes-per-hour: -500}}"},
	{field: "credential-sources", top: "credential-sources: [tencent]"},
	{field: "credential-sources.<name>", top: "credential-sources: {tencent: {}}"},
	{field: "credential-sources.<name>", top: "credential-sources: {tencent: {secret: regmint-source/tencent, env: true}}"},
	{field: "credential-sources.<name>", top: "credential-sources: {tencent cloud: {env: true}}"},
	{field: "credential-sources.<name>", top: "credential-sources: {tencent: regmint-source/tencent}"},
	{field: "credential-sources.<name>.secret", top: "credential-sources: {tencent: {secret: regmint source/tencent}}"},
	{field: "credential-sources.<name>.env", top: "credential-sources: {tencent: {env: \"yes\"}}"},
	{field: "credential-sources.<name>.access_key_secret", extra: true, top: "credential-sources: {tencent: {access_key_secret: not-a-real-secret}}", names: "access_key_secret"},
	{field: "github", top: "github: {}"},
	{field: "github", top: "github: {app-id: 123456, installation-id: 7890123, private-key-secret: regmint/github-app-key, token-secret: regmint/github-token}"},
	{field: "github.app-id", top: "github: {app-id: abc, installation-id: 7890123, private-key-secret: regmint/github-app-key}"},
	{field: "github.app-id", top: "github: {app-id: -5, installation-id: 7890123, private-key-secret: regmint/github-app-key}"},
	{field: "github.installation-id", top: "github: {app-id: 123456, private-key-secret: regmint/github-app-key}"},
	{field: "github.private-key-secret", top: "github: {app-id: 123456, installation-id: 7890123}"},
	{field: "github.private-key-secret", top: "github: {app-id: 123456, installation-id: 7890123, private-key-secret: \"" + pemSlot + "\"}",
		shown: "`private-key-secret:` the app's PEM private key itself"},
	{field: "github.token-secret", top: "github: {token-secret: " + tokenSlot + "}", shown: "`token-secret:` a personal access token itself"},
	{field: "github.token-secret", top: "github: {token-secret: regmint github token}"},
	{field: "github.base-url", top: "github: {token-secret: regmint/github-token, base-url: ghe.example.com}"},
	{field: "github.base-url", top: "github: {token-secret: regmint/github-token, base-url: \"https://ci:not-a-real-password@ghe.example.com\"}"},
	{field: "github.token", extra: true, top: "github: {token: not-a-real-secret}", names: "token"},
	{field: "targets", doc: docOf("targets: []\n")},
	{field: "targets", doc: docOf("targets: {name: a, provider: tcr}\n")},
	{field: "targets", doc: docOf("refresh-margin: 30m\n"), shown: "no `targets`"},
	{field: "targets[]", doc: docOf("targets: [tcr-prod]\n")},
	{field: "schedule", extra: true, top: "schedule: rate(10 minutes)"},
	// Target keys.
	{field: "targets[].name", drop: []string{"name"}},
	{field: "targets[].name", target: "name: tcr prod"},
	{field: "targets[].name", doc: docOf("targets:\n  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, credentials: {env: true}}\n" +
		"  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-efgh5678, credentials: {env: true}}\n"), shown: "two targets named `a`"},
	{field: "targets[].provider", drop: []string{"provider"}},
	{field: "targets[].provider", target: "provider: tencent"},
	{field: "targets[].region", drop: []string{"region"}},
	{field: "targets[].region", target: "region: Guangzhou"},
	{field: "targets[].instance-id", drop: []string{"instance-id"}},
	{field: "targets[].instance-id", target: "instance-id: abcd1234"},
	{field: "targets[].instance-id", target: "instance-id: 12345678"},
	{field: "targets[].instance-id", target: "provider: swr\nregion: cn-north-4"},
	{field: "targets[].registry", target: "registry: https://myreg.tencentcloudcr.com"},
	{field: "targets[].token-type", target: "token-type: permanent"},
	{field: "targets[].description", target: "description: 42"},
	{field: "targets[].api-endpoint", target: "api-endpoint: tcr.tencentcloudapi.com"},
	{field: "targets[].iam-endpoint", target: "iam-endpoint: https://iam.cn-north-4.myhuaweicloud.com"},
	{field: "targets[].sts-endpoint", target: "sts-endpoint: sts.tencentcloudapi.com"},
	{field: "targets[].site", target: "site: international"},
	{field: "targets[].refresh-margin", target: "refresh-margin: 90"},
	{field: "targets[].refresh-margin", target: "refresh-margin: -10m"},
	{field: "targets[].rotate-every", target: "rotate-every: 14d"},
	{field: "targets[].rotate-every", target: "token-type: longterm\nrotate-every: 2 weeks"},
	{field: "targets[].timeout", target: "timeout: 20m"},
	{field: "targets[].timeout", target: "timeout: 0s"},
	{field: "targets[].verify", target: "verify: \"no\""},
	{field: "targets[].require-verified", target: "verify: false\nrequire-verified: true"},
	{field: "targets[].require-verified", target: "require-verified: 1"},
	{field: "targets[].credentials", drop: []string{"credentials"}},
	{field: "targets[].credentials", target: "credentials: env"},
	{field: "targets[].credentials", target: "credentials: {env: true, secret: regmint-source/tencent}"},
	{field: "targets[].credentials", target: "credentials: {}"},
	{field: "targets[].credentials.secret", target: "credentials: {secret: regmint source/tencent}"},
	{field: "targets[].credentials.source", target: "credentials: {source: huawei}", top: "credential-sources: {tencent: {secret: regmint-source/tencent}}"},
	{field: "targets[].credentials.env", target: "credentials: {env: \"true\"}"},
	{field: "targets[].credentials.chain", target: "credentials: {chain: \"yes\"}"},
	{field: "targets[].credentials.chain", target: "credentials: {chain: true, env: true}"},
	{field: "targets[].credentials.service-account", target: "credentials: {service-account: {role-arn: \"qcs::cam::uin/100000000001:roleName/pull\", oidc-provider-id: k8s}}"},
	{field: "targets[].credentials.service-account.role-arn", target: "credentials: {service-account: {role-arn: [pull]}}", names: "service-account"},
	{field: "targets[].credentials.service-account.oidc-provider-id", target: "credentials: {service-account: {oidc-provider-id: 7}}", names: "service-account"},
	{field: "targets[].credentials.service-account.idp-id", target: "credentials: {service-account: {idp-id: true}}", names: "service-account"},
	{field: "targets[].credentials.access-key-secret", extra: true, target: "credentials: {access-key-secret: not-a-real-secret}", names: "access-key-secret"},
	{field: "targets[].access-key-id", extra: true, target: "access-key-id: not-a-real-id", names: "access-key-id"},
	{field: "targets[].password", extra: true, target: "password: not-a-real-secret", names: "password"},
	{field: "targets[].instance", extra: true, target: "instance: tcr-abcd1234", names: "instance"},
	// Destinations.
	{field: "targets[].destination", target: "destination: {store: file}\ndestinations: [{store: secretsmanager}]"},
	{field: "targets[].destination", target: "destination: file"},
	{field: "targets[].destinations", target: "destinations: {store: file}"},
	{field: "targets[].destinations[]", target: "destinations: [{store: file}, {store: file}]"},
	{field: "targets[].destinations[]", doc: docOf("targets:\n  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-abcd1234, credentials: {env: true}, destination: {ref: shared}}\n" +
		"  - {name: b, provider: tcr, region: ap-guangzhou, instance-id: tcr-efgh5678, credentials: {env: true}, destination: {ref: shared}}\n"),
		shown: "two targets writing `destination: {ref: shared}`", names: "destination"},
	{field: "targets[].destinations[].store", target: "destinations: [{store: s3}]"},
	{field: "targets[].destinations[].store", target: "destinations: [{store: github, repository: octo-org/app}]"},
	{field: "targets[].destinations[].ref", target: "destinations: [{store: secretsmanager, ref: tcr prod}]"},
	{field: "targets[].destinations[].ref", target: "destinations: [{store: github, ref: 1TCR, repository: octo-org/app}]", top: githubApp},
	{field: "targets[].destinations[].repository", target: "destinations: [{store: github, repository: app}]", top: githubApp},
	{field: "targets[].destinations[].repository", target: "destinations: [{store: file, repository: octo-org/app}]"},
	{field: "targets[].destinations[].repository", target: "destinations: [{store: github}]", top: githubApp},
	{field: "targets[].destinations[].repository", target: "destinations: [{store: github, repository: octo-org/app, organization: octo-org}]", top: githubApp},
	{field: "targets[].destinations[].environment", target: "destinations: [{store: github, organization: octo-org, visibility: all, environment: production}]", top: githubApp},
	{field: "targets[].destinations[].environment", target: "destinations: [{store: github, repository: octo-org/app, environment: prod/eu}]", top: githubApp},
	{field: "targets[].destinations[].organization", target: "destinations: [{store: github, organization: octo org, visibility: all}]", top: githubApp},
	{field: "targets[].destinations[].visibility", target: "destinations: [{store: github, organization: octo-org}]", top: githubApp},
	{field: "targets[].destinations[].visibility", target: "destinations: [{store: github, organization: octo-org, visibility: public}]", top: githubApp},
	{field: "targets[].destinations[].visibility", target: "destinations: [{store: github, repository: octo-org/app, visibility: private}]", top: githubApp},
	{field: "targets[].destinations[].selected-repository-ids", target: "destinations: [{store: github, organization: octo-org, visibility: selected}]", top: githubApp},
	{field: "targets[].destinations[].selected-repository-ids[]", target: "destinations: [{store: github, organization: octo-org, visibility: selected, selected-repository-ids: [-1]}]", top: githubApp},
	{field: "targets[].destinations[].selected-repository-ids[]", target: "destinations: [{store: github, organization: octo-org, visibility: selected, selected-repository-ids: [octo-org/app]}]", top: githubApp},
	{field: "targets[].destinations[].docker-config", target: "destinations: [{store: github, repository: octo-org/app, docker-config: \"yes\"}]", top: githubApp},
	{field: "targets[].destinations[].docker-config", target: "destinations: [{store: secretsmanager, docker-config: true}]"},
	{field: "targets[].destinations[].namespaces", target: "destinations: [{store: kubernetes, secret-name: pull}]"},
	{field: "targets[].destinations[].namespaces", target: "destinations: [{store: kubernetes, namespaces: apps}]"},
	{field: "targets[].destinations[].namespaces", target: "destinations: [{store: secretsmanager, namespaces: [apps]}]"},
	{field: "targets[].destinations[].namespaces[]", target: "destinations: [{store: kubernetes, namespaces: [Apps_Prod]}]"},
	{field: "targets[].destinations[].namespaces[]", target: "destinations: [{store: kubernetes, namespaces: [apps, apps]}]"},
	{field: "targets[].destinations[].namespace-selector", target: "destinations: [{store: kubernetes, namespace-selector: \"team in apps\"}]"},
	{field: "targets[].destinations[].namespace-selector", target: "destinations: [{store: kubernetes, namespaces: [apps], namespace-selector: team=apps}]", names: "namespace-selector"},
	{field: "targets[].destinations[].secret-name", target: "destinations: [{store: kubernetes, namespaces: [apps], secret-name: Pull_Secret}]"},
	{field: "targets[].destinations[].secret-name", target: "destinations: [{store: tke-image-pull-secret, ref: TCR}]", names: "secret-name"},
	{field: "targets[].destinations[].service-accounts", target: "destinations: [{store: kubernetes, namespaces: [apps], service-accounts: default}]"},
	{field: "targets[].destinations[].service-accounts[]", target: "destinations: [{store: kubernetes, namespaces: [apps], service-accounts: [Default SA]}]"},
	{field: "targets[].destinations[].delete-stale", target: "destinations: [{store: kubernetes, namespaces: [apps], delete-stale: \"yes\"}]"},
	{field: "targets[].destinations[].delete-stale", target: "destinations: [{store: tke-image-pull-secret, secret-name: tcr, delete-stale: true}]"},
}

// schemaPaths maps every key path of the config's schema (Go struct tags)
// to the field it is: a key of a type reached by two paths (destination and
// destinations[]) is one field.
func schemaPaths(t reflect.Type, prefix string, out map[string]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		p, id := prefix+name, t.Name()+"."+name
		out[p] = id
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.Struct:
			schemaPaths(ft, p+".", out)
		case reflect.Slice:
			out[p+"[]"] = id + "[]"
			if el := ft.Elem(); el.Kind() == reflect.Struct {
				schemaPaths(el, p+"[].", out)
			}
		case reflect.Map:
			out[p+".<name>"] = id + ".<name>"
			if el := ft.Elem(); el.Kind() == reflect.Struct {
				schemaPaths(el, p+".<name>.", out)
			}
		}
	}
}

func TestBadConfigTable(t *testing.T) {
	t.Parallel()
	paths := map[string]string{}
	schemaPaths(reflect.TypeFor[config.Config](), "", paths)
	covered := map[string]bool{}
	for _, r := range badFields {
		id, known := paths[r.field]
		switch {
		case r.field == "" || r.extra:
			if known {
				t.Errorf("row for %q is marked extra, but the schema has it", r.field)
			}
		case !known:
			t.Errorf("row for %q: the config schema has no such key path", r.field)
		default:
			covered[id] = true
		}
	}
	var missing []string
	for p, id := range paths {
		if !covered[id] {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	for _, p := range missing {
		t.Errorf("config field %s has no row in badFields: add the bad values users write for it", p)
	}

	shown := make([]string, len(badFields))
	t.Run("rows", func(t *testing.T) { // returns when every row is done
		for i, r := range badFields {
			t.Run(fmt.Sprintf("%03d-%s", i, r.field), func(t *testing.T) {
				t.Parallel()
				shown[i] = tryBadField(t, r)
			})
		}
	})
	if t.Failed() {
		return
	}
	var b strings.Builder
	b.WriteString("| field | bad value tried | error shown (after `rotate: config from file regmint.yaml: `) |\n|---|---|---|\n")
	for i, r := range badFields {
		field := "(document)"
		if r.field != "" {
			field = readmetest.Code(r.field)
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", field, describeBadField(r), shown[i])
	}
	readmetest.Sync(t, "../../docs/troubleshooting.md", "badinput:config", b.String(), "go test ./core/config -run TestBadConfigTable")
}

// tryBadField loads the row's document as the function does, checks the
// error and returns it rendered for the table.
func tryBadField(t *testing.T, r badField) string {
	t.Helper()
	doc, secrets := buildDoc(t, r)
	const origin = "config from file regmint.yaml: "
	_, err := config.Loader{Kinds: stores.Kinds(),
		Getenv:   func(string) string { return "" },
		ReadFile: func(string) ([]byte, error) { return []byte(doc), nil },
	}.Load(context.Background(), "regmint.yaml")
	if err == nil {
		t.Fatalf("the document was accepted:\n%s", doc)
	}
	msg, ok := strings.CutPrefix(err.Error(), origin)
	if !ok {
		t.Fatalf("error %q does not start with %q", err, origin)
	}
	for _, s := range append(secrets, "not-a-real") {
		if strings.Contains(msg, s) {
			t.Errorf("the error echoes a secret value: %q", msg)
		}
	}
	names := r.names
	if names == "" {
		names = lastKey(r.field)
	}
	if names != "" && !regexp.MustCompile(`(^|[^a-z_-])`+regexp.QuoteMeta(names)+`([^a-z_-]|$)`).MatchString(msg) {
		t.Errorf("the error does not name %s:\n%s", names, msg)
	}
	if r.form != "" && !strings.Contains(msg, r.form) {
		t.Errorf("the error does not say what is accepted (%q):\n%s", r.form, msg)
	}
	var cells []string
	for _, line := range strings.Split(msg, "\n") {
		if _, acc, ok := strings.Cut(line, "; accepted: "); r.form == "" && (!ok || strings.TrimSpace(acc) == "") {
			t.Errorf("error line does not say what is accepted: %q", line)
		}
		cells = append(cells, readmetest.Code(line))
	}
	return strings.Join(cells, "<br>")
}

// buildDoc makes the row's document and returns it with the generated
// secret values it holds.
func buildDoc(t *testing.T, r badField) (string, []string) {
	t.Helper()
	var secrets []string
	fill := func(s string) string {
		if strings.Contains(s, pemSlot) {
			body := base64.StdEncoding.EncodeToString(randomBytes(t, 48))
			v := "-----BEGIN " + "RSA PRIVATE KEY-----\\n" + body + "\\n-----END " + "RSA PRIVATE KEY-----"
			secrets = append(secrets, body, "PRIVATE KEY")
			s = strings.ReplaceAll(s, pemSlot, v)
		}
		if strings.Contains(s, tokenSlot) {
			v := "gh" + "p_" + hex.EncodeToString(randomBytes(t, 18))
			secrets = append(secrets, v)
			s = strings.ReplaceAll(s, tokenSlot, v)
		}
		return s
	}
	if r.doc != nil {
		return fill(*r.doc), secrets
	}
	set := map[string]bool{}
	var lines []string
	for _, l := range strings.Split(r.target, "\n") {
		if l == "" {
			continue
		}
		k, _, _ := strings.Cut(l, ":")
		set[k] = true
		lines = append(lines, l)
	}
	for _, k := range r.drop {
		set[k] = true
	}
	var target []string
	for _, l := range badTarget {
		if k, _, _ := strings.Cut(l, ":"); !set[k] {
			target = append(target, l)
		}
	}
	target = append(target, lines...)
	doc := ""
	if r.top != "" {
		doc = r.top + "\n"
	}
	doc += "targets:\n  - " + strings.Join(target, "\n    ") + "\n"
	return fill(doc), secrets
}

// describeBadField renders what the row tried.
func describeBadField(r badField) string {
	if r.shown != "" {
		if r.target != "" && r.top != "" && !strings.Contains(r.top, pemSlot) && !strings.Contains(r.top, tokenSlot) {
			return r.shown + " with " + readmetest.Code(r.top)
		}
		return r.shown
	}
	var parts []string
	if r.doc != nil {
		parts = append(parts, mdLines(*r.doc))
	}
	if r.target != "" {
		parts = append(parts, mdLines(r.target))
	}
	for _, k := range r.drop {
		parts = append(parts, "no "+readmetest.Code(k))
	}
	s := strings.Join(parts, ", ")
	if r.top == githubApp {
		return s + " with a valid `github:` block"
	}
	if r.top != "" {
		if s == "" {
			return readmetest.Code(r.top)
		}
		s += " with " + readmetest.Code(r.top)
	}
	return s
}

// lastKey is the key a path ends in: "destinations[].store" -> "store",
// "rate-limits.<name>" -> "rate-limits".
func lastKey(path string) string {
	parts := strings.Split(path, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		if p := strings.TrimSuffix(parts[i], "[]"); p != "<name>" {
			return p
		}
	}
	return ""
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// mdLines renders YAML lines as code spans, one per line.
func mdLines(s string) string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		out = append(out, readmetest.Code(l))
	}
	return strings.Join(out, " ")
}
