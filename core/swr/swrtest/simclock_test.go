package swrtest_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/regmint/regmint/core/swr/swrtest"
)

// mintTemp asks for an Enterprise temporary credential, signed now with
// the wall clock, and returns the status and the login.
func mintTemp(t *testing.T, srv *swrtest.Server, a *swrtest.Account, in *swrtest.Instance) (status int, user, pass string) {
	t.Helper()
	path := "/v2/" + in.ProjectID + "/instances/" + in.ID + "/temp-credential"
	status, body, _ := do(t, signedRequest(t, http.MethodPost, srv.SWRURL, path, nil, nil, a.AK, a.SK, in.ProjectID, ""))
	var c struct {
		User  string `json:"user_id"`
		Token string `json:"auth_token"`
	}
	json.Unmarshal(body, &c)
	return status, c.User, c.Token
}

// mintLongTerm asks for an Enterprise long-term credential and returns its
// token id and login; err reports a lost connection.
func mintLongTerm(t *testing.T, srv *swrtest.Server, a *swrtest.Account, in *swrtest.Instance, name string) (id, user, pass string, err error) {
	t.Helper()
	path := "/v2/" + in.ProjectID + "/instances/" + in.ID + "/long-term-credential"
	resp, err := http.DefaultClient.Do(signedRequest(t, http.MethodPost, srv.SWRURL, path, nil, map[string]string{"name": name}, a.AK, a.SK, in.ProjectID, ""))
	if err != nil {
		return "", "", "", err
	}
	defer resp.Body.Close()
	var c struct {
		ID    string `json:"token_id"`
		User  string `json:"user_id"`
		Token string `json:"auth_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create long-term credential: HTTP %d, %v", resp.StatusCode, err)
	}
	return c.ID, c.User, c.Token, nil
}

func login(t *testing.T, in *swrtest.Instance, user, pass string) bool {
	t.Helper()
	r, _ := http.NewRequest(http.MethodGet, in.Registry.URL+"/service/token?service=harbor-registry", nil)
	r.SetBasicAuth(user, pass)
	status, _, _ := do(t, r)
	return status == http.StatusOK
}

// TestSignatureClock runs the emulator's clock hours ahead of the wall
// clock the SDK signs with: with WithSignatureClock(time.Now) requests are
// accepted and credentials expire by the emulator's clock; without it they
// are refused as skewed.
func TestSignatureClock(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		sigNow func() time.Time
		want   int
	}{
		{"signature clock is the wall clock", time.Now, http.StatusCreated},
		{"default: the emulator's clock", nil, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := swrtest.NewClock(time.Now().Add(3 * time.Hour))
			opts := []swrtest.Option{swrtest.WithClock(clock.Now)}
			if tc.sigNow != nil {
				opts = append(opts, swrtest.WithSignatureClock(tc.sigNow))
			}
			srv := swrtest.New(opts...)
			defer srv.Close()
			a := srv.NewAccount()
			in := srv.NewInstance(a, "cn-north-4")
			status, user, pass := mintTemp(t, srv, a, in)
			if status != tc.want {
				t.Fatalf("temp credential with the emulator 3h ahead: HTTP %d, want %d", status, tc.want)
			}
			if status != http.StatusCreated {
				return
			}
			if !login(t, in, user, pass) {
				t.Fatal("registry refused a fresh credential")
			}
			clock.Advance(swrtest.TempCredentialTTL)
			if login(t, in, user, pass) {
				t.Error("registry accepted a credential expired by the emulator's clock")
			}
		})
	}
}

// TestDropConnections loses calls' connections before and after the
// operation is carried out.
func TestDropConnections(t *testing.T) {
	t.Parallel()
	srv := swrtest.New()
	defer srv.Close()
	a := srv.NewAccount()
	in := srv.NewInstance(a, "cn-north-4")
	srv.Inject(swrtest.Fault{Op: swrtest.OpCreateInstanceLtCredential, Drop: true})
	if _, _, _, err := mintLongTerm(t, srv, a, in, "dropped-before"); err == nil {
		t.Error("a dropped call got an answer")
	}
	if got := srv.LongTermCredentials(in); len(got) != 0 {
		t.Errorf("credentials %v after a call dropped before processing, want none", got)
	}
	srv.Inject(swrtest.Fault{Op: swrtest.OpCreateInstanceLtCredential, Drop: true, AfterProcessing: true})
	if _, _, _, err := mintLongTerm(t, srv, a, in, "dropped-after"); err == nil {
		t.Error("a dropped call got an answer")
	}
	if got := srv.LongTermCredentials(in); len(got) != 1 || got[0] != "dropped-after" {
		t.Errorf("credentials %v after a call dropped after processing, want [dropped-after]", got)
	}
	if _, _, _, err := mintLongTerm(t, srv, a, in, "answered"); err != nil {
		t.Errorf("the fault outlived its count: %v", err)
	}
}

// TestRevocations records credentials deleted through the API, calls the
// hook before answering, and leaves Invalidate out of both.
func TestRevocations(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []swrtest.Revocation
	)
	srv := swrtest.New(swrtest.WithOnRevoke(func(r swrtest.Revocation) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, r)
	}))
	defer srv.Close()
	a := srv.NewAccount()
	in := srv.NewInstance(a, "cn-north-4")
	id1, _, _, err := mintLongTerm(t, srv, a, in, "first")
	if err != nil {
		t.Fatal(err)
	}
	_, user2, pass2, err := mintLongTerm(t, srv, a, in, "second")
	if err != nil {
		t.Fatal(err)
	}
	_, tuser, tpass := mintTemp(t, srv, a, in)
	path := "/v2/" + in.ProjectID + "/instances/" + in.ID + "/long-term-credentials/" + id1
	if status, body, _ := do(t, signedRequest(t, http.MethodDelete, srv.SWRURL, path, nil, nil, a.AK, a.SK, in.ProjectID, "")); status != http.StatusNoContent {
		t.Fatalf("delete: HTTP %d %s", status, body)
	}
	for _, l := range [][2]string{{user2, pass2}, {tuser, tpass}} {
		if !srv.Invalidate(l[1]) {
			t.Error("Invalidate found no login")
		}
		if login(t, in, l[0], l[1]) {
			t.Error("registry accepted an invalidated login")
		}
		if srv.Invalidate(l[1]) {
			t.Error("Invalidate twice found a login")
		}
	}
	if got := srv.LongTermCredentials(in); len(got) != 0 {
		t.Errorf("credentials %v left, want none", got)
	}
	id3, _, _, err := mintLongTerm(t, srv, a, in, "third")
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.LongTermCredentialIDs(in); len(got) != 1 || got[0] != id3 {
		t.Errorf("LongTermCredentialIDs = %v, want [%s]", got, id3)
	}
	mu.Lock()
	defer mu.Unlock()
	for name, got := range map[string][]swrtest.Revocation{"Revocations": srv.Revocations(), "hook": seen} {
		if len(got) != 1 || got[0].InstanceID != in.ID || got[0].TokenID != id1 || got[0].Name != "first" || got[0].At.IsZero() {
			t.Errorf("%s = %+v, want the deletion of %s only", name, got, id1)
		}
	}
}
