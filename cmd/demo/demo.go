package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/regmint/regmint/core"
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

// options says what the demo runs beside the core flow.
type options struct {
	// actionBinary is the compiled GitHub Action to run as the runner
	// would; empty skips that part.
	actionBinary string
	// helperDir holds docker-credential-regmint, for the credential
	// helper part; empty skips it.
	helperDir string
}

func run(ctx context.Context, w io.Writer, o options) error {
	return runWith(ctx, w, o, func(...string) {})
}

func runWith(ctx context.Context, w io.Writer, o options, secrets func(...string)) error {
	p := &printer{w: w, now: time.Now, secrets: secrets}
	p.f("regmint demo: every cloud below is a loopback emulator on this machine that checks request")
	p.f("signatures like the vendor does and serves a registry that accepts only the credentials it minted.")
	for _, part := range []func(context.Context, *printer) error{demoTCR, demoSWR, demoRotation, demoKubernetes} {
		if err := part(ctx, p); err != nil {
			return err
		}
	}
	if o.actionBinary != "" {
		if err := demoAction(ctx, p, o.actionBinary); err != nil {
			return err
		}
	}
	if o.helperDir != "" {
		if err := demoHelper(ctx, p, o.helperDir); err != nil {
			return err
		}
	}
	return p.err
}

// mintAndShow mints one credential, verifies it against its registry and
// prints it; for a long-term token it then revokes it and shows the
// registry refusing it.
func mintAndShow(ctx context.Context, p *printer, label string, iss core.Issuer) error {
	cred, err := iss.Issue(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", label, err)
	}
	p.secrets(cred.Secrets()...)
	ver := core.Verifier{}.Verify(ctx, cred)
	p.f("    %-9s registry %s  user %s  expires %s  password %s  login: %s",
		label, cred.Registry, cred.Username, expiry(cred, p.now()), hidden(cred.Password), ver.Result)
	if ver.Result != core.VerifyGood {
		return fmt.Errorf("%s: the emulated registry refused a fresh credential: %s", label, ver)
	}
	rev, ok := iss.(core.Revoker)
	if cred.TokenID == "" || !ok {
		return nil
	}
	if err := rev.Revoke(ctx, cred.TokenID); err != nil {
		return fmt.Errorf("%s: revoke: %w", label, err)
	}
	after := core.Verifier{}.Verify(ctx, cred)
	p.f("    %-9s token %s revoked; login with it now: %s", "revoke", cred.TokenID, after.Result)
	if after.Result != core.VerifyBad {
		return fmt.Errorf("%s: the registry still accepts a revoked token: %s", label, after)
	}
	return nil
}

func expiry(c core.Credential, now time.Time) string {
	if !c.Expires() {
		return "never"
	}
	return fmt.Sprintf("%s (in %s)", c.ExpiresAt.UTC().Format(time.RFC3339), human(c.TimeLeft(now)))
}

// human renders a duration as every regmint output does.
func human(d time.Duration) string { return core.HumanDuration(d) }

// hidden shows a password's length only.
func hidden(s string) string { return fmt.Sprintf("[%d chars, hidden]", len(s)) }
