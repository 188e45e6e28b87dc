package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regmint/regmint/core/leaktest"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "regmint-action")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/regmint/regmint/action").CombinedOutput(); err != nil {
		t.Fatalf("build the action: %v\n%s", err, out)
	}
	var out bytes.Buffer
	var secrets leaktest.Secrets
	if err := runWith(context.Background(), &out, options{actionBinary: bin}, secrets.Add); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []struct {
		text string
		min  int
	}{
		{"login: good", 4 + 5},                     // TCR: 2 auths x 2 types; SWR: 5 kinds
		{"revoked; login with it now: bad", 2 + 1}, // TCR long-term x 2, SWR Enterprise long-term
		{"Huawei Cloud SWR shared edition", 1},
		{"outputs.password      = ***", 2},
		{"outputs.docker-config = ***", 2},
		{"revoked long-term token", 1},
		{"verification good", 2},
	} {
		if got := strings.Count(text, want.text); got < want.min {
			t.Errorf("demo shows %q %d times, want at least %d", want.text, got, want.min)
		}
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", text)
	}
	if len(secrets.List()) == 0 {
		t.Fatal("the demo reported no secrets to check for")
	}
	leaktest.Check(t, "demo output", text, secrets.List()...)
}
