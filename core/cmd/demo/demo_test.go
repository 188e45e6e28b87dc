package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/regmint/regmint/core/leaktest"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	var secrets leaktest.Secrets
	if err := runWith(context.Background(), &out, secrets.Add); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	text := out.String()
	if got, want := strings.Count(text, "login: good"), 4; got < want {
		t.Errorf("demo shows %d verified credentials, want at least %d:\n%s", got, want, text)
	}
	if got, want := strings.Count(text, "revoked; login with it now: bad"), 2; got < want {
		t.Errorf("demo shows %d revocations, want at least %d:\n%s", got, want, text)
	}
	if len(secrets.List()) == 0 {
		t.Fatal("the demo reported no secrets to check for")
	}
	leaktest.Check(t, "demo output", text, secrets.List()...)
}
