package swr_test

import (
	"context"
	"fmt"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/core/swr/swrtest"
)

// Mint a temporary SWR Enterprise credential with an IAM user's password,
// check it against the registry, then mint a long-term one and revoke it.
// The emulator stands in for Huawei Cloud.
func Example() {
	srv := swrtest.New()
	defer srv.Close()
	acct := srv.NewAccount()
	inst := srv.NewInstance(acct, "cn-north-4")

	target := core.Target{
		Provider:    swr.EnterpriseName,
		Region:      "cn-north-4",
		InstanceID:  inst.ID,
		APIEndpoint: srv.SWRURL, // omit both for the real cloud
		IAMEndpoint: srv.IAMURL,
		Auth:        core.Auth{IAMUser: acct.UserName, IAMPassword: acct.Password, IAMDomain: acct.DomainName},
	}
	ctx := context.Background()
	iss, err := swr.New(target, core.Env{})
	if err != nil {
		fmt.Println(err)
		return
	}
	cred, err := iss.Issue(ctx)
	if err != nil {
		fmt.Println(err, swr.Hint(err))
		return
	}
	fmt.Println("temporary:", (core.Verifier{}).Verify(ctx, cred).Result, cred.Registry == inst.Registry.Host)

	target.TokenType = core.TokenLongTerm
	target.Description = "example"
	iss, _ = swr.New(target, core.Env{})
	cred, err = iss.Issue(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("long-term:", (core.Verifier{}).Verify(ctx, cred).Result)
	if err := iss.(core.Revoker).Revoke(ctx, cred.TokenID); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("revoked:", (core.Verifier{}).Verify(ctx, cred).Result)
	// Output:
	// temporary: good true
	// long-term: good
	// revoked: bad
}

// The shared edition's long-term login is computed from a permanent access
// key pair, without any call.
func ExampleLongTermLogin() {
	user, password := swr.LongTermLogin("cn-north-4", "swrtestexampleak", "swrtest-example-sk")
	fmt.Println(user, len(password))
	// Output: cn-north-4@swrtestexampleak 64
}
