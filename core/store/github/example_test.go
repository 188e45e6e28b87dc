package github_test

import (
	"context"
	"fmt"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/github"
	"github.com/regmint/regmint/core/store/github/ghtest"
)

// Example writes a credential to (emulated) GitHub Actions secrets of a
// repository, as a GitHub App, and reads its metadata back.
func Example() {
	emu := ghtest.New()
	defer emu.Close()
	emu.AddRepo("octo-org/app")
	app := emu.App()

	// One client per run: it mints the installation token once.
	client, err := github.NewClient(github.ClientConfig{
		BaseURL: emu.URL, // GitHub Enterprise Server: its host; GitHub.com: leave empty
		App: &github.App{
			ID:             app.ID,
			InstallationID: app.InstallationID,
			PrivateKey:     github.Secret(app.PrivateKeyPEM), // read from a secrets store
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	store, err := github.New(client, github.Config{Repository: "octo-org/app", DockerConfig: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	err = store.Put(ctx, "tcr", core.Record{
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
	st, err := store.Get(ctx, "tcr")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(emu.SecretNames(ghtest.Repo("octo-org/app")))
	fmt.Println(st.Registry, st.Username, st.ExpiresAt.Format(time.RFC3339), st.Fingerprint)
	// Output:
	// [TCR_DOCKER_CONFIG TCR_PASSWORD TCR_REGISTRY TCR_USERNAME]
	// example.tencentcloudcr.com 100000000001 2030-01-02T03:04:05Z sha256:target-config
}
