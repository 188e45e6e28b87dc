package credhelper_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/credhelper"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
)

// TestSharedEditionAnyRegion: a shared-edition target with no region
// serves swr.<region>.myhuaweicloud.com of the region the host names,
// parsed from the name (never resolved).
func TestSharedEditionAnyRegion(t *testing.T) {
	srv := swrtest.New()
	t.Cleanup(srv.Close)
	acct := srv.NewAccount()
	// verify: false: the real host name must not be looked up; the login
	// is checked below against the emulator's registry for the region.
	doc := fmt.Sprintf("targets:\n- name: hw\n  provider: swr\n  api-endpoint: %s\n  iam-endpoint: %s\n  verify: false\n", srv.SWRURL, srv.IAMURL)
	cfg, err := config.ParseTargets([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{swr.EnvAK: acct.AK, swr.EnvSK: acct.SK}
	h := &credhelper.Helper{Config: cfg, Cache: &credhelper.Cache{Dir: filepath.Join(t.TempDir(), "regmint")},
		Env: core.Env{Getenv: func(k string) string { return env[k] }, Backoff: core.Backoff{Base: time.Millisecond, Max: time.Millisecond, Attempts: 2}}}

	host := "swr.cn-north-4.myhuaweicloud.com"
	r, err := h.Get(context.Background(), "https://"+host)
	if err != nil {
		t.Fatal(err)
	}
	if r.Credential.Registry != host || !r.Minted {
		t.Fatalf("served %v", r.Credential)
	}
	login := srv.SharedRegistry("cn-north-4")
	v := core.Verifier{}.Verify(context.Background(), core.Credential{Registry: login.Host, Username: r.Credential.Username, Password: r.Credential.Password})
	if v.Result != core.VerifyGood {
		t.Fatalf("the region's registry does not take the login: %v", v)
	}
	for _, other := range []string{"swr.cn-north-4.example.com", "swr.myhuaweicloud.com", "registry.cn-north-4.myhuaweicloud.com", "swr.CN_NORTH.myhuaweicloud.com"} {
		if _, err := h.Get(context.Background(), other); !errors.Is(err, credhelper.ErrUnknownHost) {
			t.Errorf("Get(%q) = %v; want ErrUnknownHost", other, err)
		}
	}
	if got := h.List(); len(got) != 0 {
		t.Errorf("List = %v; a target of every region lists no host", got)
	}
}
