package rotatefn

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/regmint/regmint/internal/lambdatest"
)

// runtimeAPI is the loopback Lambda Runtime API (core/lambdatest) a test's
// bootstrap talks to, with helpers that fail the test.
type runtimeAPI struct{ *lambdatest.Server }

func newRuntimeAPI(t *testing.T) *runtimeAPI {
	t.Helper()
	a := &runtimeAPI{lambdatest.New()}
	t.Cleanup(a.Close)
	return a
}

// invoke queues a scheduled event with a deadline timeout from now and
// waits for what the runtime posts.
func (a *runtimeAPI) invoke(t *testing.T, timeout time.Duration) lambdatest.Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout+10*time.Second)
	defer cancel()
	o, err := a.Invoke(ctx, lambdatest.ScheduledEvent(), timeout)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// waitInitError waits for an init error.
func (a *runtimeAPI) waitInitError(t *testing.T) lambdatest.Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	o, err := a.InitError(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return o
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
	p := &lambdaProcess{cmd: exec.Command(bootstrap), stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Env = envList(merge(api.Env(), env))
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
