package swr_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"sort"
	"sync"
	"testing"

	iammodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/iam/v3/model"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/swr/v2/model"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
)

// answer is one exchange seen by recorder: the call and the body answered.
type answer struct {
	method, path string
	status       int
	body         []byte
}

// recorder is a transport that keeps every answer's body.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen []answer
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
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
	r.seen = append(r.seen, answer{req.Method, req.URL.Path, resp.StatusCode, body})
	r.mu.Unlock()
	return resp, nil
}

// sdkModels maps each SWR and IAM operation the project calls (method and
// path) to the official SDK's response model (huaweicloud-sdk-go-v3
// v0.1.207, services/swr/v2/model and services/iam/v3/model).
var sdkModels = []struct {
	op     string
	method string
	path   *regexp.Regexp
	model  func() any
}{
	{swr.OpShowInstance, http.MethodGet, regexp.MustCompile(`^/v2/[^/]+/instances/[^/]+$`), func() any { return new(model.ShowInstanceResponse) }},
	{swr.OpCreateInstanceTempCredential, http.MethodPost, regexp.MustCompile(`^/v2/[^/]+/instances/[^/]+/temp-credential$`), func() any { return new(model.CreateInstanceTempCredentialResponse) }},
	{swr.OpCreateInstanceLtCredential, http.MethodPost, regexp.MustCompile(`^/v2/[^/]+/instances/[^/]+/long-term-credential$`), func() any { return new(model.CreateInstanceLtCredentialResponse) }},
	{swr.OpListInstanceLtCredentials, http.MethodGet, regexp.MustCompile(`^/v2/[^/]+/instances/[^/]+/long-term-credentials$`), func() any { return new(model.ListInstanceLtCredentialsResponse) }},
	{swr.OpDeleteInstanceLtCredential, http.MethodDelete, regexp.MustCompile(`^/v2/[^/]+/instances/[^/]+/long-term-credentials/[^/]+$`), func() any { return new(model.DeleteInstanceLtCredentialResponse) }},
	{swr.OpCreateSecret, http.MethodPost, regexp.MustCompile(`^/v2/manage/utils/secret$`), func() any { return new(model.CreateSecretResponse) }},
	{swr.OpKeystoneCreateUserTokenByPassword, http.MethodPost, regexp.MustCompile(`^/v3/auth/tokens$`), func() any { return new(iammodel.KeystoneCreateUserTokenByPasswordResponse) }},
	{swr.OpKeystoneListProjects, http.MethodGet, regexp.MustCompile(`^/v3/projects$`), func() any { return new(iammodel.KeystoneListProjectsResponse) }},
	{swr.OpCreateTokenWithIdToken, http.MethodPost, regexp.MustCompile(`^/v3.0/OS-AUTH/id-token/tokens$`), func() any { return new(iammodel.CreateTokenWithIdTokenResponse) }},
}

// TestEmulatorAnswersFitSDKModels runs every operation the project calls
// against swrtest and decodes each success answer into the SDK's own
// response model with unknown fields disallowed: an emulator answer with a
// field the SDK does not model, or of another type, fails here rather than
// hiding a difference from the real API.
func TestEmulatorAnswersFitSDKModels(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rec := &recorder{base: http.DefaultTransport}
	ctx := fctx(t)
	run := func(p core.Provider, tt core.TokenType, auth string) {
		tg, opts := w.setup(t, p, tt, auth)
		tg.Description = "regmint models"
		opts.Transport = rec
		iss, err := swr.New(tg, opts)
		if err != nil {
			t.Fatal(err)
		}
		c, err := iss.Issue(ctx)
		if err != nil {
			t.Fatalf("%s %s %s: %v", p, tt, auth, err)
		}
		if e, ok := iss.(*swr.Enterprise); ok && tt == core.TokenLongTerm {
			if _, err := e.IssuedTokens(ctx); err != nil {
				t.Fatal(err)
			}
			if err := e.Revoke(ctx, c.TokenID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, auth := range []string{authKeys, authPassword, authOIDC} {
		run(swr.EnterpriseName, core.TokenTemp, auth)
		run(swr.EnterpriseName, core.TokenLongTerm, auth)
		run(swr.SharedName, core.TokenTemp, auth)
	}
	covered := map[string]bool{}
	for _, a := range rec.seen {
		i := slicesIndex(a)
		if i < 0 {
			t.Errorf("no SDK model listed for %s %s", a.method, a.path)
			continue
		}
		m := sdkModels[i]
		covered[m.op] = true
		if a.status >= 300 {
			t.Errorf("%s answered HTTP %d", m.op, a.status)
			continue
		}
		if len(bytes.TrimSpace(a.body)) == 0 {
			continue // 204 No Content (delete)
		}
		dec := json.NewDecoder(bytes.NewReader(a.body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(m.model()); err != nil {
			t.Errorf("%s answer does not fit the SDK model: %v\n%s", m.op, err, a.body)
		}
	}
	var missing []string
	for _, m := range sdkModels {
		if !covered[m.op] {
			missing = append(missing, m.op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations not exercised: %v", missing)
	}
}

func slicesIndex(a answer) int {
	for i, m := range sdkModels {
		if m.method == a.method && m.path.MatchString(a.path) {
			return i
		}
	}
	return -1
}
