package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// printer writes the demo's report lines.
type printer struct {
	w   io.Writer
	now func() time.Time
	err error
	// secrets receives every secret an emulator handed out, so that the
	// demo's test can check none of them was printed.
	secrets func(...string)
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

func run(ctx context.Context, w io.Writer) error { return runWith(ctx, w, func(...string) {}) }

func runWith(ctx context.Context, w io.Writer, secrets func(...string)) error {
	p := &printer{w: w, now: time.Now, secrets: secrets}
	p.f("regmint demo: every cloud below is a loopback emulator on this machine that checks request")
	p.f("signatures like the vendor does and serves a registry that accepts only the credentials it minted.")
	if err := demoTCR(ctx, p); err != nil {
		return err
	}
	return p.err
}

func demoTCR(ctx context.Context, p *printer) error {
	emu := tcrtest.New()
	defer func() { p.secrets(emu.Secrets()...); emu.Close() }()
	inst := emu.AddInstance("ap-guangzhou")
	key := emu.AddKey()

	base := core.Target{Provider: core.ProviderTCR, Region: inst.Region, InstanceID: inst.ID, APIEndpoint: emu.URL}
	keys := base
	keys.Auth = core.Auth{AccessKeyID: key.ID, AccessKeySecret: key.Secret}
	p.f("")
	p.f("Tencent Cloud TCR Enterprise: instance %s in %s (API %s)", inst.ID, inst.Region, emu.URL)

	p.f("  auth: access keys (SecretId %s)", key.ID)
	if err := mintVerifyRevoke(ctx, p, keys, tcr.WithHTTPTransport(emu.Transport())); err != nil {
		return err
	}

	keyless := base
	keyless.STSEndpoint = emu.STSURL
	keyless.Auth = core.Auth{RoleARN: emu.RoleARN, OIDCProviderID: emu.OIDCProviderID, WebIdentityToken: emu.IssueWebIdentityToken(10 * time.Minute)}
	p.f("  auth: keyless, an OIDC token exchanged at STS AssumeRoleWithWebIdentity for role %s", emu.RoleARN)
	return mintVerifyRevoke(ctx, p, keyless, tcr.WithHTTPTransport(emu.Transport()))
}

// mintVerifyRevoke mints a temporary and a long-term credential for t,
// verifies both, revokes the long-term one and shows the registry refusing
// it afterwards.
func mintVerifyRevoke(ctx context.Context, p *printer, t core.Target, opts ...tcr.Option) error {
	for _, typ := range []core.TokenType{core.TokenTemp, core.TokenLongTerm} {
		t.TokenType = typ
		iss, err := tcr.New(t, opts...)
		if err != nil {
			return err
		}
		cred, err := iss.Issue(ctx)
		if err != nil {
			return fmt.Errorf("mint %s: %w", typ, err)
		}
		p.secrets(cred.Secrets()...)
		ver := core.Verifier{}.Verify(ctx, cred)
		p.f("    %-8s registry %s  user %s  expires %s  password %s  login: %s",
			typ, cred.Registry, cred.Username, expiry(cred, p.now()), mask(cred.Password), ver.Result)
		if ver.Result != core.VerifyGood {
			return fmt.Errorf("the emulated registry refused a fresh %s credential: %s", typ, ver)
		}
		if cred.TokenID == "" {
			continue
		}
		if err := iss.Revoke(ctx, cred.TokenID); err != nil {
			return fmt.Errorf("revoke: %w", err)
		}
		after := core.Verifier{}.Verify(ctx, cred)
		p.f("    %-8s token %s revoked; login with it now: %s", "revoke", cred.TokenID, after.Result)
		if after.Result != core.VerifyBad {
			return fmt.Errorf("the registry still accepts a revoked token: %s", after)
		}
	}
	return nil
}

func expiry(c core.Credential, now time.Time) string {
	if !c.Expires() {
		return "never"
	}
	return fmt.Sprintf("%s (in %s)", c.ExpiresAt.UTC().Format(time.RFC3339), human(c.TimeLeft(now)))
}

// human renders a duration the way people say it: 59m, 6h, 3650d.
func human(d time.Duration) string {
	switch d = d.Round(time.Minute); {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

// mask shows a password's length only.
func mask(s string) string { return fmt.Sprintf("[%d chars, hidden]", len(s)) }
