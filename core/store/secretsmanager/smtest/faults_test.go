package smtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name       string
		n          int
		fault      smtest.Fault
		wantCode   string // of the first call; "" for success
		wantStatus int
		stored     bool // the first call's write is stored despite the fault
	}{
		{"throttled", 1, smtest.Throttled("PutSecretValue"), smtest.CodeThrottling, 400, false},
		{"internal error", 1, smtest.Internal("PutSecretValue"), smtest.CodeInternalServiceError, 500, false},
		{"unavailable (HTML body)", 1, smtest.Unavailable(""), "", 503, false},
		{"response lost after the write", 1, func() smtest.Fault { f := smtest.Internal("PutSecretValue"); f.AfterApply = true; return f }(), smtest.CodeInternalServiceError, 500, true},
		{"malformed response after the write", 1, smtest.Fault{Op: "PutSecretValue", Malformed: true}, "", 200, true},
		{"other operation's fault does not apply", 1, smtest.Throttled("GetSecretValue"), "", 200, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			c := newClient(s, 1)
			create(t, c, "tok/s", "value-one-0001")
			s.Inject(tt.n, tt.fault)
			err := put(ctx, c, token('2'), "value-two-0002")
			if got := apiCode(err); got != tt.wantCode {
				t.Errorf("first call: code %q (%v), want %q", got, err, tt.wantCode)
			}
			if st := httpStatus(err); err != nil && st != tt.wantStatus {
				t.Errorf("first call: HTTP %d, want %d", st, tt.wantStatus)
			}
			sec, _ := s.Secret("tok/s")
			if cur, _ := sec.Current(); (cur.ID == token('2')) != tt.stored {
				t.Errorf("stored after the fault = %v, want %v", cur.ID == token('2'), tt.stored)
			}
			// The fault is used up: the retry (same token) succeeds and
			// stores the value once.
			if err := put(ctx, c, token('2'), "value-two-0002"); err != nil {
				t.Fatalf("second call: %v", err)
			}
			sec, _ = s.Secret("tok/s")
			if cur, _ := sec.Current(); cur.Value != "value-two-0002" || len(sec.Versions) != 2 {
				t.Errorf("after retry: current %q, %d versions; want value two, 2 versions", cur.Value, len(sec.Versions))
			}
			if got := s.Calls("PutSecretValue"); got != 2 {
				t.Errorf("PutSecretValue calls = %d, want 2", got)
			}
		})
	}
}

func TestPermanentFaultUntilCleared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := newClient(s, 3)
	s.Seed("perm/s", "value-perm-0001")
	s.Inject(-1, smtest.Throttled(""))
	get := func() error {
		_, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("perm/s")})
		return err
	}
	if err := get(); apiCode(err) != smtest.CodeThrottling {
		t.Fatalf("while throttled: %v", err)
	}
	if got := s.Calls("GetSecretValue"); got != 3 {
		t.Errorf("GetSecretValue calls = %d, want 3 (the SDK retried throttling)", got)
	}
	s.ClearFaults()
	if err := get(); err != nil {
		t.Fatalf("after ClearFaults: %v", err)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c := newClient(s, 1)
	s.Seed("lat/s", "value-lat-0001")
	s.SetLatency("GetSecretValue", time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("lat/s")})
		done <- err
	}()
	// The call is held until the client gives up; cancel once it arrived.
	for s.Calls("GetSecretValue") == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("held call: %v, want context.Canceled", err)
	}
	s.SetLatency("GetSecretValue", time.Millisecond)
	if _, err := c.GetSecretValue(context.Background(), &sm.GetSecretValueInput{SecretId: aws.String("lat/s")}); err != nil {
		t.Fatalf("with short latency: %v", err)
	}
}

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return 200
	}
	return 0
}

func TestDroppedConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		fault  smtest.Fault
		stored bool
	}{
		{"before the call", smtest.Dropped("PutSecretValue", false), false},
		{"after the write", smtest.Dropped("PutSecretValue", true), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			c := newClient(s, 1)
			create(t, c, "tok/s", "value-one-0001")
			s.Inject(1, tt.fault)
			err := put(ctx, c, token('2'), "value-two-0002")
			if err == nil || apiCode(err) != "" || httpStatus(err) != 0 {
				t.Fatalf("dropped call: %v (code %q, HTTP %d), want a transport error", err, apiCode(err), httpStatus(err))
			}
			sec, _ := s.Secret("tok/s")
			if cur, _ := sec.Current(); (cur.ID == token('2')) != tt.stored {
				t.Errorf("stored after the drop = %v, want %v", cur.ID == token('2'), tt.stored)
			}
			if err := put(ctx, c, token('2'), "value-two-0002"); err != nil {
				t.Fatalf("retry: %v", err)
			}
		})
	}
}
