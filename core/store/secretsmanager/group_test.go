package secretsmanager_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/config"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/internal/leaktest"
)

// hooked is the client with a function run before chosen calls, standing
// for another process that writes meanwhile.
type hooked struct {
	*sm.Client
	mu     sync.Mutex
	before map[string]func()
}

func (h *hooked) hook(op string) {
	h.mu.Lock()
	f := h.before[op]
	delete(h.before, op)
	h.mu.Unlock()
	if f != nil {
		f()
	}
}

func (h *hooked) on(op string, f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.before == nil {
		h.before = map[string]func(){}
	}
	h.before[op] = f
}

func (h *hooked) PutSecretValue(ctx context.Context, in *sm.PutSecretValueInput, o ...func(*sm.Options)) (*sm.PutSecretValueOutput, error) {
	h.hook("PutSecretValue")
	return h.Client.PutSecretValue(ctx, in, o...)
}

func (h *hooked) CreateSecret(ctx context.Context, in *sm.CreateSecretInput, o ...func(*sm.Options)) (*sm.CreateSecretOutput, error) {
	h.hook("CreateSecret")
	return h.Client.CreateSecret(ctx, in, o...)
}

func (h *hooked) DescribeSecret(ctx context.Context, in *sm.DescribeSecretInput, o ...func(*sm.Options)) (*sm.DescribeSecretOutput, error) {
	h.hook("DescribeSecret")
	return h.Client.DescribeSecret(ctx, in, o...)
}

// groupConfig is a config whose targets t0..tn-1 write parts of secret
// "pull" (registries r0.example.com, ...).
func groupConfig(n int) *config.Config {
	c := &config.Config{}
	for i := range n {
		c.Targets = append(c.Targets, config.TargetConfig{Name: fmt.Sprintf("t%d", i), Destinations: []config.Destination{
			{Store: secretsmanager.GroupKindName, Ref: fmt.Sprintf("t%d", i), SecretName: "pull"},
		}})
	}
	return c
}

func (e *env) groupOpener(t *testing.T, api secretsmanager.API, n int) *secretsmanager.GroupOpener {
	t.Helper()
	if api == nil {
		api = e.client
	}
	o, err := secretsmanager.NewGroupOpener(api, groupConfig(n))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func groupStore(t *testing.T, run *secretsmanager.GroupStores, ref string) core.Store {
	t.Helper()
	s, err := run.Store(context.Background(), config.Destination{Store: secretsmanager.GroupKindName, Ref: ref, SecretName: "pull"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// groupValue decodes the current value of secret regmint/pull.
func groupValue(t *testing.T, e *env) (auths map[string]core.AuthEntry, parts map[string]map[string]any) {
	t.Helper()
	var doc struct {
		Auths   map[string]core.AuthEntry `json:"auths"`
		Regmint struct {
			Parts map[string]map[string]any `json:"parts"`
		} `json:"regmint"`
	}
	if err := json.Unmarshal([]byte(e.current(t, name("pull")).Value), &doc); err != nil {
		t.Fatalf("the value is not a docker config: %v", err)
	}
	return doc.Auths, doc.Regmint.Parts
}

// TestGroupDockerConfig: targets share one secret whose value docker reads
// as is; each part reads back; the metadata holds no secret; an idle
// run's reads of every part cost one call.
func TestGroupDockerConfig(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := e.groupOpener(t, nil, 3)
	run := o.Run()
	recs := map[string]core.Record{}
	for i := range 3 {
		ref := fmt.Sprintf("t%d", i)
		recs[ref] = e.record(fmt.Sprintf("r%d.example.com", i), "pw-"+leaktest.Random(t))
		if _, err := groupStore(t, run, ref).Get(ctx, ref); !errors.Is(err, core.ErrNotFound) {
			t.Fatalf("%s before any write: %v", ref, e.text(err))
		}
		if err := groupStore(t, run, ref).Put(ctx, ref, recs[ref]); err != nil {
			t.Fatal(e.text(err))
		}
	}
	if names := e.srv.SecretNames(); len(names) != 1 || names[0] != name("pull") {
		t.Fatalf("secrets %v, want one: %s", names, name("pull"))
	}
	auths, parts := groupValue(t, e)
	for ref, r := range recs {
		a := auths[r.Credential.Registry]
		if a.Auth != core.DockerAuth(r.Credential.Username, r.Credential.Password) {
			t.Errorf("%s: the auths entry of %s is not its login", ref, r.Credential.Registry)
		}
		if parts[ref]["registry"] != r.Credential.Registry || parts[ref]["token_id"] != r.Credential.TokenID {
			t.Errorf("%s: part %v", ref, parts[ref])
		}
		meta, _ := json.Marshal(parts[ref])
		leaktest.Check(t, "part metadata", string(meta), r.Credential.Password)
	}
	// A new run: every part's first read is served by one call.
	before := e.srv.TotalCalls()
	run = o.Run()
	for ref, r := range recs {
		got, err := groupStore(t, run, ref).(core.RecordReader).ReadRecord(ctx, ref)
		if err != nil || got.Credential.Password != r.Credential.Password || got.Credential.TokenID != r.Credential.TokenID {
			t.Errorf("%s: read back %v (password matches: %t)", ref, e.text(err), got.Credential.Password == r.Credential.Password)
		}
	}
	if n := e.srv.TotalCalls() - before; n != 1 {
		t.Errorf("an idle run's reads of 3 parts: %d calls, want 1", n)
	}
	// A second read of a part in the run reads afresh.
	if _, err := groupStore(t, run, "t0").Get(ctx, "t0"); err != nil {
		t.Fatal(e.text(err))
	}
	if n := e.srv.TotalCalls() - before; n != 2 {
		t.Errorf("a part's second read in a run: %d calls in all, want 2", n)
	}
}

// TestGroupCommit: parts queued while a write is in flight go out together
// in the next write.
func TestGroupCommit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const n = 20
	h := &hooked{Client: e.client}
	o := e.groupOpener(t, h, n)
	run := o.Run()
	// The first write waits until the other parts are queued (a part
	// queued before it took its parts is in it).
	h.on("CreateSecret", func() {
		for secretsmanager.QueuedParts(o, name("pull")) < n {
			time.Sleep(time.Millisecond)
		}
	})
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		ref := fmt.Sprintf("t%d", i)
		r := e.record(fmt.Sprintf("r%d.example.com", i), "pw-"+leaktest.Random(t))
		wg.Go(func() { errs[i] = groupStore(t, run, ref).Put(ctx, ref, r) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("t%d: %v", i, e.text(err))
		}
	}
	if w := e.srv.Calls("CreateSecret") + e.srv.Calls("PutSecretValue"); w != 2 {
		t.Errorf("%d parts written with %d write calls, want 2 (the first, and the parts queued meanwhile together)", n, w)
	}
	if _, parts := groupValue(t, e); len(parts) != n {
		t.Errorf("%d parts in the secret, want %d", len(parts), n)
	}
}

// TestGroupLostUpdate: another process's write that crosses ours (between
// our read and write, or right after our write, from a stale read) loses
// no part.
func TestGroupLostUpdate(t *testing.T) {
	ctx := context.Background()
	for _, when := range []string{"PutSecretValue", "DescribeSecret"} {
		t.Run("before "+when, func(t *testing.T) {
			e := newEnv(t)
			h := &hooked{Client: e.client}
			ours, theirs := e.groupOpener(t, h, 3), e.groupOpener(t, nil, 3)
			if err := groupStore(t, ours.Run(), "t0").Put(ctx, "t0", e.record("r0.example.com", "pw-"+leaktest.Random(t))); err != nil {
				t.Fatal(e.text(err))
			}
			stale := e.current(t, name("pull")).Value
			other := e.record("r2.example.com", "pw-"+leaktest.Random(t))
			h.on(when, func() {
				if when == "DescribeSecret" {
					// A writer that read before our write: its value lacks t1.
					e.srv.Seed(name("pull"), stale)
				}
				if err := groupStore(t, theirs.Run(), "t2").Put(ctx, "t2", other); err != nil {
					t.Error(e.text(err))
				}
			})
			if err := groupStore(t, ours.Run(), "t1").Put(ctx, "t1", e.record("r1.example.com", "pw-"+leaktest.Random(t))); err != nil {
				t.Fatal(e.text(err))
			}
			if _, parts := groupValue(t, e); len(parts) != 3 {
				t.Errorf("parts %v after crossing writes, want t0, t1, t2", keys(parts))
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestGroupRefusals: a value regmint did not write is never overwritten,
// two parts may not hold one registry, a value over Secrets Manager's size
// is refused, each with an error that says so.
func TestGroupRefusals(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	o := e.groupOpener(t, nil, 2)
	foreign := fmt.Sprintf(`{"auths":{"x.example.com":{"auth":"%s"}}}`, leaktest.Random(t))
	e.secrets.Add(foreign)
	for name2, val := range map[string]string{"docker config": foreign, "per-target": `{"registry":"r","username":"u","password":"` + leaktest.Random(t) + `"}`, "text": "x" + leaktest.Random(t)} {
		e.secrets.Add(val)
		e.srv.Seed(name("pull"), val)
		run := o.Run()
		if _, err := groupStore(t, run, "t0").Get(ctx, "t0"); !errors.Is(err, secretsmanager.ErrForeignSecret) {
			t.Errorf("%s: read %v, want ErrForeignSecret", name2, e.text(err))
		}
		err := groupStore(t, run, "t0").Put(ctx, "t0", e.record("r0.example.com", "pw-"+leaktest.Random(t)))
		if !errors.Is(err, secretsmanager.ErrForeignSecret) || !strings.Contains(e.text(err), name("pull")) {
			t.Errorf("%s: write %v, want ErrForeignSecret naming the secret", name2, err)
		}
		if e.current(t, name("pull")).Value != val {
			t.Errorf("%s: overwritten", name2)
		}
	}
	// The placeholder is filled.
	e.srv.Seed(name("pull"), secretsmanager.Placeholder)
	run := o.Run()
	if err := groupStore(t, run, "t0").Put(ctx, "t0", e.record("r0.example.com", "pw-"+leaktest.Random(t))); err != nil {
		t.Fatal(e.text(err))
	}
	err := groupStore(t, run, "t1").Put(ctx, "t1", e.record("r0.example.com", "pw-"+leaktest.Random(t)))
	if err == nil || !strings.Contains(e.text(err), "already held by ref t0") {
		t.Errorf("a second part for one registry: %v", err)
	}
	// Parts with 15000-byte passwords: the fourth would pass 64 KiB.
	for i := 1; i <= 4; i++ {
		ref := fmt.Sprintf("t%d", i)
		err = groupStore(t, run, ref).Put(ctx, ref, e.record(fmt.Sprintf("r%d.example.com", i), strings.Repeat("p", 15000)+leaktest.Random(t)))
		if (err != nil) != (i == 4) || err != nil && !strings.Contains(e.text(err), "another secret-name") {
			t.Errorf("part %d of 15 kB: %v", i, err)
		}
	}
	if _, parts := groupValue(t, e); len(parts) != 4 {
		t.Errorf("parts %v, want t0 to t3", keys(parts))
	}
}
