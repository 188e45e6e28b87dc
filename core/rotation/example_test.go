package rotation_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/core/stores"
)

// Example wires the engine as functions/rotate does, with in-memory fakes
// for the cloud and the store, and prints the report of two runs: the first
// mints, the second finds everything fresh.
func Example() {
	cfg, err := config.Parse([]byte(`
targets:
  - name: tcr-prod
    provider: tcr
    region: ap-guangzhou
    instance-id: tcr-abcd1234
    credentials: {env: true}
    destination: {store: file, ref: build-host}
`), stores.Kinds())
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	issuers := func(t core.Target) (core.Issuer, error) {
		return &fakeIssuer{issue: func(context.Context) (core.Credential, error) {
			return core.Credential{Registry: "prod.tencentcloudcr.com", Username: "100000000001", Password: "example-password", ExpiresAt: now.Add(time.Hour)}, nil
		}}, nil
	}
	eng, err := rotation.New(cfg, issuers,
		rotation.WithStore(file.KindName, newMemStore()),
		rotation.WithVerifier(goodVerifier),
		rotation.WithClock(func() time.Time { return now }),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 2 {
		rep := eng.Run(context.Background())
		_ = rep.WriteText(os.Stdout)
		if err := rep.Err(); err != nil {
			fmt.Println(err)
		}
		now = now.Add(10 * time.Minute)
	}
	// Output:
	// minted     tcr-prod  registry=prod.tencentcloudcr.com  expires=2025-03-01T13:00:00Z (in 60m)  verify=good  to=file:build-host(written)  reason="file:build-host: missing"
	// 1 targets: 1 minted, 0 skipped, 0 failed in 0s
	// fresh      tcr-prod  registry=prod.tencentcloudcr.com  expires=2025-03-01T13:00:00Z (in 50m)  to=file:build-host(fresh)  reason="fresh, expires in 50m"
	// 1 targets: 0 minted, 1 skipped, 0 failed in 0s
}
