package lambdatest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/regmint/regmint/internal/lambdatest"
)

// runtime plays a custom runtime's side of the protocol with plain HTTP.
type runtime struct {
	t    *testing.T
	base string
}

func (r runtime) next() (id string, deadline time.Time, event []byte) {
	r.t.Helper()
	resp, err := http.Get(r.base + "invocation/next")
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	event, _ = io.ReadAll(resp.Body)
	ms, err := strconv.ParseInt(resp.Header.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	if err != nil {
		r.t.Fatalf("deadline header: %v", err)
	}
	if got := resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"); got != lambdatest.FunctionARN {
		r.t.Errorf("function ARN %q", got)
	}
	if !strings.HasPrefix(resp.Header.Get("Lambda-Runtime-Trace-Id"), "Root=1-") {
		r.t.Errorf("trace id %q", resp.Header.Get("Lambda-Runtime-Trace-Id"))
	}
	return resp.Header.Get("Lambda-Runtime-Aws-Request-Id"), time.UnixMilli(ms), event
}

func (r runtime) post(path, errorType, body string) int {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.base+path, strings.NewReader(body))
	if errorType != "" {
		req.Header.Set("Lambda-Runtime-Function-Error-Type", errorType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestInvokeResponseAndError(t *testing.T) {
	t.Parallel()
	s := lambdatest.New()
	defer s.Close()
	rt := runtime{t: t, base: "http://" + s.Env()["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	before := time.Now()
	go func() {
		id, deadline, event := rt.next()
		if deadline.Before(before.Add(59*time.Second)) || deadline.After(time.Now().Add(61*time.Second)) {
			t.Errorf("deadline %v, want about a minute from now", deadline)
		}
		var ev struct {
			DetailType string `json:"detail-type"`
			Source     string
		}
		if err := json.Unmarshal(event, &ev); err != nil || ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" {
			t.Errorf("event %s: %v", event, err)
		}
		if code := rt.post("invocation/"+id+"/response", "", `{"ok":true}`); code != http.StatusAccepted {
			t.Errorf("response: HTTP %d", code)
		}
	}()
	o, err := s.Invoke(ctx, lambdatest.ScheduledEvent(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if o.Kind != lambdatest.KindResponse || string(o.Body) != `{"ok":true}` {
		t.Errorf("outcome %+v", o)
	}
	at, err := s.FirstNext(ctx)
	if err != nil || at.Before(before) {
		t.Errorf("first next at %v (%v), want after %v", at, err, before)
	}

	go func() {
		id, _, _ := rt.next()
		if code := rt.post("invocation/unknown-id/response", "", "{}"); code != http.StatusBadRequest {
			t.Errorf("unknown invocation: HTTP %d, want 400", code)
		}
		rt.post("invocation/"+id+"/error", "Handled", `{"errorMessage":"boom","errorType":"X"}`)
	}()
	o, err = s.Invoke(ctx, []byte(`{}`), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if o.Kind != lambdatest.KindError || o.ErrorType != "Handled" || !strings.Contains(string(o.Body), "boom") {
		t.Errorf("outcome %+v", o)
	}
	if got := s.Nexts(); got != 2 {
		t.Errorf("%d nexts, want 2", got)
	}
}

func TestInitError(t *testing.T) {
	t.Parallel()
	s := lambdatest.New()
	defer s.Close()
	rt := runtime{t: t, base: "http://" + s.Addr() + "/2018-06-01/runtime/"}
	if code := rt.post("init/error", "Runtime.ConfigInvalid", `{"errorMessage":"bad"}`); code != http.StatusAccepted {
		t.Fatalf("init error: HTTP %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o, err := s.InitError(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.Kind != lambdatest.KindInitError || o.ErrorType != "Runtime.ConfigInvalid" || string(o.Body) != `{"errorMessage":"bad"}` {
		t.Errorf("outcome %+v", o)
	}
}

// TestCloseReleasesNext: a runtime blocked in next is answered 503 on
// Close, and waiting callers see their context end.
func TestCloseReleasesNext(t *testing.T) {
	t.Parallel()
	s := lambdatest.New()
	status := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + s.Addr() + "/2018-06-01/runtime/invocation/next")
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.FirstNext(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close() // idempotent
	if got := <-status; got != http.StatusServiceUnavailable {
		t.Errorf("next after Close: HTTP %d, want 503", got)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if _, err := s.InitError(short); err == nil {
		t.Error("InitError returned without an init error")
	}
}
