package secretsmanager_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/internal/leaktest"
)

// TestNoSecretLeaks runs every path that can fail, with the SDK asked to
// log everything, and checks the logs, the errors and their %+v/%#v forms
// for the credentials' passwords and auth strings and the AWS keys.
func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	a := e.record("leak.example.com", "pw-leak-aaaa-000001")
	b := e.record("leak.example.com", "pw-leak-bbbb-000002")
	show := func(err error) {
		if err != nil {
			e.text(err.Error())
			e.text(fmt.Sprintf("%+v", err))
			e.text(fmt.Sprintf("%#v", err))
		}
	}
	lost := smtest.Internal("PutSecretValue")
	lost.AfterApply = true

	show(e.store.Put(ctx, "leak", a))
	scenarios := []struct {
		name  string
		fault *smtest.Fault
		n     int
		run   func() error
	}{
		{"put", nil, 0, func() error { return e.store.Put(ctx, "leak", b) }},
		{"get", nil, 0, func() error { _, err := e.store.Get(ctx, "leak"); return err }},
		{"malformed GetSecretValue answer", &smtest.Fault{Op: "GetSecretValue", Malformed: true}, 1, func() error { _, err := e.store.Get(ctx, "leak"); return err }},
		{"malformed PutSecretValue answer", &smtest.Fault{Op: "PutSecretValue", Malformed: true}, 1, func() error { return e.store.Put(ctx, "leak", a) }},
		{"lost answer", &lost, 1, func() error { return e.store.Put(ctx, "leak", b) }},
		{"throttled until giving up", ptr(smtest.Throttled("PutSecretValue")), 5, func() error { return e.store.Put(ctx, "leak", a) }},
		{"5xx until giving up", ptr(smtest.Internal("GetSecretValue")), 5, func() error { _, err := e.store.Get(ctx, "leak"); return err }},
		{"earlier value again", nil, 0, func() error { return e.store.Put(ctx, "leak", a) }},
	}
	for _, sc := range scenarios {
		if sc.fault != nil {
			e.srv.Inject(sc.n, *sc.fault)
		}
		show(sc.run())
		e.srv.ClearFaults()
	}

	// A client with a wrong secret key, and one with an unknown key.
	for _, edit := range []func(*smtest.Key){
		func(k *smtest.Key) { k.SecretAccessKey = "wrong-" + k.SecretAccessKey },
		func(k *smtest.Key) { k.AccessKeyID = "SMTESTNOSUCHKEY00000" },
	} {
		cfg := e.srv.Config()
		k := e.srv.Key()
		edit(&k)
		e.secrets.Add(k.SecretAccessKey)
		cfg.Credentials = k.Provider()
		c, err := secretsmanager.NewClient(cfg, noEnv, fastRetry(2), e.logTo)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := secretsmanager.New(c)
		show(s.Put(ctx, "leak", a))
		_, err = s.Get(ctx, "leak")
		show(err)
	}
	if e.texts.String() == "" {
		t.Fatal("no errors were produced: the scenarios did not run")
	}
	// Checked again at cleanup; checked here too so a failure names this test.
	leaktest.Check(t, "errors", e.texts.String(), e.secrets.List()...)
	leaktest.Check(t, "SDK log", e.logs.String(), e.secrets.List()...)
}

func ptr[T any](v T) *T { return &v }
