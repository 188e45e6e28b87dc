//go:build unix

package core_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuPerOp reports the process's CPU time (user + system) per operation as
// "cpu-ns/op" when the returned func is called after the loop: on a busy
// machine it moves far less than wall time. It counts every goroutine of
// the process, the loopback servers' too.
func cpuPerOp(b *testing.B) func() {
	start := processCPU()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
