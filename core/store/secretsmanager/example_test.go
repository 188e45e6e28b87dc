package secretsmanager_test

import (
	"context"
	"fmt"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

// Example stores a credential in (emulated) Secrets Manager and reads its
// metadata back. The environment names the endpoint, as
// AWS_ENDPOINT_URL_SECRETS_MANAGER does for every AWS SDK.
func Example() {
	emu := smtest.New()
	defer emu.Close()
	k := emu.Key()
	env := map[string]string{
		"AWS_REGION":                       emu.Region,
		"AWS_ACCESS_KEY_ID":                k.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":            k.SecretAccessKey,
		"AWS_SESSION_TOKEN":                k.SessionToken,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": emu.URL,
	}
	getenv := func(name string) string { return env[name] }

	cfg, err := secretsmanager.ConfigFromEnv(getenv)
	if err != nil {
		fmt.Println(err)
		return
	}
	client, err := secretsmanager.NewClient(cfg, getenv)
	if err != nil {
		fmt.Println(err)
		return
	}
	store, err := secretsmanager.New(client)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	err = store.Put(ctx, "prod/tcr", core.Record{
		Credential: core.Credential{
			Registry:  "example.tencentcloudcr.com",
			Username:  "100000000001",
			Password:  "example-token-not-real",
			ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		},
		IssuedAt:    time.Date(2030, 1, 2, 2, 4, 5, 0, time.UTC),
		Fingerprint: "sha256:target-config",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := store.Get(ctx, "prod/tcr")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(emu.SecretNames())
	fmt.Println(st.Registry, st.Username, st.ExpiresAt.Format(time.RFC3339), st.Fingerprint)
	// Output:
	// [regmint/prod/tcr]
	// example.tencentcloudcr.com 100000000001 2030-01-02T03:04:05Z sha256:target-config
}
