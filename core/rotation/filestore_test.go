package rotation_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/core/store/file"
	"github.com/regmint/regmint/internal/leaktest"
)

// TestWithFileStore runs the engine against the real docker config.json
// store: mint, fresh, refresh near expiry, and the long-term revocation, as
// a build host's cron would.
func TestWithFileStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	path := filepath.Join(t.TempDir(), "docker", "config.json")
	fs, err := file.New(path)
	if err != nil {
		t.Fatal(err)
	}
	const doc = `
default-store: file
targets:
  - {name: temp, provider: tcr, region: ap-guangzhou, instance-id: tcr-temp0001, credentials: {env: true}}
  - {name: long, provider: tcr, region: ap-guangzhou, instance-id: tcr-long0001, token-type: longterm, rotate-every: 7d, credentials: {env: true}}
`
	eng := e.engine(t, doc, rotation.WithStore(file.KindName, fs))
	ctx := context.Background()
	outcomes := func() string {
		rep := eng.Run(ctx)
		if err := rep.Err(); err != nil {
			t.Fatal(err)
		}
		return string(result(t, rep, "temp").Outcome) + "," + string(result(t, rep, "long").Outcome)
	}
	for i, step := range []struct {
		advance time.Duration
		want    string
	}{
		{0, "minted,minted"},
		{10 * time.Minute, "fresh,fresh"},
		{25 * time.Minute, "minted,fresh"}, // 25 minutes left of the hour
		{7 * 24 * time.Hour, "minted,minted"},
		{7 * 24 * time.Hour, "minted,minted"}, // revokes the first long-term token
	} {
		e.clock.Advance(step.advance)
		if got := outcomes(); got != step.want {
			t.Fatalf("step %d: %s, want %s", i, got, step.want)
		}
	}
	if got := e.cloud.Revoked(); len(got) != 1 {
		t.Errorf("revoked %v, want the first long-term token", got)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"tcr-temp0001.example.test", "tcr-long0001.example.test"} {
		if !strings.Contains(string(data), host) {
			t.Errorf("docker config has no login for %s", host)
		}
	}
	// The docker config holds the current passwords, as it must; the
	// metadata beside it holds none.
	meta, err := os.ReadFile(fs.MetadataPath())
	if err != nil {
		t.Fatal(err)
	}
	leaktest.Check(t, "file store metadata", string(meta), e.cloud.Passwords()...)
}
