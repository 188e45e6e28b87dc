package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/regmint/regmint/core/registrytest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/runnerfile"
)

// actionWorld is the emulated TCR the Action and the floor talk to.
type actionWorld struct {
	tcr      *tcrtest.Server
	key      tcrtest.Key
	inst     tcrtest.Instance
	registry *registrytest.Server
}

func newActionWorld() *actionWorld {
	w := &actionWorld{tcr: tcrtest.New()}
	w.key = w.tcr.AddKey()
	w.inst = w.tcr.AddInstance("ap-guangzhou")
	w.registry = w.tcr.RegistryServer(w.inst.ID)
	return w
}

// runAction runs the Action binary once as the runner runs a container
// action: inputs as INPUT_* variables (provider tcr, access keys, the
// registry given, so one CreateInstanceToken call, then verification
// against the registry's Bearer realm), file commands in GITHUB_OUTPUT and
// GITHUB_STATE. It checks the step succeeded with a password output.
func (w *actionWorld) runAction(ctx context.Context, spawn, bin string) (procRun, error) {
	dir, err := os.MkdirTemp("", "regmint-bench-action-")
	if err != nil {
		return procRun{}, err
	}
	defer os.RemoveAll(dir)
	env := []string{"HOME=" + dir, "PATH=/usr/bin:/bin", "GITHUB_REPOSITORY=regmint/bench", "GITHUB_ACTIONS=true"}
	files := map[string]string{}
	for _, k := range []string{"GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY"} {
		files[k] = filepath.Join(dir, strings.ToLower(k))
		if err := os.WriteFile(files[k], nil, 0o600); err != nil {
			return procRun{}, err
		}
		env = append(env, k+"="+files[k])
	}
	for k, v := range map[string]string{
		"provider": "tcr", "region": w.inst.Region, "instance-id": w.inst.ID, "registry": w.inst.Registry,
		"api-endpoint": w.tcr.URL, "access-key-id": w.key.ID, "access-key-secret": w.key.Secret,
	} {
		env = append(env, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	before, _ := w.registry.Logins()
	res, err := runProc(ctx, spawn, bin, nil, env, nil)
	if err != nil {
		return res, err
	}
	if res.exit != 0 {
		return res, fmt.Errorf("the action exited %d: %s", res.exit, lastLine(res.stdout))
	}
	out, err := os.ReadFile(files["GITHUB_OUTPUT"])
	if err != nil {
		return res, err
	}
	outputs, err := runnerfile.Parse(string(out))
	if err != nil {
		return res, fmt.Errorf("GITHUB_OUTPUT: %w", err)
	}
	if outputs["password"] == "" || outputs["registry"] != w.inst.Registry {
		return res, fmt.Errorf("the action set no password output for %s", w.inst.Registry)
	}
	if after, _ := w.registry.Logins(); after != before+1 {
		return res, fmt.Errorf("the action logged in to the registry %d times, want once", after-before)
	}
	return res, nil
}

// lastLine is the last line of a step's log that is not a mask command (a
// masked value is not shown).
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if !strings.HasPrefix(lines[i], "::add-mask::") {
			return lines[i]
		}
	}
	return ""
}

// benchAction runs the Action and the floor interleaved (alternating which
// goes first, after one untimed run of each) and reports wall times, the
// ratio and the Action's peak RSS.
func benchAction(ctx context.Context, o options) (*section, error) {
	s := &section{title: fmt.Sprintf("GitHub Action: tcr, access keys, registry given (1 CreateInstanceToken, then GET /v2/ and the Bearer token realm); %d runs interleaved with the floor", o.runs)}
	w := newActionWorld()
	defer w.tcr.Close()
	curl := o.curl
	if curl == "" {
		curl, _ = exec.LookPath("curl")
	}
	var fl *floor
	if curl == "" {
		s.note("curl is not installed: no floor measured (apt-get install curl)")
	} else {
		f, err := newFloor(ctx, o.spawn, curl, w)
		if err != nil {
			return nil, err
		}
		fl = f
		s.note("floor: %s, one process, config on stdin, the 3 HTTP calls with --next", curlVersion(ctx, curl))
	}
	var act, flo, start []time.Duration
	var rss, floRSS []int64
	for i := -1; i < o.runs; i++ {
		steps := []func() error{
			func() error {
				r, err := w.runAction(ctx, o.spawn, o.action)
				if err == nil && i >= 0 {
					act, rss = append(act, r.wall), append(rss, r.maxRSS)
				}
				return err
			},
			func() error {
				if fl == nil {
					return nil
				}
				r, err := fl.run(ctx)
				if err == nil && i >= 0 {
					flo, floRSS = append(flo, r.wall), append(floRSS, r.maxRSS)
				}
				return err
			},
		}
		if i%2 != 0 {
			steps[0], steps[1] = steps[1], steps[0]
		}
		if fl != nil {
			steps = append(steps, func() error {
				r, err := runProc(ctx, o.spawn, curl, []string{"--version"}, []string{"PATH=/usr/bin:/bin"}, nil)
				if err == nil && i >= 0 {
					start = append(start, r.wall)
				}
				return err
			})
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return nil, err
			}
		}
	}
	s.add(row{"action wall time", ms(median(act)), ms(p90(act)), "", ""})
	if fl != nil {
		s.add(row{"floor (curl) wall time", ms(median(flo)), ms(p90(flo)), "", ""})
		s.add(row{"curl process alone (curl --version)", ms(median(start)), ms(p90(start)), "", ""})
		// Each run's ratio to the floor run next to it, so that load that
		// comes and goes weighs on both sides of a ratio alike.
		pairs := make([]float64, len(act))
		for i := range act {
			pairs[i] = float64(act[i]) / float64(flo[i])
		}
		r := median(pairs)
		s.add(row{"action / floor (paired runs)", fmt.Sprintf("%.2fx", r), fmt.Sprintf("%.2fx", p90(pairs)), "<= 1.5x", met(r <= 1.5)})
		o.figures.set("action_over_floor", r)
		s.note("ratio of the medians: %s", ratio(float64(median(act)), float64(median(flo))))
	}
	s.add(row{"action peak RSS", mb(median(rss)), mb(p90(rss)), "< 30 MB", met(p90(rss) < 30e6)})
	if fl != nil {
		s.add(row{"floor (curl) peak RSS", mb(median(floRSS)), mb(p90(floRSS)), "", ""})
	}
	return s, nil
}
