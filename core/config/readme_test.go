package config_test

import (
	"os"
	"strings"
	"testing"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/stores"
)

// TestREADMEConfigParses keeps the README's example config valid.
func TestREADMEConfigParses(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(raw), "### Config")
	if !ok {
		t.Fatal("README has no ### Config section")
	}
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	doc, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README's config section has no yaml block")
	}
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		t.Fatalf("README's example config does not parse: %v", err)
	}
	if len(cfg.Targets) != 2 {
		t.Errorf("parsed %d targets, want 2", len(cfg.Targets))
	}
}

// TestREADMEGitHubConfigParses keeps the README's GitHub store example valid.
func TestREADMEGitHubConfigParses(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(raw), "### Write to GitHub Actions secrets")
	if !ok {
		t.Fatal("README has no GitHub store section")
	}
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	doc, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README's GitHub section has no yaml block")
	}
	doc = "credential-sources:\n  tencent: {secret: regmint-source/tencent}\n" + doc
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		t.Fatalf("README's GitHub example config does not parse: %v", err)
	}
	if got := len(cfg.Targets[0].Destinations); got != 4 {
		t.Errorf("parsed %d destinations, want 4", got)
	}
}
