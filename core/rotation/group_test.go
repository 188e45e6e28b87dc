package rotation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/store/storetest"
	"github.com/regmint/regmint/core/stores"
)

// groupDoc is a config of n temporary TCR targets whose logins are parts
// of one grouped secret "pull", and a target "stray" grouped into
// "foreign".
func groupDoc(n int) string {
	var b strings.Builder
	b.WriteString("credential-sources:\n  tencent: {secret: src/tencent}\ntargets:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {name: t%d, provider: tcr, region: ap-guangzhou, instance-id: tcr-g%04d, credentials: {source: tencent},\n"+
			"     destination: {store: secretsmanager-docker-config, secret-name: pull}}\n", i, i)
	}
	b.WriteString("  - {name: stray, provider: tcr, region: ap-guangzhou, instance-id: tcr-stray001, credentials: {source: tencent},\n" +
		"     destination: {store: secretsmanager-docker-config, secret-name: foreign}}\n")
	return b.String()
}

// putHook runs a function once, before the next PutSecretValue: another
// process writing meanwhile.
type putHook struct {
	*sm.Client
	mu     sync.Mutex
	before func()
}

func (h *putHook) PutSecretValue(ctx context.Context, in *sm.PutSecretValueInput, o ...func(*sm.Options)) (*sm.PutSecretValueOutput, error) {
	h.mu.Lock()
	f := h.before
	h.before = nil
	h.mu.Unlock()
	if f != nil {
		f()
	}
	return h.Client.PutSecretValue(ctx, in, o...)
}

// TestGroupedSecretsManager: many targets into one grouped secret through
// the engine, against the emulator with Secrets Manager's quotas: every
// part present after a concurrent pass; an idle pass reads once per
// secret; a foreign value is refused (and nothing minted for it); a write
// of another process crossing the pass's write loses no part.
func TestGroupedSecretsManager(t *testing.T) {
	t.Parallel()
	const n = 12
	e := newEnv(t)
	e.keySecret(t, "src/tencent")
	srv := smtest.New()
	t.Cleanup(srv.Close)
	srv.EnforceQuotas(smtest.DocumentedQuotas()...)
	foreign := `{"auths":{"x.example.test":{"auth":"` + randomHex(t, 16) + `"}}}`
	srv.Seed("regmint/foreign", foreign)
	client, err := secretsmanager.NewClient(srv.Config(), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	api := &putHook{Client: client}
	doc := groupDoc(n)
	cfg, err := config.Parse([]byte(doc), stores.Kinds())
	if err != nil {
		t.Fatal(err)
	}
	o, err := secretsmanager.NewGroupOpener(api, cfg)
	if err != nil {
		t.Fatal(err)
	}
	eng := e.engine(t, doc, rotation.WithStores(secretsmanager.GroupKindName, func() rotation.DestinationStores { return o.Run() }))
	ctx := context.Background()

	parts := func() map[string]map[string]string {
		t.Helper()
		sec, _ := srv.Secret("regmint/pull")
		v, ok := sec.Current()
		if !ok {
			t.Fatal("no grouped secret")
		}
		var d struct {
			Auths   map[string]map[string]string `json:"auths"`
			Regmint struct {
				Parts map[string]map[string]string `json:"parts"`
			} `json:"regmint"`
		}
		if err := json.Unmarshal([]byte(v.Value), &d); err != nil || len(d.Auths) != len(d.Regmint.Parts) {
			t.Fatalf("the grouped value: %v, %d auths for %d parts", err, len(d.Auths), len(d.Regmint.Parts))
		}
		return d.Regmint.Parts
	}
	writes := func() int { return srv.Calls("CreateSecret") + srv.Calls("PutSecretValue") }

	// Pass 1: every target mints, concurrently; the foreign secret's
	// target fails at its read, before minting.
	rep := eng.Run(ctx)
	for i := range n {
		if r := result(t, rep, fmt.Sprintf("t%d", i)); r.Outcome != rotation.Minted {
			t.Errorf("t%d: %s %s", i, r.Outcome, r.Reason)
		}
	}
	if r := result(t, rep, "stray"); r.Outcome != rotation.Failed || !strings.Contains(r.Reason, "did not write") || !strings.Contains(r.Reason, "regmint/foreign") {
		t.Errorf("a target grouped into a foreign secret: %s %s", r.Outcome, r.Reason)
	}
	if e.cloud.Issued("tcr-stray001") != 0 {
		t.Error("a credential was minted for a secret regmint may not write")
	}
	if sec, _ := srv.Secret("regmint/foreign"); func() bool { v, _ := sec.Current(); return v.Value != foreign }() {
		t.Error("the foreign value was overwritten")
	}
	if p := parts(); len(p) != n {
		t.Fatalf("%d parts after the first pass, want %d", len(p), n)
	}
	if w := writes(); w > n {
		t.Errorf("%d write calls for %d parts", w, n)
	}
	t.Logf("first pass: %d write calls for %d parts, %d calls in all", writes(), n, srv.TotalCalls())

	// Pass 2, idle: one read per secret (one batch read for both).
	e.clock.Advance(10 * time.Minute)
	before := srv.TotalCalls()
	rep = eng.Run(ctx)
	for i := range n {
		if r := result(t, rep, fmt.Sprintf("t%d", i)); r.Outcome != rotation.Fresh {
			t.Errorf("idle t%d: %s %s", i, r.Outcome, r.Reason)
		}
	}
	if c := srv.TotalCalls() - before; c != 1 {
		t.Errorf("an idle pass over %d parts of 2 secrets: %d calls, want 1 (BatchGetSecretValue)", n+1, c)
	}

	// Pass 3, every token due; another process writes its part between
	// this process's read and its first write.
	e.clock.Advance(25 * time.Minute)
	other, err := secretsmanager.NewGroupOpener(client, nil)
	if err != nil {
		t.Fatal(err)
	}
	otherRec := storetest.Record("other.example.test", "pw-"+randomHex(t, 16))
	api.mu.Lock()
	api.before = func() {
		s, err := other.Run().Store(ctx, config.Destination{Store: secretsmanager.GroupKindName, Ref: "elsewhere", SecretName: "pull"})
		if err == nil {
			err = s.Put(ctx, "elsewhere", otherRec)
		}
		if err != nil {
			t.Error(err)
		}
	}
	api.mu.Unlock()
	old := parts()
	rep = eng.Run(ctx)
	p := parts()
	for i := range n {
		ref := fmt.Sprintf("t%d", i)
		if r := result(t, rep, ref); r.Outcome != rotation.Minted {
			t.Errorf("t%d: %s %s", i, r.Outcome, r.Reason)
		}
		if p[ref]["issued_at"] == old[ref]["issued_at"] {
			t.Errorf("%s: the new login was lost", ref)
		}
	}
	if p["elsewhere"] == nil {
		t.Error("the other process's part was lost")
	}
}

// TestGroupedConfigErrors: bad keys of a grouped destination are refused
// with errors naming the field.
func TestGroupedConfigErrors(t *testing.T) {
	t.Parallel()
	base := "targets:\n  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-a0000001, credentials: {secret: src/x},\n     destination: {store: secretsmanager-docker-config, %s}}\n"
	for _, tc := range []struct{ dest, want string }{
		{"ref: a", "secret-name: is required"},
		{"ref: a, secret-name: 'bad name'", `secret-name: "bad name" is not a secret name`},
		{"ref: 'a/b', secret-name: pull", `ref: "a/b" is not a valid ref`},
		{"ref: a, secret-name: 'arn:aws:iam::123456789012:role/x'", "is not a secret name"},
		{"ref: a, secret-name: pull, namespaces: [default]", "namespaces"},
	} {
		_, err := config.Parse([]byte(fmt.Sprintf(base, tc.dest)), stores.Kinds())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.dest, err, tc.want)
		}
	}
	// Two targets writing one part; a grouped secret that is a credential
	// source.
	for _, tc := range []struct{ doc, want string }{
		{"targets:\n  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-a0000001, credentials: {secret: src/x}, destination: {store: secretsmanager-docker-config, ref: p, secret-name: pull}}\n" +
			"  - {name: b, provider: tcr, region: ap-guangzhou, instance-id: tcr-b0000001, credentials: {secret: src/x}, destination: {store: secretsmanager-docker-config, ref: p, secret-name: pull}}\n", "also written by target"},
		{"targets:\n  - {name: a, provider: tcr, region: ap-guangzhou, instance-id: tcr-a0000001, credentials: {secret: regmint/keys}, destination: {store: secretsmanager-docker-config, secret-name: keys}}\n", "a run would overwrite what it reads"},
	} {
		_, err := config.Parse([]byte(tc.doc), stores.Kinds())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v, want %q", err, tc.want)
		}
	}
}
