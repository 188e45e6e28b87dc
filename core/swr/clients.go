package swr

import (
	"context"
	"fmt"
	"net/http"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	sdkconfig "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
	swrsdk "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"

	"github.com/regmint/regmint/core"
)

// enterpriseAPI is the part of the SDK's SwrClient the Enterprise issuer
// calls, with the SDK's own signatures.
type enterpriseAPI interface {
	ShowInstance(*model.ShowInstanceRequest) (*model.ShowInstanceResponse, error)
	CreateInstanceTempCredential(*model.CreateInstanceTempCredentialRequest) (*model.CreateInstanceTempCredentialResponse, error)
	CreateInstanceLtCredential(*model.CreateInstanceLtCredentialRequest) (*model.CreateInstanceLtCredentialResponse, error)
	ListInstanceLtCredentials(*model.ListInstanceLtCredentialsRequest) (*model.ListInstanceLtCredentialsResponse, error)
	DeleteInstanceLtCredential(*model.DeleteInstanceLtCredentialRequest) (*model.DeleteInstanceLtCredentialResponse, error)
}

// sharedAPI is the part of the SDK's SwrClient the shared-edition issuer
// calls.
type sharedAPI interface {
	CreateSecret(*model.CreateSecretRequest) (*model.CreateSecretResponse, error)
}

// swrAPI is every SWR call the package makes.
type swrAPI interface {
	enterpriseAPI
	sharedAPI
}

// iamAPI is the part of the SDK's IamClient the cloud auth calls.
type iamAPI interface {
	KeystoneCreateUserTokenByPassword(*iammodel.KeystoneCreateUserTokenByPasswordRequest) (*iammodel.KeystoneCreateUserTokenByPasswordResponse, error)
	CreateTokenWithIdToken(*iammodel.CreateTokenWithIdTokenRequest) (*iammodel.CreateTokenWithIdTokenResponse, error)
	KeystoneListProjects(*iammodel.KeystoneListProjectsRequest) (*iammodel.KeystoneListProjectsResponse, error)
}

var (
	_ swrAPI = (*swrsdk.SwrClient)(nil)
	_ iamAPI = (*iam.IamClient)(nil)
)

// clientFactory builds SDK clients whose every request is bound to ctx.
type clientFactory interface {
	swr(ctx context.Context, c *config, endpoints []string, cred auth.ICredential) (swrAPI, error)
	iam(ctx context.Context, c *config, endpoint string, cred auth.ICredential) (iamAPI, error)
}

// sdkClients builds the official SDK clients. A client is built per
// operation: building makes no network call (endpoints are explicit and the
// project id is already known), and it lets each request carry the
// operation's context, which the SDK does not take.
type sdkClients struct{}

func (sdkClients) swr(ctx context.Context, c *config, endpoints []string, cred auth.ICredential) (swrAPI, error) {
	hc, err := swrsdk.SwrClientBuilder().
		WithCredentialsType("basic.Credentials," + tokenCredentialType).
		WithEndpoints(append([]string(nil), endpoints...)).
		WithCredential(cred).
		WithHttpConfig(httpConfig(ctx, c)).
		SafeBuild()
	if err != nil {
		return nil, fmt.Errorf("build SWR client: %w", err)
	}
	return swrsdk.NewSwrClient(hc), nil
}

func (sdkClients) iam(ctx context.Context, c *config, endpoint string, cred auth.ICredential) (iamAPI, error) {
	hc, err := iam.IamClientBuilder().
		WithEndpoints([]string{endpoint}).
		WithCredential(cred).
		WithHttpConfig(httpConfig(ctx, c)).
		SafeBuild()
	if err != nil {
		return nil, fmt.Errorf("build IAM client: %w", err)
	}
	return iam.NewIamClient(hc), nil
}

func httpConfig(ctx context.Context, c *config) *sdkconfig.HttpConfig {
	return sdkconfig.DefaultHttpConfig().
		WithTimeout(c.Timeout).
		WithHttpRoundTripper(ctxTransport{ctx: ctx, base: core.LimitBodies(c.Transport, core.MaxAPIBody)}).
		WithUserAgent("regmint")
}

// ctxTransport sends each request under ctx, so that cancelling the
// operation aborts the SDK's request in flight.
type ctxTransport struct {
	ctx  context.Context
	base http.RoundTripper
}

func (t ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(r.WithContext(t.ctx))
}
