package main

import (
	"strings"
	"testing"

	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

func TestActionShowsVendorErrorsWithHints(t *testing.T) {
	t.Parallel()
	tc := tcrtest.New()
	t.Cleanup(tc.Close)
	inst := tc.AddInstance("ap-guangzhou")
	key := tc.AddKey()
	hw := swrtest.New()
	t.Cleanup(hw.Close)
	acct := hw.NewAccount(swrtest.InRegions("cn-north-4"))
	hinst := hw.NewInstance(acct, "cn-north-4")

	tcrIn := map[string]string{"provider": "tcr", "region": inst.Region, "instance-id": inst.ID, "api-endpoint": tc.URL,
		"access-key-id": key.ID, "access-key-secret": key.Secret}
	swrIn := map[string]string{"provider": "swr-enterprise", "region": "cn-north-4", "instance-id": hinst.ID,
		"api-endpoint": hw.SWRURL, "iam-endpoint": hw.IAMURL, "iam-user": acct.UserName, "iam-password": acct.Password, "iam-domain": acct.DomainName}
	wrongSecret := "wrong-" + randomHex(t, 12)
	tests := []struct {
		name   string
		inputs map[string]string
		want   []string
	}{
		{"tcr wrong secret key", merge(tcrIn, map[string]string{"access-key-secret": wrongSecret}),
			[]string{"tcr DescribeInstances " + inst.ID, "AuthFailure.SignatureFailure", "request id", "hint:"}},
		{"tcr unknown instance", merge(tcrIn, map[string]string{"instance-id": "tcr-zzzz9999"}),
			[]string{"tcr-zzzz9999", "instance not found", "request id", "hint: the instance tcr-zzzz9999 is not in this region"}},
		{"swr wrong password", merge(swrIn, map[string]string{"iam-password": wrongSecret}),
			[]string{"hint:", "password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runStep(t, false, tt.inputs, nil)
			var line string
			for _, l := range strings.Split(res.stdout, "\n") {
				if strings.HasPrefix(l, "::error::") {
					line = l
				}
			}
			if res.exitCode == 0 || line == "" {
				t.Fatalf("want a failed step with an ::error:: line, got exit %d:\n%s", res.exitCode, res.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("error line lacks %q:\n%s", w, line)
				}
			}
			checkNoLeaks(t, res, []string{wrongSecret, key.Secret, acct.Password, acct.SK})
		})
	}
}
