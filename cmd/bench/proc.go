package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// procRun is one finished child process, as the spawn helper measured it.
type procRun struct {
	started time.Time     // just before the command was started
	wall    time.Duration // from then to the end of its wait
	cpu     time.Duration // user + system CPU time
	maxRSS  int64         // its peak resident set size in bytes (ru_maxrss)
	exit    int           // -1 when killed
	stdout  []byte
	stderr  []byte
}

// spawnReport is the spawn helper's JSON line (cmd/bench/spawn).
type spawnReport struct {
	StartedUnixNano int64 `json:"started_unix_nano"`
	WallNanos       int64 `json:"wall_ns"`
	CPUNanos        int64 `json:"cpu_ns"`
	MaxRSSKiB       int64 `json:"maxrss_kib"`
	Exit            int   `json:"exit"`
}

// child is a command running under the spawn helper. Measuring through
// the helper keeps this process's own peak RSS, which Linux counts into a
// child that a Go program starts, out of the figure.
type child struct {
	cmd    *exec.Cmd
	report *os.File
	done   chan struct{}
	err    error
}

// startChild starts path with args under the spawn helper with exactly env
// and the given standard streams (nil: /dev/null).
func startChild(spawn, path string, args, env []string, stdin io.Reader, stdout, stderr io.Writer) (*child, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	c := &child{cmd: exec.Command(spawn, append([]string{path}, args...)...), report: r, done: make(chan struct{})}
	c.cmd.Env = env
	c.cmd.Stdin, c.cmd.Stdout, c.cmd.Stderr = stdin, stdout, stderr
	c.cmd.ExtraFiles = []*os.File{w}
	err = c.cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	return c, nil
}

// exited reports whether the helper (and so the command) has ended.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// kill ends the command (the helper kills it and reports).
func (c *child) kill() { c.cmd.Process.Signal(syscall.SIGTERM) }

// wait waits for the command's end and returns what the helper measured.
func (c *child) wait(ctx context.Context) (procRun, error) {
	select {
	case <-c.done:
	case <-ctx.Done():
		c.kill()
		<-c.done
	}
	defer c.report.Close()
	var rep spawnReport
	if err := json.NewDecoder(c.report).Decode(&rep); err != nil {
		return procRun{}, fmt.Errorf("the spawn helper reported nothing (%v): %w", c.err, err)
	}
	return procRun{started: time.Unix(0, rep.StartedUnixNano), wall: time.Duration(rep.WallNanos),
		cpu: time.Duration(rep.CPUNanos), maxRSS: rep.MaxRSSKiB * 1024, exit: rep.Exit}, ctx.Err()
}

// runProc runs path with args, exactly env and stdin under the spawn
// helper, and returns its measure and output.
func runProc(ctx context.Context, spawn, path string, args, env []string, stdin []byte) (procRun, error) {
	var stdout, stderr bytes.Buffer
	var in io.Reader
	if stdin != nil {
		in = bytes.NewReader(stdin)
	}
	c, err := startChild(spawn, path, args, env, in, &stdout, &stderr)
	if err != nil {
		return procRun{}, err
	}
	res, err := c.wait(ctx)
	res.stdout, res.stderr = stdout.Bytes(), stderr.Bytes()
	if err != nil {
		return res, fmt.Errorf("run %s: %w", path, err)
	}
	return res, nil
}

// tail returns the last n bytes of b, for error messages.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(bytes.TrimSpace(b))
}

// limitedBuffer keeps the last bytes written to it (a child's stderr, for
// errors), up to max.
type limitedBuffer struct {
	max int
	b   []byte
}

var _ io.Writer = (*limitedBuffer)(nil)

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.b = append(l.b, p...)
	if len(l.b) > l.max {
		l.b = l.b[len(l.b)-l.max:]
	}
	return len(p), nil
}

// commandCPU returns the user+system CPU time the command under the spawn
// helper has used so far, from /proc (Linux; clock ticks of 10 ms).
func (c *child) commandCPU() (time.Duration, error) {
	// The helper (a Go program) may have started the command from any of
	// its threads.
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", c.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	var f [][]byte
	for _, t := range tasks {
		if b, err := os.ReadFile(t); err == nil {
			f = append(f, bytes.Fields(b)...)
		}
	}
	if len(f) == 0 {
		return 0, fmt.Errorf("the spawn helper has no child")
	}
	stat, err := os.ReadFile("/proc/" + string(f[0]) + "/stat")
	if err != nil {
		return 0, err
	}
	// Fields after the command name in parentheses: state is field 3,
	// utime 14 and stime 15.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("cannot read /proc/%s/stat", f[0])
	}
	rest := bytes.Fields(stat[i+1:])
	if len(rest) < 13 {
		return 0, fmt.Errorf("cannot read /proc/%s/stat", f[0])
	}
	var ut, st int64
	if _, err := fmt.Sscan(string(rest[11])+" "+string(rest[12]), &ut, &st); err != nil {
		return 0, err
	}
	const ticksPerSecond = 100 // USER_HZ
	return time.Duration(ut+st) * time.Second / ticksPerSecond, nil
}
