package config_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/stores"
)

// TestExampleConfigsParse keeps the example configs valid: the Lambda one
// that docs/config.md shows and deploy-aws.sh deploys, and the build-host
// one of the README's rotation quick start (the docs' copies are kept equal
// to these files by the action package's TestDocSnippetsFromExamples).
func TestExampleConfigsParse(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		file    string
		targets int
		store   string
	}{
		{"../../examples/rotation.yaml", 2, secretsmanager.KindName},
		{"../../examples/rotation-build-host.yaml", 1, file.KindName},
		{"../../examples/rotation-grouped.yaml", 3, secretsmanager.GroupKindName},
	} {
		raw, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Parse(raw, stores.Kinds())
		if err != nil {
			t.Fatalf("%s does not parse: %v", c.file, err)
		}
		if len(cfg.Targets) != c.targets {
			t.Errorf("%s: parsed %d targets, want %d", c.file, len(cfg.Targets), c.targets)
		}
		for _, tc := range cfg.Targets {
			for _, d := range tc.Destinations {
				if d.Store != c.store {
					t.Errorf("%s: target %s writes to %s, want %s", c.file, tc.Name, d.Store, c.store)
				}
			}
		}
	}
}

// TestGitHubDocConfigParses keeps docs/github-secrets.md's example valid.
func TestGitHubDocConfigParses(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../docs/github-secrets.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(raw), "## Write to GitHub Actions secrets")
	if !ok {
		t.Fatal("docs/github-secrets.md has no GitHub store section")
	}
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	doc, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/github-secrets.md's GitHub section has no yaml block")
	}
	doc = "credential-sources:\n  tencent: {secret: regmint-source/tencent}\n" + doc
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		t.Fatalf("docs/github-secrets.md's example config does not parse: %v", err)
	}
	if got := len(cfg.Targets[0].Destinations); got != 4 {
		t.Errorf("parsed %d destinations, want 4", got)
	}
}

// TestConfigDocNamesEveryKey keeps docs/config.md's key tables complete:
// every key the config decoder knows is named there.
func TestConfigDocNamesEveryKey(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, v := range []any{config.Config{}, config.TargetConfig{}, config.Credentials{}, config.CredentialSource{}, config.Destination{}, config.GitHubConfig{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			key, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if key == "" || key == "-" {
				continue
			}
			if !strings.Contains(doc, "`"+key+"`") {
				t.Errorf("config key %s (%s.%s) is not in docs/config.md", key, typ.Name(), typ.Field(i).Name)
			}
		}
	}
}
