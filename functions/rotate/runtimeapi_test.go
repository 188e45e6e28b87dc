package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// functionARN is the ARN the loopback Runtime API says was invoked.
const functionARN = "arn:aws:lambda:us-east-1:123456789012:function:regmint-rotate"

// runtimeAPI is a loopback implementation of the Lambda Runtime API
// (version 2018-06-01) as a custom runtime sees it: GET .../invocation/next
// blocks until an event is queued and answers it with the invocation
// headers; the runtime posts .../invocation/{id}/response or .../error, or
// /runtime/init/error when it cannot start.
type runtimeAPI struct {
	srv   *httptest.Server
	queue chan invocation
	done  chan struct{}

	mu      sync.Mutex
	waiting map[string]chan outcome
	initErr chan outcome
	nexts   int
}

// invocation is one queued event.
type invocation struct {
	id       string
	event    []byte
	deadline time.Time
}

// outcome is what the runtime posted for an invocation (or its init).
type outcome struct {
	// kind is "response", "error" or "init-error".
	kind string
	body []byte
	// errorType is the Lambda-Runtime-Function-Error-Type header.
	errorType string
}

func newRuntimeAPI(t *testing.T) *runtimeAPI {
	t.Helper()
	a := &runtimeAPI{queue: make(chan invocation, 8), done: make(chan struct{}),
		waiting: map[string]chan outcome{}, initErr: make(chan outcome, 1)}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(func() { close(a.done); a.srv.Close() })
	return a
}

// Addr is what AWS_LAMBDA_RUNTIME_API holds: host:port.
func (a *runtimeAPI) Addr() string { return strings.TrimPrefix(a.srv.URL, "http://") }

const runtimePrefix = "/2018-06-01/runtime/"

func (a *runtimeAPI) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, runtimePrefix)
	switch {
	case r.Method == http.MethodGet && path == "invocation/next":
		a.next(w, r)
	case r.Method == http.MethodPost && path == "init/error":
		a.post(w, r, a.initErr, "init-error")
	case r.Method == http.MethodPost && strings.HasPrefix(path, "invocation/"):
		rest := strings.TrimPrefix(path, "invocation/")
		id, kind, ok := strings.Cut(rest, "/")
		a.mu.Lock()
		ch := a.waiting[id]
		a.mu.Unlock()
		if !ok || ch == nil || (kind != "response" && kind != "error") {
			http.Error(w, `{"errorMessage":"unknown invocation","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
		a.post(w, r, ch, kind)
	default:
		http.NotFound(w, r)
	}
}

func (a *runtimeAPI) next(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.nexts++
	a.mu.Unlock()
	select {
	case inv := <-a.queue:
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", functionARN)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-"+strconv.FormatInt(time.Now().Unix(), 16)+"-"+randHex(12)+";Parent="+randHex(8)+";Sampled=0")
		w.Write(inv.event)
	case <-r.Context().Done():
	case <-a.done:
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

func (a *runtimeAPI) post(w http.ResponseWriter, r *http.Request, ch chan outcome, kind string) {
	body, _ := io.ReadAll(r.Body)
	select {
	case ch <- outcome{kind: kind, body: body, errorType: r.Header.Get("Lambda-Runtime-Function-Error-Type")}:
	default:
	}
	w.WriteHeader(http.StatusAccepted)
	w.Write([]byte(`{"status":"OK"}`))
}

// invoke queues a scheduled event with a deadline timeout from now and
// waits for what the runtime posts.
func (a *runtimeAPI) invoke(t *testing.T, timeout time.Duration) outcome {
	t.Helper()
	inv := invocation{id: newRequestID(), event: scheduledEvent(t), deadline: time.Now().Add(timeout)}
	ch := make(chan outcome, 1)
	a.mu.Lock()
	a.waiting[inv.id] = ch
	a.mu.Unlock()
	a.queue <- inv
	select {
	case o := <-ch:
		return o
	case <-time.After(timeout + 10*time.Second):
		t.Fatalf("invocation %s: no response or error from the runtime", inv.id)
	}
	return outcome{}
}

// waitInitError waits for an init error.
func (a *runtimeAPI) waitInitError(t *testing.T) outcome {
	t.Helper()
	select {
	case o := <-a.initErr:
		return o
	case <-time.After(30 * time.Second):
		t.Fatal("no init error posted")
	}
	return outcome{}
}

// scheduledEvent is an event as EventBridge delivers it for a SAM
// Type: Schedule rule.
func scheduledEvent(t *testing.T) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"version":     "0",
		"id":          newRequestID(),
		"detail-type": "Scheduled Event",
		"source":      "aws.events",
		"account":     "123456789012",
		"time":        time.Now().UTC().Truncate(time.Second).Format(time.RFC3339),
		"region":      "us-east-1",
		"resources":   []string{"arn:aws:events:us-east-1:123456789012:rule/regmint-RotateFunctionSchedule-1A2B3C4D5E6F"},
		"detail":      map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func randHex(n int) string {
	b := make([]byte, (n+1)/2)
	rand.Read(b)
	return hex.EncodeToString(b)[:n]
}

func newRequestID() string {
	h := randHex(32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// lambdaProcess is the binary running as Lambda runs it.
type lambdaProcess struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	exited         chan struct{}
}

// startLambda starts the binary against the Runtime API with exactly env
// (plus what Lambda sets for every function); it is killed when the test
// ends, as the runtime loop never returns.
func startLambda(t *testing.T, api *runtimeAPI, env map[string]string) *lambdaProcess {
	t.Helper()
	lambdaEnv := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          api.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME":        "regmint-rotate",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"LAMBDA_TASK_ROOT":                "/var/task",
		"TZ":                              ":UTC",
	}
	p := &lambdaProcess{cmd: exec.Command(bootstrap), stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Env = envList(merge(lambdaEnv, env))
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// waitExit waits for the process to end by itself and returns its status.
func (p *lambdaProcess) waitExit(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(30 * time.Second):
		t.Fatal("the process did not exit")
	}
	return 0
}
