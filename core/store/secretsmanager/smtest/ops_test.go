package smtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

func TestCreateAndRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := newClient(s, 1)

	out, err := c.CreateSecret(ctx, &sm.CreateSecretInput{
		Name:               aws.String("app/one"),
		ClientRequestToken: aws.String(token('1')),
		SecretString:       aws.String("value-one-00001"),
		Description:        aws.String("first"),
		KmsKeyId:           aws.String("alias/regmint"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.VersionId), token('1'); got != want {
		t.Errorf("VersionId = %q, want the request token %q", got, want)
	}
	arn := aws.ToString(out.ARN)
	if want := "arn:aws:secretsmanager:" + s.Region + ":" + smtest.Account + ":secret:app/one-"; len(arn) != len(want)+6 || arn[:len(want)] != want {
		t.Errorf("ARN = %q, want %s + 6 characters", arn, want)
	}

	for _, id := range []string{"app/one", arn} {
		got, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(id)})
		if err != nil {
			t.Fatalf("GetSecretValue(%s): %v", id, err)
		}
		if aws.ToString(got.SecretString) != "value-one-00001" || !slices.Equal(got.VersionStages, []string{"AWSCURRENT"}) || got.CreatedDate == nil {
			t.Errorf("GetSecretValue(%s) = %q %v %v", id, aws.ToString(got.SecretString), got.VersionStages, got.CreatedDate)
		}
	}
	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("app/one")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Description) != "first" || aws.ToString(d.KmsKeyId) != "alias/regmint" || aws.ToString(d.ARN) != arn ||
		!slices.Equal(d.VersionIdsToStages[token('1')], []string{"AWSCURRENT"}) || d.CreatedDate == nil || d.DeletedDate != nil {
		t.Errorf("DescribeSecret = %+v", d)
	}

	// A secret created without a value has no AWSCURRENT.
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("app/empty")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("app/empty")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("GetSecretValue(no value) error = %v, want ResourceNotFoundException", err)
	}
}

func TestClientRequestToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		run      func(c *sm.Client) error
		wantCode string
		versions int // versions of "tok/s" afterwards
	}{
		{"put: same token, same value is a no-op", func(c *sm.Client) error {
			return twice(func() error { return put(ctx, c, token('2'), "value-two-0002") })
		}, "", 2},
		{"put: same token, other value fails", func(c *sm.Client) error {
			if err := put(ctx, c, token('2'), "value-two-0002"); err != nil {
				return err
			}
			return put(ctx, c, token('2'), "value-other-0003")
		}, smtest.CodeResourceExists, 2},
		{"put: first version's token, other value fails", func(c *sm.Client) error {
			return put(ctx, c, token('1'), "value-other-0003")
		}, smtest.CodeResourceExists, 1},
		{"create: retried with the same token and value succeeds", func(c *sm.Client) error {
			_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("tok/s"), ClientRequestToken: aws.String(token('1')), SecretString: aws.String("value-one-0001")})
			return err
		}, "", 1},
		{"create: existing name with another token fails", func(c *sm.Client) error {
			_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("tok/s"), ClientRequestToken: aws.String(token('9')), SecretString: aws.String("value-one-0001")})
			return err
		}, smtest.CodeResourceExists, 1},
		{"create: same token, other value fails", func(c *sm.Client) error {
			_, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("tok/s"), ClientRequestToken: aws.String(token('1')), SecretString: aws.String("value-changed-01")})
			return err
		}, smtest.CodeResourceExists, 1},
		{"put: token too short", func(c *sm.Client) error { return put(ctx, c, "short-token", "value-x-000001") }, smtest.CodeInvalidParameter, 1},
		{"put: both string and binary", func(c *sm.Client) error {
			_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("tok/s"), SecretString: aws.String("a"), SecretBinary: []byte("b")})
			return err
		}, smtest.CodeInvalidParameter, 1},
		{"put: missing secret", func(c *sm.Client) error {
			_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("tok/none"), SecretString: aws.String("a")})
			return err
		}, smtest.CodeResourceNotFound, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			c := newClient(s, 1)
			if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("tok/s"), ClientRequestToken: aws.String(token('1')), SecretString: aws.String("value-one-0001")}); err != nil {
				t.Fatal(err)
			}
			err := tt.run(c)
			if got := apiCode(err); got != tt.wantCode {
				t.Fatalf("error code = %q (%v), want %q", got, err, tt.wantCode)
			}
			sec, _ := s.Secret("tok/s")
			if got := len(sec.Versions); got != tt.versions {
				t.Errorf("versions = %d, want %d", got, tt.versions)
			}
			if cur, _ := sec.Current(); cur.ID != sec.Versions[len(sec.Versions)-1].ID {
				t.Errorf("AWSCURRENT is %s, want the newest version", cur.ID)
			}
		})
	}
}

func TestStaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := newClient(s, 1)
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("tok/s"), ClientRequestToken: aws.String(token('1')), SecretString: aws.String("v1-value-0001")}); err != nil {
		t.Fatal(err)
	}
	check := func(step, cur, prev string) {
		t.Helper()
		sec, _ := s.Secret("tok/s")
		c, _ := sec.Current()
		p, _ := sec.Previous()
		if c.ID != cur || p.ID != prev {
			t.Errorf("%s: AWSCURRENT=%q AWSPREVIOUS=%q, want %q and %q", step, c.ID, p.ID, cur, prev)
		}
	}
	check("after create", token('1'), "")
	if err := put(ctx, c, token('2'), "v2-value-0002"); err != nil {
		t.Fatal(err)
	}
	check("after second put", token('2'), token('1'))
	if err := put(ctx, c, token('3'), "v3-value-0003"); err != nil {
		t.Fatal(err)
	}
	check("after third put", token('3'), token('2'))

	// A version with a custom label does not move AWSCURRENT.
	out, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("tok/s"), ClientRequestToken: aws.String(token('4')),
		SecretString: aws.String("v4-value-0004"), VersionStages: []string{"AWSPENDING"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.VersionStages, []string{"AWSPENDING"}) {
		t.Errorf("PutSecretValue(AWSPENDING) stages = %v", out.VersionStages)
	}
	check("after pending put", token('3'), token('2'))

	// Re-putting an old version's value with its token is ignored: the
	// answer shows the version's stages, AWSCURRENT stays.
	out, err = c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String("tok/s"), ClientRequestToken: aws.String(token('1')), SecretString: aws.String("v1-value-0001")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.VersionStages) != 0 {
		t.Errorf("ignored put of an unlabeled version: stages = %v, want none", out.VersionStages)
	}
	check("after ignored put", token('3'), token('2'))

	// Moving AWSCURRENT needs the version it leaves; AWSPREVIOUS follows.
	move := func(to, from *string) error {
		_, err := c.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{SecretId: aws.String("tok/s"),
			VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: to, RemoveFromVersionId: from})
		return err
	}
	if err := move(aws.String(token('1')), nil); apiCode(err) != smtest.CodeInvalidParameter {
		t.Errorf("move AWSCURRENT without RemoveFromVersionId: %v, want InvalidParameterException", err)
	}
	if err := move(aws.String(token('1')), aws.String(token('2'))); apiCode(err) != smtest.CodeInvalidParameter {
		t.Errorf("move AWSCURRENT removing it from the wrong version: %v, want InvalidParameterException", err)
	}
	if err := move(aws.String(token('8')), aws.String(token('3'))); apiCode(err) != smtest.CodeResourceNotFound {
		t.Errorf("move AWSCURRENT to a missing version: %v, want ResourceNotFoundException", err)
	}
	if err := move(nil, aws.String(token('3'))); apiCode(err) != smtest.CodeInvalidParameter {
		t.Errorf("remove AWSCURRENT: %v, want InvalidParameterException", err)
	}
	if err := move(aws.String(token('1')), aws.String(token('3'))); err != nil {
		t.Fatal(err)
	}
	check("after moving AWSCURRENT back", token('1'), token('3'))

	prev, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("tok/s"), VersionStage: aws.String("AWSPREVIOUS")})
	if err != nil || aws.ToString(prev.SecretString) != "v3-value-0003" {
		t.Errorf("GetSecretValue(AWSPREVIOUS) = %v, %v", prev, err)
	}
	byID, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("tok/s"), VersionId: aws.String(token('4'))})
	if err != nil || aws.ToString(byID.SecretString) != "v4-value-0004" {
		t.Errorf("GetSecretValue(VersionId) = %v, %v", byID, err)
	}
}

func TestScheduledDeletion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := newClient(s, 1)
	s.Seed("del/s", "value-del-00001")
	if !s.ScheduleDeletion("del/s") || s.ScheduleDeletion("del/none") {
		t.Fatal("ScheduleDeletion reports the wrong existence")
	}
	if _, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("del/s")}); apiCode(err) != smtest.CodeInvalidRequest {
		t.Errorf("GetSecretValue: %v, want InvalidRequestException", err)
	}
	if err := putTo(ctx, c, "del/s", token('5'), "value-x-000005"); apiCode(err) != smtest.CodeInvalidRequest {
		t.Errorf("PutSecretValue: %v, want InvalidRequestException", err)
	}
	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("del/s")})
	if err != nil || d.DeletedDate == nil {
		t.Errorf("DescribeSecret = %v, %v; want a DeletedDate", d, err)
	}
	if _, err := c.CreateSecret(ctx, &sm.CreateSecretInput{Name: aws.String("del/s"), SecretString: aws.String("x")}); apiCode(err) != smtest.CodeInvalidRequest {
		t.Errorf("CreateSecret over a deleted secret: %v, want InvalidRequestException", err)
	}
}

// TestErrorShapes checks status codes, headers and JSON bodies on the wire.
func TestErrorShapes(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	now := time.Now()
	tests := []struct {
		name       string
		op, body   string
		setup      func()
		wantStatus int
		wantType   string
		msgKey     string
	}{
		{"not found", "GetSecretValue", `{"SecretId":"nope"}`, nil, 400, smtest.CodeResourceNotFound, "Message"},
		{"unknown operation", "DeleteEverything", `{}`, nil, 400, smtest.CodeUnknownOperation, "message"},
		{"bad JSON", "GetSecretValue", `{"SecretId":`, nil, 400, smtest.CodeSerialization, "message"},
		{"bad name", "CreateSecret", `{"Name":"bad name!","SecretString":"x"}`, nil, 400, smtest.CodeInvalidParameter, "Message"},
		{"throttled", "DescribeSecret", `{"SecretId":"nope"}`, func() { s.Throttle(1, "DescribeSecret") }, 400, smtest.CodeThrottling, "message"},
		{"internal", "ListSecrets", `{}`, func() { s.FailInternal(1, "ListSecrets") }, 500, smtest.CodeInternalServiceError, "Message"},
	}
	for _, tt := range tests {
		// Not parallel: faults are shared by the server.
		if tt.setup != nil {
			tt.setup()
		}
		got := rawCall(t, s, s.Key(), tt.op, tt.body, now, nil)
		if got.status != tt.wantStatus || got.body["__type"] != tt.wantType {
			t.Errorf("%s: %d %s, want %d with __type %s", tt.name, got.status, got.raw, tt.wantStatus, tt.wantType)
		}
		if _, ok := got.body[tt.msgKey]; !ok {
			t.Errorf("%s: body %s has no %q", tt.name, got.raw, tt.msgKey)
		}
		if ct := got.header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			t.Errorf("%s: Content-Type = %q", tt.name, ct)
		}
		if got.header.Get("X-Amzn-Requestid") == "" || got.header.Get("Date") == "" {
			t.Errorf("%s: no request id or Date header", tt.name)
		}
	}
}

// TestConcurrentUse writes and reads one secret from many goroutines; run
// with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newServer(t)
	c := newClient(s, 1)
	create(t, c, "tok/s", "value-initial-01")
	const workers, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*2)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				tok := fmt.Sprintf("%08d-0000-4000-8000-%012d", w, i)
				if err := put(ctx, c, tok, fmt.Sprintf("value-%d-%d", w, i)); err != nil {
					errs <- err
				}
				if _, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("tok/s")}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	sec, _ := s.Secret("tok/s")
	if got, want := len(sec.Versions), 1+workers*each; got != want {
		t.Errorf("versions = %d, want %d", got, want)
	}
	labeled := 0
	for _, v := range sec.Versions {
		labeled += len(v.Stages)
	}
	if labeled != 2 {
		t.Errorf("%d staging labels in all, want 2 (AWSCURRENT, AWSPREVIOUS)", labeled)
	}
	if got, want := s.Calls("PutSecretValue"), workers*each; got != want {
		t.Errorf("PutSecretValue calls = %d, want %d", got, want)
	}
}

func TestUnsignedHTTPMethods(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	resp, err := http.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unsigned GET / = %d, want 400", resp.StatusCode)
	}
}

// put stores value in secret "tok/s" with request token tok.
func put(ctx context.Context, c *sm.Client, tok, value string) error {
	return putTo(ctx, c, "tok/s", tok, value)
}

func putTo(ctx context.Context, c *sm.Client, id, tok, value string) error {
	_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String(id), ClientRequestToken: aws.String(tok), SecretString: aws.String(value)})
	return err
}

func twice(f func() error) error {
	if err := f(); err != nil {
		return err
	}
	return f()
}
