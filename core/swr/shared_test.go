package swr_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
)

// The shared-edition long-term password matches HMAC-SHA256 computed
// independently, by openssl, on keys generated for this run.
func TestSharedLongTermLoginMatchesOpenSSL(t *testing.T) {
	t.Parallel()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed: the independent HMAC-SHA256 vector cannot be computed")
	}
	srv := swrtest.New()
	t.Cleanup(srv.Close)
	acct := srv.NewAccount()

	// printf '%s' AK | openssl dgst -sha256 -hmac SK
	cmd := exec.Command(openssl, "dgst", "-sha256", "-hmac", acct.SK)
	cmd.Stdin = strings.NewReader(acct.AK)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	fields := strings.Fields(string(out)) // "HMAC-SHA2-256(stdin)= <hex>"
	want := fields[len(fields)-1]
	if len(want) != 64 {
		t.Fatalf("unexpected openssl output %q", out)
	}

	user, pass := swr.LongTermLogin(region, acct.AK, acct.SK)
	if user != region+"@"+acct.AK || pass != want {
		t.Errorf("LongTermLogin = %q, (password matches openssl: %v)", user, pass == want)
	}

	iss, err := swr.New(core.Target{Provider: swr.SharedName, Region: region, TokenType: core.TokenLongTerm,
		Auth: core.Auth{AccessKeyID: acct.AK, AccessKeySecret: acct.SK}}, core.Env{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := iss.Issue(context.Background()) // no API call, no endpoint needed
	if err != nil {
		t.Fatal(err)
	}
	if c.Password != want || c.Username != user || c.Registry != "swr.cn-north-4.myhuaweicloud.com" || c.Expires() {
		t.Errorf("Issue = %v (password matches openssl: %v)", c, c.Password == want)
	}
	if got, want := swr.SharedRegistry("eu-west-101"), "swr.eu-west-101.myhuaweicloud.eu"; got != want {
		t.Errorf("SharedRegistry(eu-west-101) = %q, want %q", got, want)
	}
}

// The shared long-term login stops working when its access key is deleted.
func TestSharedLongTermLoginFollowsTheKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tg, opts := w.setup(t, swr.SharedName, core.TokenLongTerm, authKeys)
	iss, err := swr.New(tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := iss.Issue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v := (core.Verifier{}).Verify(context.Background(), c); v.Result != core.VerifyGood {
		t.Fatalf("Verify = %v", v)
	}
	w.srv.DeleteAccessKey(w.acct.AK)
	if v := (core.Verifier{}).Verify(context.Background(), c); v.Result != core.VerifyBad {
		t.Fatalf("Verify after the key is deleted = %v, want bad", v)
	}
}
