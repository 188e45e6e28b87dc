package rotation_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/stores"
)

// TestSecretsManagerKindsShareWriteBudget: a config writing both Secrets
// Manager kinds (a secret per target, and parts of grouped secrets) keeps
// to one write budget for the region, store-limits.secretsmanager.writes,
// against the emulator with Secrets Manager's documented quotas: passes
// that write every target see no call refused over quota and no failure.
// The configured budget (40/s) is under the 50/s quota so that the
// scheduling jitter of a loaded machine cannot push a second's count over
// it; the kinds pacing themselves apart reach 90/s.
func TestSecretsManagerKindsShareWriteBudget(t *testing.T) {
	t.Parallel()
	const perTarget, grouped, perSecret = 80, 80, 20 // perTarget == grouped
	e := newEnv(t)
	e.keySecret(t, "src/tencent")
	srv := smtest.New()
	t.Cleanup(srv.Close)
	srv.EnforceQuotas(smtest.DocumentedQuotas()...)
	client, err := secretsmanager.NewClient(srv.Config(), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	var doc strings.Builder
	doc.WriteString("store-limits:\n  secretsmanager: {writes: 40}\ncredential-sources:\n  tencent: {secret: src/tencent}\ntargets:\n")
	for i := range perTarget + grouped {
		// The kinds alternate, so that both write at once.
		dest := "{store: secretsmanager}"
		if i%2 == 1 {
			dest = fmt.Sprintf("{store: secretsmanager-docker-config, secret-name: pull-%d}", i/2/perSecret)
		}
		fmt.Fprintf(&doc, "  - {name: t%d, provider: tcr, region: ap-guangzhou, instance-id: tcr-w%05d, credentials: {source: tencent}, destination: %s}\n", i, i, dest)
	}
	cfg, err := config.Parse([]byte(doc.String()), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	// Both kinds opened as the rotation function opens them.
	opts, err := stores.Open(context.Background(), &stores.Process{
		Config:         cfg,
		Getenv:         func(string) string { return "" },
		SecretsManager: func() (secretsmanager.API, error) { return client, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	eng := e.engine(t, doc.String(), opts...)
	refused := func() int {
		n := 0
		for _, op := range []string{"CreateSecret", "PutSecretValue", "UpdateSecretVersionStage", "UpdateSecret"} {
			n += srv.Throttled(op)
		}
		return n
	}
	// Pass 1 creates the secrets (CreateSecret has its own quota); pass 2
	// puts a new value in every one (PutSecretValue: both kinds on one
	// quota).
	for pass := 1; pass <= 2; pass++ {
		rep := eng.Run(context.Background())
		for _, r := range rep.Results {
			if r.Outcome != rotation.Minted {
				t.Errorf("pass %d: %s: %s %s", pass, r.Target, r.Outcome, r.Reason)
			}
		}
		if n := refused(); n != 0 {
			t.Errorf("pass %d: %d write calls refused over quota", pass, n)
		}
		e.clock.Advance(35 * time.Minute)
	}
	if n := len(srv.SecretNames()); n != perTarget+grouped/perSecret {
		t.Errorf("%d secrets, want %d", n, perTarget+grouped/perSecret)
	}
	t.Logf("write calls: %d CreateSecret, %d PutSecretValue", srv.Calls("CreateSecret"), srv.Calls("PutSecretValue"))
}
