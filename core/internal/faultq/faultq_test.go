package faultq

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestQueue(t *testing.T) {
	t.Parallel()
	var q Queue[string]
	q.Add(2, "Put", "throttle")
	q.Add(-1, "", "down")
	q.SetLatency("", time.Millisecond)
	q.SetLatency("Put", 2*time.Millisecond)
	for i, want := range []struct {
		op    string
		fault string
		delay time.Duration
	}{
		{"Get", "down", time.Millisecond},
		{"Put", "throttle", 3 * time.Millisecond},
		{"Put", "throttle", 3 * time.Millisecond},
		{"Put", "down", 3 * time.Millisecond},
		{"Put", "down", 3 * time.Millisecond},
	} {
		f, d := q.Next(want.op)
		if f == nil || *f != want.fault || d != want.delay {
			t.Errorf("call %d (%s): fault %v, delay %v; want %q, %v", i, want.op, f, d, want.fault, want.delay)
		}
	}
	q.Clear()
	if f, d := q.Next("Put"); f != nil || d != 0 {
		t.Errorf("after Clear: %v, %v", f, d)
	}
	q.Add(0, "", "never")
	if f, _ := q.Next("Get"); f != nil {
		t.Errorf("a fault for 0 calls was used")
	}
}

func TestWait(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	r, _ := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	if !Wait(r, nil, 0) || !Wait(r, nil, time.Microsecond) {
		t.Error("a short wait must complete")
	}
	done := make(chan struct{})
	close(done)
	if Wait(r, done, time.Hour) {
		t.Error("a closed emulator must end the wait")
	}
	cancel()
	if Wait(r, nil, time.Hour) {
		t.Error("a gone client must end the wait")
	}
}

func TestDrop(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { Drop(w) }))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a dropped call answered HTTP %d", resp.StatusCode)
	}
	// HTTP/2 cannot be taken over: the stream is reset instead.
	tls := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { Drop(w) }))
	tls.EnableHTTP2 = true
	tls.Config.ErrorLog = log.New(io.Discard, "", 0) // the abort is logged
	tls.StartTLS()
	defer tls.Close()
	resp, err = tls.Client().Get(tls.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a dropped HTTP/2 call answered HTTP %d (proto %s)", resp.StatusCode, resp.Proto)
	}
}
