package secretsmanager_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go/logging"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/secretsmanager"
	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
	"github.com/regmint/regmint/core/store/storetest"
	"github.com/regmint/regmint/internal/leaktest"
	"github.com/regmint/regmint/internal/testutil"
)

// env is one emulator with a store on it. Everything the SDK logs (with
// every log mode asked for) and every error the test reports through
// env.text is checked for secrets when the test ends.
type env struct {
	srv     *smtest.Server
	client  *sm.Client
	store   *secretsmanager.Store
	logs    *syncBuffer
	secrets *leaktest.Secrets
	texts   *syncBuffer
}

// retryWaiting is the SDK's standard retryer waiting d before each retry.
func retryWaiting(d time.Duration) aws.Retryer {
	return retry.NewStandard(func(so *retry.StandardOptions) {
		so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return d, nil })
	})
}

// noEnv is a getenv with nothing set.
func noEnv(string) string { return "" }

// fastRetry makes the SDK's standard retryer retry up to attempts times
// without waiting; which errors it retries is unchanged.
func fastRetry(attempts int) func(*sm.Options) {
	return func(o *sm.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = attempts
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	}
}

func newEnv(t *testing.T, opts ...secretsmanager.Option) *env {
	t.Helper()
	srv := smtest.New()
	t.Cleanup(srv.Close)
	e := &env{srv: srv, logs: &syncBuffer{}, texts: &syncBuffer{}, secrets: &leaktest.Secrets{}}
	e.secrets.Add(srv.Key().Secrets()...)
	client, err := secretsmanager.NewClient(srv.Config(), noEnv, fastRetry(5), e.logTo)
	if err != nil {
		t.Fatal(err)
	}
	e.client = client
	if e.store, err = secretsmanager.New(client, opts...); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.checkLeaks(t) })
	return e
}

// logTo sends the SDK's logs to e.logs, asking for every log mode (the
// store's client must drop the ones that could show a secret).
func (e *env) logTo(o *sm.Options) {
	o.Logger = logging.NewStandardLogger(e.logs)
	o.ClientLogMode = aws.LogSigning | aws.LogRetries | aws.LogRequest | aws.LogRequestWithBody |
		aws.LogResponse | aws.LogResponseWithBody | aws.LogDeprecatedUsage | aws.LogRequestEventMessage | aws.LogResponseEventMessage
}

// record returns a record whose secrets are registered for the leak check.
func (e *env) record(registry, password string) core.Record {
	r := storetest.Record(registry, password)
	e.secrets.Add(r.Credential.Secrets()...)
	return r
}

// text records something the program would show (an error) for the leak
// check, and returns it.
func (e *env) text(v any) string {
	s := fmt.Sprint(v)
	e.texts.WriteString(s + "\n")
	return s
}

func (e *env) checkLeaks(t *testing.T) {
	t.Helper()
	leaktest.Check(t, "SDK log", e.logs.String(), e.secrets.List()...)
	leaktest.Check(t, "errors", e.texts.String(), e.secrets.List()...)
}

// name is the secret name of ref under the default prefix.
func name(ref string) string { return secretsmanager.DefaultPrefix + ref }

// current returns the AWSCURRENT value of a secret in the emulator.
func (e *env) current(t *testing.T, name string) smtest.Version {
	t.Helper()
	sec, ok := e.srv.Secret(name)
	if !ok {
		t.Fatalf("secret %s does not exist", name)
	}
	v, ok := sec.Current()
	if !ok {
		t.Fatalf("secret %s has no AWSCURRENT", name)
	}
	return v
}

type syncBuffer = testutil.SyncBuffer

// mapEnv is a getenv over a map.
func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}
