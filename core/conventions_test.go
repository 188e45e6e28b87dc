package core_test

import (
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/tcr"
)

func TestConventionsValidate(t *testing.T) {
	t.Parallel()
	keyless := core.Auth{RoleARN: "qcs::cam::uin/100000000001:roleName/ci", OIDCProviderID: "github"}
	base := func(mod func(*core.Target)) core.Target {
		tg := core.Target{Provider: tcr.Name, Region: "ap-guangzhou", InstanceID: "tcr-abcd1234", Auth: keyless}
		mod(&tg)
		return tg
	}
	for _, tt := range []struct {
		name  string
		t     core.Target
		field string // "" = valid
	}{
		{"site intl", base(func(t *core.Target) { t.Site = core.SiteIntl }), ""},
		{"site cn", base(func(t *core.Target) { t.Site = core.SiteCN }), ""},
		{"site unknown", base(func(t *core.Target) { t.Site = "global" }), core.FieldSite},
		{"site intl on swr", core.Target{Provider: swr.SharedName, Region: "cn-north-4", Site: core.SiteIntl}, core.FieldSite},
		{"session name", base(func(t *core.Target) { t.Auth.SessionName = "ci=build,42@x_y-z." }), ""},
		{"session name bad", base(func(t *core.Target) { t.Auth.SessionName = "has space" }), core.FieldRoleSessionName},
		{"session name short", base(func(t *core.Target) { t.Auth.SessionName = "a" }), core.FieldRoleSessionName},
		{"duration", base(func(t *core.Target) { t.Auth.SessionDuration = 2 * time.Hour }), ""},
		{"duration too short", base(func(t *core.Target) { t.Auth.SessionDuration = time.Minute }), core.FieldRoleDuration},
		{"duration too long", base(func(t *core.Target) { t.Auth.SessionDuration = 13 * time.Hour }), core.FieldRoleDuration},
		{"duration without keyless", base(func(t *core.Target) {
			t.Auth = core.Auth{AccessKeyID: "id", AccessKeySecret: "s"}
			t.Auth.SessionDuration = time.Hour
		}), core.FieldRoleDuration},
	} {
		err := providers.Validate(tt.t)
		fes := core.FieldErrors(err)
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.field != "" && (len(fes) != 1 || fes[0].Field != tt.field):
			t.Errorf("%s: err = %v, want one error for %s", tt.name, err, tt.field)
		}
	}
}

func TestNormalizeAndRegionFromEnv(t *testing.T) {
	t.Parallel()
	got := core.Target{Provider: " TCR", Region: "AP-Guangzhou ", TokenType: "LongTerm", Site: " INTL", InstanceID: " tcr-abcd1234 ",
		Auth: core.Auth{AccessKeyID: " id ", AccessKeySecret: " secret "}}.Normalize()
	if got.Provider != tcr.Name || got.Region != "ap-guangzhou" || got.TokenType != core.TokenLongTerm || got.Site != core.SiteIntl || got.InstanceID != "tcr-abcd1234" || got.Auth.AccessKeyID != "id" {
		t.Errorf("Normalize = %+v", got)
	}
	if got.Auth.AccessKeySecret != " secret " {
		t.Error("Normalize changed a secret")
	}
	if err := providers.Validate(got); err != nil {
		t.Errorf("normalised target: %v", err)
	}
	env := map[string]string{core.EnvTencentRegion: "ap-shanghai ", core.EnvHuaweiCloudRegion: "cn-north-4", core.EnvHuaweiRegion: ""}
	getenv := func(k string) string { return env[k] }
	for d, want := range map[*core.Descriptor]string{ptr(tcr.Provider()): "ap-shanghai", ptr(swr.SharedProvider()): "cn-north-4", ptr(swr.EnterpriseProvider()): "cn-north-4", {}: ""} {
		if got := core.RegionFromEnv(*d, getenv); got != want {
			t.Errorf("RegionFromEnv(%q) = %q, want %q", d.Name, got, want)
		}
	}
	env[core.EnvHuaweiRegion] = "cn-south-1"
	if got := core.RegionFromEnv(swr.SharedProvider(), getenv); got != "cn-south-1" {
		t.Errorf("HUAWEICLOUD_SDK_REGION not preferred: %q", got)
	}
}

func ptr[T any](v T) *T { return &v }
