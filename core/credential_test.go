package core_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/swr"
	"github.com/regmint/regmint/internal/leaktest"
)

func TestCredentialNeverRendersPassword(t *testing.T) {
	t.Parallel()
	c := core.Credential{
		Registry:  "demo.tencentcloudcr.com",
		Username:  "100012345678",
		Password:  "pw-" + randomString(t, 24),
		ExpiresAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
		TokenID:   "tok-1",
	}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&out, verb+"\n", c)
		fmt.Fprintf(&out, verb+"\n", &c)
		fmt.Fprintf(&out, verb+"\n", []core.Credential{c})
		fmt.Fprintf(&out, verb+"\n", struct{ C core.Credential }{c})
	}
	fmt.Fprintln(&out, fmt.Errorf("wrapped: %w", errors.New(c.String())))
	slog.New(slog.NewJSONHandler(&out, nil)).Info("minted", "cred", c)
	slog.New(slog.NewTextHandler(&out, nil)).Info("minted", "cred", c)
	j, err := json.Marshal(map[string]any{"c": c})
	if err != nil {
		t.Fatal(err)
	}
	out.Write(j)
	leaktest.Check(t, "rendered credential", out.String(), c.Secrets()...)
	for _, want := range []string{"demo.tencentcloudcr.com", "100012345678", "2026-11-23T10:00:00Z", "tok-1", "[redacted]"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("rendering lost %q:\n%s", want, out.String())
		}
	}
}

func TestCredentialExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := core.Credential{ExpiresAt: now.Add(time.Hour)}
	if got, want := c.TimeLeft(now), time.Hour; got != want {
		t.Errorf("TimeLeft = %v, want %v", got, want)
	}
	if c.Expired(now) || !c.Expired(now.Add(time.Hour)) {
		t.Errorf("Expired wrong around %v", c.ExpiresAt)
	}
	never := core.Credential{}
	if never.Expired(now.Add(100*365*24*time.Hour)) || never.TimeLeft(now) < 100*365*24*time.Hour {
		t.Errorf("a credential with no expiry must never expire")
	}
}

func TestAuthNeverRendersSecrets(t *testing.T) {
	t.Parallel()
	a := core.Auth{
		AccessKeyID: "KEYID" + randomString(t, 8), AccessKeySecret: randomString(t, 30), SecurityToken: randomString(t, 40),
		IAMUser: "ci", IAMPassword: randomString(t, 16), IAMDomain: "acme", WebIdentityToken: randomString(t, 50),
	}
	tgt := core.Target{Provider: swr.SharedName, Region: "cn-north-4", Auth: a}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		fmt.Fprintf(&out, verb+"\n", a)
		fmt.Fprintf(&out, verb+"\n", tgt)
		fmt.Fprintf(&out, verb+"\n", &tgt)
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("target", "t", tgt, "a", a)
	leaktest.Check(t, "rendered auth", out.String(), a.Secrets()...)
	if got := len(a.Secrets()); got != 4 {
		t.Errorf("Secrets() returned %d values, want 4", got)
	}
}
