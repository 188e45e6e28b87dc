package swr_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
)

const region = "cn-north-4"

// fastBackoff keeps retries quick in tests.
var fastBackoff = core.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 5}

// world is an emulator with one account, one Enterprise instance and one
// identity provider.
type world struct {
	srv  *swrtest.Server
	acct *swrtest.Account
	inst *swrtest.Instance
	idp  *swrtest.IdP
}

func newWorld(t *testing.T, opts ...swrtest.Option) *world {
	t.Helper()
	srv := swrtest.New(opts...)
	t.Cleanup(srv.Close)
	acct := srv.NewAccount()
	return &world{srv: srv, acct: acct, inst: srv.NewInstance(acct, region), idp: srv.NewIdP(acct)}
}

// The auth paths the tests run through.
const (
	authKeys          = "keys"         // explicit AK/SK, project id looked up
	authKeysProject   = "keys+project" // explicit AK/SK and project id
	authEnv           = "env"          // HUAWEICLOUD_SDK_AK/SK/PROJECT_ID
	authCloudEnv      = "cloud-env"    // CLOUD_SDK_AK/SK, project id looked up
	authPassword      = "password"     // IAM user password, scoped by region name
	authPasswordProj  = "password+project"
	authOIDC          = "oidc"      // web identity token
	authOIDCTokenFile = "oidc-file" // web identity token file
	authOIDCEnv       = "oidc-env"  // HUAWEICLOUD_SDK_IDP_ID and _ID_TOKEN_FILE
)

var allAuth = []string{authKeys, authKeysProject, authEnv, authCloudEnv, authPassword, authPasswordProj, authOIDC, authOIDCTokenFile, authOIDCEnv}

// setup returns the target and options for an auth path; env is the
// environment the issuer reads (through WithGetenv).
func (w *world) setup(t *testing.T, p core.Provider, tokenType core.TokenType, auth string) (core.Target, core.Env) {
	t.Helper()
	tg := core.Target{
		Provider: p, Region: region, TokenType: tokenType,
		APIEndpoint: w.srv.SWRURL, IAMEndpoint: w.srv.IAMURL,
	}
	if p == swr.EnterpriseName {
		tg.InstanceID = w.inst.ID
	}
	env := map[string]string{}
	switch auth {
	case authKeys:
		tg.Auth = core.Auth{AccessKeyID: w.acct.AK, AccessKeySecret: w.acct.SK}
	case authKeysProject:
		tg.Auth = core.Auth{AccessKeyID: w.acct.AK, AccessKeySecret: w.acct.SK, ProjectID: w.acct.Projects[region]}
	case authEnv:
		env[swr.EnvAK], env[swr.EnvSK], env[swr.EnvProjectID] = w.acct.AK, w.acct.SK, w.acct.Projects[region]
	case authCloudEnv:
		env[swr.EnvCloudAK], env[swr.EnvCloudSK] = w.acct.AK, w.acct.SK
	case authPassword:
		tg.Auth = core.Auth{IAMUser: w.acct.UserName, IAMPassword: w.acct.Password, IAMDomain: w.acct.DomainName}
	case authPasswordProj:
		tg.Auth = core.Auth{IAMUser: w.acct.UserName, IAMPassword: w.acct.Password, IAMDomain: w.acct.DomainName, ProjectID: w.acct.Projects[region]}
	case authOIDC:
		tg.Auth = core.Auth{IdPID: w.idp.ID, WebIdentityToken: w.idp.Token("repo:octo/app:ref:refs/heads/main", 10*time.Minute)}
	case authOIDCTokenFile, authOIDCEnv:
		file := filepath.Join(t.TempDir(), "oidc-token")
		if err := os.WriteFile(file, []byte(w.idp.Token("repo:octo/app:ref:refs/heads/main", 10*time.Minute)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if auth == authOIDCEnv {
			env[swr.EnvIdPID], env[swr.EnvIDTokenFile] = w.idp.ID, file
		} else {
			tg.Auth = core.Auth{IdPID: w.idp.ID, WebIdentityTokenFile: file}
		}
	default:
		t.Fatalf("unknown auth %q", auth)
	}
	if p == swr.SharedName && tokenType == core.TokenLongTerm {
		tg.Registry = w.srv.SharedRegistry(region).Host
	}
	return tg, core.Env{Backoff: fastBackoff, Getenv: mapEnv(env)}
}

// withNow is env with the clock now.
func withNow(env core.Env, now func() time.Time) core.Env {
	env.Now = now
	return env
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}
