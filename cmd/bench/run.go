package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
)

// run runs the sections o asks for and prints each table as it is done.
func run(ctx context.Context, out io.Writer, o options) error {
	fmt.Fprintf(out, "regmint bench: %s/%s, %d CPUs (%s), %s; loopback emulators on 127.0.0.1 only\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), runtime.Version())
	for _, bin := range []struct{ flag, path string }{{"-action", o.action}, {"-helper", o.helper}, {"-bootstrap", o.bootstrap}, {"-spawn", o.spawn}} {
		if _, err := os.Stat(bin.path); err != nil {
			return fmt.Errorf("%s %s: %w (make bench builds it)", bin.flag, bin.path, err)
		}
	}
	fmt.Fprintf(out, "load average at start: %s (others' work on this machine makes wall times noisy: compare ratios)\n", loadAverage())
	defer func() { fmt.Fprintf(out, "\nload average at end: %s\n", loadAverage()) }()
	if floor, err := runProc(ctx, o.spawn, "/bin/true", nil, []string{"PATH=/usr/bin:/bin"}, nil); err == nil {
		fmt.Fprintf(out, "peak RSS is each command's ru_maxrss under the spawn helper, whose own %s it cannot read below\n", mb(floor.maxRSS))
	}
	type step struct {
		name string
		fn   func() (*section, error)
	}
	for _, st := range []step{
		{"action", func() (*section, error) { return benchAction(ctx, o) }},
		{"helper", func() (*section, error) { return benchHelper(ctx, o) }},
		{"rotate", func() (*section, error) { return benchRotate(ctx, o) }},
		{"sizes", func() (*section, error) { return benchSizes(o) }},
		{"cold", func() (*section, error) { return benchCold(ctx, o) }},
	} {
		if !o.only[st.name] {
			continue
		}
		s, err := st.fn()
		if err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		s.print(out)
	}
	return nil
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAverage is the 1, 5 and 15 minute load average of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
