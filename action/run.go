package main

import (
	"context"
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

// stateTokenID is the state key (STATE_token_id in the post step) holding
// the long-term token id to revoke. It is an id, not a secret.
const stateTokenID = "token_id"

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
	iss, err := buildIssuer(ctx, a, cfg, newIssuer)
	if err != nil {
		return err
	}
	cred, err := iss.Issue(ctx)
	if err != nil {
		return err
	}
	if err := cred.Check(); err != nil {
		return fmt.Errorf("the %s answer is unusable: %w", cfg.target.Provider, err)
	}
	dockerLine, err := dockerConfigLine(cred)
	if err != nil {
		return err
	}
	if cfg.maskPassword {
		for _, s := range append(cred.Secrets(), dockerLine) {
			a.AddMask(s)
		}
	}
	// The state goes out before verification, so that the post step revokes
	// a long-term token even when verification fails the step.
	if cred.TokenID != "" && cfg.revoke {
		if err := writeFileCommand(files.state, stateTokenID, cred.TokenID); err != nil {
			return fmt.Errorf("save long-term token %s for the post step to revoke (revoke it by hand): %w", cred.TokenID, err)
		}
	}

	ver := core.Verification{Result: core.VerifySkipped}
	if cfg.verify {
		ver = core.Verifier{Transport: cfg.transport, RealmHosts: cfg.realmHosts}.Verify(ctx, cred)
		switch ver.Result {
		case core.VerifyBad:
			addSummary(a, files, summary(cfg, cred, ver, time.Now()))
			return fmt.Errorf("the registry %s refused the new credential: %s", cred.Registry, core.Escape(ver.Detail))
		case core.VerifyUnknown:
			a.Warningf("could not check the credential against %s: %s", cred.Registry, core.Escape(ver.Detail))
		}
	}

	expires := ""
	if cred.Expires() {
		expires = cred.ExpiresAt.UTC().Format(time.RFC3339)
	}
	for _, o := range []struct{ name, value string }{
		{outputRegistry, cred.Registry}, {outputUsername, cred.Username}, {outputPassword, cred.Password},
		{outputExpiresAt, expires}, {outputTokenID, cred.TokenID}, {outputDockerConfig, dockerLine},
	} {
		if err := writeFileCommand(files.output, o.name, o.value); err != nil {
			return fmt.Errorf("set output: %w", err)
		}
	}
	addSummary(a, files, summary(cfg, cred, ver, time.Now()))
	a.Infof("minted a %s credential for %s as %s (expires %s, verification %s)",
		cfg.target.Type(), core.Escape(cred.Registry), core.Escape(cred.Username), orNever(expires), core.Escape(ver.String()))
	return nil
}

// runPost is the post step: revoke the long-term token the main step
// created, if it saved one and revoke is on. Cloud auth comes from the same
// inputs, which the runner passes to the post step too.
func runPost(ctx context.Context, a *githubactions.Action, newIssuer newIssuerFunc) error {
	maskEnvSecrets(a)
	tokenID := a.Getenv("STATE_" + stateTokenID)
	if tokenID == "" {
		a.Infof("no long-term token to revoke")
		return nil
	}
	// The state file is outside data too: nothing but a token id is sent
	// to the API or printed.
	if err := core.CheckTokenID(tokenID); err != nil {
		return fmt.Errorf("the saved state %s is unusable (%w): nothing revoked", stateTokenID, err)
	}
	cfg, err := configFromInputs(a)
	if err != nil {
		return err
	}
	if !cfg.revoke {
		return nil
	}
	iss, err := buildIssuer(ctx, a, cfg, newIssuer)
	if err != nil {
		return err
	}
	rev, ok := iss.(core.Revoker)
	if !ok {
		return fmt.Errorf("provider %s cannot revoke tokens", cfg.target.Provider)
	}
	if err := rev.Revoke(ctx, tokenID); err != nil {
		return fmt.Errorf("revoke long-term token %s: %w", tokenID, err)
	}
	a.Infof("revoked long-term token %s", tokenID)
	return nil
}

// buildIssuer masks the secret inputs, fetches the GitHub OIDC token for a
// keyless login and builds the issuer.
func buildIssuer(ctx context.Context, a *githubactions.Action, cfg *config, newIssuer newIssuerFunc) (core.Issuer, error) {
	for _, s := range cfg.target.Auth.Secrets() {
		a.AddMask(s)
	}
	if cfg.proxyPassword != "" {
		a.AddMask(cfg.proxyPassword)
	}
	if cfg.keyless() {
		tok, err := a.GetIDToken(ctx, cfg.audience)
		if err != nil {
			return nil, fmt.Errorf("get the GitHub OIDC token (audience %q): %w", cfg.audience, err)
		}
		a.AddMask(tok)
		cfg.target.Auth.WebIdentityToken = tok
	}
	return newIssuer(cfg.target, core.Env{Getenv: a.Getenv, Transport: cfg.transport})
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

func orNever(s string) string {
	if s == "" {
		return "never"
	}
	return s
}
