package tcr_test

import (
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/testutil"
)

// hostRecorder records the host each request is addressed to and answers
// it from the emulator: the public name is never resolved or dialled.
type hostRecorder struct {
	srv   *tcrtest.Server
	mu    sync.Mutex
	hosts []string
}

func (h *hostRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts = append(h.hosts, r.URL.Scheme+"://"+r.URL.Host)
	h.mu.Unlock()
	to := h.srv.URL
	if r.Header.Get("X-TC-Action") == "AssumeRoleWithWebIdentity" {
		to = h.srv.STSURL
	}
	u, _ := url.Parse(to)
	out := r.Clone(r.Context())
	out.Host = r.URL.Host // signed as the public host
	out.URL.Scheme, out.URL.Host = u.Scheme, u.Host
	return h.srv.Transport().RoundTrip(out)
}

func (h *hostRecorder) seen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, x := range h.hosts {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestSiteHosts checks the API and STS hosts each site calls: the China
// site's by default, the international site's with site intl, and an
// explicit endpoint over either.
func TestSiteHosts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		mod  func(*core.Target)
		want []string
	}{
		{"default", nil, []string{"https://sts.tencentcloudapi.com", "https://tcr.tencentcloudapi.com"}},
		{"cn", func(t *core.Target) { t.Site = core.SiteCN }, []string{"https://sts.tencentcloudapi.com", "https://tcr.tencentcloudapi.com"}},
		{"intl", func(t *core.Target) { t.Site = core.SiteIntl }, []string{"https://sts.intl.tencentcloudapi.com", "https://tcr.intl.tencentcloudapi.com"}},
		{"intl with endpoints", func(t *core.Target) {
			t.Site, t.APIEndpoint, t.STSEndpoint = core.SiteIntl, "https://tcr.ap-singapore.tencentcloudapi.com", "https://sts.ap-singapore.tencentcloudapi.com"
		}, []string{"https://sts.ap-singapore.tencentcloudapi.com", "https://tcr.ap-singapore.tencentcloudapi.com"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tg := e.target(e.oidc, func(t *core.Target) { t.APIEndpoint, t.STSEndpoint = "", "" })
			if tt.mod != nil {
				tt.mod(&tg)
			}
			rec := &hostRecorder{srv: e.srv}
			c, err := e.issuer(t, tg, func(v *core.Env) { v.Transport = rec }).Issue(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.seen(); !slices.Equal(got, tt.want) {
				t.Errorf("hosts called = %v, want %v", got, tt.want)
			}
			if got, want := verify(t, c), core.VerifyGood; got != want {
				t.Errorf("verify = %v, want %v", got, want)
			}
		})
	}
}

// TestSecurityTokenEnv: TENCENTCLOUD_SECURITY_TOKEN (the Terraform
// provider's name) is read as the session token.
func TestSecurityTokenEnv(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	k := e.srv.AddSessionKey(time.Hour)
	env := map[string]string{tcr.EnvSecretID: k.ID, tcr.EnvSecretKey: k.Secret, tcr.EnvSecurityToken: k.Token}
	is, err := tcr.New(e.target(envAuth), core.Env{Getenv: func(n string) string { return env[n] }, Transport: e.srv.Transport(), Backoff: fastBackoff})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := is.Issue(ctx(t)); err != nil {
		t.Fatalf("Issue with TENCENTCLOUD_SECURITY_TOKEN: %v", err)
	}
}

// TestSessionDuration: role-duration-seconds is what STS is asked for, and
// the keys are fetched again when that much time has gone.
func TestSessionDuration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clk := testutil.NewClock(time.Now())
	tg := e.target(e.oidc, func(t *core.Target) {
		t.Auth.SessionDuration = 20 * time.Minute
		t.Auth.SessionName = "ci-build.42"
	})
	is := e.issuer(t, tg, func(v *core.Env) { v.Now = clk.Now })
	if _, err := is.Issue(ctx(t)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(16 * time.Minute) // within 5 minutes of the 20 asked for
	if _, err := is.Issue(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got, want := e.srv.Calls("AssumeRoleWithWebIdentity"), 2; got != want {
		t.Errorf("STS calls = %d, want %d (keys asked for 20 minutes)", got, want)
	}
}
