package main

import (
	"context"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
)

// demoSWR mints every SWR kind, each through one of its auth paths:
// Enterprise temporary (AK/SK), Enterprise long-term (IAM password, then
// revoked), Enterprise temporary (keyless OIDC), shared-edition temporary
// (IAM password, CreateSecret) and the shared-edition long-term login
// computed from AK/SK.
func demoSWR(ctx context.Context, p *printer) error {
	emu := swrtest.New()
	defer func() { p.secrets(emu.Secrets()...); emu.Close() }()
	const region = "cn-north-4"
	acct := emu.NewAccount(swrtest.InRegions(region))
	inst := emu.NewInstance(acct, region)
	idp := emu.NewIdP(acct)
	shared := emu.SharedRegistry(region)

	keys := core.Auth{AccessKeyID: acct.AK, AccessKeySecret: acct.SK}
	password := core.Auth{IAMUser: acct.UserName, IAMPassword: acct.Password, IAMDomain: acct.DomainName}
	keyless := core.Auth{IdPID: idp.ID, WebIdentityToken: idp.Token("repo:regmint/demo:ref:refs/heads/main", 10*time.Minute)}
	ent := core.Target{Provider: swr.EnterpriseName, Region: region, InstanceID: inst.ID, APIEndpoint: emu.SWRURL, IAMEndpoint: emu.IAMURL}
	shr := core.Target{Provider: swr.SharedName, Region: region, APIEndpoint: emu.SWRURL, IAMEndpoint: emu.IAMURL}

	runs := []struct {
		header, label string
		target        core.Target
		auth          core.Auth
		typ           core.TokenType
		registry      string
	}{
		{"Huawei Cloud SWR Enterprise: instance " + inst.ID + " in " + region + " (API " + emu.SWRURL + ", IAM " + emu.IAMURL + ")", "", ent, core.Auth{}, "", ""},
		{"  auth: access keys (AK " + acct.AK + "), CreateInstanceTempCredential", "temp", ent, keys, core.TokenTemp, ""},
		{"  auth: IAM password (user " + acct.UserName + ", account " + acct.DomainName + ") -> X-Auth-Token, CreateInstanceLtCredential", "longterm", ent, password, core.TokenLongTerm, ""},
		{"  auth: keyless, an OIDC token exchanged at IAM for identity provider " + idp.ID, "temp", ent, keyless, core.TokenTemp, ""},
		{"Huawei Cloud SWR shared edition in " + region, "", shr, core.Auth{}, "", ""},
		{"  auth: IAM password -> X-Auth-Token, CreateSecret (temporary login)", "temp", shr, password, core.TokenTemp, ""},
		{"  auth: keyless OIDC, CreateSecret", "temp", shr, keyless, core.TokenTemp, ""},
		{"  auth: access keys; the long-term login is computed from AK/SK (no API call; revoked by deleting the key)", "longterm", shr, keys, core.TokenLongTerm, shared.Host},
	}
	for _, r := range runs {
		if r.label == "" {
			p.f("")
		}
		p.f("%s", r.header)
		if r.label == "" {
			continue
		}
		t := r.target
		t.Auth, t.TokenType, t.Registry = r.auth, r.typ, r.registry
		iss, err := swr.New(t, core.Env{})
		if err != nil {
			return err
		}
		if err := mintAndShow(ctx, p, r.label, iss); err != nil {
			return err
		}
	}
	return nil
}
