package smtest_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

// TestSignature checks the emulator's SigV4 verification against requests
// signed by the SDK's own signer: good ones pass, and each way a request
// can be wrong gets AWS's error code and HTTP 400.
func TestSignature(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.Seed("sig/secret", "seeded-value-000001")
	key := s.Key()
	plain := s.AddKey()
	now := time.Now()
	body := `{"SecretId":"sig/secret"}`

	wrongSecret := key
	wrongSecret.SecretAccessKey = corrupt(key.SecretAccessKey)
	unknown := smtest.Key{AccessKeyID: "SMTESTUNKNOWNKEY0000", SecretAccessKey: key.SecretAccessKey, SessionToken: key.SessionToken}
	noToken := key
	noToken.SessionToken = ""
	badToken := key
	badToken.SessionToken = key.SessionToken + "x"

	tests := []struct {
		name     string
		key      smtest.Key
		body     string
		at       time.Time
		tamper   func(*http.Request)
		wantCode string // "" for success
		wantMsg  string
	}{
		{name: "good session key", key: key, at: now},
		{name: "good permanent key", key: plain, at: now},
		{name: "4 minutes slow", key: key, at: now.Add(-4 * time.Minute)},
		{name: "4 minutes fast", key: key, at: now.Add(4 * time.Minute)},
		{name: "wrong secret key", key: wrongSecret, at: now, wantCode: smtest.CodeInvalidSignature, wantMsg: "signature we calculated does not match"},
		{name: "unknown key id", key: unknown, at: now, wantCode: smtest.CodeUnrecognizedClient},
		{name: "session token missing", key: noToken, at: now, wantCode: smtest.CodeUnrecognizedClient},
		{name: "session token wrong", key: badToken, at: now, wantCode: smtest.CodeUnrecognizedClient},
		{name: "tampered body", key: key, at: now, tamper: func(r *http.Request) {
			b := `{"SecretId":"sig/other!"}` // same length: only the payload hash tells
			r.Body = ioNopCloser(b)
			r.ContentLength = int64(len(b))
		}, wantCode: smtest.CodeInvalidSignature},
		{name: "tampered target", key: key, at: now, tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
		}, wantCode: smtest.CodeInvalidSignature},
		{name: "tampered date", key: key, at: now, tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", now.Add(time.Second).UTC().Format("20060102T150405Z"))
		}, wantCode: smtest.CodeInvalidSignature},
		{name: "expired (6 minutes slow)", key: key, at: now.Add(-6 * time.Minute), wantCode: smtest.CodeInvalidSignature, wantMsg: "Signature expired"},
		{name: "not yet current (6 minutes fast)", key: key, at: now.Add(6 * time.Minute), wantCode: smtest.CodeInvalidSignature, wantMsg: "Signature not yet current"},
		{name: "no signature", at: now, wantCode: smtest.CodeMissingAuthentication},
		{name: "garbled authorization", key: key, at: now, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 nonsense")
		}, wantCode: smtest.CodeIncompleteSignature},
		{name: "wrong region", key: key, at: now, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/"+s.Region+"/", "/eu-west-1/", 1))
		}, wantCode: smtest.CodeInvalidSignature, wantMsg: "region"},
		{name: "wrong service", key: key, at: now, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/secretsmanager/", "/kms/", 1))
		}, wantCode: smtest.CodeInvalidSignature, wantMsg: "service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := body
			if tt.body != "" {
				b = tt.body
			}
			got := rawCall(t, s, tt.key, "DescribeSecret", b, tt.at, tt.tamper)
			if tt.wantCode == "" {
				if got.status != http.StatusOK {
					t.Fatalf("status = %d (%s), want 200", got.status, got.raw)
				}
				return
			}
			if got.status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", got.status)
			}
			if code, _ := got.body["__type"].(string); code != tt.wantCode {
				t.Errorf("__type = %q, want %q (body %s)", code, tt.wantCode, got.raw)
			}
			if msg, _ := got.body["message"].(string); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message = %q, want it to contain %q", msg, tt.wantMsg)
			}
		})
	}
}

// TestSignatureThroughSDK drives the same checks through the real client.
func TestSignatureThroughSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		edit      func(*smtest.Server, *aws.Config)
		skew      time.Duration
		optFns    []func(*sm.Options)
		wantCode  string
		wantCalls int // 0: do not check
	}{
		{name: "good"},
		{name: "wrong secret key", edit: func(s *smtest.Server, c *aws.Config) {
			k := s.Key()
			k.SecretAccessKey = corrupt(k.SecretAccessKey)
			c.Credentials = k.Provider()
		}, wantCode: smtest.CodeInvalidSignature},
		{name: "removed key", edit: func(s *smtest.Server, c *aws.Config) {
			s.RemoveKey(s.Key().AccessKeyID)
		}, wantCode: smtest.CodeUnrecognizedClient},
		{name: "wrong region", edit: func(s *smtest.Server, c *aws.Config) { c.Region = "eu-central-1" }, wantCode: smtest.CodeInvalidSignature},
		{
			name: "server clock 10 minutes ahead, skew correction off", skew: 10 * time.Minute,
			optFns:   []func(*sm.Options){func(o *sm.Options) { o.DisableClockSkewCorrection = true }},
			wantCode: smtest.CodeInvalidSignature,
		},
		// The SDK reads the server's Date header from the refusal, corrects
		// its signing time and retries: AWS's own clock skew correction.
		{name: "server clock 10 minutes ahead, skew corrected", skew: 10 * time.Minute, wantCalls: 2},
		{name: "server clock 10 minutes behind, skew corrected", skew: -10 * time.Minute, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			s.Seed("sdk/secret", "seeded-value-000002")
			cfg := s.Config()
			if tt.edit != nil {
				tt.edit(s, &cfg)
			}
			s.Skew(tt.skew)
			c := sm.NewFromConfig(cfg, append([]func(*sm.Options){func(o *sm.Options) { o.RetryMaxAttempts = 2 }}, tt.optFns...)...)
			_, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("sdk/secret")})
			if got := apiCode(err); got != tt.wantCode {
				t.Fatalf("error code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if n := s.Calls("GetSecretValue"); tt.wantCalls != 0 && n != tt.wantCalls {
				t.Errorf("GetSecretValue calls = %d, want %d (refused, then corrected)", n, tt.wantCalls)
			}
		})
	}
}

// TestKeysAreGenerated checks that access keys are made at run time and do
// not look like real AWS keys.
func TestKeysAreGenerated(t *testing.T) {
	t.Parallel()
	a, b := newServer(t), newServer(t)
	realKey := regexp.MustCompile(`^(AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}$`)
	keys := []smtest.Key{a.Key(), b.Key(), a.AddKey(), a.AddSessionKey()}
	seen := map[string]bool{}
	for _, k := range keys {
		if realKey.MatchString(k.AccessKeyID) {
			t.Errorf("key id %s looks like a real AWS access key", k.AccessKeyID)
		}
		if seen[k.AccessKeyID] || seen[k.SecretAccessKey] {
			t.Errorf("key %s repeats", k.AccessKeyID)
		}
		seen[k.AccessKeyID], seen[k.SecretAccessKey] = true, true
		if len(k.SecretAccessKey) < 30 {
			t.Errorf("secret key of %s is only %d characters", k.AccessKeyID, len(k.SecretAccessKey))
		}
	}
	if a.Key().SessionToken == "" {
		t.Error("the server's own key has no session token")
	}
}
