//go:build regmintprof

package rotatefn

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"
)

// envCPUProfile names where a build with -tags regmintprof writes the CPU
// profile of each invocation: <value>.<unix nanoseconds>.pprof. The tag is
// for analysis only: the bootstrap users deploy is built without it.
const envCPUProfile = "REGMINT_CPUPROFILE"

// startPassProfile starts a CPU profile of one pass and returns what stops
// it; a failure to write it is printed to stderr, the pass goes on.
func startPassProfile() func() {
	base := os.Getenv(envCPUProfile)
	if base == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s.%d.pprof", base, time.Now().UnixNano()))
	if err != nil {
		fmt.Fprintf(os.Stderr, "regmint rotate: cpu profile: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "regmint rotate: cpu profile: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
