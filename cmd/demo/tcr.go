package main

import (
	"context"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// demoTCR mints a temporary and a long-term TCR token through access keys
// and through keyless OIDC, and revokes the long-term ones.
func demoTCR(ctx context.Context, p *printer) error {
	emu := tcrtest.New()
	defer func() { p.secrets(emu.Secrets()...); emu.Close() }()
	inst := emu.AddInstance("ap-guangzhou")
	key := emu.AddKey()

	base := core.Target{Provider: tcr.Name, Region: inst.Region, InstanceID: inst.ID, APIEndpoint: emu.URL, STSEndpoint: emu.STSURL}
	p.f("")
	p.f("Tencent Cloud TCR Enterprise: instance %s in %s (API %s)", inst.ID, inst.Region, emu.URL)
	for _, a := range []struct {
		desc string
		auth core.Auth
	}{
		{"access keys (SecretId " + key.ID + ")", core.Auth{AccessKeyID: key.ID, AccessKeySecret: key.Secret}},
		{"keyless: an OIDC token exchanged at STS AssumeRoleWithWebIdentity for " + emu.RoleARN,
			core.Auth{RoleARN: emu.RoleARN, OIDCProviderID: emu.OIDCProviderID, WebIdentityToken: emu.IssueWebIdentityToken(10 * time.Minute)}},
	} {
		p.f("  auth: %s", a.desc)
		for _, typ := range []core.TokenType{core.TokenTemp, core.TokenLongTerm} {
			t := base
			t.Auth, t.TokenType = a.auth, typ
			iss, err := tcr.New(t, core.Env{Transport: emu.Transport()})
			if err != nil {
				return err
			}
			if err := mintAndShow(ctx, p, string(typ), iss); err != nil {
				return err
			}
		}
	}
	return nil
}
