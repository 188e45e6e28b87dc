package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/internal/runnerfile"
)

// answerIssuer issues whatever credential an API answered.
type answerIssuer struct{ cred core.Credential }

func (i answerIssuer) Issue(context.Context) (core.Credential, error) { return i.cred, nil }

// FuzzIssueToOutputs feeds arbitrary API answers (every field of the
// credential an issuer returns) through the main step, from the issue to
// the runner's files and log, as the Action runs it (verification off: no
// network).
//
// Invariants (issue 12):
//   - no output or state name outside action.yml's outputs and the post
//     step's token_id, and the output file parses as the runner reads it;
//   - no stdout line starting with "::" other than the Action's own
//     commands, at most one ::error:: and one ::warning::;
//   - no secret (the password, its auth string, the access key secret) in
//     stdout outside ::add-mask::, in the summary or the state file;
//   - outputs are written only for a credential that passes Check, and
//     then hold exactly its values.
func FuzzIssueToOutputs(f *testing.F) {
	known := actionOutputs(f)
	f.Add("reg.example.com", "100000000001", "tok-abcdef0123456789", "0b6c5a3e-1111-2222-3333-444455556666", int64(1), true)
	f.Add("reg.example.com", "100", "pw", "tok\n_GitHubActionsFileCommandDelimeter_\nregistry<<EOF2\nevil.example.com\nEOF2", int64(1), true)
	f.Add("reg.example.com", "100\n::warning::forged", "pw", "", int64(0), false)
	f.Add("reg.example.com\n::stop-commands::x", "u", "pw", "", int64(0), false)
	f.Add("127.0.0.1:5000", "u", "pass word  with spaces", "", int64(3600), false)
	f.Add("reg.example.com", "u", "pw ghadelimiter_00000000000000000000000000000000", "id", int64(-1), true)
	f.Fuzz(func(t *testing.T, registry, username, password, tokenID string, expSeconds int64, longTerm bool) {
		cred := core.Credential{Registry: registry, Username: username, Password: password, TokenID: tokenID}
		if expSeconds > 0 && expSeconds < 1<<32 {
			cred.ExpiresAt = time.Unix(1700000000+expSeconds, 0)
		}
		dir := t.TempDir()
		files := map[string]string{}
		for _, k := range []string{envOutput, envState, envSummary} {
			files[k] = filepath.Join(dir, k)
			if err := os.WriteFile(files[k], nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		keySecret := "sk-fuzz-0123456789abcdef"
		tokenType := "temp"
		if longTerm {
			tokenType = "longterm"
		}
		env := map[string]string{
			"INPUT_PROVIDER": "tcr", "INPUT_REGION": "ap-guangzhou", "INPUT_INSTANCE-ID": "tcr-abcd1234",
			"INPUT_ACCESS-KEY-ID": "AKIDfuzz", "INPUT_ACCESS-KEY-SECRET": keySecret, "INPUT_VERIFY": "false",
			"INPUT_TOKEN-TYPE": tokenType,
		}
		for k, v := range files {
			env[k] = v
		}
		var stdout strings.Builder
		a := githubactions.New(githubactions.WithWriter(&stdout), githubactions.WithGetenv(func(k string) string { return env[k] }))
		newIssuer := func(core.Target, core.Env) (core.Issuer, error) { return answerIssuer{cred}, nil }
		if err := runMain(context.Background(), a, newIssuer); err != nil {
			a.Errorf("%s", errorMessage(err))
		}
		read := func(k string) string {
			b, err := os.ReadFile(files[k])
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		outputs, err := runnerfile.Parse(read(envOutput))
		if err != nil {
			t.Fatalf("output file: %v", err)
		}
		stateRaw := read(envState)
		state, err := runnerfile.Parse(stateRaw)
		if err != nil {
			t.Fatalf("state file: %v", err)
		}
		summary := read(envSummary)
		for name := range outputs {
			if !known[name] {
				t.Errorf("output %q is not one action.yml declares", name)
			}
		}
		for name := range state {
			if name != stateTokenID {
				t.Errorf("state %q is not the post step's", name)
			}
		}
		counts := map[string]int{}
		for _, line := range strings.Split(stdout.String(), "\n") {
			if !strings.HasPrefix(line, "::") {
				continue
			}
			m := ownCommand.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("stdout line %q is not one of the Action's commands", line)
				continue
			}
			counts[m[1]]++
		}
		if counts["error"] > 1 || counts["warning"] > 1 {
			t.Errorf("%d ::error:: and %d ::warning:: lines, want at most one each:\n%s", counts["error"], counts["warning"], stdout.String())
		}
		secrets := []string{keySecret}
		if len(password) >= 4 {
			secrets = append(secrets, password, core.DockerAuth(username, password))
		}
		for _, line := range strings.Split(stdout.String(), "\n") {
			if strings.HasPrefix(line, "::add-mask::") {
				continue
			}
			for _, s := range secrets {
				if strings.Contains(line, s) && !strings.Contains(registry+username+tokenID, s) {
					t.Errorf("a secret reached stdout")
				}
			}
		}
		for _, s := range secrets {
			if (strings.Contains(summary, s) || strings.Contains(stateRaw, s)) && !strings.Contains(registry+username+tokenID, s) {
				t.Errorf("a secret reached the summary or the state file")
			}
		}
		if cred.Check() != nil {
			if len(outputs) != 0 || len(state) != 0 {
				t.Errorf("outputs %q and state %q written for a credential that fails Check", outputs, state)
			}
			return
		}
		if len(outputs) > 0 && (outputs[outputRegistry] != registry || outputs[outputUsername] != username || outputs[outputPassword] != password) {
			t.Errorf("outputs do not hold the credential's values")
		}
	})
}
