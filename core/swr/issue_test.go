package swr_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
)

// Each edition and token type, through each auth path: mint, then log in to
// the emulated registry.
func TestIssueVerifiesEndToEnd(t *testing.T) {
	t.Parallel()
	kinds := []struct {
		name      string
		provider  core.Provider
		tokenType core.TokenType
	}{
		{"enterprise-temp", core.ProviderSWREnterprise, core.TokenTemp},
		{"enterprise-longterm", core.ProviderSWREnterprise, core.TokenLongTerm},
		{"shared-temp", core.ProviderSWR, core.TokenTemp},
		{"shared-longterm", core.ProviderSWR, core.TokenLongTerm},
	}
	for _, k := range kinds {
		for _, auth := range allAuth {
			t.Run(k.name+"/"+auth, func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				tg, opts := w.setup(t, k.provider, k.tokenType, auth)
				iss, err := swr.New(tg, opts...)
				if k.provider == core.ProviderSWR && k.tokenType == core.TokenLongTerm &&
					!slices.Contains([]string{authKeys, authKeysProject, authEnv, authCloudEnv}, auth) {
					// Derived from a permanent key pair: other auth is refused up front.
					var fe *core.FieldError
					if !errors.As(err, &fe) || fe.Field != core.FieldTokenType {
						t.Fatalf("New = %v, want a token-type FieldError", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				cred, err := iss.Issue(ctx)
				if err != nil {
					t.Fatalf("Issue: %v", err)
				}
				checkCredential(t, w, k.provider, k.tokenType, cred)
				if v := (core.Verifier{}).Verify(ctx, cred); v.Result != core.VerifyGood {
					t.Fatalf("Verify = %v, want good", v)
				}
				if k.provider == core.ProviderSWREnterprise && k.tokenType == core.TokenLongTerm {
					rev, ok := iss.(core.Revoker)
					if !ok {
						t.Fatal("the Enterprise issuer is not a core.Revoker")
					}
					if err := rev.Revoke(ctx, cred.TokenID); err != nil {
						t.Fatalf("Revoke: %v", err)
					}
					if v := (core.Verifier{}).Verify(ctx, cred); v.Result != core.VerifyBad {
						t.Fatalf("Verify after Revoke = %v, want bad", v)
					}
					if err := rev.Revoke(ctx, cred.TokenID); err != nil {
						t.Fatalf("Revoke of a revoked credential: %v, want nil", err)
					}
				}
			})
		}
	}
}

func checkCredential(t *testing.T, w *world, p core.Provider, tt core.TokenType, c core.Credential) {
	t.Helper()
	wantHost := w.inst.Registry.Host
	if p == core.ProviderSWR {
		wantHost = w.srv.SharedRegistry(region).Host
	}
	if c.Registry != wantHost {
		t.Errorf("Registry = %q, want %q", c.Registry, wantHost)
	}
	if c.Username == "" || c.Password == "" {
		t.Errorf("empty username or password: %v", c)
	}
	switch {
	case tt == core.TokenTemp:
		if left := c.TimeLeft(w.srv.Now()); left <= 0 || left > 7*time.Hour {
			t.Errorf("temporary credential expires in %v", left)
		}
		if c.TokenID != "" {
			t.Errorf("TokenID = %q for a temporary credential", c.TokenID)
		}
	case p == core.ProviderSWREnterprise:
		if c.TokenID == "" {
			t.Error("long-term credential without TokenID")
		}
	case p == core.ProviderSWR:
		if want := region + "@" + w.acct.AK; c.Username != want {
			t.Errorf("Username = %q, want %q", c.Username, want)
		}
		if c.Expires() {
			t.Errorf("shared long-term login expires at %v", c.ExpiresAt)
		}
	}
}

// Without a registry in the target, the Enterprise registry host comes from
// ShowInstance once; with it, ShowInstance is not called.
func TestEnterpriseRegistryDiscovery(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg, opts := w.setup(t, core.ProviderSWREnterprise, core.TokenTemp, authKeysProject)
	iss, err := swr.NewEnterprise(tg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := iss.Issue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := w.srv.Calls(swrtest.OpShowInstance); got != 1 {
		t.Errorf("ShowInstance calls = %d, want 1", got)
	}
	tg.Registry = "registry.example.test"
	iss, err = swr.NewEnterprise(tg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	c, err := iss.Issue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Registry != tg.Registry || w.srv.Calls(swrtest.OpShowInstance) != 1 {
		t.Errorf("Registry = %q, ShowInstance calls = %d", c.Registry, w.srv.Calls(swrtest.OpShowInstance))
	}
	if got := w.srv.Calls(swrtest.OpKeystoneListProjects); got != 0 {
		t.Errorf("project lookups = %d with the project id given", got)
	}
}

// A project id that is not given is looked up once per issuer.
func TestProjectLookedUpOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg, opts := w.setup(t, core.ProviderSWREnterprise, core.TokenTemp, authKeys)
	iss, err := swr.New(tg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := iss.Issue(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := w.srv.Calls(swrtest.OpKeystoneListProjects); got != 1 {
		t.Errorf("KeystoneListProjects calls = %d, want 1", got)
	}
}

// Temporary keys (with a security token) from the environment sign SWR
// calls; they cannot derive a shared long-term login.
func TestSecurityTokenFromEnv(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ak, sk, st := w.srv.TemporaryKeys(w.acct, time.Hour)
	env := mapEnv(map[string]string{swr.EnvAK: ak, swr.EnvSK: sk, swr.EnvSecurityToken: st, swr.EnvProjectID: w.inst.ProjectID})
	tg := core.Target{Provider: core.ProviderSWREnterprise, Region: region, InstanceID: w.inst.ID, APIEndpoint: w.srv.SWRURL, IAMEndpoint: w.srv.IAMURL}
	iss, err := swr.New(tg, swr.WithGetenv(env), swr.WithBackoff(fastBackoff))
	if err != nil {
		t.Fatal(err)
	}
	c, err := iss.Issue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v := (core.Verifier{}).Verify(context.Background(), c); v.Result != core.VerifyGood {
		t.Errorf("Verify = %v", v)
	}
	tg = core.Target{Provider: core.ProviderSWR, Region: region, TokenType: core.TokenLongTerm, APIEndpoint: w.srv.SWRURL}
	if _, err := swr.New(tg, swr.WithGetenv(env)); err == nil {
		t.Error("shared long-term login from temporary keys: no error")
	}
}

// The SDK-native endpoint variables point the issuer at the emulator.
func TestEndpointFromEnvironment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	env := mapEnv(map[string]string{
		swr.RegionEndpointEnv("swr", region): w.srv.SWRURL,
		swr.EnvIAMEndpoint:                   w.srv.IAMURL,
	})
	if got, want := swr.RegionEndpointEnv("swr", region), "HUAWEICLOUD_SDK_REGION_SWR_CN_NORTH_4"; got != want {
		t.Errorf("RegionEndpointEnv = %q, want %q", got, want)
	}
	tg := core.Target{Provider: core.ProviderSWREnterprise, Region: region, InstanceID: w.inst.ID,
		Auth: core.Auth{IAMUser: w.acct.UserName, IAMPassword: w.acct.Password, IAMDomain: w.acct.DomainName}}
	iss, err := swr.New(tg, swr.WithGetenv(env), swr.WithBackoff(fastBackoff))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Issue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Many concurrent Issue calls share one IAM token.
func TestConcurrentIssueSharesOneToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg, opts := w.setup(t, core.ProviderSWREnterprise, core.TokenTemp, authPassword)
	iss, err := swr.New(tg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 16)
	for range cap(errs) {
		go func() {
			_, err := iss.Issue(context.Background())
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := w.srv.Calls(swrtest.OpKeystoneCreateUserTokenByPassword); got != 1 {
		t.Errorf("IAM token calls = %d, want 1", got)
	}
}
