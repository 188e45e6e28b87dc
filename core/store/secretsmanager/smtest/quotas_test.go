package smtest_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/regmint/regmint/core/store/secretsmanager/smtest"
)

// fixedClock is a settable clock for the per-second quota windows.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestQuotaWritesCombined(t *testing.T) {
	clk := &fixedClock{t: time.Now().Truncate(time.Second)}
	s := newServer(t, smtest.WithClock(clk.now))
	c := newClient(s, 1)
	ctx := context.Background()
	for i := range 4 {
		create(t, c, fmt.Sprintf("q/%d", i), "v0")
	}
	s.EnforceQuotas(smtest.Quota{Ops: smtest.QuotaWrites.Ops, PerSecond: 3})
	put := func(i int, tok byte) error {
		_, err := c.PutSecretValue(ctx, &sm.PutSecretValueInput{SecretId: aws.String(fmt.Sprintf("q/%d", i)),
			ClientRequestToken: aws.String(token(tok)), SecretString: aws.String("v" + string(tok))})
		return err
	}
	// PutSecretValue and UpdateSecretVersionStage share one quota.
	if err := put(0, 'a'); err != nil {
		t.Fatal(err)
	}
	if err := put(1, 'b'); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String("q/0")})
	if err != nil {
		t.Fatal(err)
	}
	var prev string
	for id, st := range d.VersionIdsToStages {
		if len(st) == 1 && st[0] == smtest.StagePrevious {
			prev = id
		}
	}
	if _, err := c.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{SecretId: aws.String("q/0"),
		VersionStage: aws.String(smtest.StageCurrent), MoveToVersionId: aws.String(prev), RemoveFromVersionId: aws.String(token('a'))}); err != nil {
		t.Fatal(err)
	}
	if err := put(2, 'c'); apiCode(err) != smtest.CodeThrottling {
		t.Fatalf("fourth write in one second: %v, want ThrottlingException", err)
	}
	if got := s.Throttled("PutSecretValue"); got != 1 {
		t.Errorf("Throttled = %d, want 1", got)
	}
	// Reads have their own quota; nothing was written by the refused call.
	if _, err := c.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String("q/2")}); err != nil {
		t.Errorf("a read was throttled by the write quota: %v", err)
	}
	if v, _ := s.Secret("q/2"); len(v.Versions) != 1 {
		t.Errorf("the refused put stored a version: %+v", v.Versions)
	}
	clk.advance(time.Second)
	if err := put(2, 'c'); err != nil {
		t.Errorf("first write of the next second: %v", err)
	}
	s.EnforceQuotas(smtest.Quota{Ops: smtest.QuotaWrites.Ops})
	for i := range 5 {
		if err := put(3, byte('d'+i)); err != nil {
			t.Fatalf("write with the quota removed: %v", err)
		}
	}
}

func TestQuotaThrottlingWireShape(t *testing.T) {
	clk := &fixedClock{t: time.Now().Truncate(time.Second)}
	s := newServer(t, smtest.WithClock(clk.now))
	s.EnforceQuotas(smtest.Quota{Ops: []string{"GetSecretValue"}, PerSecond: 1})
	body := `{"SecretId":"nope"}`
	first := rawCall(t, s, s.Key(), "GetSecretValue", body, clk.now(), nil)
	if first.status != http.StatusBadRequest || first.body["__type"] != smtest.CodeResourceNotFound {
		t.Fatalf("first call: %d %s", first.status, first.raw)
	}
	second := rawCall(t, s, s.Key(), "GetSecretValue", body, clk.now(), nil)
	if second.status != http.StatusBadRequest || second.body["__type"] != smtest.CodeThrottling || second.body["message"] != "Rate exceeded" {
		t.Fatalf("second call: %d %s, want 400 ThrottlingException Rate exceeded", second.status, second.raw)
	}
}

func TestDocumentedQuotas(t *testing.T) {
	want := map[string]int{"PutSecretValue": 50, "UpdateSecretVersionStage": 50, "CreateSecret": 50, "GetSecretValue": 10000, "DescribeSecret": 10000, "BatchGetSecretValue": 100}
	got := map[string]int{}
	for _, q := range smtest.DocumentedQuotas() {
		for _, op := range q.Ops {
			got[op] = q.PerSecond
		}
	}
	for op, n := range want {
		if got[op] != n {
			t.Errorf("%s quota = %d, want %d", op, got[op], n)
		}
	}
}

func TestBatchGetSecretValue(t *testing.T) {
	s := newServer(t)
	c := newClient(s, 1)
	ctx := context.Background()
	v1 := create(t, c, "b/one", "first")
	create(t, c, "b/gone", "x")
	s.ScheduleDeletion("b/gone")
	out, err := c.BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{SecretIdList: []string{"b/one", "b/missing", "b/gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.SecretValues) != 1 || aws.ToString(out.SecretValues[0].Name) != "b/one" || aws.ToString(out.SecretValues[0].SecretString) != "first" ||
		aws.ToString(out.SecretValues[0].VersionId) != v1 || len(out.SecretValues[0].VersionStages) != 1 {
		t.Errorf("SecretValues = %+v", out.SecretValues)
	}
	codes := map[string]string{}
	for _, e := range out.Errors {
		codes[aws.ToString(e.SecretId)] = aws.ToString(e.ErrorCode)
	}
	if codes["b/missing"] != smtest.CodeResourceNotFound || codes["b/gone"] != smtest.CodeInvalidRequest || len(codes) != 2 {
		t.Errorf("Errors = %v", codes)
	}

	ids := make([]string, 21)
	for i := range ids {
		ids[i] = fmt.Sprintf("b/%d", i)
	}
	if _, err := c.BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{SecretIdList: ids}); apiCode(err) != smtest.CodeInvalidParameter {
		t.Errorf("21 ids: %v, want InvalidParameterException", err)
	}
	if _, err := c.BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{}); apiCode(err) != smtest.CodeInvalidParameter {
		t.Errorf("no ids: %v, want InvalidParameterException", err)
	}
	// The value is not shown in the wire answer of an error entry, and the
	// request is signed and checked like every other.
	bad := rawCall(t, s, s.Key(), "BatchGetSecretValue", `{"SecretIdList":["b/one"]}`, time.Now(), func(r *http.Request) {
		r.Header.Set("Authorization", corrupt(r.Header.Get("Authorization")))
	})
	if bad.status < 400 {
		t.Errorf("a request with a broken signature was answered %d", bad.status)
	}
}
