package swr

import (
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/impl"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
)

// tokenCredentialType is the name the SDK's client builder checks
// credentials against: the reflect type name of tokenCredential.
const tokenCredentialType = "swr.tokenCredential"

// headerAuthToken carries an IAM token to the cloud service.
const headerAuthToken = "X-Auth-Token"

// tokenCredential authenticates SDK requests with an IAM token (X-Auth-Token)
// instead of an AK/SK signature, and fills the {project_id} path parameter.
// The SDK has no such credential for SWR; its builder accepts any
// auth.ICredential whose type is registered with WithCredentialsType.
type tokenCredential struct {
	token     string
	projectID string
}

var _ auth.ICredential = (*tokenCredential)(nil)

// ProcessAuthParams implements auth.ICredential; the project id is known
// before the client is built, so there is nothing to look up.
func (c *tokenCredential) ProcessAuthParams(*impl.DefaultHttpClient, string) (auth.ICredential, error) {
	return c, nil
}

// ProcessAuthRequest implements auth.ICredential.
func (c *tokenCredential) ProcessAuthRequest(_ *impl.DefaultHttpClient, req *request.DefaultHttpRequest) (*request.DefaultHttpRequest, error) {
	b := req.Builder()
	if c.projectID != "" {
		b = b.AddAutoFilledPathParam("project_id", c.projectID)
	}
	return b.AddHeaderParam(headerAuthToken, c.token).Build(), nil
}

// String never shows the token.
func (c *tokenCredential) String() string {
	return "swr.tokenCredential{project_id=" + c.projectID + "}"
}

// GoString never shows the token.
func (c *tokenCredential) GoString() string { return c.String() }
