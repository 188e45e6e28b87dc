package tcr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/regmint/regmint/core"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
)

// The variables of TKE's OIDC pod identity (the webhook sets them in pods
// whose service account names a CAM role), as the SDK's
// DefaultTkeOIDCRoleArnProvider reads them.
const (
	EnvTKEProviderID = "TKE_PROVIDER_ID"
	EnvTKETokenFile  = "TKE_WEB_IDENTITY_TOKEN_FILE"
	EnvTKERoleARN    = "TKE_ROLE_ARN"
)

// chainCreds is auth method chain: the first credential found, on first
// use, along the SDK's default chain, with TKE's pod identity before the
// instance role (a pod on a CVM node would otherwise get the node's role):
//
//  1. the environment: TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY
//     and the session token (as env auth reads them);
//  2. the SDK's profile file (common.ProfileProvider):
//     TENCENTCLOUD_CREDENTIALS_FILE, else ~/.tencentcloud/credentials;
//  3. TKE OIDC: TKE_PROVIDER_ID, TKE_ROLE_ARN and
//     TKE_WEB_IDENTITY_TOKEN_FILE, exchanged at STS
//     AssumeRoleWithWebIdentity by this package's keyless login (the SDK's
//     TKE provider cannot be given a transport or an STS endpoint, and
//     drops TKE_REGION);
//  4. the CVM instance's CAM role from the metadata service
//     (common.CvmRoleProvider, metadata.tencentyun.com through the
//     process's HTTP proxy settings), refreshed by the SDK before it
//     expires.
//
// Nothing is looked up until the first request: New stays offline.
type chainCreds struct {
	t core.Target
	c *core.Env

	mu   sync.Mutex
	cred credSource
	link string
}

func newChainCreds(t core.Target, c *core.Env) *chainCreds { return &chainCreds{t: t, c: c} }

func (ch *chainCreds) resolved() credSource {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.cred
}

// GetSecretId implements common.CredentialIface.
func (ch *chainCreds) GetSecretId() string { id, _, _ := ch.GetCredential(); return id }

// GetSecretKey implements common.CredentialIface.
func (ch *chainCreds) GetSecretKey() string { _, key, _ := ch.GetCredential(); return key }

// GetToken implements common.CredentialIface.
func (ch *chainCreds) GetToken() string { _, _, tok := ch.GetCredential(); return tok }

// GetCredential implements common.CredentialIface.
func (ch *chainCreds) GetCredential() (string, string, string) {
	if c := ch.resolved(); c != nil {
		return c.GetCredential()
	}
	return "", "", ""
}

// Link names the chain's link that gave the credential ("" before the
// first use).
func (ch *chainCreds) Link() string {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return ch.link
}

func (ch *chainCreds) ensure(ctx context.Context) error {
	ch.mu.Lock()
	if ch.cred == nil {
		cred, link, err := ch.walk(ctx)
		if err != nil {
			ch.mu.Unlock()
			return err
		}
		ch.cred, ch.link = cred, link
		ch.c.Logger.Debug("tcr: cloud credentials from the chain", "link", link)
	}
	cred := ch.cred
	ch.mu.Unlock()
	return cred.ensure(ctx)
}

// walk returns the first link's credential.
func (ch *chainCreds) walk(ctx context.Context) (credSource, string, error) {
	getenv := ch.c.Getenv
	if getenv(EnvSecretID) != "" || getenv(EnvSecretKey) != "" {
		cred, err := envCredentials(getenv)
		return cred, "environment", err
	}
	if path, ok := profileFile(); ok {
		cred, err := common.DefaultProfileProvider().GetCredential()
		if err != nil {
			return nil, "", fmt.Errorf("tcr: credential chain: profile file %s: %w", path, err)
		}
		return sdkCred{cred}, "profile file " + path, nil
	}
	if getenv(EnvTKERoleARN) != "" || getenv(EnvTKEProviderID) != "" || getenv(EnvTKETokenFile) != "" {
		cred, err := ch.tke(getenv)
		return cred, "TKE OIDC", err
	}
	cred, err := cvmRole(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("%w: none in the environment (%s, %s), no profile file (%s or ~/.tencentcloud/credentials), no TKE pod identity (%s, %s, %s), and the CVM metadata service gave no role: %v",
			ErrNoChainCredentials, EnvSecretID, EnvSecretKey, common.EnvCredentialFile, EnvTKEProviderID, EnvTKERoleARN, EnvTKETokenFile, err)
	}
	return sdkCred{cred}, "CVM instance role", nil
}

// ErrNoChainCredentials: no link of the credential chain had credentials.
var ErrNoChainCredentials = errors.New("tcr: credential chain found no Tencent Cloud credentials")

// tke builds keyless login from TKE's pod identity variables.
func (ch *chainCreds) tke(getenv func(string) string) (credSource, error) {
	var missing []string
	for _, v := range []string{EnvTKEProviderID, EnvTKERoleARN, EnvTKETokenFile} {
		if getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: TKE pod identity is incomplete: %v not set; accepted: %s, %s and %s together",
			ErrNoChainCredentials, missing, EnvTKEProviderID, EnvTKERoleARN, EnvTKETokenFile)
	}
	t := ch.t
	t.Auth = core.Auth{RoleARN: getenv(EnvTKERoleARN), OIDCProviderID: getenv(EnvTKEProviderID), WebIdentityTokenFile: getenv(EnvTKETokenFile), SessionName: t.Auth.SessionName}
	s := newSTSCreds(t, ch.c)
	s.call = call{
		ep:     endpoint{client: newClient(nil, t.Region, t.STSEndpoint, defaultSTSHost, ch.c), service: stsService, version: stsVersion, skipSign: true},
		action: actAssumeRole, subject: t.Auth.RoleARN, policy: idempotent, backoff: ch.c.Backoff, log: ch.c.Logger,
	}
	return s, nil
}

// profileFile reports the profile file the SDK's ProfileProvider reads,
// if there is one: TENCENTCLOUD_CREDENTIALS_FILE when set, else
// ~/.tencentcloud/credentials when it exists. The SDK reads the process
// environment, so this does too.
func profileFile() (string, bool) {
	if p, ok := os.LookupEnv(common.EnvCredentialFile); ok {
		return p, true
	}
	home, err := os.UserHomeDir() // HOME, or USERPROFILE on Windows, as the SDK reads
	if err != nil {
		return "", false
	}
	p := filepath.Join(home, ".tencentcloud", "credentials")
	if _, err := os.Stat(p); err != nil {
		return "", false
	}
	return p, true
}

// cvmRole asks the metadata service for the instance role's credentials
// through the SDK's CvmRoleProvider, which takes no context: the wait ends
// with ctx.
func cvmRole(ctx context.Context) (common.CredentialIface, error) {
	type result struct {
		cred common.CredentialIface
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		cred, err := common.DefaultCvmRoleProvider().GetCredential()
		ch <- result{cred, err}
	}()
	select {
	case r := <-ch:
		return r.cred, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// sdkCred is a credential the SDK's providers made; they refresh it
// themselves.
type sdkCred struct{ common.CredentialIface }

func (sdkCred) ensure(context.Context) error { return nil }
