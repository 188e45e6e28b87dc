package swr

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/provider"

	"github.com/regmint/regmint/core"
)

// The variables the SDK's chain reads beyond the environment link's.
const (
	// EnvCredentialsFile names the SDK's profile file (default
	// ~/.huaweicloud/credentials).
	EnvCredentialsFile = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
	// EnvPodIdentityURI and EnvPodIdentityTokenFile are CCE's pod identity:
	// the agent's URI and the file holding the pod's token.
	EnvPodIdentityURI       = "HC_CONTAINER_CREDENTIALS_FULL_URI"
	EnvPodIdentityTokenFile = "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE"
)

// chainState is auth method chain before and after the walk.
type chainState struct {
	mu     sync.Mutex
	walked bool
	link   string
}

// walkChain resolves auth method chain on first use, in the order of the
// SDK's BasicCredentialProviderChain, with pod identity before the
// instance's agency (a pod on an ECS node would otherwise get the node's):
//
//  1. the environment, as env auth reads it (HUAWEICLOUD_SDK_AK/SK,
//     CLOUD_SDK_AK/SK, or HUAWEICLOUD_SDK_IDP_ID and _ID_TOKEN_FILE);
//  2. the SDK's profile file (HUAWEICLOUD_SDK_CREDENTIALS_FILE, else
//     ~/.huaweicloud/credentials): access keys or keyless OIDC;
//  3. CCE pod identity (HC_CONTAINER_CREDENTIALS_FULL_URI and
//     HC_CONTAINER_AUTHORIZATION_TOKEN_FILE);
//  4. the ECS instance's agency from the metadata service (the SDK's
//     metadata provider, through the process's HTTP proxy settings).
//
// Links 3 and 4 give temporary access keys, used for the issuer's life.
// The SDK's providers read the process environment.
func (s *session) walkChain(ctx context.Context) error {
	ch := s.auth.chain
	if ch == nil {
		return nil
	}
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.walked {
		return nil
	}
	link, err := s.auth.walk(ctx, s.c.Getenv)
	if err != nil {
		return err
	}
	ch.walked, ch.link = true, link
	s.c.Logger.Debug("swr: cloud credentials from the chain", "link", link)
	return nil
}

// walk fills ca from the first link that has credentials and names it.
func (ca *cloudAuth) walk(ctx context.Context, getenv func(string) string) (string, error) {
	for _, v := range []string{EnvAK, EnvSK, EnvCloudAK, EnvCloudSK, EnvIdPID, EnvIDTokenFile} {
		if getenv(v) != "" {
			return "environment", ca.fromEnv(getenv)
		}
	}
	if path, ok := profileFile(); ok {
		cred, err := provider.BasicCredentialProfileProvider().GetCredentials()
		if err != nil {
			return "", fmt.Errorf("%w: credential chain: profile file %s: %v", ErrNoCredentials, path, err)
		}
		return "profile file " + path, ca.fromSDK(cred, "profile file "+path)
	}
	if os.Getenv(EnvPodIdentityURI) != "" {
		cred, err := sdkCall(ctx, provider.BasicCredentialPodIdentityProvider().GetCredentials)
		if err != nil {
			return "", fmt.Errorf("%w: credential chain: CCE pod identity: %v", ErrNoCredentials, err)
		}
		return "CCE pod identity", ca.fromSDK(cred, "CCE pod identity")
	}
	cred, err := sdkCall(ctx, provider.BasicCredentialMetadataProvider().GetCredentials)
	if err != nil {
		return "", fmt.Errorf("%w: none in the environment (%s and %s, %s and %s, %s and %s), no profile file (%s or ~/.huaweicloud/credentials), no CCE pod identity (%s), and the ECS metadata service gave no agency credentials: %v",
			ErrNoCredentials, EnvAK, EnvSK, EnvCloudAK, EnvCloudSK, EnvIdPID, EnvIDTokenFile, EnvCredentialsFile, EnvPodIdentityURI, err)
	}
	return "ECS instance agency", ca.fromSDK(cred, "ECS metadata")
}

// fromSDK takes what an SDK provider gave: access keys (with a security
// token for temporary ones) or keyless OIDC settings.
func (ca *cloudAuth) fromSDK(c auth.ICredential, source string) error {
	b, ok := c.(*auth.BasicCredentials)
	if !ok {
		return fmt.Errorf("%w: %s gave %T, not basic credentials", ErrNoCredentials, source, c)
	}
	if ca.projectID == "" && b.ProjectId != "" {
		if !reProject.MatchString(b.ProjectId) {
			return fmt.Errorf("%w: %s gave a project id that is not one", ErrNoCredentials, source)
		}
		ca.projectID = b.ProjectId
	}
	switch {
	case b.AK != "" && b.SK != "":
		ca.method, ca.keySource = core.AuthKeys, source
		ca.ak, ca.sk, ca.securityToken = b.AK, b.SK, b.SecurityToken
	case b.IdpId != "" && b.IdTokenFile != "":
		ca.method = core.AuthOIDC
		ca.idpID, ca.idTokenFile, ca.idTokenFileVar = b.IdpId, b.IdTokenFile, source
	default:
		return fmt.Errorf("%w: %s holds neither ak and sk nor idp_id and id_token_file", ErrNoCredentials, source)
	}
	return nil
}

// profileFile reports the SDK's profile file, if there is one:
// HUAWEICLOUD_SDK_CREDENTIALS_FILE when set, else
// ~/.huaweicloud/credentials when it exists.
func profileFile() (string, bool) {
	if p := os.Getenv(EnvCredentialsFile); p != "" {
		return p, true
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", false
	}
	p := filepath.Join(home, ".huaweicloud", "credentials")
	if _, err := os.Stat(p); err != nil {
		return "", false
	}
	return p, true
}

// sdkCall runs an SDK provider, which takes no context: the wait ends with
// ctx (the provider's own client times out after seconds).
func sdkCall(ctx context.Context, get func() (auth.ICredential, error)) (auth.ICredential, error) {
	type result struct {
		cred auth.ICredential
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		c, err := get()
		ch <- result{c, err}
	}()
	select {
	case r := <-ch:
		return r.cred, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
