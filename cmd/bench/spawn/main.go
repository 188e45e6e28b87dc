// Command spawn runs one command, with the environment, standard input and
// output it was given, and writes its start time, wall time, CPU time, exit
// status and peak RSS as one JSON line to file descriptor 3. SIGTERM or an
// interrupt kills the command (and is reported as exit -1).
//
// The bench harness starts every measured command through it, so that
// ru_maxrss is the command's own: a child that a Go program starts shares
// the parent's memory until it executes (vfork), and Linux counts the
// parent's peak RSS into the child's. This program is small, so its own
// peak (which the same rule counts in) stays below any command measured.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

// report is what is written to fd 3.
type report struct {
	StartedUnixNano int64 `json:"started_unix_nano"`
	WallNanos       int64 `json:"wall_ns"`
	CPUNanos        int64 `json:"cpu_ns"` // user + system
	MaxRSSKiB       int64 `json:"maxrss_kib"`
	Exit            int   `json:"exit"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: spawn COMMAND [ARG...] 3>REPORT")
		os.Exit(2)
	}
	out := os.NewFile(3, "report")
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "spawn:", err)
		os.Exit(127)
	}
	go func() { <-stop; cmd.Process.Kill() }()
	cmd.Wait()
	wall := time.Since(start)
	r := report{StartedUnixNano: start.UnixNano(), WallNanos: int64(wall), Exit: cmd.ProcessState.ExitCode()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSSKiB = ru.Maxrss // KiB on Linux
		r.CPUNanos = ru.Utime.Nano() + ru.Stime.Nano()
	}
	if err := json.NewEncoder(out).Encode(r); err != nil {
		fmt.Fprintln(os.Stderr, "spawn: report:", err)
		os.Exit(1)
	}
}
