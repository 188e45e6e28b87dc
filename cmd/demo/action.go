package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/regmint/regmint/core/swr/swrtest"
	"github.com/regmint/regmint/core/tcr/tcrtest"
	"github.com/regmint/regmint/internal/runnerfile"
)

// demoAction runs the compiled GitHub Action as the runner runs a container
// action (inputs as INPUT_* variables, file commands through GITHUB_OUTPUT,
// GITHUB_STATE and GITHUB_STEP_SUMMARY), shows its log the way the runner
// shows it (masked values as ***), its outputs and its post step.
func demoAction(ctx context.Context, p *printer, bin string) error {
	tc := tcrtest.New()
	defer func() { p.secrets(tc.Secrets()...); tc.Close() }()
	tinst := tc.AddInstance("ap-guangzhou")
	key := tc.AddKey()
	hw := swrtest.New()
	defer func() { p.secrets(hw.Secrets()...); hw.Close() }()
	acct := hw.NewAccount(swrtest.InRegions("cn-north-4"))
	hinst := hw.NewInstance(acct, "cn-north-4")

	p.f("")
	p.f("GitHub Action, run as the runner runs it (INPUT_* variables; GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY files)")
	steps := []struct {
		title  string
		inputs map[string]string
	}{
		{"uses: regmint/regmint with provider tcr, token-type longterm, access keys from secrets", map[string]string{
			"provider": "tcr", "region": tinst.Region, "instance-id": tinst.ID, "token-type": "longterm", "api-endpoint": tc.URL,
			"access-key-id": key.ID, "access-key-secret": key.Secret}},
		{"uses: regmint/regmint with provider swr-enterprise, IAM password from secrets", map[string]string{
			"provider": "swr-enterprise", "region": "cn-north-4", "instance-id": hinst.ID, "api-endpoint": hw.SWRURL, "iam-endpoint": hw.IAMURL,
			"iam-user": acct.UserName, "iam-password": acct.Password, "iam-domain": acct.DomainName}},
	}
	for _, s := range steps {
		p.f("  %s", s.title)
		res, err := runActionStep(ctx, bin, false, s.inputs, nil)
		if err != nil {
			return err
		}
		for _, l := range res.log {
			p.f("    | %s", l)
		}
		names := make([]string, 0, len(res.outputs))
		for k := range res.outputs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			p.f("    outputs.%-13s = %s", k, res.outputs[k])
		}
		if res.exit != 0 {
			return fmt.Errorf("the action failed (exit %d)", res.exit)
		}
		if id := res.state["token_id"]; id != "" {
			post, err := runActionStep(ctx, bin, true, s.inputs, map[string]string{"STATE_token_id": id})
			if err != nil {
				return err
			}
			p.f("  post step (regmint-action-post), when the job ends:")
			for _, l := range post.log {
				p.f("    | %s", l)
			}
			if post.exit != 0 {
				return fmt.Errorf("the action's post step failed (exit %d)", post.exit)
			}
		}
	}
	return nil
}

// actionResult is what a runner shows of one step.
type actionResult struct {
	exit    int
	log     []string // stdout and stderr, masked values replaced by ***
	outputs map[string]string
	state   map[string]string
}

func runActionStep(ctx context.Context, bin string, post bool, inputs, env map[string]string) (actionResult, error) {
	dir, err := os.MkdirTemp("", "regmint-demo-step-")
	if err != nil {
		return actionResult{}, err
	}
	defer os.RemoveAll(dir)
	exe := bin
	if post {
		exe = filepath.Join(dir, "regmint-action-post")
		abs, err := filepath.Abs(bin)
		if err != nil {
			return actionResult{}, err
		}
		if err := os.Symlink(abs, exe); err != nil {
			return actionResult{}, err
		}
	}
	files := map[string]string{}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = []string{"HOME=" + dir, "PATH=/usr/bin:/bin", "GITHUB_REPOSITORY=regmint/demo"}
	for _, k := range []string{"GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY"} {
		files[k] = filepath.Join(dir, strings.ToLower(k))
		if err := os.WriteFile(files[k], nil, 0o600); err != nil {
			return actionResult{}, err
		}
		cmd.Env = append(cmd.Env, k+"="+files[k])
	}
	for k, v := range inputs {
		cmd.Env = append(cmd.Env, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	res := actionResult{}
	if ee, ok := err.(*exec.ExitError); ok {
		res.exit = ee.ExitCode()
	} else if err != nil {
		return res, fmt.Errorf("run the action: %w", err)
	}
	res.log = runnerLog(string(out))
	for k, dst := range map[string]*map[string]string{"GITHUB_OUTPUT": &res.outputs, "GITHUB_STATE": &res.state} {
		b, err := os.ReadFile(files[k])
		if err != nil {
			return res, err
		}
		if *dst, err = runnerfile.Parse(string(b)); err != nil {
			return res, fmt.Errorf("%s: %w", k, err)
		}
	}
	masks := maskValues(string(out))
	for k, v := range res.outputs {
		res.outputs[k] = applyMasks(v, masks)
	}
	return res, nil
}

// runnerLog renders a step's output as the runner's log shows it: mask
// commands hidden, every masked value replaced by ***.
func runnerLog(out string) []string {
	masks := maskValues(out)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if strings.HasPrefix(l, "::add-mask::") {
			continue
		}
		lines = append(lines, applyMasks(l, masks))
	}
	return lines
}

func maskValues(out string) []string {
	var masks []string
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "::add-mask::"); ok && v != "" {
			masks = append(masks, v)
		}
	}
	// Longest first, so a value containing another is masked whole.
	sort.Slice(masks, func(i, j int) bool { return len(masks[i]) > len(masks[j]) })
	return masks
}

func applyMasks(s string, masks []string) string {
	for _, m := range masks {
		s = strings.ReplaceAll(s, m, "***")
	}
	return s
}
