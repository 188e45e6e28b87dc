package main

import (
	"encoding/json"
	"math"
	"os"
	"sync"
)

// figureKeys are the headline figures BENCH_JSON holds, exactly these
// keys; one a run did not measure is null.
var figureKeys = []string{
	"action_over_floor", "cold_start_ms", "bootstrap_mb",
	"fresh_1000_over_bound", "fresh_10000_over_bound", "rss_mb_10000",
	"cpu_ms_per_minted_target", "cpu_ms_per_idle_target",
	"sm_calls_per_idle_target", "sm_calls_per_written_secret", "failed_targets",
}

// figures collects the headline figures of a run.
type figures struct {
	mu sync.Mutex
	m  map[string]float64
}

func newFigures() *figures { return &figures{m: map[string]float64{}} }

// set records a figure; a key outside figureKeys is a programming error.
func (f *figures) set(key string, v float64) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[key] = v
}

// JSON renders the figures as one object with every key of figureKeys.
func (f *figures) JSON() ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]*float64, len(figureKeys))
	for _, k := range figureKeys {
		if v, ok := f.m[k]; ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			r := math.Round(v*1000) / 1000
			out[k] = &r
		} else {
			out[k] = nil
		}
	}
	return json.MarshalIndent(out, "", "  ")
}

// write writes the figures to path.
func (f *figures) write(path string) error {
	b, err := f.JSON()
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
