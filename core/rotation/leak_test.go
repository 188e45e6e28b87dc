package rotation_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/rotation"
	"github.com/regmint/regmint/internal/leaktest"
)

func newJSONLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// TestNoSecretInOutput runs scenarios whose vendors, verifiers and stores
// echo secrets in their errors, and checks that no secret (cloud keys, IAM
// passwords, minted passwords, docker auth strings, in any encoding)
// appears in logs, metrics, the text report, the error or the formatted
// results.
func TestNoSecretInOutput(t *testing.T) {
	t.Parallel()
	for _, sc := range []struct {
		name  string
		setup func(t *testing.T, e *env, secrets *leaktest.Secrets) []rotation.Option
	}{
		{"minted and fresh", func(*testing.T, *env, *leaktest.Secrets) []rotation.Option { return nil }},
		{"issuer error echoes the secret key", func(t *testing.T, e *env, s *leaktest.Secrets) []rotation.Option {
			e.cloud.beforeIssue = func(ctx context.Context, tg core.Target) error {
				return fmt.Errorf("tcr CreateInstanceToken: signing with %s failed", tg.Auth.AccessKeySecret)
			}
			return nil
		}},
		{"verifier echoes the password", func(t *testing.T, e *env, s *leaktest.Secrets) []rotation.Option {
			return []rotation.Option{rotation.WithVerifier(fakeVerifier{verify: func(_ context.Context, c core.Credential) core.Verification {
				return core.Verification{Result: core.VerifyBad, Detail: "refused " + c.Password + " auth " + core.DockerAuth(c.Username, c.Password)}
			}})}
		}},
		{"unknown verification", func(t *testing.T, e *env, s *leaktest.Secrets) []rotation.Option {
			return []rotation.Option{rotation.WithVerifier(fakeVerifier{verify: func(_ context.Context, c core.Credential) core.Verification {
				return core.Verification{Result: core.VerifyUnknown, Detail: "dial tcp: lookup " + c.Password}
			}})}
		}},
		{"store echoes the record", func(t *testing.T, e *env, s *leaktest.Secrets) []rotation.Option {
			e.sm.putErr = func(_ context.Context, _ string, r core.Record) error {
				return fmt.Errorf("secretsmanager PutSecretValue: bad value %q (%s)", r.Credential.Password, core.DockerAuth(r.Credential.Username, r.Credential.Password))
			}
			return nil
		}},
		{"credentials secret malformed", func(t *testing.T, e *env, s *leaktest.Secrets) []rotation.Option {
			pw := "pw-" + randomHex(t, 12)
			s.Add(pw)
			e.secrets.values["src/tencent"] = `{"access_key_id": "AKIDx", "access_key_secret": ` + pw + `}`
			return nil
		}},
		{"credentials secret with an unknown key", func(t *testing.T, e *env, s *leaktest.Secrets) []rotation.Option {
			pw := "pw-" + randomHex(t, 12)
			s.Add(pw)
			e.secrets.values["src/tencent"] = `{"access_key_id": "AKIDx", "password": "` + pw + `"}`
			return nil
		}},
		{"huawei IAM password", func(t *testing.T, e *env, s *leaktest.Secrets) []rotation.Option {
			pw := "iam-" + randomHex(t, 12)
			s.Add(pw)
			e.secrets.values["src/tencent"] = `{"iam_user": "ci", "iam_password": "` + pw + `", "iam_domain": "acct"}`
			e.cloud.beforeIssue = func(ctx context.Context, tg core.Target) error {
				return errors.New("iam KeystoneCreateUserTokenByPassword: password " + tg.Auth.IAMPassword + " rejected")
			}
			return nil
		}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var secrets leaktest.Secrets
			secrets.Add(e.keySecret(t, "src/tencent"))
			var out bytes.Buffer
			opts := append([]rotation.Option{rotation.WithLogger(newJSONLogger(&out)), rotation.WithMetrics(&out)}, sc.setup(t, e, &secrets)...)
			doc := `
credential-sources:
  main: {secret: src/tencent}
targets:
  - {name: tcr, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0001, credentials: {source: main}}
  - {name: lt, provider: tcr, region: ap-guangzhou, instance-id: tcr-inst0002, token-type: longterm, credentials: {source: main},
     destinations: [{store: secretsmanager}, {store: file, ref: host}]}
  - {name: swr, provider: swr-enterprise, region: cn-north-4, instance-id: inst-3, credentials: {source: main}}
`
			eng := e.engine(t, doc, opts...)
			for range 3 {
				rep := eng.Run(context.Background())
				_ = rep.WriteText(&out)
				if err := rep.Err(); err != nil {
					fmt.Fprintf(&out, "%v\n%+v\n%#v\n", err, err, err)
				}
				fmt.Fprintf(&out, "%v\n%+v\n", rep.Results, rep.Results)
				e.clock.Advance(45 * 24 * time.Hour)
			}
			for _, p := range e.cloud.Passwords() {
				secrets.Add(p, core.DockerAuth("100000000001", p))
			}
			if len(secrets.List()) == 0 {
				t.Fatal("the scenario handled no secret to check")
			}
			leaktest.Check(t, sc.name, out.String(), secrets.List()...)
			if !strings.Contains(out.String(), `"msg":"target"`) {
				t.Error("no log lines captured")
			}
			if echoes := sc.name != "minted and fresh" && !strings.HasPrefix(sc.name, "credentials secret"); echoes && !strings.Contains(out.String(), "[redacted]") {
				t.Error("the scenario echoes a secret, but nothing was redacted: is it exercised?")
			}
		})
	}
}
