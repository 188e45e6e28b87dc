// Package lambdatest runs a loopback AWS Lambda Runtime API (version
// 2018-06-01) for tests and benchmarks of a custom runtime: a "bootstrap"
// binary for provided.al2023, started with AWS_LAMBDA_RUNTIME_API pointing
// at the Server.
//
// The Server serves events queued with Invoke or Enqueue to the runtime's
// GET .../runtime/invocation/next (which blocks until one is queued), with
// the invocation headers Lambda sends, and records what the runtime posts
// back: .../invocation/{id}/response, .../invocation/{id}/error, or
// /runtime/init/error when it cannot start. It timestamps the first
// "next" request, which is where a cold start ends.
package lambdatest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Identity of the emulated function.
const (
	// FunctionName is AWS_LAMBDA_FUNCTION_NAME.
	FunctionName = "regmint-rotate"
	// FunctionARN is the ARN the Runtime API says was invoked.
	FunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:" + FunctionName
)

// Kinds of Outcome.
const (
	KindResponse  = "response"
	KindError     = "error"
	KindInitError = "init-error"
)

// Outcome is what the runtime posted for an invocation, or for its init.
type Outcome struct {
	// Kind is KindResponse, KindError or KindInitError.
	Kind string
	// Body is the posted body: the handler's answer, or the error document
	// ({"errorMessage": ..., "errorType": ...}).
	Body []byte
	// ErrorType is the Lambda-Runtime-Function-Error-Type header.
	ErrorType string
}

// Server is a running Runtime API. Close it when done; all methods are safe
// for concurrent use.
type Server struct {
	srv       *httptest.Server
	queue     chan invocation
	done      chan struct{}
	closeOnce sync.Once
	firstNext chan struct{}

	mu          sync.Mutex
	waiting     map[string]chan Outcome
	initErr     chan Outcome
	nexts       int
	firstNextAt time.Time
}

// invocation is one queued event.
type invocation struct {
	id       string
	event    []byte
	deadline time.Time
}

// runtimePrefix is the path prefix of every Runtime API call.
const runtimePrefix = "/2018-06-01/runtime/"

// New starts a Server on a loopback port.
func New() *Server {
	s := &Server{queue: make(chan invocation, 64), done: make(chan struct{}), firstNext: make(chan struct{}),
		waiting: map[string]chan Outcome{}, initErr: make(chan Outcome, 1)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close releases any runtime waiting for an event (it is answered HTTP
// 503) and shuts the server down.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// Addr is what AWS_LAMBDA_RUNTIME_API holds: host:port.
func (s *Server) Addr() string { return strings.TrimPrefix(s.srv.URL, "http://") }

// Env returns the environment Lambda gives a provided.al2023 function
// that uses this Server (AWS_LAMBDA_RUNTIME_API and the function's
// settings, 128 MB, TZ=:UTC), without AWS credentials or region.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          s.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME":        FunctionName,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"LAMBDA_TASK_ROOT":                "/var/task",
		"TZ":                              ":UTC",
	}
}

// Enqueue queues event with the given deadline (Lambda-Runtime-Deadline-Ms)
// and returns its request id and the channel that receives what the
// runtime posts for it. It blocks while 64 events are waiting.
func (s *Server) Enqueue(event []byte, deadline time.Time) (id string, outcome <-chan Outcome) {
	inv := invocation{id: NewRequestID(), event: event, deadline: deadline}
	ch := make(chan Outcome, 1)
	s.mu.Lock()
	s.waiting[inv.id] = ch
	s.mu.Unlock()
	s.queue <- inv
	return inv.id, ch
}

// Invoke queues event with a deadline timeout from now and waits for what
// the runtime posts, or for ctx to end.
func (s *Server) Invoke(ctx context.Context, event []byte, timeout time.Duration) (Outcome, error) {
	id, ch := s.Enqueue(event, time.Now().Add(timeout))
	select {
	case o := <-ch:
		return o, nil
	case <-ctx.Done():
		return Outcome{}, fmt.Errorf("invocation %s: no response or error from the runtime: %w", id, ctx.Err())
	}
}

// InitError waits for the runtime to post an init error, or for ctx to end.
func (s *Server) InitError(ctx context.Context) (Outcome, error) {
	select {
	case o := <-s.initErr:
		return o, nil
	case <-ctx.Done():
		return Outcome{}, fmt.Errorf("no init error posted: %w", ctx.Err())
	}
}

// FirstNext waits for the runtime's first GET .../invocation/next, the end
// of its cold start, and returns when it arrived; or an error when ctx
// ends first.
func (s *Server) FirstNext(ctx context.Context) (time.Time, error) {
	select {
	case <-s.firstNext:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.firstNextAt, nil
	case <-ctx.Done():
		return time.Time{}, fmt.Errorf("the runtime never asked for an event: %w", ctx.Err())
	}
}

// Nexts returns how many GET .../invocation/next requests arrived.
func (s *Server) Nexts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nexts
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, runtimePrefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		s.next(w, r)
	case r.Method == http.MethodPost && path == "init/error":
		s.post(w, r, s.initErr, KindInitError)
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		id, kind, ok := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		s.mu.Lock()
		ch := s.waiting[id]
		s.mu.Unlock()
		if !ok || ch == nil || (kind != KindResponse && kind != KindError) {
			http.Error(w, `{"errorMessage":"unknown invocation","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
		s.post(w, r, ch, kind)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.mu.Lock()
	s.nexts++
	if s.nexts == 1 {
		s.firstNextAt = now
		close(s.firstNext)
	}
	s.mu.Unlock()
	select {
	case inv := <-s.queue:
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", FunctionARN)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+strconv.FormatInt(time.Now().Unix(), 16)+"-"+randHex(24)+";Parent="+randHex(16)+";Sampled=0")
		w.Write(inv.event)
	case <-r.Context().Done():
	case <-s.done:
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

func (s *Server) post(w http.ResponseWriter, r *http.Request, ch chan Outcome, kind string) {
	body, _ := io.ReadAll(r.Body)
	select {
	case ch <- Outcome{Kind: kind, Body: body, ErrorType: r.Header.Get("Lambda-Runtime-Function-Error-Type")}:
	default:
	}
	w.WriteHeader(http.StatusAccepted)
	w.Write([]byte(`{"status":"OK"}`))
}

// ScheduledEvent returns an event as EventBridge delivers it for a SAM
// Type: Schedule rule, timed now.
func ScheduledEvent() []byte {
	b, err := json.Marshal(map[string]any{
		"version":     "0",
		"id":          NewRequestID(),
		"detail-type": "Scheduled Event",
		"source":      "aws.events",
		"account":     "123456789012",
		"time":        time.Now().UTC().Truncate(time.Second).Format(time.RFC3339),
		"region":      "us-east-1",
		"resources":   []string{"arn:aws:events:us-east-1:123456789012:rule/regmint-RotateFunctionSchedule-1A2B3C4D5E6F"},
		"detail":      map[string]any{},
	})
	if err != nil { // strings and maps of strings always marshal
		panic(err)
	}
	return b
}

// NewRequestID returns a random request id shaped like AWS's (a UUID).
func NewRequestID() string {
	h := randHex(32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randHex(n int) string {
	b := make([]byte, (n+1)/2)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}
