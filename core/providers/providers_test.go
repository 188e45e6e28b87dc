package providers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

func TestNewPicksTheProvider(t *testing.T) {
	t.Parallel()
	tc := tcrtest.New()
	t.Cleanup(tc.Close)
	inst := tc.AddInstance("ap-guangzhou")
	key := tc.AddKey()

	hw := swrtest.New()
	t.Cleanup(hw.Close)
	acct := hw.NewAccount(swrtest.InRegions("cn-north-4"))
	ent := hw.NewInstance(acct, "cn-north-4")

	tests := []struct {
		name   string
		target core.Target
		revoke bool
	}{
		{"tcr", core.Target{Provider: tcr.Name, Region: inst.Region, InstanceID: inst.ID, APIEndpoint: tc.URL,
			Auth: core.Auth{AccessKeyID: key.ID, AccessKeySecret: key.Secret}}, true},
		{"swr-enterprise", core.Target{Provider: swr.EnterpriseName, Region: "cn-north-4", InstanceID: ent.ID,
			APIEndpoint: hw.SWRURL, IAMEndpoint: hw.IAMURL, Auth: core.Auth{AccessKeyID: acct.AK, AccessKeySecret: acct.SK}}, true},
		{"swr", core.Target{Provider: swr.SharedName, Region: "cn-north-4", APIEndpoint: hw.SWRURL, IAMEndpoint: hw.IAMURL,
			Auth: core.Auth{AccessKeyID: acct.AK, AccessKeySecret: acct.SK}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			iss, err := providers.New(tt.target, core.Env{Getenv: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := iss.(core.Revoker); ok != tt.revoke {
				t.Errorf("revoker = %v, want %v", ok, tt.revoke)
			}
			cred, err := iss.Issue(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if v := (core.Verifier{}).Verify(context.Background(), cred); v.Result != core.VerifyGood {
				t.Errorf("verify = %v", v)
			}
		})
	}
}

func TestNewRejectsBadTargets(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		target core.Target
		want   string
	}{
		{core.Target{}, "provider: is required"},
		{core.Target{Provider: "ecr", Region: "us-east-1"}, `provider: "ecr" is not a provider`},
		{core.Target{Provider: tcr.Name, Region: "ap-guangzhou"}, "instance-id: is required"},
		{core.Target{Provider: swr.EnterpriseName, Region: "cn-north-4"}, "instance-id: is required"},
	} {
		_, err := providers.New(tt.target, core.Env{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%v) = %v, want %q", tt.target, err, tt.want)
		}
	}
}
