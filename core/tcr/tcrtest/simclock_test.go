package tcrtest_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"
)

// registryAccepts logs in to an instance's token realm with user and pass.
func registryAccepts(t *testing.T, in tcrtest.Instance, user, pass string) bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, "http://"+in.Registry+"/service/token?service=harbor-registry", nil)
	req.SetBasicAuth(user, pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// TestSignatureClock moves the emulator's clock hours ahead while the SDK
// signs with the wall clock: with WithSignatureClock(time.Now) requests
// are still accepted and tokens expire by the simulated clock; without it
// they are refused as skewed.
func TestSignatureClock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		opts     []tcrtest.Option
		wantCode string
	}{
		{"signature clock is the wall clock", []tcrtest.Option{tcrtest.WithSignatureClock(time.Now)}, ""},
		{"default: the emulator's clock", nil, "AuthFailure.SignatureExpire"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := tcrtest.New(tc.opts...)
			t.Cleanup(s.Close)
			k := s.AddKey()
			in := s.AddInstance(region)
			c := client(t, common.NewCredential(k.ID, k.Secret), s.URL, nil)
			s.Advance(3 * time.Hour)
			out, err := tcrCall(t, c, "CreateInstanceToken", map[string]any{"RegistryId": in.ID})
			if got := code(err); got != tc.wantCode {
				t.Fatalf("CreateInstanceToken 3h ahead: code %q (%v), want %q", got, err, tc.wantCode)
			}
			if tc.wantCode != "" {
				return
			}
			pass := out["Token"].(string)
			info, _ := s.LookupToken(pass)
			if got, want := info.Created, s.Now().Truncate(time.Millisecond); got.Sub(want).Abs() > time.Second {
				t.Errorf("token created at %v, want the simulated time %v", got, want)
			}
			if !registryAccepts(t, in, s.UIN, pass) {
				t.Fatal("registry refused a fresh token")
			}
			s.Advance(tcrtest.TempTokenTTL)
			if registryAccepts(t, in, s.UIN, pass) {
				t.Error("registry accepted a token expired by the simulated clock")
			}
			if _, err := tcrCall(t, c, "DescribeInstances", map[string]any{"Registryids": []string{in.ID}}); err != nil {
				t.Errorf("a call signed with the wall clock, emulator 4h ahead: %v", err)
			}
		})
	}
}

// TestDropConnections loses calls' connections before and after handling.
func TestDropConnections(t *testing.T) {
	t.Parallel()
	s := tcrtest.New()
	t.Cleanup(s.Close)
	k := s.AddKey()
	in := s.AddInstance(region)
	c := client(t, common.NewCredential(k.ID, k.Secret), s.URL, nil)
	lt := map[string]any{"RegistryId": in.ID, "TokenType": "longterm", "Desc": "ci"}

	s.DropConnections(1, false)
	if _, err := tcrCall(t, c, "CreateInstanceToken", lt); code(err) != "ClientError.NetworkError" {
		t.Errorf("dropped call: %v, want a network error", err)
	}
	if got := len(s.LongTermTokens(in.ID)); got != 0 {
		t.Errorf("%d tokens after a call dropped before handling, want 0", got)
	}
	s.DropConnections(1, true)
	if _, err := tcrCall(t, c, "CreateInstanceToken", lt); code(err) != "ClientError.NetworkError" {
		t.Errorf("dropped call: %v, want a network error", err)
	}
	if got := len(s.LongTermTokens(in.ID)); got != 1 {
		t.Errorf("%d tokens after a call dropped after handling, want 1 (made, answer lost)", got)
	}
	if _, err := tcrCall(t, c, "CreateInstanceToken", lt); err != nil {
		t.Errorf("the fault outlived its count: %v", err)
	}
}

// TestRevocations records tokens deleted through the API, calls the hook
// before answering, and leaves Invalidate out of both.
func TestRevocations(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []tcrtest.Revocation
		s    *tcrtest.Server
	)
	s = tcrtest.New(tcrtest.WithOnRevoke(func(r tcrtest.Revocation) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r)
		// The hook may read the emulator: it runs outside its lock.
		for _, tok := range s.LongTermTokens(r.InstanceID) {
			if tok.ID == r.TokenID {
				t.Errorf("hook: token %s still listed", r.TokenID)
			}
		}
	}))
	t.Cleanup(s.Close)
	k := s.AddKey()
	in := s.AddInstance(region)
	c := client(t, common.NewCredential(k.ID, k.Secret), s.URL, nil)
	mint := func() (id, pass string) {
		out, err := tcrCall(t, c, "CreateInstanceToken", map[string]any{"RegistryId": in.ID, "TokenType": "longterm", "Desc": "ci"})
		if err != nil {
			t.Fatal(err)
		}
		return out["TokenId"].(string), out["Token"].(string)
	}
	id1, _ := mint()
	id2, pass2 := mint()
	temp, err := tcrCall(t, c, "CreateInstanceToken", map[string]any{"RegistryId": in.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tcrCall(t, c, "DeleteInstanceToken", map[string]any{"RegistryId": in.ID, "TokenId": id1}); err != nil {
		t.Fatal(err)
	}
	for _, pass := range []string{pass2, temp["Token"].(string)} {
		if !s.Invalidate(pass) {
			t.Error("Invalidate found no live token")
		}
		if registryAccepts(t, in, s.UIN, pass) {
			t.Error("registry accepted an invalidated token")
		}
		if s.Invalidate(pass) {
			t.Error("Invalidate twice reported a live token")
		}
	}
	if got := s.LongTermTokens(in.ID); len(got) != 0 {
		t.Errorf("live tokens %v, want none (%s deleted, %s invalidated)", got, id1, id2)
	}
	want := []tcrtest.Revocation{{InstanceID: in.ID, TokenID: id1}}
	mu.Lock()
	defer mu.Unlock()
	for name, got := range map[string][]tcrtest.Revocation{"Revocations": s.Revocations(), "hook": seen} {
		if len(got) != 1 || got[0].InstanceID != want[0].InstanceID || got[0].TokenID != want[0].TokenID || got[0].At.IsZero() {
			t.Errorf("%s = %+v, want %+v", name, got, want)
		}
	}
}
