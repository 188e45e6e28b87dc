package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/regmint/regmint/core/tcr"
)

// helperRun is one docker-credential-regmint process: `get` for the
// instance's registry, with the cache in cacheDir.
func (w *actionWorld) runHelper(ctx context.Context, spawn, bin, dir, cacheDir string) (procRun, error) {
	env := []string{
		"HOME=" + dir, "PATH=/usr/bin:/bin", "REGMINT_HELPER_CONFIG=" + filepath.Join(dir, "helper.yaml"),
		"XDG_CACHE_HOME=" + cacheDir, tcr.EnvSecretID + "=" + w.key.ID, tcr.EnvSecretKey + "=" + w.key.Secret,
	}
	res, err := runProc(ctx, spawn, bin, []string{"get"}, env, []byte(w.inst.Registry))
	if err != nil {
		return res, err
	}
	if res.exit != 0 {
		return res, fmt.Errorf("the helper exited %d: %s", res.exit, lastLine(res.stdout))
	}
	var c struct{ ServerURL, Username, Secret string }
	if err := json.Unmarshal(res.stdout, &c); err != nil || c.Secret == "" {
		return res, fmt.Errorf("the helper answered no credential for %s", w.inst.Registry)
	}
	return res, nil
}

// benchHelper measures docker-credential-regmint's `get`: cold (an empty
// cache: CreateInstanceToken, then the registry's Bearer login, then the
// cache write), interleaved with the floor of those calls (the Action
// bench's curl floor: the same three HTTP calls), and from the cache (no
// call at all), against the 5 ms goal.
func benchHelper(ctx context.Context, o options) (*section, error) {
	s := &section{title: fmt.Sprintf("docker-credential-regmint get: tcr, env keys, registry given; %d cold gets interleaved with the floor, %d gets from the cache", o.runs, o.runs)}
	w := newActionWorld()
	defer w.tcr.Close()
	dir, err := os.MkdirTemp("", "regmint-bench-helper-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	doc := fmt.Sprintf("targets:\n  - {name: bench, provider: tcr, region: %s, instance-id: %s, registry: %q, api-endpoint: %q}\n",
		w.inst.Region, w.inst.ID, w.inst.Registry, w.tcr.URL)
	if err := os.WriteFile(filepath.Join(dir, "helper.yaml"), []byte(doc), 0o600); err != nil {
		return nil, err
	}
	curl := o.curl
	if curl == "" {
		curl, _ = exec.LookPath("curl")
	}
	var fl *floor
	if curl == "" {
		s.note("curl is not installed: no floor measured (apt-get install curl)")
	} else if fl, err = newFloor(ctx, o.spawn, curl, w); err != nil {
		return nil, err
	}
	var cold, flo, cached []time.Duration
	var rss []int64
	for i := -1; i < o.runs; i++ {
		steps := []func() error{
			func() error {
				r, err := w.runHelper(ctx, o.spawn, o.helper, dir, filepath.Join(dir, fmt.Sprintf("cold-%d", i+1)))
				if err == nil && i >= 0 {
					cold, rss = append(cold, r.wall), append(rss, r.maxRSS)
				}
				return err
			},
			func() error {
				if fl == nil {
					return nil
				}
				r, err := fl.run(ctx)
				if err == nil && i >= 0 {
					flo = append(flo, r.wall)
				}
				return err
			},
		}
		if i%2 != 0 {
			steps[0], steps[1] = steps[1], steps[0]
		}
		for _, st := range steps {
			if err := st(); err != nil {
				return nil, err
			}
		}
	}
	warm := filepath.Join(dir, "warm")
	if _, err := w.runHelper(ctx, o.spawn, o.helper, dir, warm); err != nil {
		return nil, err
	}
	calls := w.tcr.Calls("")
	for range o.runs {
		r, err := w.runHelper(ctx, o.spawn, o.helper, dir, warm)
		if err != nil {
			return nil, err
		}
		cached = append(cached, r.wall)
	}
	if n := w.tcr.Calls("") - calls; n != 0 {
		return nil, fmt.Errorf("gets from the cache made %d API calls", n)
	}
	// What any run of the binary costs before it does anything: the
	// process start of /bin/true, and the helper's start-up (-version).
	var trueRuns, startRuns []time.Duration
	for range o.runs {
		r, err := runProc(ctx, o.spawn, "/bin/true", nil, []string{"PATH=/usr/bin:/bin"}, nil)
		if err != nil {
			return nil, err
		}
		trueRuns = append(trueRuns, r.wall)
		r, err = runProc(ctx, o.spawn, o.helper, []string{"-version"}, []string{"PATH=/usr/bin:/bin"}, nil)
		if err != nil {
			return nil, err
		}
		startRuns = append(startRuns, r.wall)
	}
	s.add(row{"get from the cache (whole process)", ms(median(cached)), ms(p90(cached)), "<= 5 ms", met(median(cached) <= 5*time.Millisecond)})
	s.add(row{"  of which start-up (the helper's -version)", ms(median(startRuns)), ms(p90(startRuns)), "", ""})
	s.add(row{"  a process that does nothing (/bin/true)", ms(median(trueRuns)), ms(p90(trueRuns)), "", ""})
	s.add(row{"cold get (whole process)", ms(median(cold)), ms(p90(cold)), "", ""})
	if fl != nil {
		s.add(row{"floor (curl) wall time", ms(median(flo)), ms(p90(flo)), "", ""})
		pairs := make([]float64, len(cold))
		for i := range cold {
			pairs[i] = float64(cold[i]) / float64(flo[i])
		}
		r := median(pairs)
		s.add(row{"cold get / floor (paired runs)", fmt.Sprintf("%.2fx", r), fmt.Sprintf("%.2fx", p90(pairs)), "<= 1.2x", met(r <= 1.2)})
	}
	s.add(row{"cold get peak RSS", mb(median(rss)), mb(p90(rss)), "", ""})
	return s, nil
}
