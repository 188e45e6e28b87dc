package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/regmint/regmint/core/tcr/tcrtest"
)

// TestRegistriesInput: one step mints a long-term credential for each of
// two TCR instances, sets the per-instance outputs and one docker-config
// holding both logins, and its post step revokes both tokens.
func TestRegistriesInput(t *testing.T) {
	t.Parallel()
	emu := tcrtest.New()
	t.Cleanup(emu.Close)
	a, b := emu.AddInstance("ap-guangzhou"), emu.AddInstance("ap-guangzhou")
	key := emu.AddKey()
	inputs := map[string]string{
		"provider": "tcr", "region": "ap-guangzhou", "registries": a.ID + ", " + b.ID, "token-type": "longterm",
		"api-endpoint": emu.URL, "access-key-id": key.ID, "access-key-secret": key.Secret,
	}
	res := runStep(t, false, inputs, nil)
	if res.exitCode != 0 {
		t.Fatalf("step failed (%d):\n%s\n%s", res.exitCode, res.stdout, res.stderr)
	}
	if _, ok := res.outputs[outputRegistry]; ok {
		t.Errorf("two registries set the single registry output %q", res.outputs[outputRegistry])
	}
	var secrets []string
	var pairs []string
	for _, inst := range []tcrtest.Instance{a, b} {
		out := map[string]string{}
		for _, name := range []string{outputRegistry, outputUsername, outputPassword, outputExpiresAt, outputTokenID} {
			v, ok := res.outputs[name+"-"+inst.ID]
			if !ok {
				t.Fatalf("no output %s-%s: %v", name, inst.ID, res.outputs)
			}
			out[name] = v
		}
		if out[outputRegistry] != inst.Registry || out[outputTokenID] == "" {
			t.Errorf("%s: registry %q token %q, want %q and a token", inst.ID, out[outputRegistry], out[outputTokenID], inst.Registry)
		}
		if !loginOK(out) {
			t.Errorf("%s: the registry refuses the password output", inst.ID)
		}
		checkMasks(t, res, out[outputPassword], res.outputs[outputDockerConfig])
		secrets = append(secrets, out[outputPassword])
		pairs = append(pairs, inst.ID+"="+out[outputTokenID])
	}
	var dc struct {
		Auths map[string]json.RawMessage `json:"auths"`
	}
	if err := json.Unmarshal([]byte(res.outputs[outputDockerConfig]), &dc); err != nil || dc.Auths[a.Registry] == nil || dc.Auths[b.Registry] == nil {
		t.Errorf("docker-config does not hold both registries: %v", err)
	}
	if got, want := res.state[stateTokenIDs], strings.Join(pairs, ","); got != want {
		t.Fatalf("state %s = %q, want %q", stateTokenIDs, got, want)
	}
	checkNoLeaks(t, res, append(secrets, key.Secret))

	post := runStep(t, true, inputs, map[string]string{"STATE_" + stateTokenIDs: res.state[stateTokenIDs]})
	if post.exitCode != 0 {
		t.Fatalf("post step failed:\n%s\n%s", post.stdout, post.stderr)
	}
	for _, inst := range []tcrtest.Instance{a, b} {
		out := map[string]string{outputRegistry: res.outputs[outputRegistry+"-"+inst.ID], outputUsername: res.outputs[outputUsername+"-"+inst.ID], outputPassword: res.outputs[outputPassword+"-"+inst.ID]}
		if loginOK(out) {
			t.Errorf("%s: the registry still accepts the long-term token after the post step", inst.ID)
		}
	}
	if n := strings.Count(post.stdout, "revoked long-term token "); n != 2 {
		t.Errorf("post step revoked %d tokens, want 2:\n%s", n, post.stdout)
	}

	// A hostile state is refused whole: nothing is revoked or printed.
	bad := runStep(t, true, inputs, map[string]string{"STATE_" + stateTokenIDs: a.ID + "=tok\n::warning::x"})
	if bad.exitCode == 0 || strings.Contains(bad.stdout, "::warning::x") {
		t.Errorf("a hostile state: exit %d\n%s", bad.exitCode, bad.stdout)
	}
}
