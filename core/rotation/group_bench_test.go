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

// BenchmarkStoreLayoutCalls counts the Secrets Manager calls of 1000
// temporary TCR targets (1 h tokens, the default schedule) per target and
// pass, written one secret per target (secretsmanager) or 50 per secret
// (secretsmanager-docker-config), against the emulator with the
// documented quotas: a pass minting every target (the secrets exist) and
// an idle pass. Run with -benchtime=1x.
func BenchmarkStoreLayoutCalls(b *testing.B) {
	const n, perSecret = 1000, 50
	for _, grouped := range []bool{false, true} {
		name := "per-target"
		if grouped {
			name = fmt.Sprintf("grouped-%d", perSecret)
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				layoutCalls(b, n, perSecret, grouped)
			}
		})
	}
}

func layoutCalls(b *testing.B, n, perSecret int, grouped bool) {
	e := newEnv(b)
	e.keySecret(b, "src/tencent")
	srv := smtest.New()
	b.Cleanup(srv.Close)
	srv.EnforceQuotas(smtest.DocumentedQuotas()...)
	client, err := secretsmanager.NewClient(srv.Config(), func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	var doc strings.Builder
	doc.WriteString("credential-sources:\n  tencent: {secret: src/tencent}\ntargets:\n")
	for i := range n {
		dest := "{store: secretsmanager}"
		if grouped {
			dest = fmt.Sprintf("{store: secretsmanager-docker-config, secret-name: pull-%d}", i/perSecret)
		}
		fmt.Fprintf(&doc, "  - {name: t%d, provider: tcr, region: ap-guangzhou, instance-id: tcr-b%05d, credentials: {source: tencent}, destination: %s}\n", i, i, dest)
	}
	cfg, err := config.Parse([]byte(doc.String()), stores.Kinds())
	if err != nil {
		b.Fatal(err)
	}
	var opt rotation.Option
	if grouped {
		o, err := secretsmanager.NewGroupOpener(client, cfg)
		if err != nil {
			b.Fatal(err)
		}
		opt = rotation.WithStores(secretsmanager.GroupKindName, func() rotation.DestinationStores { return o.Run() })
	} else {
		s, err := secretsmanager.New(client)
		if err != nil {
			b.Fatal(err)
		}
		opt = rotation.WithStore(secretsmanager.KindName, s)
	}
	eng := e.engine(b, doc.String(), opt)
	ops := []string{"GetSecretValue", "BatchGetSecretValue", "DescribeSecret", "CreateSecret", "PutSecretValue", "UpdateSecretVersionStage"}
	count := func() map[string]int {
		m := map[string]int{}
		for _, op := range ops {
			m[op] = srv.Calls(op)
		}
		return m
	}
	pass := func(want rotation.Outcome) (calls, writes int) {
		before := count()
		rep := eng.Run(context.Background())
		for _, r := range rep.Results {
			if r.Outcome != want {
				b.Fatalf("%s: %s %s, want %s", r.Target, r.Outcome, r.Reason, want)
			}
		}
		after := count()
		for _, op := range ops {
			calls += after[op] - before[op]
		}
		return calls, after["CreateSecret"] + after["PutSecretValue"] + after["UpdateSecretVersionStage"] -
			before["CreateSecret"] - before["PutSecretValue"] - before["UpdateSecretVersionStage"]
	}
	pass(rotation.Minted) // creates the secrets
	e.clock.Advance(10 * time.Minute)
	idle, _ := pass(rotation.Fresh)
	e.clock.Advance(25 * time.Minute) // 35 min old: under the 30 min margin
	minted, writes := pass(rotation.Minted)
	secrets := len(srv.SecretNames())
	b.ReportMetric(float64(idle)/float64(n), "calls/idle-target")
	b.ReportMetric(float64(minted)/float64(n), "calls/minted-target")
	b.ReportMetric(float64(writes), "writes/mint-pass")
	b.ReportMetric(float64(secrets), "secrets")
	// A day on the default schedule: 144 passes, each target minted 36
	// times and idle 108.
	perDay := 36*float64(minted) + 108*float64(idle)
	b.ReportMetric(perDay, "calls/day")
	b.ReportMetric(float64(secrets)*0.40+perDay*30/10000*0.05, "USD/month")
}
