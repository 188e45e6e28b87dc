package tcr_test

import (
	"context"
	"fmt"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/tcr"
	"github.com/regmint/regmint/core/tcr/tcrtest"
)

func ExampleIssuer_Issue() {
	srv := tcrtest.New()
	defer srv.Close()
	key := srv.AddKey()
	inst := srv.AddInstance("ap-guangzhou")

	is, err := tcr.New(core.Target{
		Provider: tcr.Name, Region: "ap-guangzhou", InstanceID: inst.ID,
		APIEndpoint: srv.URL,
		Auth:        core.Auth{AccessKeyID: key.ID, AccessKeySecret: key.Secret},
	}, core.Env{})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := is.Issue(context.Background())
	if err != nil {
		fmt.Println(err, tcr.Hint(err))
		return
	}
	fmt.Println(c.Registry == inst.Registry, c.Username, c.TimeLeft(srv.Now()) <= time.Hour)
	// Output: true 100000000001 true
}
