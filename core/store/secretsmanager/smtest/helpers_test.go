package smtest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

// newServer starts an emulator that is closed when the test ends.
func newServer(t *testing.T, opts ...smtest.Option) *smtest.Server {
	t.Helper()
	s := smtest.New(opts...)
	t.Cleanup(s.Close)
	return s
}

// newClient returns a real SDK client for s that does not retry unless
// attempts > 1 (and then without waiting).
func newClient(s *smtest.Server, attempts int, optFns ...func(*sm.Options)) *sm.Client {
	fns := append([]func(*sm.Options){func(o *sm.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = max(attempts, 1)
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	}}, optFns...)
	return sm.NewFromConfig(s.Config(), fns...)
}

// apiCode returns the error code of an SDK error, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// rawResponse is what a raw request got back.
type rawResponse struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// rawCall sends a request built by hand: body to operation op, signed with
// key at time at by the SDK's signer, then changed by tamper (if not nil)
// after signing.
func rawCall(t *testing.T, s *smtest.Server, key smtest.Key, op, body string, at time.Time, tamper func(*http.Request)) rawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager."+op)
	sum := sha256.Sum256([]byte(body))
	if key.AccessKeyID != "" {
		err = v4.NewSigner().SignHTTP(context.Background(), key.Credentials(), req, hex.EncodeToString(sum[:]), "secretsmanager", s.Region, at)
		if err != nil {
			t.Fatal(err)
		}
	}
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := rawResponse{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	_ = json.Unmarshal(b, &out.body)
	return out
}

// create makes a secret with a first value through the SDK and returns its
// version id.
func create(t *testing.T, c *sm.Client, name, value string) string {
	t.Helper()
	out, err := c.CreateSecret(context.Background(), &sm.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
	if err != nil {
		t.Fatalf("CreateSecret %s: %v", name, err)
	}
	return aws.ToString(out.VersionId)
}

// token returns a valid ClientRequestToken made of c.
func token(c byte) string { return string(bytes.Repeat([]byte{c}, 8)) + "-aaaa-4aaa-8aaa-aaaaaaaaaaaa" }

// corrupt returns s with its first character changed.
func corrupt(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func ioNopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
