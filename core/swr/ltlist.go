package swr

import (
	"context"
	"fmt"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"
)

// ltPage is how many long-term credentials one listing call asks for (the
// API's maximum).
const ltPage = 100

// ltListRequest asks for one page of the instance's long-term credentials,
// with self_only=false: every credential of the instance, whoever created
// it. The API's default lists only the caller's own, so after a switch of
// cloud auth (password to keyless, another IAM user, another agency) the
// credentials an earlier identity created would be invisible to the sweep
// of orphans (IssuedTokens), to the clean-up of a failed creation and to
// Revoke's check. Seeing the others' credentials needs the te_admin role on
// the instance (SWR Enterprise's instance administrator, e.g. through the
// SWR FullAccess policy); an identity without it sees its own only, as
// before.
func ltListRequest(instanceID string, offset int32) *model.ListInstanceLtCredentialsRequest {
	off, lim, self := offset, int32(ltPage), false
	return &model.ListInstanceLtCredentialsRequest{InstanceId: instanceID, Offset: &off, Limit: &lim, SelfOnly: &self}
}

// listed reports whether the instance still lists the long-term credential
// tokenID. An error (the instance or the API route not found, no
// permission) means it could not be told.
func (e *Enterprise) listed(ctx context.Context, g grant, tokenID string) (bool, error) {
	for offset := int32(0); ; offset += ltPage {
		var resp *model.ListInstanceLtCredentialsResponse
		err := e.s.retry(ctx, OpListInstanceLtCredentials, g, func(api swrAPI) (err error) {
			resp, err = api.ListInstanceLtCredentials(ltListRequest(e.t.InstanceID, offset))
			return err
		})
		if err != nil {
			return false, err
		}
		if resp.AuthTokens == nil {
			return false, nil
		}
		for _, tok := range *resp.AuthTokens {
			if tok.TokenId != nil && *tok.TokenId == tokenID {
				return true, nil
			}
		}
		if len(*resp.AuthTokens) < ltPage {
			return false, nil
		}
	}
}

// confirmGone decides what a 404 answer to DeleteInstanceLtCredential
// means. A wrong instance id, a wrong endpoint and an unknown route
// (APIGW.0101) answer 404 too, and the credential then still works: only a
// listing of the instance without the credential proves it gone.
func (e *Enterprise) confirmGone(ctx context.Context, g grant, tokenID string, deleteErr error) error {
	still, err := e.listed(ctx, g, tokenID)
	switch {
	case err != nil:
		return fmt.Errorf("the delete answered %v, and listing the instance's long-term credentials to confirm the credential is gone failed: %w", deleteErr, err)
	case still:
		return fmt.Errorf("%w, yet the instance still lists the credential: it is not revoked", deleteErr)
	}
	return nil
}
