package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/providers"
)

// Output names, fixed by action.yml.
const (
	outputRegistry     = "registry"
	outputUsername     = "username"
	outputPassword     = "password"
	outputExpiresAt    = "expires-at"
	outputTokenID      = "token-id"
	outputDockerConfig = "docker-config"
)

// State keys (STATE_<key> in the post step): the long-term token id to
// revoke, or, with the registries input, instance=token pairs separated by
// commas. Ids, not secrets.
const (
	stateTokenID  = "token_id"
	stateTokenIDs = "token_ids"
)

// newIssuerFunc builds the issuer for a target (providers.New in
// production).
type newIssuerFunc func(t core.Target, env core.Env) (core.Issuer, error)

// isPost reports whether the binary was started as the post step.
func isPost(argv0 string) bool { return strings.HasSuffix(filepath.Base(argv0), "-post") }

// runMain is the main step: validate inputs, mint, verify, mask, output.
func runMain(ctx context.Context, a *githubactions.Action, newIssuer newIssuerFunc) error {
	maskEnvSecrets(a)
	// Before any network call: without an output or state file nothing
	// minted could be handed on or revoked.
	files, skipped, err := runnerFilesFrom(a.Getenv)
	if err != nil {
		return err
	}
	if skipped != "" {
		a.Infof("%s", skipped)
	}
	cfg, err := configFromInputs(a)
	if err != nil {
		return err
	}
	if err := prepareAuth(ctx, a, cfg); err != nil {
		return err
	}
	// Every credential is minted and masked before anything is printed
	// about any of them.
	var (
		minted []core.Credential
		saved  []string // instance=token pairs for the post step (registries)
	)
	targets := cfg.targets()
	for _, t := range targets {
		cred, err := mintOne(ctx, a, cfg, files, t, newIssuer)
		if err != nil {
			return err
		}
		minted = append(minted, cred)
		if cred.TokenID != "" && cfg.revoke && len(cfg.instances) > 0 {
			saved = append(saved, t.InstanceID+"="+cred.TokenID)
			if err := writeFileCommand(files.state, stateTokenIDs, strings.Join(saved, ",")); err != nil {
				return fmt.Errorf("save long-term token %s for the post step to revoke (revoke it by hand): %w", cred.TokenID, err)
			}
		}
	}
	dockerLine, err := dockerConfigLine(minted...)
	if err != nil {
		return err
	}
	if cfg.maskPassword {
		a.AddMask(dockerLine)
	}
	for i, t := range targets {
		if err := verifyOne(ctx, a, cfg, files, t, minted[i]); err != nil {
			return err
		}
	}
	outputs := []struct{ name, value string }{{outputDockerConfig, dockerLine}}
	for i, cred := range minted {
		expires := ""
		if cred.Expires() {
			expires = cred.ExpiresAt.UTC().Format(time.RFC3339)
		}
		values := []struct{ name, value string }{
			{outputRegistry, cred.Registry}, {outputUsername, cred.Username}, {outputPassword, cred.Password},
			{outputExpiresAt, expires}, {outputTokenID, cred.TokenID},
		}
		for _, v := range values {
			if len(minted) == 1 {
				outputs = append(outputs, v)
			}
			if len(cfg.instances) > 0 {
				outputs = append(outputs, struct{ name, value string }{v.name + "-" + cfg.instances[i], v.value})
			}
		}
	}
	for _, o := range outputs {
		if err := writeFileCommand(files.output, o.name, o.value); err != nil {
			return fmt.Errorf("set output: %w", err)
		}
	}
	return nil
}

// mintOne mints, checks and masks the credential of one target, saving a
// long-term token for the post step before it is checked (so that it is
// revoked even when the check fails the step).
func mintOne(ctx context.Context, a *githubactions.Action, cfg *config, files runnerFiles, t core.Target, newIssuer newIssuerFunc) (core.Credential, error) {
	iss, err := newIssuer(t, core.Env{Getenv: a.Getenv, Transport: cfg.transport})
	if err != nil {
		return core.Credential{}, err
	}
	cred, err := iss.Issue(ctx)
	if err != nil {
		return core.Credential{}, err
	}
	if err := cred.Check(); err != nil {
		return core.Credential{}, fmt.Errorf("the %s answer is unusable: %w", t.Provider, err)
	}
	single, err := dockerConfigLine(cred)
	if err != nil {
		return core.Credential{}, err
	}
	if cfg.maskPassword {
		for _, s := range append(cred.Secrets(), single) {
			a.AddMask(s)
		}
	}
	if cred.TokenID != "" && cfg.revoke && len(cfg.instances) == 0 {
		if err := writeFileCommand(files.state, stateTokenID, cred.TokenID); err != nil {
			return core.Credential{}, fmt.Errorf("save long-term token %s for the post step to revoke (revoke it by hand): %w", cred.TokenID, err)
		}
	}
	return cred, nil
}

// verifyOne checks a minted credential against its registry, adds its
// summary and says what was minted: a refused login fails the step.
func verifyOne(ctx context.Context, a *githubactions.Action, cfg *config, files runnerFiles, t core.Target, cred core.Credential) error {
	ver := core.Verification{Result: core.VerifySkipped}
	if cfg.verify {
		ver = core.Verifier{Transport: cfg.transport, RealmHosts: cfg.realmHosts}.Verify(ctx, cred)
		switch ver.Result {
		case core.VerifyBad:
			addSummary(a, files, summary(cfg, t, cred, ver, time.Now()))
			return fmt.Errorf("the registry %s refused the new credential: %s", cred.Registry, core.Escape(ver.Detail))
		case core.VerifyUnknown:
			a.Warningf("could not check the credential against %s: %s", cred.Registry, core.Escape(ver.Detail))
		}
	}
	addSummary(a, files, summary(cfg, t, cred, ver, time.Now()))
	expires := "never"
	if cred.Expires() {
		expires = cred.ExpiresAt.UTC().Format(time.RFC3339)
	}
	a.Infof("minted a %s credential for %s as %s (expires %s, verification %s)",
		t.Type(), core.Escape(cred.Registry), core.Escape(cred.Username), expires, core.Escape(ver.String()))
	return nil
}

// runPost is the post step: revoke the long-term token the main step
// created, if it saved one and revoke is on. Cloud auth comes from the same
// inputs, which the runner passes to the post step too.
func runPost(ctx context.Context, a *githubactions.Action, newIssuer newIssuerFunc) error {
	maskEnvSecrets(a)
	pairs, err := savedTokens(a.Getenv("STATE_"+stateTokenID), a.Getenv("STATE_"+stateTokenIDs))
	if err != nil {
		return err
	}
	if len(pairs) == 0 {
		a.Infof("no long-term token to revoke")
		return nil
	}
	cfg, err := configFromInputs(a)
	if err != nil {
		return err
	}
	if !cfg.revoke {
		return nil
	}
	if err := prepareAuth(ctx, a, cfg); err != nil {
		return err
	}
	var errs []error
	for _, p := range pairs {
		t := cfg.target
		if p.instance != "" {
			t.InstanceID = p.instance
		}
		iss, err := newIssuer(t, core.Env{Getenv: a.Getenv, Transport: cfg.transport})
		if err != nil {
			return err
		}
		rev, ok := iss.(core.Revoker)
		if !ok {
			return fmt.Errorf("provider %s cannot revoke tokens", t.Provider)
		}
		if err := rev.Revoke(ctx, p.token); err != nil {
			errs = append(errs, fmt.Errorf("revoke long-term token %s: %w", p.token, err))
			continue
		}
		a.Infof("revoked long-term token %s", p.token)
	}
	return errors.Join(errs...)
}

// savedToken is a long-term token the main step saved, with its instance
// when the registries input named several.
type savedToken struct{ instance, token string }

// savedTokens reads the state the main step saved. The state file is
// outside data too: a value that is not a token id (and instance id) is
// refused, and nothing is sent to the API or printed.
func savedTokens(single, pairs string) ([]savedToken, error) {
	var out []savedToken
	if single != "" {
		if err := core.CheckTokenID(single); err != nil {
			return nil, fmt.Errorf("the saved state %s is unusable (%w): nothing revoked", stateTokenID, err)
		}
		out = append(out, savedToken{token: single})
	}
	if pairs == "" {
		return out, nil
	}
	for _, p := range strings.Split(pairs, ",") {
		inst, tok, ok := strings.Cut(p, "=")
		if !ok || core.CheckTokenID(inst) != nil || core.CheckTokenID(tok) != nil {
			return nil, fmt.Errorf("the saved state %s is unusable (not instance=token pairs of ids): nothing revoked", stateTokenIDs)
		}
		out = append(out, savedToken{instance: inst, token: tok})
	}
	return out, nil
}

// prepareAuth masks the secret inputs and, for a keyless login, fetches
// the GitHub OIDC token (once for every target of the step).
func prepareAuth(ctx context.Context, a *githubactions.Action, cfg *config) error {
	for _, s := range cfg.target.Auth.Secrets() {
		a.AddMask(s)
	}
	if cfg.proxyPassword != "" {
		a.AddMask(cfg.proxyPassword)
	}
	if cfg.keyless() {
		tok, err := a.GetIDToken(ctx, cfg.audience)
		if err != nil {
			return fmt.Errorf("get the GitHub OIDC token (audience %q): %w", cfg.audience, err)
		}
		a.AddMask(tok)
		cfg.target.Auth.WebIdentityToken = tok
	}
	return nil
}

// maskEnvSecrets masks the vendors' environment variables that hold
// secrets before anything runs, whether or not they are used.
func maskEnvSecrets(a *githubactions.Action) {
	for _, k := range providers.SecretEnv() {
		if v := a.Getenv(k); v != "" {
			a.AddMask(v)
		}
	}
}

// errorMessage renders a step error as one line, with a hint for the common
// vendor errors.
func errorMessage(err error) string {
	msg := err.Error()
	if h := providers.Hint(err); h != "" {
		msg += " (hint: " + h + ")"
	}
	return msg
}
