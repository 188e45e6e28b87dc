package tcr_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/regmint/regmint/core"
)

// Mirrors of the typed response models of tencentcloud-sdk-go (release
// v1.3.166, tcr/v20190924/models.go and sts/v20180813/models.go), with the
// SDK's field names and Go types: the typed tcr and sts packages are not
// served by the module proxy here, so the test declares them as
// /work/shared/vendor-apis.md ("Tencent typed models") lists them.
type (
	sdkCreateInstanceTokenResponseParams struct {
		Username  *string `json:"Username,omitempty"`
		Token     *string `json:"Token,omitempty"`
		ExpTime   *int64  `json:"ExpTime,omitempty"`
		TokenId   *string `json:"TokenId,omitempty"`
		RequestId *string `json:"RequestId,omitempty"`
	}
	sdkTagSpecification struct {
		ResourceType *string `json:"ResourceType,omitempty"`
		Tags         []*struct {
			Key   *string `json:"Key,omitempty"`
			Value *string `json:"Value,omitempty"`
		} `json:"Tags,omitempty"`
	}
	sdkRegistry struct {
		RegistryId          *string              `json:"RegistryId,omitempty"`
		RegistryName        *string              `json:"RegistryName,omitempty"`
		RegistryType        *string              `json:"RegistryType,omitempty"`
		Status              *string              `json:"Status,omitempty"`
		PublicDomain        *string              `json:"PublicDomain,omitempty"`
		CreatedAt           *string              `json:"CreatedAt,omitempty"`
		RegionName          *string              `json:"RegionName,omitempty"`
		RegionId            *uint64              `json:"RegionId,omitempty"`
		EnableAnonymous     *bool                `json:"EnableAnonymous,omitempty"`
		TokenValidTime      *uint64              `json:"TokenValidTime,omitempty"`
		InternalEndpoint    *string              `json:"InternalEndpoint,omitempty"`
		TagSpecification    *sdkTagSpecification `json:"TagSpecification,omitempty"`
		ExpiredAt           *string              `json:"ExpiredAt,omitempty"`
		PayMod              *int64               `json:"PayMod,omitempty"`
		RenewFlag           *int64               `json:"RenewFlag,omitempty"`
		DeletionProtection  *bool                `json:"DeletionProtection,omitempty"`
		AIFeature           *bool                `json:"AIFeature,omitempty"`
		EnableCosMAZ        *bool                `json:"EnableCosMAZ,omitempty"`
		EnableCosVersioning *bool                `json:"EnableCosVersioning,omitempty"`
	}
	sdkDescribeInstancesResponseParams struct {
		TotalCount *int64         `json:"TotalCount,omitempty"`
		Registries []*sdkRegistry `json:"Registries,omitempty"`
		RequestId  *string        `json:"RequestId,omitempty"`
	}
	sdkTcrInstanceToken struct {
		Id         *string `json:"Id,omitempty"`
		Desc       *string `json:"Desc,omitempty"`
		RegistryId *string `json:"RegistryId,omitempty"`
		Enabled    *bool   `json:"Enabled,omitempty"`
		CreatedAt  *string `json:"CreatedAt,omitempty"`
		ExpiredAt  *int64  `json:"ExpiredAt,omitempty"`
	}
	sdkDescribeInstanceTokenResponseParams struct {
		TotalCount *int64                 `json:"TotalCount,omitempty"`
		Tokens     []*sdkTcrInstanceToken `json:"Tokens,omitempty"`
		RequestId  *string                `json:"RequestId,omitempty"`
	}
	sdkDeleteInstanceTokenResponseParams struct {
		RequestId *string `json:"RequestId,omitempty"`
	}
	sdkAssumeRoleWithWebIdentityResponseParams struct {
		ExpiredTime *uint64 `json:"ExpiredTime,omitempty"`
		Expiration  *string `json:"Expiration,omitempty"`
		Credentials *struct {
			Token        *string `json:"Token,omitempty"`
			TmpSecretId  *string `json:"TmpSecretId,omitempty"`
			TmpSecretKey *string `json:"TmpSecretKey,omitempty"`
		} `json:"Credentials,omitempty"`
		RequestId *string `json:"RequestId,omitempty"`
	}
)

// sdkModel returns a fresh SDK response model for an action the project
// calls.
func sdkModel(action string) any {
	switch action {
	case "CreateInstanceToken":
		return new(sdkCreateInstanceTokenResponseParams)
	case "DescribeInstances":
		return new(sdkDescribeInstancesResponseParams)
	case "DescribeInstanceToken":
		return new(sdkDescribeInstanceTokenResponseParams)
	case "DeleteInstanceToken":
		return new(sdkDeleteInstanceTokenResponseParams)
	case "AssumeRoleWithWebIdentity":
		return new(sdkAssumeRoleWithWebIdentityResponseParams)
	}
	return nil
}

// tcRecorder keeps every answer's body by action.
type tcRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen map[string][][]byte
}

func (r *tcRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.seen[req.Header.Get("X-TC-Action")] = append(r.seen[req.Header.Get("X-TC-Action")], body)
	r.mu.Unlock()
	return resp, nil
}

// TestEmulatorAnswersFitSDKModels runs every action the project calls
// against tcrtest and decodes each answer's Response into the SDK's typed
// model with unknown fields disallowed.
func TestEmulatorAnswersFitSDKModels(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := &tcRecorder{base: e.srv.Transport(), seen: map[string][][]byte{}}
	c := ctx(t)
	for _, tg := range []core.Target{e.target(), e.target(longTerm), e.target(e.oidc), e.target(e.oidc, longTerm)} {
		is := e.issuer(t, tg, func(v *core.Env) { v.Transport = rec })
		cred, err := is.Issue(c)
		if err != nil {
			t.Fatal(err)
		}
		if cred.TokenID != "" {
			if _, err := is.ListTokens(c); err != nil {
				t.Fatal(err)
			}
			if err := is.Revoke(c, cred.TokenID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, action := range []string{"CreateInstanceToken", "DescribeInstances", "DescribeInstanceToken", "DeleteInstanceToken", "AssumeRoleWithWebIdentity"} {
		bodies := rec.seen[action]
		if len(bodies) == 0 {
			t.Errorf("%s not exercised", action)
		}
		for _, b := range bodies {
			var env struct {
				Response json.RawMessage `json:"Response"`
			}
			if err := json.Unmarshal(b, &env); err != nil {
				t.Errorf("%s: %v", action, err)
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(env.Response))
			dec.DisallowUnknownFields()
			if err := dec.Decode(sdkModel(action)); err != nil {
				t.Errorf("%s answer does not fit the SDK model: %v\n%s", action, err, b)
			}
		}
	}
	for action := range rec.seen {
		if sdkModel(action) == nil {
			t.Errorf("no SDK model mirrored for %s", action)
		}
	}
}
