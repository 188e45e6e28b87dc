package swr

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"

	"github.com/regmint/regmint/core"
)

// cleanupTimeout bounds the removal of a credential orphaned by a failed
// creation, when the operation's own context has ended.
const cleanupTimeout = 15 * time.Second

// longTerm creates a long-term credential.
//
// Creation is not idempotent: a 5xx, a transport error or an unreadable
// answer may come after the server made the credential, whose password is
// then lost. So each credential gets a unique name, and before any retry
// (and, best effort, after giving up) the credentials of that name are
// listed and deleted. A throttled (429) call was not carried out and is
// retried as is.
func (e *Enterprise) longTerm(ctx context.Context, host string) (core.Credential, error) {
	name := ltName(e.t.Description, e.s.c.Now())
	resource := e.t.InstanceID + " " + name
	var resp *model.CreateInstanceLtCredentialResponse
	err := e.s.call(ctx, true, func(ctx context.Context, g grant) error {
		dirty := false
		err := core.Retry(ctx, e.s.c.Backoff, retryable, func(ctx context.Context) error {
			if dirty {
				if err := e.deleteByName(ctx, g, name); err != nil {
					return err
				}
				dirty = false
			}
			api, err := e.s.c.clients.swr(ctx, e.s.c, e.s.swrURLs, g.cred)
			if err != nil {
				return err
			}
			resp, err = api.CreateInstanceLtCredential(&model.CreateInstanceLtCredentialRequest{
				InstanceId: e.t.InstanceID,
				Body:       &model.CreateLongTermCredentialRequestBody{Name: name},
			})
			err = vendorError(OpCreateInstanceLtCredential, err, e.s.secrets())
			if err == nil {
				if _, cerr := credential(host, resp.HttpStatusCode, resp.UserId, resp.AuthToken, resp.ExpireDate, resp.TokenId, false, e.s.c.Now()); cerr != nil {
					err = cerr // unusable answer: the credential may exist
				}
			}
			dirty = err != nil && ambiguous(err)
			return err
		})
		if err != nil && dirty {
			// Best effort, with its own budget: ctx may be what ended.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
			defer cancel()
			if cerr := e.deleteByName(cctx, g, name); cerr != nil {
				return fmt.Errorf("%w (and a credential named %s may be left behind: %v)", err, name, cerr)
			}
		}
		return err
	})
	if err != nil {
		return core.Credential{}, opError(OpCreateInstanceLtCredential, resource, err)
	}
	c, err := credential(host, resp.HttpStatusCode, resp.UserId, resp.AuthToken, resp.ExpireDate, resp.TokenId, false, e.s.c.Now())
	if err != nil {
		return core.Credential{}, opError(OpCreateInstanceLtCredential, resource, err)
	}
	return c, nil
}

// deleteByName deletes every long-term credential of the instance named
// name (the one a failed creation may have left).
func (e *Enterprise) deleteByName(ctx context.Context, g grant, name string) error {
	api, err := e.s.c.clients.swr(ctx, e.s.c, e.s.swrURLs, g.cred)
	if err != nil {
		return err
	}
	const limit = ltPage
	var ids []string
	for offset := int32(0); ; offset += limit {
		resp, err := api.ListInstanceLtCredentials(ltListRequest(e.t.InstanceID, offset))
		if err != nil {
			return fmt.Errorf("list credentials to remove %s: %w", name, vendorError(OpListInstanceLtCredentials, err, e.s.secrets()))
		}
		n := 0
		if resp.AuthTokens != nil {
			n = len(*resp.AuthTokens)
			for _, tok := range *resp.AuthTokens {
				if tok.Name != nil && *tok.Name == name && tok.TokenId != nil {
					ids = append(ids, *tok.TokenId)
				}
			}
		}
		if n < limit {
			break
		}
	}
	for _, id := range ids {
		_, err := api.DeleteInstanceLtCredential(&model.DeleteInstanceLtCredentialRequest{InstanceId: e.t.InstanceID, CredentialId: id})
		if err := vendorError(OpDeleteInstanceLtCredential, err, e.s.secrets()); err != nil && !isNotFound(err) {
			return fmt.Errorf("remove credential %s (%s): %w", name, id, err)
		}
	}
	return nil
}

var (
	reNameBad  = regexp.MustCompile(`[^a-z0-9._-]+`)
	reNameRuns = regexp.MustCompile(`[._-]{2,}`)
)

// ltName makes a unique long-term credential name from the description:
// lowercase letters, digits, '.', '_' and '-', no two of those marks in a
// row, starting and ending with a letter or digit, at most 64 characters,
// as SWR requires.
func ltName(desc string, now time.Time) string {
	b := make([]byte, 4)
	rand.Read(b)
	return ltBase(desc) + "-" + now.UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// ltBase is the part of a long-term credential's name made from the
// description: what IssuedTokens recognises the target's credentials by. A
// description too long for the name is cut and given a hash of the whole,
// so that two long descriptions alike at the start still name apart.
func ltBase(desc string) string {
	base := strings.ToLower(desc)
	base = reNameBad.ReplaceAllString(base, "-")
	base = reNameRuns.ReplaceAllString(base, "-")
	base = strings.Trim(base, "._-")
	if len(base) > 32 {
		sum := sha256.Sum256([]byte(desc))
		base = strings.Trim(base[:23], "._-") + "-" + hex.EncodeToString(sum[:4])
	}
	if base == "" {
		base = "regmint"
	}
	return base
}
