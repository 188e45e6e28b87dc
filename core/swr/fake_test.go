package swr

import (
	"context"
	"errors"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"

	"github.com/regmint/regmint/core"
)

// fakeSWR answers CreateSecret from a function; the other methods of
// swrAPI are not called by the shared-edition issuer.
type fakeSWR struct {
	swrAPI
	createSecret func(*model.CreateSecretRequest) (*model.CreateSecretResponse, error)
}

func (f fakeSWR) CreateSecret(r *model.CreateSecretRequest) (*model.CreateSecretResponse, error) {
	return f.createSecret(r)
}

// fakeClients hands out one fake SWR client and no IAM client.
type fakeClients struct{ api swrAPI }

func (f fakeClients) swr(context.Context, *config, []string, auth.ICredential) (swrAPI, error) {
	return f.api, nil
}

func (f fakeClients) iam(context.Context, *config, string, auth.ICredential) (iamAPI, error) {
	return nil, errors.New("no IAM in this test")
}

// sharedWithFake is a shared-edition issuer whose SWR client is f, with
// the clock now (zero: time.Now).
func sharedWithFake(t *testing.T, f func(*model.CreateSecretRequest) (*model.CreateSecretResponse, error), now func() time.Time) *Shared {
	t.Helper()
	tg := core.Target{Provider: SharedName, Region: "cn-north-4", Auth: core.Auth{AccessKeyID: "swrtestak", AccessKeySecret: "swrtest-sk"}}
	env := core.Env{Now: now, Backoff: core.Backoff{Base: time.Millisecond, Max: time.Millisecond}}
	sh, err := newShared(tg, newConfig(env, fakeClients{fakeSWR{createSecret: f}}))
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

func strp(s string) *string { return &s }

// Older API versions send no X-Swr-Expireat: the documented 6 hours apply.
// Of several auths entries, the region's registry is taken.
func TestCreateSecretAnswerVariants(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	sh := sharedWithFake(t, func(r *model.CreateSecretRequest) (*model.CreateSecretResponse, error) {
		if r.Projectname == nil || *r.Projectname != "cn-north-4" {
			t.Errorf("projectname = %v", r.Projectname)
		}
		return &model.CreateSecretResponse{HttpStatusCode: 200, Auths: map[string]model.AuthInfo{
			"a.example.test":                   {Auth: "eDp5"}, // x:y
			"swr.cn-north-4.myhuaweicloud.com": {Auth: "Y24tbm9ydGgtNEBBQkM6cGFzcw=="},
		}}, nil
	}, func() time.Time { return now })
	c, err := sh.Issue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Registry != "swr.cn-north-4.myhuaweicloud.com" || c.Username != "cn-north-4@ABC" || c.Password != "pass" {
		t.Errorf("credential = %v", c)
	}
	if !c.ExpiresAt.Equal(now.Add(SharedTempValidity)) {
		t.Errorf("ExpiresAt = %v, want %v", c.ExpiresAt, now.Add(SharedTempValidity))
	}

	for name, resp := range map[string]*model.CreateSecretResponse{
		"no auths":     {HttpStatusCode: 200},
		"not base64":   {HttpStatusCode: 200, Auths: map[string]model.AuthInfo{"h": {Auth: "%%%"}}},
		"no colon":     {HttpStatusCode: 200, Auths: map[string]model.AuthInfo{"h": {Auth: "eHk="}}},
		"bad expireat": {HttpStatusCode: 200, Auths: map[string]model.AuthInfo{"h": {Auth: "eDp5"}}, XSwrExpireat: strp("tomorrow")},
	} {
		sh := sharedWithFake(t, func(*model.CreateSecretRequest) (*model.CreateSecretResponse, error) { return resp, nil }, nil)
		if _, err := sh.Issue(context.Background()); !errors.Is(err, ErrMalformedResponse) {
			t.Errorf("%s: Issue = %v, want ErrMalformedResponse", name, err)
		}
	}
}

// Transport errors are retried; the attempts are bounded.
func TestTransportErrorsRetried(t *testing.T) {
	t.Parallel()
	calls := 0
	sh := sharedWithFake(t, func(*model.CreateSecretRequest) (*model.CreateSecretResponse, error) {
		calls++
		if calls < 3 {
			return nil, &url.Error{Op: "Post", URL: "https://swr-api.cn-north-4.myhuaweicloud.com/v2/manage/utils/secret", Err: &net.OpError{Op: "dial", Err: errors.New("connection reset")}}
		}
		return &model.CreateSecretResponse{HttpStatusCode: 200, Auths: map[string]model.AuthInfo{"h": {Auth: "eDp5"}}, XSwrExpireat: strp("2026-05-01T14:00:00.000000Z")}, nil
	}, nil)
	c, err := sh.Issue(context.Background())
	if err != nil || calls != 3 || c.Username != "x" {
		t.Fatalf("Issue = %v, %v after %d calls", c, err, calls)
	}
}
