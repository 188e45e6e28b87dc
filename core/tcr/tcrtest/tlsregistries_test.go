package tcrtest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tencentcloud/tencentcloud-sdk-go/tencentcloud/common"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// With WithTLSRegistries an instance's registry answers the docker login
// handshake over TLS only, with the certificate STSCertificate returns: a
// client that trusts it logs in with a minted token, one that does not
// cannot reach it, and plain HTTP gets no challenge.
func TestTLSRegistries(t *testing.T) {
	t.Parallel()
	s := tcrtest.New(tcrtest.WithTLSRegistries())
	t.Cleanup(s.Close)
	k := s.AddKey()
	in := s.AddInstance(region)
	c := client(t, common.NewCredential(k.ID, k.Secret), s.URL, nil)
	out, err := tcrCall(t, c, "CreateInstanceToken", map[string]any{"RegistryId": in.ID})
	if err != nil {
		t.Fatal(err)
	}
	cred := core.Credential{Registry: in.Registry, Username: s.UIN, Password: out["Token"].(string)}

	v := core.Verifier{Transport: s.Transport()}.Verify(context.Background(), cred)
	if v.Result != core.VerifyGood {
		t.Fatalf("verify over TLS, certificate trusted = %v, want good", v)
	}
	wrong := cred
	wrong.Password = "not-the-token"
	if v := (core.Verifier{Transport: s.Transport()}).Verify(context.Background(), wrong); v.Result != core.VerifyBad {
		t.Errorf("verify a wrong password over TLS = %v, want bad", v)
	}
	if v := (core.Verifier{Transport: &http.Transport{}}).Verify(context.Background(), cred); v.Result != core.VerifyUnknown {
		t.Errorf("verify without trusting the certificate = %v, want unknown", v)
	}
	if got, want := s.RegistryServer(in.ID).Certificate().Raw, s.STSCertificate().Raw; string(got) != string(want) {
		t.Error("the registry's certificate is not the one STSCertificate returns")
	}

	resp, err := http.Get("http://" + in.Registry + "/v2/")
	if err == nil {
		resp.Body.Close()
		if resp.Header.Get("WWW-Authenticate") != "" {
			t.Error("the TLS registry answered plain HTTP with a login challenge")
		}
	}
}
