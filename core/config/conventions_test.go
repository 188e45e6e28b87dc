package config

import (
	"context"
	"strings"
	"testing"

	"github.com/regmint/regmint/core"
)

// TestConfigNormalizesAsTheAction: provider, region, token type and site
// in any case or with spaces are read as the Action reads its inputs.
func TestConfigNormalizesAsTheAction(t *testing.T) {
	t.Parallel()
	cfg, err := Parse([]byte(`targets:
  - {name: a, provider: "TCR ", region: " AP-Guangzhou", instance-id: tcr-inst0001, token-type: LongTerm, site: INTL, credentials: {env: true}}
`), plainKinds())
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Targets[0].Target()
	want := core.Target{Provider: " TCR", Region: "AP-Guangzhou ", InstanceID: "tcr-inst0001", TokenType: "longterm", Site: "Intl"}.Normalize()
	if got.Provider != want.Provider || got.Region != want.Region || got.TokenType != want.TokenType || got.Site != want.Site || got.Site != core.SiteIntl {
		t.Errorf("Target = %+v, want %+v", got, want)
	}
	if _, err := Parse([]byte("targets:\n  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001, site: global, credentials: {env: true}}\n"), plainKinds()); err == nil ||
		!strings.Contains(err.Error(), `site: "global" is not a site`) {
		t.Errorf("bad site: %v", err)
	}
}

// TestConfigRegionFromEnv: a target without a region takes the vendor's
// region variable from the function's environment.
func TestConfigRegionFromEnv(t *testing.T) {
	t.Parallel()
	doc := `targets:
  - {name: t, provider: tcr, instance-id: tcr-inst0001, credentials: {env: true}}
  - {name: h, provider: swr, credentials: {env: true}}
  - {name: r, provider: swr, region: cn-south-1, credentials: {env: true}}
`
	env := map[string]string{EnvConfig: doc, core.EnvTencentRegion: "ap-shanghai", core.EnvHuaweiCloudRegion: "cn-north-4"}
	cfg, err := Loader{Getenv: func(k string) string { return env[k] }, Kinds: plainKinds()}.Load(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"ap-shanghai", "cn-north-4", "cn-south-1"} {
		if got := cfg.Targets[i].Region; got != want {
			t.Errorf("targets[%d].region = %q, want %q", i, got, want)
		}
	}
	delete(env, core.EnvTencentRegion)
	if _, err := (Loader{Getenv: func(k string) string { return env[k] }, Kinds: plainKinds()}).Load(context.Background(), ""); err == nil ||
		!strings.Contains(err.Error(), `target "t" (targets[0]): region: is required`) {
		t.Errorf("no region anywhere: %v", err)
	}
}
