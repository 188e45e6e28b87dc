package swr

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	iam "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3"
	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"

	"github.com/regmint/regmint/core"
)

// iamToken is an IAM token scoped to the region's project.
type iamToken struct {
	value     string
	projectID string
	expires   time.Time
}

// fetchToken asks IAM for a project-scoped token: with the password, or by
// exchanging the OIDC web identity token. It retries throttling, 5xx and
// transport errors; a refused login is final.
func (s *session) fetchToken(ctx context.Context) (iamToken, error) {
	op, resource := OpKeystoneCreateUserTokenByPassword, s.auth.user+"@"+s.auth.domain+"/"+s.region
	if s.auth.method == core.AuthOIDC {
		op, resource = OpCreateTokenWithIdToken, "idp "+s.auth.idpID+"/"+s.region
	}
	// The web identity token is read once per fetch, outside the retries:
	// a missing or empty token file does not go away by asking again.
	var idTok string
	if s.auth.method == core.AuthOIDC {
		t, err := s.auth.webIdentityToken()
		if err != nil {
			return iamToken{}, opError(op, resource, err)
		}
		idTok = t
	}
	var tok iamToken
	err := core.Retry(ctx, s.c.Backoff, retryable, func(ctx context.Context) error {
		api, err := s.c.clients.iam(ctx, s.c, s.iamURL, iam.NewIamCredentialsBuilder().Build())
		if err != nil {
			return err
		}
		if s.auth.method == core.AuthOIDC {
			tok, err = s.exchangeIDToken(api, idTok)
		} else {
			tok, err = s.passwordToken(api)
		}
		return vendorError(op, err, s.secrets())
	})
	if err != nil {
		return iamToken{}, opError(op, resource, err)
	}
	return tok, nil
}

// scope returns the token scope: the given project id, else the project
// named after the region.
func (s *session) scopeProject() (id, name *string) {
	if s.auth.projectID != "" {
		return &s.auth.projectID, nil
	}
	return nil, &s.region
}

func (s *session) passwordToken(api iamAPI) (iamToken, error) {
	id, name := s.scopeProject()
	resp, err := api.KeystoneCreateUserTokenByPassword(&iammodel.KeystoneCreateUserTokenByPasswordRequest{
		Body: &iammodel.KeystoneCreateUserTokenByPasswordRequestBody{Auth: &iammodel.PwdAuth{
			Identity: &iammodel.PwdIdentity{
				Methods: []iammodel.PwdIdentityMethods{iammodel.GetPwdIdentityMethodsEnum().PASSWORD},
				Password: &iammodel.PwdPassword{User: &iammodel.PwdPasswordUser{
					Name: s.auth.user, Password: s.auth.password,
					Domain: &iammodel.PwdPasswordUserDomain{Name: s.auth.domain},
				}},
			},
			Scope: &iammodel.AuthScope{Project: &iammodel.AuthScopeProject{Id: id, Name: name}},
		}},
	})
	if err != nil {
		return iamToken{}, err
	}
	var exp, pid string
	if resp.Token != nil {
		exp = resp.Token.ExpiresAt
		if resp.Token.Project != nil {
			pid = resp.Token.Project.Id
		}
	}
	return s.readToken(resp.HttpStatusCode, resp.XSubjectToken, exp, pid)
}

func (s *session) exchangeIDToken(api iamAPI, idTok string) (iamToken, error) {
	id, name := s.scopeProject()
	resp, err := api.CreateTokenWithIdToken(&iammodel.CreateTokenWithIdTokenRequest{
		XIdpId: s.auth.idpID,
		Body: &iammodel.GetIdTokenRequestBody{Auth: &iammodel.GetIdTokenAuthParams{
			IdToken: &iammodel.GetIdTokenIdTokenBody{Id: idTok},
			Scope: &iammodel.GetIdTokenIdScopeBody{
				Project: &iammodel.GetIdTokenScopeDomainOrProjectBody{Id: id, Name: name},
			},
		}},
	})
	if err != nil {
		return iamToken{}, err
	}
	var exp, pid string
	if resp.Token != nil {
		exp = resp.Token.ExpiresAt
		if resp.Token.Project != nil && resp.Token.Project.Id != nil {
			pid = *resp.Token.Project.Id
		}
	}
	return s.readToken(resp.HttpStatusCode, resp.XSubjectToken, exp, pid)
}

// readToken checks an IAM token answer: the token is the X-Subject-Token
// header; the body says when it expires and which project it is for.
func (s *session) readToken(status int, header *string, expiresAt, projectID string) (iamToken, error) {
	malformed := func(what string) error { return &APIError{StatusCode: status, Malformed: true, Message: what} }
	if header == nil || *header == "" {
		return iamToken{}, malformed("no X-Subject-Token header")
	}
	exp, err := parseTime(expiresAt)
	if err != nil {
		return iamToken{}, malformed("token.expires_at: " + err.Error())
	}
	if projectID == "" {
		projectID = s.auth.projectID
	}
	if projectID == "" {
		return iamToken{}, malformed("the token names no project")
	}
	if s.auth.projectID != "" && projectID != s.auth.projectID {
		return iamToken{}, malformed(fmt.Sprintf("the token is for project %s, not %s", projectID, s.auth.projectID))
	}
	return iamToken{value: *header, projectID: projectID, expires: exp}, nil
}

// lookupProject finds the id of the project named after the region, as the
// SDK does when no project id is given (IAM GET /v3/projects?name=<region>),
// signed with the access keys.
func (s *session) lookupProject(ctx context.Context) (string, error) {
	var ids []string
	err := core.Retry(ctx, s.c.Backoff, retryable, func(ctx context.Context) error {
		cred, err := s.keyCredential("")
		if err != nil {
			return err
		}
		api, err := s.c.clients.iam(ctx, s.c, s.iamURL, cred)
		if err != nil {
			return err
		}
		resp, err := api.KeystoneListProjects(&iammodel.KeystoneListProjectsRequest{Name: &s.region})
		if err != nil {
			return vendorError(OpKeystoneListProjects, err, s.secrets())
		}
		ids = ids[:0]
		if resp.Projects != nil {
			for _, p := range *resp.Projects {
				if p.Name == s.region && p.Id != "" {
					ids = append(ids, p.Id)
				}
			}
		}
		return nil
	})
	if err != nil {
		return "", opError(OpKeystoneListProjects, s.region, err)
	}
	switch len(ids) {
	case 0:
		return "", opError(OpKeystoneListProjects, s.region, fmt.Errorf(
			"%w: IAM knows no project named %q for these credentials; set %s (or %s) to the region's project id",
			ErrNoProject, s.region, core.FieldProjectID, EnvProjectID))
	case 1:
		return ids[0], nil
	}
	return "", opError(OpKeystoneListProjects, s.region, fmt.Errorf(
		"%w: IAM knows several projects named %q (%s); set %s to one of them",
		ErrNoProject, s.region, strings.Join(ids, ", "), core.FieldProjectID))
}

// keyCredential returns the SDK's AK/SK credential, with the project id when
// known (it fills {project_id} and sends X-Project-Id).
func (s *session) keyCredential(projectID string) (auth.ICredential, error) {
	b := basic.NewCredentialsBuilder().WithAk(s.auth.ak).WithSk(s.auth.sk)
	if s.auth.securityToken != "" {
		b = b.WithSecurityToken(s.auth.securityToken)
	}
	if projectID != "" {
		b = b.WithProjectId(projectID)
	}
	cred, err := b.SafeBuild()
	if err != nil {
		// The SDK's message names which key was empty, never its value.
		return nil, fmt.Errorf("access keys from %s: %v", s.auth.keySource, err)
	}
	return cred, nil
}
