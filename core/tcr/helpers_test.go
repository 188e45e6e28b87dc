package tcr_test

import (
	"context"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

const region = "ap-guangzhou"

// fastBackoff keeps retry tests quick.
var fastBackoff = core.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 6}

// env is one emulator with one instance and one full-access key.
type env struct {
	srv  *tcrtest.Server
	inst tcrtest.Instance
	key  tcrtest.Key
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s := tcrtest.New()
	t.Cleanup(s.Close)
	return &env{srv: s, inst: s.AddInstance(region), key: s.AddKey()}
}

// target returns a key-auth target for the instance, pointed at the
// emulator, changed by mods.
func (e *env) target(mods ...func(*core.Target)) core.Target {
	t := core.Target{
		Provider: tcr.Name, Region: region, InstanceID: e.inst.ID,
		APIEndpoint: e.srv.URL, STSEndpoint: e.srv.STSURL,
		Auth: core.Auth{AccessKeyID: e.key.ID, AccessKeySecret: e.key.Secret},
	}
	for _, m := range mods {
		m(&t)
	}
	return t
}

// oidc switches a target to keyless login with a fresh web identity token.
func (e *env) oidc(t *core.Target) {
	t.Auth = core.Auth{
		RoleARN: e.srv.RoleARN, OIDCProviderID: e.srv.OIDCProviderID,
		WebIdentityToken: e.srv.IssueWebIdentityToken(time.Hour),
	}
}

func longTerm(t *core.Target) { t.TokenType = core.TokenLongTerm }

// issuer builds an Issuer trusting the emulator, with fast retries; opts
// adjust its environment.
func (e *env) issuer(t *testing.T, tg core.Target, opts ...func(*core.Env)) *tcr.Issuer {
	t.Helper()
	is, err := e.newIssuer(tg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return is
}

// newIssuer is New with the emulator's environment, adjusted by opts.
func (e *env) newIssuer(tg core.Target, opts ...func(*core.Env)) (*tcr.Issuer, error) {
	env := core.Env{Transport: e.srv.Transport(), Backoff: fastBackoff, Timeout: 10 * time.Second}
	for _, f := range opts {
		f(&env)
	}
	return tcr.New(tg, env)
}

func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// verify checks a credential against its (emulated) registry.
func verify(t *testing.T, c core.Credential) core.VerifyResult {
	t.Helper()
	return core.Verifier{Timeout: 10 * time.Second}.Verify(ctx(t), c).Result
}
