package core_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/registrytest"
)

// benchSecret returns n random hex characters, made at run time.
func benchSecret(b *testing.B, n int) string {
	b.Helper()
	buf := make([]byte, (n+1)/2)
	if _, err := rand.Read(buf); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(buf)[:n]
}

// benchCredential is a TCR-like temporary credential: a JWT-sized password.
func benchCredential(b *testing.B, registry string) core.Credential {
	return core.Credential{Registry: registry, Username: "100000000001", Password: benchSecret(b, 600),
		ExpiresAt: time.Now().Add(time.Hour)}
}

// existingDockerConfig is a config.json as a busy build host has it: 50
// registries in auths, credHelpers for the clouds' registries, a
// credsStore and keys regmint does not know.
func existingDockerConfig(b *testing.B) []byte {
	auths := map[string]any{}
	for i := range 50 {
		auths[fmt.Sprintf("registry-%02d.example.com", i)] = map[string]string{"auth": benchSecret(b, 48)}
	}
	helpers := map[string]string{}
	for i := range 20 {
		helpers[fmt.Sprintf("%012d.dkr.ecr.us-east-%d.amazonaws.com", i, i%2+1)] = "ecr-login"
	}
	helpers["gcr.io"], helpers["us-docker.pkg.dev"] = "gcloud", "gcloud"
	doc, err := json.MarshalIndent(map[string]any{
		"auths": auths, "credHelpers": helpers, "credsStore": "desktop",
		"psFormat": "table {{.ID}}\\t{{.Image}}\\t{{.Status}}", "currentContext": "default",
		"HttpHeaders": map[string]string{"User-Agent": "Docker-Client/27.0 (linux)"},
		"plugins":     map[string]any{"buildx": map[string]string{"installed": "true"}},
	}, "", "\t")
	if err != nil {
		b.Fatal(err)
	}
	return doc
}

// BenchmarkDockerConfig renders a config.json for one credential, as the
// Action does for its docker-config output.
func BenchmarkDockerConfig(b *testing.B) {
	c := benchCredential(b, "regmint-bench.tencentcloudcr.com")
	b.ReportAllocs()
	defer cpuPerOp(b)()
	for b.Loop() {
		if _, err := core.DockerConfig(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMergeDockerConfig sets one registry's entry in an existing
// config.json of 50 registries with credHelpers, as the file store does.
func BenchmarkMergeDockerConfig(b *testing.B) {
	existing := existingDockerConfig(b)
	c := benchCredential(b, "registry-07.example.com")
	b.SetBytes(int64(len(existing)))
	b.ReportAllocs()
	defer cpuPerOp(b)()
	for b.Loop() {
		if _, err := core.MergeDockerConfig(existing, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify runs the login handshake against a loopback registry
// with a Bearer challenge (GET /v2/, then the token realm) and with a
// Basic one (GET /v2/ twice), with a zero Verifier as the Action and the
// rotation engine use it.
func BenchmarkVerify(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts []registrytest.Option
	}{
		{"Bearer", nil},
		{"Basic", []registrytest.Option{registrytest.WithBasic()}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			password := benchSecret(b, 600)
			reg := registrytest.New(func(u, p string) bool { return u == "bench" && p == password }, mode.opts...)
			b.Cleanup(reg.Close)
			c := core.Credential{Registry: reg.Host, Username: "bench", Password: password}
			ctx := context.Background()
			b.ReportAllocs()
			defer cpuPerOp(b)()
			for b.Loop() {
				if v := (core.Verifier{}).Verify(ctx, c); v.Result != core.VerifyGood {
					b.Fatalf("verify: %v", v)
				}
			}
		})
	}
}
